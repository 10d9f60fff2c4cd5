"""Chapter 01's helpers: the broadcasting and strides pictures, and the self-check questions."""
from __future__ import annotations

import json
import re
from unittest import mock

import pytest
import torch
from hypothesis import given, settings, strategies as st

from d2l_utils import tensors


def shown(call, *args) -> list:
    """What a helper displays (the objects passed to IPython's display), without a notebook."""
    out = []
    with mock.patch("IPython.display.display", out.append):
        call(*args)
    return out


def svg_text(call, *args) -> str:
    (svg,) = shown(call, *args)
    return svg.data


def texts(svg: str) -> list[str]:
    return [re.sub(r"\s+", " ", t).strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


shapes = st.lists(st.sampled_from([0, 1, 1, 2, 3, 4]), max_size=4).map(tuple)  # 0: an empty axis


@settings(max_examples=40, deadline=None)
@given(shapes, shapes)
def test_show_broadcast_agrees_with_torch(a, b):
    words = " ".join(texts(svg_text(tensors.show_broadcast, a, b)))
    try:
        expected = tuple(torch.broadcast_shapes(a, b))
    except RuntimeError:
        match = re.search(r"do not broadcast: axis (-\d+) has (\d+) vs (\d+)", words)
        assert match, words
        k, sa, sb = int(match[1]), int(match[2]), int(match[3])
        pa, pb = (1,) * (4 - len(a)) + a, (1,) * (4 - len(b)) + b
        assert (pa[k], pb[k]) == (sa, sb) and sa != sb and 1 not in (sa, sb)
    else:
        assert f"broadcast to {expected}" in words, words
        assert "clash" not in words


def test_show_broadcast_labels_each_axis():
    words = texts(svg_text(tensors.show_broadcast, (2, 1, 3), (4, 1)))
    assert words.count("stretched") == 3 and "kept" not in words
    words = texts(svg_text(tensors.show_broadcast, (2, 3), (4, 3)))
    assert words.count("clash") == 1 and words.count("kept") == 1


def test_show_broadcast_draws_the_same_svg_every_time():
    assert svg_text(tensors.show_broadcast, (5, 1, 4), (3, 1)) == svg_text(tensors.show_broadcast, (5, 1, 4), (3, 1))


@pytest.mark.parametrize("bad, name", [("23", "shape_a"), (None, "shape_a"), ((2, -1), "shape_a"),
                                       ((2.0,), "shape_a"), ((True,), "shape_a"), ((1,) * 7, "shape_a")])
def test_show_broadcast_rejects_bad_shapes(bad, name):
    with pytest.raises((TypeError, ValueError), match=name):
        tensors.show_broadcast(bad, (2,))
    with pytest.raises((TypeError, ValueError), match="shape_b"):
        tensors.show_broadcast((2,), bad)


V = torch.arange(12).reshape(3, 4)


@pytest.mark.parametrize("t", [V, V.T, V[1:, ::2], V[2], torch.arange(5.0)[1::2]], ids=["V", "V.T", "slice", "row", "1d"])
def test_show_strides_labels_each_entry_with_its_storage_slot(t):
    words = texts(svg_text(tensors.show_strides, t))
    grid = t if t.dim() == 2 else t.unsqueeze(0)
    # Each entry's slot, as torch itself reports it: the storage offset of the one-element view.
    slots = [grid[i, j].storage_offset() for i in range(grid.shape[0]) for j in range(grid.shape[1])]
    assert [w for w in words if w.startswith("@")] == [f"@{s}" for s in slots]
    summary = next(w for w in words if w.startswith("shape"))
    assert summary == (f"shape {tuple(t.shape)}, stride {t.stride()}, offset {t.storage_offset()}, "
                       f"contiguous: {t.is_contiguous()}")


def test_show_strides_draws_the_whole_storage():
    words = texts(svg_text(tensors.show_strides, V[1:, ::2]))
    storage = [str(v) for v in range(12)]
    assert words[: 2 * 12 : 2] == storage  # value, then slot number, for each slot of the strip


@pytest.mark.parametrize("bad, error", [([1, 2], TypeError), (torch.zeros(2, 2, 2), ValueError),
                                        (torch.tensor(1.0), ValueError), (torch.zeros(30), ValueError)])
def test_show_strides_rejects_bad_input(bad, error):
    with pytest.raises(error, match=r"\bt\b"):
        tensors.show_strides(bad)


# ---------------------------------------------------------------- quiz


def quiz_outputs(*args, **kwargs):
    out = []
    with mock.patch("IPython.display.display", out.append):
        tensors.quiz(*args, **kwargs)
    return out


def key_of(html: str) -> list:
    return json.loads(re.search(r'<script type="application/json" class="quiz-key">(.*?)</script>', html)[1])


def test_quiz_key_marks_exactly_the_computed_answer():
    shape = tuple((torch.ones(2, 1) + torch.ones(3)).shape)
    choices = {(3, 2): "Aligned from the left.", (2, 3): "Trailing axes align.", "an error": "Sizes 1 stretch."}
    html, js = quiz_outputs("Shape of a + b?", choices, shape)
    (question,) = key_of(html.data)
    assert [a["answer"] for a in question["answers"] if a["correct"]] == ["(2, 3)"]
    # every choice carries its own feedback
    assert {a["answer"]: a["feedback"] for a in question["answers"]} == {str(k): v for k, v in choices.items()}
    assert json.dumps(key_of(html.data)) in js.data  # the script shows the same key


def test_quiz_output_is_identical_on_every_run(monkeypatch):
    choices = {1: "One is too small.", 2: "Two is right."}
    monkeypatch.setattr(tensors, "_QUIZ_LIBRARY_HOLDER", None)
    first = [o.data for o in quiz_outputs("Which?", choices, 2)]
    monkeypatch.setattr(tensors, "_QUIZ_LIBRARY_HOLDER", None)
    assert [o.data for o in quiz_outputs("Which?", choices, 2)] == first
    assert "show_questions" in first[1]


def test_the_first_question_keeps_the_library_when_re_run(monkeypatch):
    """Run All twice: the first question still carries the library, so the saved notebook holds it; the
    others never embed it again."""
    monkeypatch.setattr(tensors, "_QUIZ_LIBRARY_HOLDER", None)
    choices = {1: "One is too small.", 2: "Two is right."}
    for _ in range(2):
        assert "show_questions" in quiz_outputs("First?", choices, 2)[1].data
        assert "show_questions" not in quiz_outputs("Second?", choices, 2)[1].data


def test_a_question_reads_as_plain_html_without_javascript():
    choices = {"(2, 3)": "Trailing axes align.", "an error": "Sizes 1 stretch, so it works."}
    html, js = quiz_outputs("Shape of <a> + b?", choices, "(2, 3)")
    plain = re.search(r'<div class="quiz-plain">(.*?)</div>', html.data, re.DOTALL)[1]
    assert plain == "<p>Shape of &lt;a&gt; + b?</p><ul><li>(2, 3)</li><li>an error</li></ul>", plain
    assert "quiz-plain" in js.data, "the script removes the plain version when it shows the question"
    assert "tries < 100" in js.data and "quiz-missing" in js.data, "it waits a bounded time, then says what to do"


GOOD = {1: "why 1", 2: "why 2"}


@pytest.mark.parametrize("args, name", [(("", GOOD, 1), "question"), ((5, GOOD, 1), "question"),
                                        (("Q?", [1, 2], 1), "choices"), (("Q?", {1: "why"}, 1), "choices"),
                                        (("Q?", {1: "a", "1": "b"}, 1), "choices"),
                                        (("Q?", {1: "why", 2: ""}, 1), "choices"),
                                        (("Q?", {1: "why", 2: 3}, 1), "choices"),
                                        (("Q?", GOOD, 3), "answer")])
def test_quiz_rejects_bad_input(args, name):
    with pytest.raises((TypeError, ValueError), match=name):
        quiz_outputs(*args)


def test_the_quiz_script_is_valid_javascript(tmp_path, monkeypatch):
    """Both kinds of script (with the library, and without) parse: node is there, as `make slides` needs it."""
    import shutil
    import subprocess
    node = shutil.which("node")
    assert node, "node is needed (make slides installs the decks' libraries with npm)"
    monkeypatch.setattr(tensors, "_QUIZ_LIBRARY_HOLDER", None)
    for name in ("first", "second"):
        script = tmp_path / f"{name}.js"
        script.write_text(quiz_outputs(f"The {name} question's text?", {1: "why one", 2: "why two"}, 1)[1].data)
        result = subprocess.run([node, "--check", str(script)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
