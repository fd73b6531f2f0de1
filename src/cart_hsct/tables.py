"""Tables for the pages: sortable/filterable HTML and scorecard summaries."""

from __future__ import annotations

import pandas as pd

__all__ = ["interactive", "status_counts"]


def interactive(df: pd.DataFrame, *, index: bool = False):
    """An HTML table the reader can sort (click a header) and filter (type in the box).

    The behaviour comes from ``book/_static/sortable.js``, served with the book: nothing is
    loaded from the network.
    """
    from IPython.display import HTML

    body = df.to_html(index=index, escape=True, border=0, na_rep="",
                      classes="table table-sm", float_format=lambda x: f"{x:.4g}")
    return HTML(f'<div class="sortable-filterable">{body}</div>')


def status_counts(scorecard: pd.DataFrame, statuses: tuple[str, ...]) -> pd.DataFrame:
    """Counts of ids per paper and status, with every status as a column (zeros kept)."""
    counts = pd.crosstab(scorecard["paper"], scorecard["status"])
    counts = counts.reindex(columns=list(statuses), fill_value=0)
    counts["total"] = counts.sum(axis=1)
    counts.loc["all"] = counts.sum()
    counts.columns.name = None
    return counts

