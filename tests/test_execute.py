"""tools/execute.py (`make execute`): re-running changes no byte; timings are kept as the rules say."""
from __future__ import annotations

import subprocess

import nbformat

from tools import execute

TIMING = "# NBVAL_IGNORE_OUTPUT: a wall-clock time differs on every run\nimport time; print(time.perf_counter())"


def make_notebook(path, timing_source: str = TIMING) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Probe"),
        nbformat.v4.new_code_cell("import sys\nfor i in range(3):\n    print(i, flush=True)\n    sys.stdout.flush()"),
        nbformat.v4.new_code_cell(timing_source),
    ]
    nbformat.write(nb, path)


def timing_output(path) -> str:
    return nbformat.read(path, as_version=4).cells[2].outputs[0].text


def test_second_run_changes_no_byte_and_keeps_timings(tmp_path):
    path = tmp_path / "probe.ipynb"
    make_notebook(path)
    assert execute.execute(path) is True
    first = path.read_bytes()
    nb = nbformat.read(path, as_version=4)
    assert [o.output_type for o in nb.cells[1].outputs] == ["stream"], "stream chunks are merged into one"
    assert nb.cells[1].outputs[0].text == "0\n1\n2\n"
    assert "version" not in nb.metadata["language_info"]
    assert execute.execute(path) is False, "an unchanged notebook must not be rewritten"
    assert path.read_bytes() == first, "the ignored timing keeps its committed value"


def test_a_changed_timing_cell_gets_its_new_output(tmp_path):
    path = tmp_path / "probe.ipynb"
    make_notebook(path)
    execute.execute(path)
    before = timing_output(path)
    nb = nbformat.read(path, as_version=4)
    nb.cells[2].source = TIMING + "\nprint('edited')"
    nbformat.write(nb, path)
    execute.execute(path)
    after = timing_output(path)
    assert after != before and after.endswith("edited\n"), "an edited cell's output is what it prints now"


def test_a_timing_cell_edited_since_the_last_commit_gets_its_new_output(tmp_path):
    """An edit that prints the same text with other numbers still replaces the output: the old one came from
    other code. Once the edit is committed, the timing is kept again."""
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.invalid", "-C", str(tmp_path)]
    path = tmp_path / "probe.ipynb"
    make_notebook(path)
    execute.execute(path)
    subprocess.run(git + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "probe"], check=True)
    before = timing_output(path)
    nb = nbformat.read(path, as_version=4)
    nb.cells[2].source = TIMING.replace("print(", "elapsed = time.perf_counter(); print(")
    nbformat.write(nb, path)
    execute.execute(path)
    edited = timing_output(path)
    assert edited != before, "the output of the edited cell is what the new code printed"
    subprocess.run(git + ["commit", "-qam", "edit"], check=True)
    assert execute.execute(path) is False and timing_output(path) == edited
