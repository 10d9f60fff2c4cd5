"""What a build is made from, as one hash: `make slides` and `make site` skip the work whose inputs are unchanged.

A build records the hash of its inputs next to its output (`record`) only once the output is complete, with the
hash of the output itself (a file, or a folder's files); the next build compares (`unchanged`), so an output
edited or removed by hand is built again. The hash covers the files named, the interpreter and the version of
every installed distribution (nbconvert, Sphinx, their templates and themes), so a new package or a changed tool
builds again.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import sys
from pathlib import Path

from tools.paths import ROOT


def environment() -> str:
    """The interpreter and every installed distribution with its version, one per line."""
    dists = sorted({f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()})
    return "\n".join([sys.version, *dists])


def files(*roots: Path) -> list[Path]:
    """Every file under `roots` (a root may be a file), sorted, without Python's and Jupyter's caches."""
    found = set()
    for root in roots:
        if root.is_file():
            found.add(root)
            continue
        found.update(p for p in root.rglob("*")
                     if p.is_file() and not {"__pycache__", ".ipynb_checkpoints"} & set(p.relative_to(root).parts))
    return sorted(found)


def digest(paths: list[Path], *extra: str, base: Path | None = None) -> str:
    """sha256 of the files' names (relative to `base`, by default the repository) and contents, then of `extra`."""
    base = base or ROOT
    sha = hashlib.sha256()
    for path in paths:
        name = path.relative_to(base) if path.is_relative_to(base) else path
        sha.update(f"{name}\0{path.stat().st_size}\0".encode())
        sha.update(path.read_bytes())
    for text in extra:
        sha.update(b"\0" + text.encode())
    return sha.hexdigest()


def _line(stamp: Path, key: str, output: Path | None) -> str:
    """`key`, then the hash of the output: a file, or every file of a folder but the stamp."""
    if output is None:
        return key
    base = output if output.is_dir() else output.parent
    return f"{key} {digest([p for p in files(output) if p != stamp], base=base)}"


def record(stamp: Path, key: str, output: Path | None = None) -> None:
    """Note that `output` (a file or a folder) was completed from inputs hashing to `key`, with its own hash."""
    stamp.write_text(_line(stamp, key, output) + "\n")


def unchanged(stamp: Path, key: str, output: Path | None = None) -> bool:
    """True when `stamp` records `key` (and `output` is still what was built): nothing to rebuild."""
    if not stamp.is_file() or (output is not None and not output.exists()):
        return False
    return stamp.read_text().strip() == _line(stamp, key, output)
