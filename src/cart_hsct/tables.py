"""Tables for the pages: sortable/filterable HTML and scorecard summaries."""

from __future__ import annotations

import html

import pandas as pd

__all__ = ["interactive", "status_counts"]


def interactive(
    df: pd.DataFrame,
    *,
    index: bool = False,
    links: dict[str, pd.Series] | None = None,
    filters: tuple[str, ...] = (),
):
    """An HTML table the reader can sort (click a header) and filter (type in the box).

    The behaviour comes from ``book/_static/sortable.js``, served with the book: nothing is
    loaded from the network.

    Parameters
    ----------
    links : column -> the href of each row's cell (empty or missing: no link).
    filters : columns that get a drop-down of their values above the table.
    """
    from IPython.display import HTML

    links = links or {}
    unknown = [c for c in (*links, *filters) if c not in df.columns]
    if unknown:
        raise KeyError(
            f"interactive(): no column {unknown} in the table; columns: {list(df.columns)}"
        )
    cells = df.copy()
    for col in cells.columns:
        if cells[col].dtype == object or col in links:
            cells[col] = [_cell(v, links.get(col, {}).get(i)) for i, v in cells[col].items()]
    body = cells.to_html(
        index=index,
        escape=False,
        border=0,
        na_rep="",
        classes="table table-sm",
        float_format=lambda x: f"{x:.4g}",
    )
    attr = f' data-filter-columns="{html.escape(",".join(filters))}"' if filters else ""
    return HTML(f'<div class="sortable-filterable"{attr}>{body}</div>')


def _cell(value, href) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    text = html.escape(text)
    return f'<a href="{html.escape(href)}">{text}</a>' if href else text


def status_counts(scorecard: pd.DataFrame, statuses: tuple[str, ...]) -> pd.DataFrame:
    """Counts of ids per paper and status, with every status as a column (zeros kept)."""
    counts = pd.crosstab(scorecard["paper"], scorecard["status"])
    counts = counts.reindex(columns=list(statuses), fill_value=0)
    counts["total"] = counts.sum(axis=1)
    counts.loc["all"] = counts.sum()
    counts.columns.name = None
    return counts
