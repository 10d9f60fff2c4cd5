"""Compare two SVG figures exactly, except for coordinates, which may differ by a tolerance.

    difference(reference, produced, tolerance=0.01) -> None, or a sentence saying what differs

Matplotlib writes coordinates with six decimals. On a CPU whose math libraries round differently
(ARM, x86 without AVX2) the sixth decimal of a data-dependent coordinate can change; a hundredth of a
pixel cannot be seen. Everything else must match exactly: the element tree, every attribute that is
not geometry (colours, styles, ids, links), all text (labels, tick labels, titles) and comments.
Geometry attributes (GEOMETRY) are split into numbers and the text between them: the text must be
equal, the count of numbers too, and each pair of numbers may differ by at most `tolerance`.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

DEFAULT_TOLERANCE = 0.01  # px (SVG user units): far below what a screen or a printer can show

# Attributes whose numbers are positions or sizes. `style` is not here: colours and line widths
# are compared exactly.
GEOMETRY = frozenset({
    "d", "points", "transform", "viewBox",
    "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "width", "height",
})
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def parse(svg: str) -> ET.Element:
    """The SVG's element tree, comments included (Matplotlib writes labels into comments)."""
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    # ElementTree refuses an encoding declaration in a str; the text is already decoded.
    return ET.fromstring(re.sub(r"^<\?xml[^>]*\?>", "", svg.lstrip()), parser=parser)


def _numbers_differ(name: str, ref: str, new: str, tolerance: float) -> str | None:
    """Compare one geometry attribute: same text between numbers, numbers within tolerance."""
    if NUMBER.split(ref) != NUMBER.split(new):
        return f"attribute {name} has different text: {_short(ref)!r} vs {_short(new)!r}"
    ref_nums, new_nums = NUMBER.findall(ref), NUMBER.findall(new)
    for index, (a, b) in enumerate(zip(ref_nums, new_nums)):
        delta = abs(float(a) - float(b))
        if delta > tolerance + 1e-12:  # the slack absorbs the rounding of decimal strings to floats
            return (f"attribute {name}, number {index + 1} of {len(ref_nums)}: {a} vs {b} "
                    f"(differs by {delta:.6g}, tolerance {tolerance:g})")
    return None


def _short(text: str | None, limit: int = 80) -> str:
    text = text or ""
    return text if len(text) <= limit else text[:limit] + "…"


def _where(path: list[str]) -> str:
    return "/".join(path)


def _compare(ref: ET.Element, new: ET.Element, tolerance: float, path: list[str]) -> str | None:
    here = path + [_label(ref)]
    if ref.tag != new.tag:
        return f"{_where(here)}: element {_label(new)} instead of {_label(ref)}"
    if (ref.text or "") != (new.text or ""):
        return f"{_where(here)}: text {_short(ref.text)!r} vs {_short(new.text)!r}"
    if set(ref.attrib) != set(new.attrib):
        return f"{_where(here)}: attributes {sorted(ref.attrib)} vs {sorted(new.attrib)}"
    for name, value in ref.attrib.items():
        other = new.attrib[name]
        if value == other:
            continue
        local = name.rpartition("}")[2]
        if local in GEOMETRY:
            problem = _numbers_differ(local, value, other, tolerance)
        else:
            problem = f"attribute {local}: {_short(value)!r} vs {_short(other)!r}"
        if problem:
            return f"{_where(here)}: {problem}"
    if (ref.tail or "") != (new.tail or ""):
        return f"{_where(here)}: text after the element {_short(ref.tail)!r} vs {_short(new.tail)!r}"
    if len(ref) != len(new):
        return f"{_where(here)}: {len(ref)} child elements vs {len(new)}"
    for a, b in zip(ref, new):
        problem = _compare(a, b, tolerance, here)
        if problem:
            return problem
    return None


def _label(element: ET.Element) -> str:
    if element.tag is ET.Comment:
        return "<!--comment-->"
    tag = element.tag.rpartition("}")[2]
    ident = element.attrib.get("id")
    return f"{tag}#{ident}" if ident else tag


def difference(reference: str, produced: str, tolerance: float = DEFAULT_TOLERANCE) -> str | None:
    """None when the two SVGs match (coordinates within `tolerance`), else where they first differ."""
    if not isinstance(tolerance, (int, float)) or not tolerance >= 0:
        raise ValueError(f"tolerance must be a number >= 0, got {tolerance!r}")
    if reference == produced:
        return None
    try:
        ref_tree, new_tree = parse(reference), parse(produced)
    except ET.ParseError as err:
        return f"not comparable as SVG ({err})"
    return _compare(ref_tree, new_tree, tolerance, [])
