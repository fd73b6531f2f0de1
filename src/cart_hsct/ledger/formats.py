"""The one text form of a published and of a reproduced value (page boxes, scorecard)."""

from __future__ import annotations

from collections.abc import Sequence

from .entries import NOT_REACHED, Entry

__all__ = ["format_published", "format_reproduced"]


def format_published(e: Entry) -> str:
    """``value (ci) [range]; p`` as the ledger holds it, e.g. ``70 (33-90.2)``."""
    if e.value is None:
        text = "not reached"
    elif isinstance(e.value, str):
        text = e.value
    else:
        text = f"{e.value:g}"
    if e.ci is not None:
        high = NOT_REACHED if e.ci[1] is None else f"{e.ci[1]:g}"
        text += f" ({e.ci[0]:g}-{high})"
    if e.range is not None:
        text += f" [range {e.range[0]:g}-{e.range[1]:g}]"
    if e.p is not None and e.unit != "p-value":
        text += f"; p{e.p_operator or '='}{e.p:g}"
    return text


def format_reproduced(
    value, ci: Sequence | None = None, p: float | None = None, range: Sequence | None = None
) -> str:
    """A reproduced value to four significant digits, with its CI, range and p.

    ``None`` prints as "not reached" for the value and as "NA" for an undefined bound.
    """
    text = "not reached" if value is None else (value if isinstance(value, str) else _g(value))
    if ci:
        text += f" ({_g(ci[0])}-{_g(ci[1])})"
    if range:
        text += f" [range {_g(range[0])}-{_g(range[1])}]"
    if p is not None:
        text += f"; p={p:.3g}"
    return text


def _g(x) -> str:
    return "NA" if x is None else f"{x:.4g}"
