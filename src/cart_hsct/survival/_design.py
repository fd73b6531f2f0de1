"""Design matrices for the regression models (Cox, Fine-Gray), built the way R's
``model.matrix`` builds them for ``~ x1 + x2 + ...``: numeric columns as they are,
categorical columns as treatment dummies against the first level, named ``colLevel``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cart_hsct import checks


def _levels(col: pd.Series) -> list:
    """Levels in R's order: declared order for a pandas category, sorted otherwise.

    Unused categories are dropped (as ``factor(x)`` would on the values), because a
    dummy column of zeros makes the information matrix singular.
    """
    if isinstance(col.dtype, pd.CategoricalDtype):
        present = set(col.dropna().unique())
        return [lev for lev in col.cat.categories if lev in present]
    return sorted(col.dropna().unique(), key=lambda v: (str(type(v)), v))


def design_matrix(
    df: pd.DataFrame, covariates: Sequence[str], *, source: str = "data frame"
) -> tuple[np.ndarray, list[str]]:
    """Covariate matrix (n, p) and R-style term names.

    Raises
    ------
    ValueError
        Unknown column, missing values (naming column and rows), a covariate with a
        single value, or terms that are exact linear combinations of each other.
    """
    if isinstance(covariates, str):
        covariates = [covariates]
    covariates = list(covariates)
    if not covariates:
        raise ValueError("'covariates' is empty: name at least one column of the data frame.")
    checks.columns(df, covariates, source)
    blocks: list[np.ndarray] = []
    names: list[str] = []
    for name in covariates:
        col = df[name]
        missing = col.isna().to_numpy()
        if missing.any():
            raise ValueError(
                f"Covariate '{name}' has {missing.sum()} missing values (rows "
                f"{checks._rows(missing)}); complete or drop those patients explicitly "
                "(this function does not drop rows silently, unlike R's na.omit)."
            )
        if col.dtype == bool:
            # R codes a logical covariate as the dummy 'nameTRUE'
            blocks.append(col.to_numpy(float)[:, None])
            names.append(f"{name}TRUE")
        elif (
            isinstance(col.dtype, pd.CategoricalDtype)
            or col.dtype == object
            or pd.api.types.is_string_dtype(col)
        ):
            levels = _levels(col)
            if len(levels) < 2:
                raise ValueError(
                    f"Categorical covariate '{name}' has a single level {levels}; it carries "
                    "no contrast. Drop it from 'covariates'."
                )
            _dummies(name, col.to_numpy(object), levels, blocks, names)
        elif pd.api.types.is_numeric_dtype(col):
            arr = col.to_numpy(float)
            bad = ~np.isfinite(arr)
            if bad.any():
                raise ValueError(
                    f"Covariate '{name}' has {bad.sum()} infinite values "
                    f"(rows {checks._rows(bad)})."
                )
            blocks.append(arr[:, None])
            names.append(name)
        else:
            raise ValueError(
                f"Covariate '{name}' has dtype {col.dtype}, which is neither numeric nor "
                "categorical; convert it with astype(float) or astype('category')."
            )
    x = np.hstack(blocks) if blocks else np.empty((len(df), 0))
    _check_rank(x, names)
    return x, names


def _dummies(name: str, values: np.ndarray, levels: list, blocks: list, names: list) -> None:
    """Treatment dummies against the first level, named like R's ``colLevel``."""
    for lev in levels[1:]:
        blocks.append((values == lev).astype(float)[:, None])
        names.append(f"{name}{lev}")


def design_arrays(columns: Sequence[tuple[str, np.ndarray]]) -> tuple[np.ndarray, list[str]]:
    """Design matrix from (name, numpy array) pairs, by :func:`design_matrix`'s rules.

    For callers that hold columns as arrays (the reconstruction's inner loop): an
    object array is categorical (sorted levels, treatment dummies), a bool array is
    ``nameTRUE``, anything else numeric. Same errors for missing values, a single
    level, constant or collinear terms.
    """
    blocks: list[np.ndarray] = []
    names: list[str] = []
    for name, values in columns:
        values = np.asarray(values)
        if values.dtype == object:
            missing = np.array([v is None or (isinstance(v, float) and v != v) for v in values])
            if missing.any():
                raise ValueError(
                    f"Covariate '{name}' has {missing.sum()} missing values "
                    f"(rows {checks._rows(missing)})."
                )
            levels = sorted(set(values.tolist()), key=lambda v: (str(type(v)), v))
            if len(levels) < 2:
                raise ValueError(
                    f"Categorical covariate '{name}' has a single level {levels}; "
                    "it carries no contrast."
                )
            _dummies(name, values, levels, blocks, names)
        elif values.dtype == bool:
            blocks.append(values.astype(float)[:, None])
            names.append(f"{name}TRUE")
        else:
            arr = values.astype(float)
            bad = ~np.isfinite(arr)
            if bad.any():
                raise ValueError(
                    f"Covariate '{name}' has {bad.sum()} missing or infinite "
                    f"values (rows {checks._rows(bad)})."
                )
            blocks.append(arr[:, None])
            names.append(name)
    x = np.hstack(blocks) if blocks else np.empty((0, 0))
    _check_rank(x, names)
    return x, names


def _check_rank(x: np.ndarray, names: list[str]) -> None:
    """Refuse constant or collinear terms instead of returning NA like R."""
    if x.shape[0] == 0:
        raise ValueError("The data frame has no rows.")
    centred = x - x.mean(axis=0)
    constant = np.all(np.abs(centred) <= 1e-12 * (1 + np.abs(x).max(axis=0)), axis=0)
    if constant.any():
        bad = [n for n, c in zip(names, constant, strict=True) if c]
        raise ValueError(f"Term(s) {bad} are constant in these data; drop them from 'covariates'.")
    rank = np.linalg.matrix_rank(centred)
    if rank < x.shape[1]:
        raise ValueError(
            f"The terms {names} are linearly dependent (rank {rank} < {x.shape[1]}); R would "
            "return NA for the aliased ones. Drop the redundant covariate."
        )
