"""The engine's layout: small modules and short functions, so that a move, a lock or a
loss term is found from the file names and read in one screen.

Measured with ``ast``: a module's lines, and a function's from its ``def`` (decorators
included) to its last line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cart_hsct import reconstruct

ROOT = Path(reconstruct.__file__).parent
MODULES = sorted(ROOT.rglob("*.py"))
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def function_lengths(path: Path) -> dict[str, int]:
    """Qualified function name -> its number of lines."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    first = min([child.lineno] + [d.lineno for d in child.decorator_list])
                    out[name] = child.end_lineno - first + 1
                visit(child, f"{name}.")

    visit(tree, "")
    return out


def test_the_layout_check_sees_the_modules():
    names = {p.relative_to(ROOT).as_posix() for p in MODULES}
    assert {
        "solver.py",
        "model.py",
        "moves.py",
        "locks.py",
        "loss.py",
        "search.py",
        "start.py",
        "spec/schema.py",
    } <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_module_is_over_500_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.name} has {lines} lines"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_function_is_over_80_lines(path):
    name = path.relative_to(ROOT).as_posix()
    long = {k: v for k, v in function_lengths(path).items() if v > MAX_FUNCTION_LINES}
    assert not long, f"{name}: {long}"


def test_function_lengths_count_a_long_function(tmp_path):
    """The measure itself: a function of 81 lines is seen as 81 lines."""
    body = "\n".join(f"    x{k} = {k}" for k in range(80))
    src = tmp_path / "m.py"
    src.write_text(
        f"class A:\n    @staticmethod\n    def f():\n{body}\n".replace("\n    x", "\n        x")
    )
    assert function_lengths(src) == {"A.f": 82}
