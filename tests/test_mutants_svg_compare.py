"""tools/svg_compare.py in detail: the exact sentence it gives for each kind of difference (nbval shows it when a
figure fails), XML declarations and comments, namespaced attributes and the bounds of the tolerance.
Written for mutation testing (`make mutants`): each test catches changes the whole-figure tests let pass."""
from __future__ import annotations

from tools import svg_compare

NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
DECLARATION = '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'


def svg(body: str, namespaces: str = NS) -> str:
    return f"<svg {namespaces}>{body}</svg>"


def test_a_matplotlib_file_with_its_xml_declaration_compares():
    """Matplotlib's files start with an encoding declaration, which ElementTree refuses in a str."""
    ref = DECLARATION + svg('<path d="M 0 0 L 1 1"/>')
    assert svg_compare.difference(ref, ref.replace("L 1 1", "L 1.001 1")) is None
    assert svg_compare.difference("\n  " + ref, ref.replace("L 1 1", "L 1.001 1")) is None  # leading blank lines
    assert svg_compare.difference(ref, ref.replace("L 1 1", "L 2 1")) == (
        "svg/path: attribute d, number 3 of 4: 1 vs 2 (differs by 1, tolerance 0.01)")


def test_comments_are_compared():
    """Matplotlib writes the text of a label into a comment next to its glyphs."""
    ref = svg('<g id="text_1"><!-- 0.5 --><path d="M 0 0"/></g>')
    assert svg_compare.difference(ref, ref.replace("0.5", "0.6")) == (
        "svg/g#text_1/<!--comment-->: text ' 0.5 ' vs ' 0.6 '")
    assert svg_compare.difference(ref, ref.replace("<!-- 0.5 -->", "")) == "svg/g#text_1: 2 child elements vs 1"


def test_the_path_names_each_element_by_tag_and_id():
    ref = svg('<g id="figure_1"><g id="axes_1"><g><path d="M 0 0" style="fill: #ffffff"/></g></g></g>')
    assert svg_compare.difference(ref, ref.replace("#ffffff", "#fffffe")) == (
        "svg/g#figure_1/g#axes_1/g/path: attribute style: 'fill: #ffffff' vs 'fill: #fffffe'")
    plain = '<svg><g id="a"><rect width="1"/></g></svg>'  # without a namespace the tags have no {uri} prefix
    assert svg_compare.difference(plain, plain.replace('"1"', '"2"')) == (
        "svg/g#a/rect: attribute width, number 1 of 1: 1 vs 2 (differs by 1, tolerance 0.01)")
    assert svg_compare.difference(plain, plain.replace("rect", "circle")) == "svg/g#a/rect: element circle instead of rect"


def test_text_and_tail_differences_quote_both_sides():
    ref = svg('<text id="t">a</text><g>x<a/>before</g>')
    assert svg_compare.difference(ref, ref.replace(">a<", ">b<")) == "svg/text#t: text 'a' vs 'b'"
    assert svg_compare.difference(ref, ref.replace(">a<", "><")) == "svg/text#t: text 'a' vs ''"
    assert svg_compare.difference(ref, ref.replace("<g>x", "<g>")) == "svg/g: text 'x' vs ''"
    assert svg_compare.difference(ref, ref.replace("before", "after")) == (
        "svg/g/a: text after the element 'before' vs 'after'")


def test_namespaced_attributes_are_named_without_their_namespace():
    ref = svg('<use xlink:href="#m1" x="1"/>')
    assert svg_compare.difference(ref, ref.replace("#m1", "#m2")) == "svg/use: attribute href: '#m1' vs '#m2'"
    geometry = svg('<rect xlink:x="1"/>')  # a geometry name in a namespace is still geometry
    assert svg_compare.difference(geometry, geometry.replace('"1"', '"1.001"')) is None


def test_geometry_with_different_text_quotes_both_values():
    ref = svg('<path d="M 0 0 L 5 5"/>')
    assert svg_compare.difference(ref, ref.replace("L 5", "C 5")) == (
        "svg/path: attribute d has different text: 'M 0 0 L 5 5' vs 'M 0 0 C 5 5'")
    assert svg_compare.difference(ref, ref.replace("M 0 0", "M 0 0.5")) == (
        "svg/path: attribute d, number 2 of 4: 0 vs 0.5 (differs by 0.5, tolerance 0.01)")


def test_long_values_are_cut_at_80_characters():
    for value, shown in [("v" * 79 + "a", "v" * 79 + "a"), ("v" * 80 + "a", "v" * 80 + "…")]:
        ref = svg(f'<g class="{value}"/>')
        problem = svg_compare.difference(ref, ref.replace('a"', 'b"'))
        assert problem.startswith(f"svg/g: attribute class: {shown!r} vs "), problem


def test_the_tolerance_bound_is_inclusive():
    """A coordinate that moves by exactly the tolerance passes; the 1e-12 slack absorbs decimal rounding."""
    ref = svg('<path d="M 1 0"/>')
    assert svg_compare.difference(ref, ref.replace("M 1", "M 1.01")) is None  # 1.01 - 1 = 0.010000000000000009
    assert svg_compare.difference(ref, ref.replace("M 1", "M 1.0100001")) is not None
    zero = svg('<path d="M 0 0"/>')
    assert svg_compare.difference(zero, zero.replace("M 0", "M 1e-12"), tolerance=0) is None
    assert svg_compare.difference(zero, zero.replace("M 0", "M 0.000"), tolerance=0) is None  # same number
    assert svg_compare.difference(zero, zero.replace("M 0", "M 0.000001"), tolerance=0) is not None
