"""Figures that summarise many numbers at once, drawn with seaborn: the distributions
behind a Table 1, and the scorecard's statuses by section.

seaborn imports scipy.stats (measured: 0.4-0.6 s on a quiet machine, several seconds on a
loaded one), so only the pages that draw these figures import this module and pay for it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from . import checks
from .plots import _colours, new_figure

__all__ = ["distributions_by_group", "status_heatmap"]


def distributions_by_group(
    frame: pd.DataFrame,
    columns: Mapping[str, str],
    *,
    group: str,
    order: Sequence[str] | None = None,
    palette: Sequence[str] | None = None,
) -> Figure:
    """Each continuous column by group, one panel each: every patient as a dot over a box
    of the quartiles (seaborn ``boxplot`` + ``stripplot``), the natural picture beside a
    Table 1 that prints medians and ranges.

    Parameters
    ----------
    frame : one row per patient.
    columns : column -> axis label, e.g. ``{"age_years": "Age (years)"}``.
    group : the column holding the groups; ``order`` fixes their order (default sorted).

    Returns
    -------
    Figure
        One Axes per column, groups on the x-axis.
    """
    checks.columns(frame, [group, *columns], "distributions_by_group frame")
    order = list(order) if order is not None else sorted(frame[group].dropna().unique(), key=str)
    colours = _colours(order, palette)
    fig = new_figure(figsize=(3.2 * len(columns), 3.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(columns)))
    for ax, (col, label) in zip(axes, columns.items(), strict=True):
        data = frame[[group, col]].dropna()
        with warnings.catch_warnings():  # seaborn 0.13 passes matplotlib 3.11 a deprecated 'vert'
            warnings.simplefilter("ignore", DeprecationWarning)
            sns.boxplot(
                data=data,
                x=group,
                y=col,
                order=order,
                ax=ax,
                color="white",
                showfliers=False,
                width=0.5,
                linecolor="0.4",
            )
        sns.stripplot(
            data=data,
            x=group,
            y=col,
            order=order,
            hue=group,
            hue_order=order,
            palette=colours,
            ax=ax,
            size=5,
            jitter=0.15,
            legend=False,
        )
        ax.set(xlabel="", ylabel=label)
    return fig


def status_heatmap(
    scorecard: pd.DataFrame,
    *,
    by: str = "notebook",
    statuses: Sequence[str] = ("exact", "close", "discrepant", "not_reproducible"),
    ax: Axes | None = None,
) -> Axes:
    """Ledger ids per section (rows) and status (columns) as an annotated heat map.

    Parameters
    ----------
    scorecard : one row per ledger id with columns ``by`` and ``status`` (the records of
        ``_build/reproduction/scorecard.json``).
    by : the column that names the section, e.g. "notebook".
    statuses : the columns, in order; a status nobody has keeps its column of zeros.

    Returns
    -------
    Axes
        Cells coloured by the share of the row's ids, annotated with their counts.
    """
    checks.columns(scorecard, [by, "status"], "status_heatmap scorecard")
    counts = pd.crosstab(scorecard[by], scorecard["status"]).reindex(
        columns=list(statuses), fill_value=0
    )
    share = counts.div(counts.sum(axis=1), axis=0)
    if ax is None:
        fig = new_figure(figsize=(7.0, 0.32 * len(counts) + 1.4), layout="constrained")
        ax = fig.add_subplot()
    sns.heatmap(
        share,
        annot=counts,
        fmt="d",
        cmap="Blues",
        vmin=0,
        vmax=1,
        linewidths=0.5,
        cbar_kws={"label": "share of the section's ids"},
        ax=ax,
    )
    ax.set(xlabel="status", ylabel="")
    return ax
