"""Self-check questions (cells tagged `quiz`): keys computed by the notebook, never typed, never stale.

Strict nbval re-runs every quiz cell and compares its HTML output, which embeds the key, with the
committed one; `d2l.quiz` raises when the computed answer is not among the choices. These tests check the
rest: every chapter has questions, every key comes from code, and each committed key is well formed.
"""
from __future__ import annotations

import ast
import json
import re

import pytest

from tests.support import KEY, NOTEBOOKS, committed_question, quizzes


def quiz_call(source: str) -> ast.Call:
    calls = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)
             and getattr(n.func, "attr", getattr(n.func, "id", None)) == "quiz"]
    assert len(calls) == 1, "a quiz cell asks one question with one quiz(...) call (d2l.quiz after chapter 01)"
    return calls[0]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_chapter_asks_at_least_three_questions(path):
    assert len(quizzes(path)) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_answer_keys_are_computed_not_typed(path):
    for index, cell in quizzes(path):
        call = quiz_call(cell.source)
        answer = next((k.value for k in call.keywords if k.arg == "answer"), None)
        if answer is None:
            assert len(call.args) >= 3, f"cell {index}: pass the answer"
            answer = call.args[2]
        # A literal (or a tuple/list of literals) would be a typed key that can go stale.
        assert not all(isinstance(n, (ast.Constant, ast.Tuple, ast.List, ast.UnaryOp, ast.USub, ast.Load))
                       for n in ast.walk(answer)), f"cell {index}: the answer is typed in: {ast.unparse(answer)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_keys_have_one_right_choice(path):
    for index, cell in quizzes(path):
        assert cell.cell_type == "code" and cell.metadata.get("jupyter", {}).get("source_hidden") is True, (
            f"cell {index}: a quiz shows the question, not its code (collapse the source)")
        assert cell.metadata["slideshow"]["slide_type"] != "skip", f"cell {index}: quizzes belong on the slides too"
        html = "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)
        scripts = [o for o in cell.outputs if "application/javascript" in o.get("data", {})]
        keys = KEY.findall(html)
        assert len(keys) == 1 and len(scripts) == 1, f"cell {index}: expected one question and one script"
        (question,) = json.loads(keys[0])
        right = [a["answer"] for a in question["answers"] if a["correct"]]
        assert len(right) == 1, f"cell {index}: {right}"
        assert keys[0] in scripts[0]["data"]["application/javascript"], f"cell {index}: script and key differ"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_quiz_library_loads_once_per_notebook(path):
    scripts = [o["data"]["application/javascript"] for _, c in quizzes(path) for o in c.outputs
               if "application/javascript" in o.get("data", {})]
    assert ["show_questions" in s for s in scripts] == [True] + [False] * (len(scripts) - 1)


# Feedback that gives no reason: the learner learns nothing from a wrong click.
GENERIC = re.compile(r"(?i)^(not this one|look again|try again|wrong|incorrect|no)\b")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_choice_explains_itself(path):
    """Each choice has feedback of its own: why the right one is right, why each wrong one tempts."""
    for index, cell in quizzes(path):
        call = quiz_call(cell.source)
        choices = call.args[1] if len(call.args) > 1 else next(k.value for k in call.keywords if k.arg == "choices")
        # A dict literal, or a dict built in the cell (a name, dict(...), a comprehension); never a bare list.
        assert not isinstance(choices, (ast.List, ast.Tuple, ast.Set)), (
            f"cell {index}: pass the choices as {{option: feedback}}")
        answers = committed_question(index, cell)["answers"]
        feedback = [a["feedback"].strip() for a in answers]
        assert len(set(feedback)) == len(feedback), f"cell {index}: two choices share one feedback"
        for answer in answers:
            why = answer["feedback"].strip()
            assert len(why) >= 25 and not GENERIC.match(why), (
                f"cell {index}: choice {answer['answer']!r} needs feedback that explains, got {why!r}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_right_choice_moves(path):
    """Not every question of a chapter has its right answer first (or in any one place)."""
    places = []
    for index, cell in quizzes(path):
        answers = committed_question(index, cell)["answers"]
        places.append(next(i for i, a in enumerate(answers) if a["correct"]))
    assert len(set(places)) > 1, f"{path.name}: the right answer is always choice {places[0] + 1}"
