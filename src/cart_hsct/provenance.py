"""Provenance of a rendered page: package versions and the git commit it was built from.

The last (hidden) cell of every page calls :func:`provenance`, in the spirit of R's
``sessionInfo()`` colophon, so that a reader can tell which code produced the numbers.
"""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata

import pandas as pd

from . import paths

__all__ = ["PACKAGES", "git_commit", "provenance", "versions"]

#: Distributions whose versions change the numbers or figures on a page.
PACKAGES = ("numpy", "pandas", "scipy", "lifelines", "matplotlib", "cart_hsct")


def git_commit(root=None) -> str:
    """Commit hash of the repository at ``root`` (default: the project root).

    Returns ``"unknown"`` when git is missing or ``root`` is not a repository (for
    example an unpacked archive), and appends ``"+dirty"`` when tracked files differ
    from the commit, because then the commit alone does not identify the code.
    """
    root = paths.ROOT if root is None else root
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    commit = head.stdout.strip()
    if not commit:
        return "unknown"
    return commit + ("+dirty" if dirty.stdout.strip() else "")


def versions(packages: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    """Python version and installed version of each distribution ("not installed" if absent)."""
    out = {"python": platform.python_version()}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def provenance(packages: tuple[str, ...] = PACKAGES) -> pd.DataFrame:
    """A two-column table (component, version) for a page's colophon.

    Rows: python, each of ``packages``, the platform and the git commit
    (``"unknown"`` outside a git checkout).
    """
    rows = dict(versions(packages))
    rows["platform"] = platform.platform(terse=True)
    rows["git commit"] = git_commit()
    return pd.DataFrame({"component": list(rows), "version": list(rows.values())})
