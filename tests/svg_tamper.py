"""Changes to an SVG figure for negative controls: invisible jitter, a 1-px move, a colour, a label."""
from __future__ import annotations

import itertools
import random
import re

from tools.svg_compare import GEOMETRY, NUMBER

ATTRIBUTE = re.compile(r'(?<=\s)([\w:]+)="([^"]*)"')


def _edit_geometry(svg: str, edit) -> str:
    def attribute(match: re.Match) -> str:
        name, value = match[1], match[2]
        if name.rpartition(":")[2] not in GEOMETRY:
            return match[0]
        return f'{name}="{NUMBER.sub(lambda m: edit(m[0]), value)}"'

    return ATTRIBUTE.sub(attribute, svg)


def jitter(svg: str, amount: float = 0.001, seed: int = 0) -> str:
    """Move every coordinate of the figure by a random amount of at most `amount`."""
    rng = random.Random(seed)
    return _edit_geometry(svg, lambda n: f"{float(n) + rng.uniform(-amount, amount):f}")


def move_line(svg: str, pixels: float = 1.0) -> str:
    """Shift the first plotted line (the first Line2D path clipped to the axes) down by `pixels`."""
    match = re.search(r'<g id="line2d_\d+">\s*<path d="([^"]*)" clip-path', svg)
    assert match, "no plotted line in this figure"
    count = itertools.count()  # numbers alternate x, y: move every second one
    moved = NUMBER.sub(lambda m: f"{float(m[0]) + pixels:f}" if next(count) % 2 else m[0], match[1])
    return svg[: match.start(1)] + moved + svg[match.end(1):]


def recolour(svg: str) -> str:
    """Change the first stroke colour of a plotted line by one unit of its last hex digit."""
    match = re.search(r"stroke: #([0-9a-f]{6})", svg)
    assert match, "no stroke colour in this figure"
    last = match[1][-1]
    new = match[1][:-1] + ("0" if last == "f" else format(int(last, 16) + 1, "x"))
    return svg[: match.start(1)] + new + svg[match.end(1):]


def relabel(svg: str) -> str:
    """Change one character of the first text drawn in the figure (a tick label or axis label)."""
    match = re.search(r"<(?:text|tspan)\b[^>]*>([^<\s])", svg)
    assert match, "no text in this figure"
    char = match[1]
    new = str((int(char) + 1) % 10) if char.isdigit() else ("x" if char != "x" else "y")
    return svg[: match.start(1)] + new + svg[match.end(1):]


def has_plotted_line(svg: str) -> bool:
    return re.search(r'<g id="line2d_\d+">\s*<path d="([^"]*)" clip-path', svg) is not None
