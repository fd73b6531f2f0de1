"""The README's set-up commands, pictures and paths are the project's own."""

from __future__ import annotations

import re

from cart_hsct import paths

README = (paths.ROOT / "README.md").read_text(encoding="utf-8")


def test_the_two_commands_are_make_targets():
    makefile = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("book", "test"):
        assert f"make {target}" in README
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), target


def test_every_picture_and_relative_link_exists():
    targets = re.findall(r"\]\(([^)#\s]+)\)", README)
    local = [t for t in targets if not re.match(r"[a-z]+://", t)]
    assert any(t.endswith(".png") for t in local), "the README shows a screenshot"
    missing = [t for t in local if not (paths.ROOT / t).exists()]
    assert not missing, missing


def test_paths_named_in_backticks_exist():
    named = set(re.findall(r"`((?:book|notebooks|src|tests|data)/[\w./-]+?)`", README))
    missing = sorted(n for n in named if "<" not in n and not (paths.ROOT / n).exists())
    assert not missing, missing
