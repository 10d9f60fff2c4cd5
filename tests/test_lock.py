"""The committed lock is what `make lock` generates from requirements/*.in: nothing edited by hand.

Re-resolves with uv against PyPI (a few seconds; setup needs the network anyway), so it runs in make test only.
"""
from __future__ import annotations

import re
import shutil

import pytest

from tools import lock
from tools.paths import ROOT

FILES = ("requirements/course.txt", "requirements/dev.txt", "environment.yml")


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> dict[str, str]:
    return lock.generate(tmp_path_factory.mktemp("lock"))


def test_the_lock_is_what_make_lock_generates(regenerated):
    assert sorted(regenerated) == sorted(FILES)
    diffs = lock.stale(regenerated)
    assert diffs == [], "run `make lock` and commit the result:\n" + "\n\n".join(diffs)


@pytest.mark.parametrize("edit", ["hash", "extra package", "version"])
def test_a_lock_edited_by_hand_is_found(regenerated, tmp_path, edit):
    for name in FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tmp_path / name)
    dev = tmp_path / "requirements" / "dev.txt"
    text = dev.read_text()
    if edit == "hash":
        digest = re.search(r"sha256:([0-9a-f]{64})", text)[1]
        text = text.replace(digest, digest[::-1], 1)
    elif edit == "extra package":
        text += "six==1.16.0 \\\n    --hash=sha256:" + "0" * 64 + "\n"
    else:
        text = text.replace("\nnumpy==2.4.6 ", "\nnumpy==2.4.5 ", 1)
    assert text != dev.read_text()
    dev.write_text(text)
    diffs = lock.stale(regenerated, tmp_path)
    assert len(diffs) == 1 and diffs[0].startswith("--- requirements/dev.txt"), diffs
