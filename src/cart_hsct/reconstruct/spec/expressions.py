"""The spec's expression language: Python expressions over the cohort's columns.

Expressions (``where``, ``of``, ``after``, ``origin``, ``derived``, a cause's ``where`` and
``profile``) are Python expressions with ``and``/``or``/``not`` applied element-wise,
much like ``pandas.DataFrame.query``: ``group == 'A' and cr == 1``. They are checked
(only columns, numbers, strings, comparisons, arithmetic, ``in`` and the functions in
``FUNCTIONS``), compiled once and evaluated on numpy arrays, because the search
evaluates them thousands of times.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .reader import SpecError

__all__ = ["FUNCTIONS", "Expression", "compile_expression"]

#: The functions an expression may call, element-wise on arrays.
FUNCTIONS = {
    "isna": lambda x: np.isnan(np.asarray(x, float)),
    "notna": lambda x: ~np.isnan(np.asarray(x, float)),
    "abs": np.abs,
    "minimum": np.fmin,
    "maximum": np.fmax,
    "floor": np.floor,
    "round": np.round,
    "isin": lambda x, values: np.isin(np.asarray(x, dtype=object), list(values)),
}


class _Elementwise(ast.NodeTransformer):
    """``a and b`` -> ``a & b``, ``not a`` -> ``~a`` (numpy element-wise logic)."""

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        op = ast.BitAnd() if isinstance(node.op, ast.And) else ast.BitOr()
        out = node.values[0]
        for v in node.values[1:]:
            out = ast.BinOp(left=out, op=op, right=v)
        return out

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return ast.UnaryOp(op=ast.Invert(), operand=node.operand)
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        # chained comparisons (1 < x < 5) become (1 < x) & (x < 5)
        self.generic_visit(node)
        if len(node.ops) == 1:
            return node
        parts, left = [], node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            parts.append(ast.Compare(left=left, ops=[op], comparators=[right]))
            left = right
        out = parts[0]
        for p in parts[1:]:
            out = ast.BinOp(left=out, op=ast.BitAnd(), right=p)
        return out


class _Membership(ast.NodeTransformer):
    """``x in [a, b]`` -> ``isin(x, [a, b])`` (element-wise membership)."""

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            call = ast.Call(
                func=ast.Name(id="isin", ctx=ast.Load()),
                args=[node.left, node.comparators[0]],
                keywords=[],
            )
            if isinstance(node.ops[0], ast.NotIn):
                return ast.UnaryOp(op=ast.Invert(), operand=call)
            return call
        return node


_ALLOWED_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Call,
    ast.In,
    ast.NotIn,
    ast.List,
    ast.Tuple,
)


@dataclass(frozen=True)
class Expression:
    """A compiled column expression; ``names`` are the columns it reads."""

    text: str
    names: frozenset
    code: Any = field(repr=False, compare=False, hash=False)

    def __call__(self, columns: dict[str, np.ndarray], n: int) -> np.ndarray:
        env = dict(FUNCTIONS)
        env.update(columns)
        out = eval(self.code, {"__builtins__": {}}, env)
        out = np.asarray(out)
        if out.ndim == 0:
            out = np.full(n, out.item())
        return out


def compile_expression(text: Any, known: set[str], where: str) -> Expression:
    """Compile ``text``; unknown column names or constructs raise ``SpecError`` naming ``where``."""
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise SpecError(f"{where}: expected an expression string, got {text!r}")
    text = str(text)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as err:
        raise SpecError(f"{where}: {text!r} is not a valid expression ({err.msg})") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise SpecError(
                f"{where}: {text!r} uses {type(node).__name__}, which expressions "
                "do not allow (use columns, numbers, strings, comparisons, "
                "arithmetic, and/or/not, in, and the functions "
                f"{sorted(FUNCTIONS)})"
            )
        if isinstance(node, ast.Call) and not (
            isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS
        ):
            raise SpecError(
                f"{where}: {text!r} calls an unknown function; allowed: {sorted(FUNCTIONS)}"
            )
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - set(FUNCTIONS)
    unknown = sorted(names - known)
    if unknown:
        raise SpecError(
            f"{where}: {text!r} names unknown column(s) {unknown}; known columns: {sorted(known)}"
        )
    tree = _Membership().visit(_Elementwise().visit(tree))
    ast.fix_missing_locations(tree)
    return Expression(text=text, names=frozenset(names), code=compile(tree, where, "eval"))
