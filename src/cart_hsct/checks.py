"""Shared input checks. Errors say what is wrong, where (column, rows) and how to fix it."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd


def _rows(mask: np.ndarray, limit: int = 5) -> str:
    idx = np.flatnonzero(mask)
    shown = ", ".join(str(i) for i in idx[:limit])
    return shown + (", ..." if idx.size > limit else "")


def durations(values, name: str = "time") -> np.ndarray:
    """Validate follow-up times: numeric, finite, non-negative."""
    arr = (
        np.asarray(values, dtype=float)
        if not isinstance(values, pd.Series)
        else values.to_numpy(float)
    )
    if arr.ndim != 1:
        raise ValueError(f"'{name}' must be one-dimensional, got shape {arr.shape}.")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValueError(
            f"'{name}' has {bad.sum()} missing or infinite values (rows {_rows(bad)}); "
            "drop those patients or supply their follow-up time."
        )
    neg = arr < 0
    if neg.any():
        raise ValueError(
            f"'{name}' has {neg.sum()} negative values (rows {_rows(neg)}); "
            "times are measured from the time origin and must be >= 0."
        )
    return arr


def status(values, allowed: Iterable[int], name: str = "event") -> np.ndarray:
    """Validate event/status codes against the declared set; missing status is an error."""
    allowed = sorted({int(a) for a in allowed})
    raw = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    if raw.dtype == bool:
        raw = raw.astype(int)
    if raw.dtype.kind in "iuf":
        # what the general path below gives for numbers, without its Series (a third of
        # the time of a small maxstat call, and the cut-point pages call it thousands of times)
        num = raw.astype(float)
    else:
        num = pd.to_numeric(pd.Series(raw), errors="coerce").to_numpy(float)
    missing = ~np.isfinite(num)
    if missing.any():
        raise ValueError(
            f"'{name}' has {missing.sum()} missing or non-numeric values (rows {_rows(missing)}); "
            "a missing status is not censoring: code it explicitly."
        )
    outside = ~np.isin(num, allowed)
    if outside.any():
        codes = ", ".join(f"{v:g}" for v in sorted(set(num[outside].tolist())))
        raise ValueError(
            f"'{name}' has codes {codes} (rows {_rows(outside)}) outside the declared {allowed}."
        )
    return num.astype(int)


def same_length(**arrays) -> int:
    """All arrays have the same length; return it."""
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"'{k}' has {n}" for k, n in lengths.items())
        raise ValueError(f"Inputs must have the same length: {described}.")
    return next(iter(lengths.values()), 0)


def columns(df: pd.DataFrame, names: Iterable[str], source: str = "data frame") -> None:
    """Every named column exists."""
    missing = [c for c in names if c not in df.columns]
    if missing:
        raise ValueError(f"{source} lacks column(s) {missing}; available: {list(df.columns)}.")
