"""Chapter 04's plotting set-up in detail: when it counts as running in Jupyter, what it asks the inline backend
for, single-point series and the whole fmts message. Written for mutation testing (`make mutants`): each test
catches changes the chapter's tests let pass."""
from __future__ import annotations

import sys
import types

import numpy as np
import pytest
from matplotlib_inline import backend_inline

from d2l_utils import calculus


def fake_ipython(monkeypatch, shell) -> None:
    """Make `IPython` importable with get_ipython() returning `shell` (None: imported, but no kernel runs)."""
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))


def test_in_jupyter_needs_a_running_ipython(monkeypatch):
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert calculus._in_jupyter() is False
    fake_ipython(monkeypatch, None)
    assert calculus._in_jupyter() is False
    fake_ipython(monkeypatch, object())
    assert calculus._in_jupyter() is True


def test_in_jupyter_inline_figures_are_svg_without_a_date_or_version(monkeypatch):
    calls = []
    monkeypatch.setattr(backend_inline, "set_matplotlib_formats", lambda *args, **kwargs: calls.append((args, kwargs)))
    fake_ipython(monkeypatch, None)
    calculus.use_svg_display()
    assert calls == [], "outside Jupyter the inline backend is left alone"
    fake_ipython(monkeypatch, object())
    calculus.use_svg_display()
    ((args, kwargs),) = calls
    assert args == ("svg",) and kwargs["metadata"] == {"Date": None, "Creator": None}


def test_a_one_number_list_is_one_series():
    (series,) = calculus._as_series_list([2.5], "X")
    np.testing.assert_array_equal(series, np.array([2.5]))
    assert calculus._has_one_axis(["a"]) and not calculus._has_one_axis([[1.0], [2.0]])


def test_empty_fmts_message_shows_what_was_passed():
    with pytest.raises(TypeError) as caught:
        calculus._check_plot([np.ones(2)], None, [], "linear", "linear", None)
    assert str(caught.value) == "fmts must be a non-empty list of format strings, got []"


def test_scale_and_axes_messages_show_what_was_passed():
    with pytest.raises(ValueError) as caught:
        calculus._check_scales("linear", "Log")
    assert str(caught.value) == f"yscale must be one of {calculus.SCALES}, got 'Log'"
    with pytest.raises(TypeError) as caught:
        calculus._check_axes("ax", "linear", "linear")
    assert str(caught.value) == "axes must be a matplotlib Axes (e.g. plt.gca()), got str"


def test_svg_labels_name_the_one_font_they_are_drawn_in():
    """Labels stay text in the SVG (svg.fonttype none), so the file names a font: the one matplotlib measured them with."""
    import io
    import re

    from matplotlib import font_manager, pyplot as plt

    with plt.style.context("default"):
        calculus.set_figsize()
        fig, axes = plt.subplots()
        axes.set_xlabel("x")
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg")
        plt.close(fig)
        used = font_manager.get_font(font_manager.findfont(font_manager.FontProperties(family=["sans-serif"])))
    families = set(re.findall(r"font-family: ?([^;\"]+)", buffer.getvalue()))
    assert families == {f"'{used.family_name}', sans-serif"}, "one font, as its file spells it, then the generic"
    assert "<text" in buffer.getvalue()
