"""d2l_utils/answers.py: %%answer runs a worked answer and shows its code and output in one closed box."""
from __future__ import annotations

import base64
import html
import re

import pytest
from IPython.core.displaypub import CapturingDisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import SVG


@pytest.fixture(scope="module")
def shell():
    ip = InteractiveShell.instance()
    assert ip.run_cell("%load_ext d2l_utils.answers").success
    yield ip
    InteractiveShell.clear_instance()


def run(shell, source: str) -> tuple[list[dict], object]:
    """Run one cell; return what it displayed (MIME bundles) and the run's result."""
    shown = CapturingDisplayPublisher()
    saved, shell.display_pub = shell.display_pub, shown
    try:
        result = shell.run_cell(source)
    finally:
        shell.display_pub = saved
    return [output["data"] for output in shown.outputs], result


def box_parts(page: str) -> list[str]:
    """The outputs in the <details> box after the code, as written, in order."""
    inner = re.fullmatch(r'<details class="d2l-answer"><summary>[^<]*</summary>\n(.*)\n</details>', page, re.DOTALL)
    assert inner, page
    return re.findall(r"<pre>.*?</pre>|<img [^>]*>", inner.group(1), re.DOTALL)


def test_code_and_output_share_one_closed_box(shell):
    bundles, result = run(shell, "%%answer\n# Worked code for exercise 7\nx = 2 < 3\nprint('x:', x)\n")
    assert result.success and len(bundles) == 1, bundles
    page = bundles[0]["text/html"]
    assert page.startswith('<details class="d2l-answer"><summary>Worked code for exercise 7</summary>')
    assert "<details open" not in page, "the box starts closed"
    code = html.escape("x = 2 < 3\nprint('x:', x)")
    assert f">{code}</pre>" in page and '<pre class="d2l-answer-code"' in page, "the code, escaped, without the title line"
    assert "<pre>x: True\n</pre>" in page
    assert bundles[0]["text/plain"].splitlines()[1:] == ["x: True"], "plain text carries what was printed (nbval compares it)"
    assert shell.user_ns["x"] is True, "the answer runs in the notebook's namespace"


def test_printed_text_and_figures_keep_their_order(shell):
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>'
    bundles, _ = run(shell, f"%%answer\n# Worked code\nfrom IPython.display import SVG, display\nprint('before')\n"
                            f"display(SVG('{svg}'))\nprint('after')\n6 * 7\n")
    parts = box_parts(bundles[0]["text/html"])
    figure = base64.b64encode(SVG(svg).data.encode()).decode()  # as IPython displays it (it re-serialises SVG)
    assert parts == ["<pre>before\n</pre>", f'<img alt="figure" src="data:image/svg+xml;base64,{figure}">',
                     "<pre>after\n</pre>", "<pre>42</pre>"], parts
    assert bundles[0]["text/plain"].splitlines()[1:] == ["before", "[figure]", "after", "42"]


def test_a_pyplot_figure_lands_inside_the_box(shell):
    # What `%matplotlib inline` does in a kernel (this terminal shell has no GUI loop to enable).
    assert shell.run_cell("import matplotlib; matplotlib.use('module://matplotlib_inline.backend_inline')\n"
                          "import matplotlib.pyplot as plt; plt.ion()\n"
                          "from matplotlib_inline.backend_inline import set_matplotlib_formats\n"
                          "set_matplotlib_formats('svg')").success
    bundles, _ = run(shell, "%%answer\n# Worked code\nimport matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nprint('drawn')\n")
    assert len(bundles) == 1, f"a figure escaped the box: {[sorted(b) for b in bundles]}"
    parts = box_parts(bundles[0]["text/html"])
    assert parts[0] == "<pre>drawn\n</pre>" and parts[1].startswith('<img alt="figure" src="data:image/svg+xml;base64,'), parts


def test_an_error_still_shows_what_was_printed_and_then_raises(shell):
    bundles, result = run(shell, "%%answer\n# Worked code\nprint('reached')\n1 / 0\n")
    assert isinstance(result.error_in_exec, ZeroDivisionError), "the error reaches the notebook (and nbval)"
    assert len(bundles) == 1 and "<pre>reached\n</pre>" in bundles[0]["text/html"]


def test_without_a_title_line_the_box_has_a_plain_title(shell):
    bundles, _ = run(shell, "%%answer\nprint(1)\n")
    assert "<summary>Worked code</summary>" in bundles[0]["text/html"] and "print(1)" in bundles[0]["text/html"]


def test_a_final_semicolon_hides_the_value_as_in_a_cell(shell):
    bundles, _ = run(shell, "%%answer\n# Worked code\nprint('shown')\n6 * 7;\n")
    assert box_parts(bundles[0]["text/html"]) == ["<pre>shown\n</pre>"]


def test_warnings_land_inside_the_box(shell):
    bundles, _ = run(shell, "%%answer\n# Worked code\nimport sys\nprint('to stderr', file=sys.stderr)\n")
    assert len(bundles) == 1 and "<pre>to stderr\n</pre>" in bundles[0]["text/html"]


def test_a_syntax_error_names_the_cell_not_the_helper(shell):
    _, result = run(shell, "%%answer\n# Worked code\nprint('a'\n")
    error = result.error_in_exec or result.error_before_exec
    assert isinstance(error, SyntaxError), error
    # Compiled under the cell's own name (IPython then quotes the cell's lines), not ast.parse's '<unknown>'.
    assert error.filename not in ("<unknown>", "<string>") and "answers" not in error.filename, error.filename


def test_an_assignment_last_shows_no_value_and_assigns(shell):
    bundles, _ = run(shell, "%%answer\n# Worked code\nanswer_value = 5\n")
    assert box_parts(bundles[0]["text/html"]) == [] and shell.user_ns["answer_value"] == 5


def test_a_png_figure_and_html_stay_in_the_box(shell):
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 8).decode()
    source = (f"%%answer\n# Worked code\nfrom IPython.display import HTML, Image, display\n"
              f"display(HTML('<b>bold</b>'))\ndisplay(Image(data=base64.b64decode('{png}'), format='png'))\n")
    shell.user_ns["base64"] = base64
    bundles, _ = run(shell, source)
    parts = re.findall(r"<b>bold</b>|<img [^>]*>", bundles[0]["text/html"])
    assert parts == ["<b>bold</b>", f'<img alt="figure" src="data:image/png;base64,{png}">'], parts
    assert bundles[0]["text/plain"].splitlines() == ["Worked code (the code is shown in the HTML view)",
                                                      "<IPython.core.display.HTML object>", "[figure]"]


def test_the_magic_is_registered_as_a_cell_magic_named_answer(shell):
    assert "answer" in shell.magics_manager.magics["cell"]
    assert "answer" not in shell.magics_manager.magics["line"]


def test_a_traceback_shows_the_answer_not_the_helper(shell, capsys):
    _, result = run(shell, "%%answer\n# Worked code\nprint('reached')\nraise KeyError('the mistake')\n")
    shown = capsys.readouterr().out
    assert isinstance(result.error_in_exec, KeyError) and "the mistake" in shown
    assert "raise KeyError" in shown, "the answer's own line is quoted"
    assert "_run(" not in shown and "exec(compile" not in shown, "the helper's frames are hidden"


def test_a_warning_lands_inside_the_box(shell):
    with pytest.warns(UserWarning, match="^careful$"):  # pytest sees it too; this keeps it out of the summary
        bundles, _ = run(shell, "%%answer\n# Worked code\nimport warnings\nwarnings.warn('careful', UserWarning)\n")
    assert len(bundles) == 1 and "careful" in bundles[0]["text/html"], bundles
