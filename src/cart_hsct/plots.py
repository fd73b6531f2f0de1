"""Figures of the compendium: one look across the book.

Kaplan-Meier and cumulative-incidence curves with a KMunicate-style risk table
(Morris et al., BMJ Open 2019;9:e030215), forest plots of Cox / Fine-Gray models
and "published vs reproduced" dot plots.

Every function draws the numbers that :mod:`cart_hsct.survival` computes (it does
no statistics of its own), takes an optional ``ax``, and returns the Figure or the
Axes it drew on. Nothing here calls ``plt.show()`` or touches ``matplotlib.rcParams``
except :func:`set_theme`, which a page calls once. New figures come from
``new_figure``: they render wherever a notebook glues or returns them, and are
never shown a second time at the end of the cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.transforms import ScaledTranslation, blended_transform_factory
from mpl_toolkits.axes_grid1 import make_axes_locatable

from . import checks
from . import survival as sv
from .pages import format_p

__all__ = [
    "OKABE_ITO",
    "cuminc_plot",
    "forest_plot",
    "interval_candidates_plot",
    "km_plot",
    "published_vs_reproduced",
    "risk_counts",
    "set_theme",
    "theme_rc",
]

#: Okabe & Ito (2008) colour-blind-safe palette, ordered so that the first colours
#: stay distinct in greyscale and the pale yellow (poor on white) comes last.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")

_KM_ROWS = {"at_risk": "At risk", "censored": "Censored", "events": "Events"}
_CIF_ROWS = {
    "at_risk": "At risk",
    "events": "Events",
    "competing": "Competing",
    "censored": "Censored",
}


#: seaborn's "colorblind" palette (``seaborn.color_palette("colorblind")``), for figures
#: that need more distinct colours than the Okabe-Ito cycle has.
SEABORN_COLORBLIND = (
    "#0173B2",
    "#DE8F05",
    "#029E73",
    "#D55E00",
    "#CC78BC",
    "#CA9161",
    "#FBAFE4",
    "#949494",
    "#ECE133",
    "#56B4E9",
)

# seaborn 0.13's ``ticks`` style (seaborn.axes_style("ticks")), spelled out: importing
# seaborn imports scipy.stats, ~0.6 s in every notebook kernel for a dozen rc values.
# One difference: "image.cmap" stays matplotlib's default, because seaborn's "rocket"
# exists only once seaborn is imported (no figure of the book draws an image).
_TICKS_STYLE = {
    "figure.facecolor": "white",
    "axes.labelcolor": ".15",
    "xtick.direction": "out",
    "ytick.direction": "out",
    "xtick.color": ".15",
    "ytick.color": ".15",
    "axes.axisbelow": True,
    "grid.linestyle": "-",
    "text.color": ".15",
    "font.family": ["sans-serif"],
    "font.sans-serif": [
        "Arial",
        "DejaVu Sans",
        "Liberation Sans",
        "Bitstream Vera Sans",
        "sans-serif",
    ],
    "lines.solid_capstyle": "round",
    "patch.edgecolor": "w",
    "patch.force_edgecolor": True,
    "xtick.top": False,
    "ytick.right": False,
    "axes.grid": False,
    "axes.facecolor": "white",
    "axes.edgecolor": ".15",
    "grid.color": ".8",
    "axes.spines.left": True,
    "axes.spines.bottom": True,
    "axes.spines.right": True,
    "axes.spines.top": True,
    "xtick.bottom": True,
    "ytick.left": True,
}
# seaborn's ``notebook`` context (seaborn.plotting_context("notebook")): font sizes,
# which font_scale multiplies, and line widths and tick sizes, which it does not.
_NOTEBOOK_FONTS = {
    "font.size": 12,
    "axes.labelsize": 12,
    "axes.titlesize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "legend.title_fontsize": 12,
}
_NOTEBOOK_SIZES = {
    "axes.linewidth": 1.25,
    "grid.linewidth": 1,
    "lines.linewidth": 1.5,
    "lines.markersize": 6,
    "patch.linewidth": 1,
    "xtick.major.width": 1.25,
    "ytick.major.width": 1.25,
    "xtick.minor.width": 1,
    "ytick.minor.width": 1,
    "xtick.major.size": 6,
    "ytick.major.size": 6,
    "xtick.minor.size": 4,
    "ytick.minor.size": 4,
}


def theme_rc(font_scale: float = 1.1) -> dict:
    """The rc parameters :func:`set_theme` sets: what ``seaborn.set_theme(context=
    "notebook", style="ticks", palette=OKABE_ITO, font="sans-serif", font_scale=...)``
    sets (except ``image.cmap``), plus the book's own changes."""
    from cycler import cycler

    rc = {**_NOTEBOOK_SIZES, **{k: v * font_scale for k, v in _NOTEBOOK_FONTS.items()}}
    rc.update(_TICKS_STYLE)
    rc["axes.prop_cycle"] = cycler("color", [to_rgb(c) for c in OKABE_ITO])
    rc.update(
        {
            "axes.spines.top": False,
            "axes.spines.right": False,
            "figure.dpi": 110,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
            "legend.frameon": False,
        }
    )
    return rc


def set_theme(font_scale: float = 1.1) -> None:
    """Set up a page: the book's look and plain printing of numbers (the only function
    here that changes global state).

    Seaborn's ``ticks`` style and ``notebook`` context (:func:`theme_rc`, without
    importing seaborn), the Okabe-Ito palette as colour cycle, a sans-serif font scaled
    for reading in a browser. Call once per page, after the imports.
    """
    from IPython import get_ipython

    if get_ipython() is not None:
        # register the PNG formatter for every Figure, also those made without pyplot:
        # otherwise glue() stores a bare Figure as text and the page loses it
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")
    # numpy 2 prints scalars as "np.float64(0.5)", which myst-nb cannot format when a
    # page pastes a glued number with a format spec; print them as plain numbers
    np.set_printoptions(legacy="1.25")
    plt.rcParams.update(theme_rc(font_scale))


def new_figure(**kwargs) -> Figure:
    """A new Figure (``kwargs`` as for ``matplotlib.figure.Figure``, e.g. ``figsize``).

    Made through pyplot because, in Jupyter, pyplot's first figure loads the inline
    backend, which registers the PNG formatter that ``glue`` and cell output need (a
    bare ``Figure()`` would be glued as text only, and the page would lose the figure).
    Closed at once, so that pyplot neither keeps it alive nor shows it again at the end
    of the cell.
    """
    fig = plt.figure(**kwargs)
    plt.close(fig)
    return fig


# ----------------------------------------------------------------------------- inputs


def _groups(group, n: int) -> tuple[np.ndarray, list]:
    """Group labels as an array and their display order (categorical order if given)."""
    if group is None:
        return np.zeros(n, dtype=object), [None]
    series = group if isinstance(group, pd.Series) else pd.Series(group)
    if len(series) != n:
        checks.same_length(time=range(n), group=series)
    missing = series.isna().to_numpy()
    if missing.any():
        raise ValueError(
            f"'group' has {missing.sum()} missing values "
            f"(rows {checks._rows(missing)}); drop those patients or give them "
            "a group."
        )
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.unique())
        order = [c for c in series.cat.categories if c in present]
    else:
        order = sorted(series.unique(), key=str)
    return series.to_numpy(dtype=object), order


def _label(g) -> str:
    return "All patients" if g is None else str(g)


def _colours(order: list, palette: Sequence[str] | None) -> dict:
    palette = list(palette or OKABE_ITO)
    return {g: palette[i % len(palette)] for i, g in enumerate(order)}


def _default_times(tmax: float) -> np.ndarray:
    ticks = mticker.MaxNLocator(nbins=6, steps=[1, 2, 2.5, 3, 5, 6, 10]).tick_values(0, tmax)
    return ticks[(ticks >= 0) & (ticks <= tmax + 1e-9)]


def risk_counts(time, status, times, *, cause: int = 1) -> pd.DataFrame:
    """Numbers at risk and cumulative counts at given times, KMunicate style.

    At each time ``t``: ``at_risk`` = patients with ``time >= t`` (R's ``n.risk`` in
    ``summary(survfit(...), times = t)``), and the cumulative numbers of ``events``
    (status == ``cause``), ``competing`` events (any other non-zero status) and
    ``censored`` patients strictly before ``t``, so that the four add up to the group size.

    Parameters
    ----------
    time : follow-up times.
    status : 0 = censored, ``cause`` = the event of interest, other codes = competing.
    times : the times at which to count.
    cause : the status code of the event of interest.

    Returns
    -------
    DataFrame
        time, at_risk, events, competing, censored.
    """
    time = checks.durations(time, "time")
    status = np.asarray(status)
    checks.same_length(time=time, status=status)
    rows = []
    for t in np.asarray(times, dtype=float):
        before = time < t
        rows.append(
            {
                "time": t,
                "at_risk": int((time >= t).sum()),
                "events": int((before & (status == cause)).sum()),
                "competing": int((before & (status != 0) & (status != cause)).sum()),
                "censored": int((before & (status == 0)).sum()),
            }
        )
    return pd.DataFrame(rows, columns=["time", "at_risk", "events", "competing", "censored"])


# ----------------------------------------------------------------------------- layout


def _figure_with_table(
    ax: Axes | None, n_table_rows: int, risk_table: bool, figsize: tuple[float, float] | None
) -> tuple[Figure, Axes, Axes | None]:
    """Curve axes and, below it and sharing its x-axis, the risk-table axes."""
    row_height = 0.2  # inches per table row: enough for 9-10 pt numbers
    table_height = row_height * n_table_rows + 0.3 if risk_table else 0.0
    if ax is None:
        width, height = figsize or (7.0, 4.2)
        fig = new_figure(figsize=(width, height + table_height), layout="constrained")
        if not risk_table:
            return fig, fig.add_subplot(), None
        ax, tab = fig.subplots(
            2, 1, sharex=True, gridspec_kw={"height_ratios": [height, table_height]}
        )
        return fig, ax, tab
    if not risk_table:
        return ax.figure, ax, None
    tab = make_axes_locatable(ax).append_axes("bottom", size=table_height, pad=0.55, sharex=ax)
    return ax.figure, ax, tab


def _draw_risk_table(
    tab: Axes, counts: dict, order: list, colours: dict, rows: Mapping[str, str], times: np.ndarray
) -> None:
    """Write the counts on ``tab``: one block per group, one line per quantity."""
    y = 0.0
    # labels sit a fixed distance left of the axis so that they clear the numbers at t = 0
    label_x = blended_transform_factory(tab.transAxes, tab.transData) + ScaledTranslation(
        -0.3, 0, tab.figure.dpi_scale_trans
    )
    several = len(order) > 1
    for g in order:
        if several:
            tab.text(
                0,
                y,
                _label(g),
                transform=label_x,
                ha="right",
                va="center",
                fontweight="bold",
                color=colours[g],
                fontsize="small",
                gid=f"risk-group:{_label(g)}",
            )
            y -= 1
        for key, name in rows.items():
            tab.text(
                0,
                y,
                name,
                transform=label_x,
                ha="right",
                va="center",
                fontsize="small",
                color=colours[g] if several else "black",
            )
            for t, value in zip(times, counts[g][key], strict=True):
                tab.text(
                    t,
                    y,
                    f"{value:d}",
                    ha="center",
                    va="center",
                    fontsize="small",
                    gid=f"risk:{_label(g)}:{key}:{t:g}",
                )
            y -= 1
    tab.set_ylim(y + 0.5, 0.5)
    tab.set_yticks([])
    tab.tick_params(axis="x", labelbottom=True)
    for side in ("top", "right", "left"):
        tab.spines[side].set_visible(False)


def _finish_axes(
    ax: Axes, tab: Axes | None, times: np.ndarray, tmax: float, xlabel: str, ylabel: str
) -> None:
    ax.set_xlim(0, max(tmax, times.max() if times.size else 0) * 1.03 or 1)
    ax.set_xticks(times)
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(mticker.PercentFormatter(xmax=1, decimals=0))
    if tab is None:
        ax.set_xlabel(xlabel)
    else:
        ax.tick_params(axis="x", labelbottom=False)
        tab.set_xlabel(xlabel)


def _step_band(
    ax: Axes,
    t: np.ndarray,
    est: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    colour: str,
    label: str,
    ci: bool,
) -> None:
    ax.step(t, est, where="post", color=colour, lw=2, label=label, gid=f"curve:{label}")
    if ci:
        ax.fill_between(
            t, lower, upper, step="post", color=colour, alpha=0.18, lw=0, gid=f"ci:{label}"
        )


# ----------------------------------------------------------------------------- curves


def _risk_rows(risk_rows: Sequence[str], allowed: Mapping[str, str]) -> dict[str, str]:
    unknown = [r for r in risk_rows if r not in allowed]
    if unknown:
        raise ValueError(f"risk_rows {unknown} unknown; choose from {list(allowed)}.")
    return {r: allowed[r] for r in risk_rows}


def _table_times(time: np.ndarray, times: Sequence[float] | None) -> np.ndarray:
    return _default_times(time.max()) if times is None else np.asarray(times, dtype=float)


def _curves_figure(
    time: np.ndarray,
    labels: np.ndarray,
    order: list,
    draw,
    p_value,
    *,
    p_corner: Literal["top", "bottom"],
    rows: Mapping[str, str],
    times: np.ndarray,
    risk_table: bool,
    ax: Axes | None,
    palette: Sequence[str] | None,
    figsize: tuple[float, float] | None,
    xlabel: str,
    ylabel: str,
) -> Figure:
    """What Kaplan-Meier and cumulative-incidence plots share: the figure and its risk
    table, one curve per group (``draw(ax, group, rows_of_group, colour)`` draws it and
    returns its :func:`risk_counts`), the test's p-value (``p_value()`` gives the text),
    the legend and the axes."""
    colours = _colours(order, palette)
    n_rows = len(order) * (len(rows) + (len(order) > 1))
    fig, ax, tab = _figure_with_table(ax, n_rows, risk_table, figsize)
    everyone = np.ones(len(time), bool)
    counts = {g: draw(ax, g, labels == g if g is not None else everyone, colours[g]) for g in order}
    if p_value is not None:
        y = 0.04 if p_corner == "bottom" else 0.96
        ax.text(0.03, y, p_value(), transform=ax.transAxes, ha="left", va=p_corner, gid="p_value")
    if len(order) > 1:
        ax.legend(loc="best")
    if tab is not None:
        _draw_risk_table(tab, counts, order, colours, rows, times)
    _finish_axes(ax, tab, times, time.max(), xlabel, ylabel)
    return fig


def km_plot(
    time,
    event,
    *,
    group=None,
    conf_type: Literal["plain", "log", "log-log", "arcsine"],
    ci: bool = True,
    risk_table: bool = True,
    test: Literal["logrank"] | None = None,
    times: Sequence[float] | None = None,
    xlabel: str = "Days",
    ylabel: str = "Survival probability",
    ax: Axes | None = None,
    palette: Sequence[str] | None = None,
    risk_rows: Sequence[str] = ("at_risk", "censored", "events"),
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Kaplan-Meier curves with CI bands, censoring ticks and a risk table.

    The curves and bands are :func:`cart_hsct.survival.km_table`; the p-value is
    :func:`cart_hsct.survival.logrank` (R: ``survdiff(Surv(time, event) ~ group)``).

    Parameters
    ----------
    time, event : follow-up times and event indicators (1 = event, 0 = censored).
    group : optional group labels; a pandas Categorical keeps its category order.
    conf_type : {"plain", "log", "log-log", "arcsine"}
        Transform of the pointwise CI, as in R's ``survfit(conf.type=)``; no default
        because R, lifelines and the papers disagree.
    ci : draw the pointwise 95 % CI as a band.
    risk_table : add a KMunicate table below the plot (see :func:`risk_counts`).
    test : ``"logrank"`` prints the log-rank p-value on the plot (needs ``group``).
    times : times of the risk-table columns (and x ticks); default: round numbers.
    risk_rows : which of "at_risk", "censored", "events" the table shows.
    ax : draw on this Axes (the table is appended below it); default: a new Figure.

    Returns
    -------
    Figure
        ``fig.axes[0]`` holds the curves, ``fig.axes[1]`` the risk table (if any).
        Artists carry ids for checking: ``curve:<group>``, ``ci:<group>``,
        ``censor:<group>``, ``p_value``, ``risk:<group>:<row>:<time>``.
    """
    time = checks.durations(time, "time")
    event = checks.status(event, (0, 1), "event")
    checks.same_length(time=time, event=event)
    labels, order = _groups(group, len(time))

    def draw(ax: Axes, g, keep: np.ndarray, colour: str) -> pd.DataFrame:
        table = sv.km_table(time[keep], event[keep], conf_type=conf_type)
        t = np.r_[0.0, table["time"].to_numpy(float)]
        est = np.r_[1.0, table["survival"].to_numpy(float)]
        lower = np.r_[1.0, table["ci_lower"].to_numpy(float)]
        upper = np.r_[1.0, table["ci_upper"].to_numpy(float)]
        _step_band(ax, t, est, lower, upper, colour, _label(g), ci)
        cens = table[table["censored"] > 0]
        ax.scatter(
            cens["time"],
            cens["survival"],
            marker="|",
            s=60,
            color=colour,
            linewidths=1.3,
            zorder=3,
            gid=f"censor:{_label(g)}",
        )
        return risk_counts(time[keep], event[keep], times_)

    def p_value() -> str:
        if test != "logrank":
            raise ValueError(f"test={test!r} is not available for km_plot; use 'logrank' or None.")
        if group is None or len(order) < 2:
            raise ValueError("test='logrank' compares groups: pass 'group' with >= 2 groups.")
        return f"Log-rank {format_p(sv.logrank(time, event, labels)['p'])}"

    times_ = _table_times(time, times)
    return _curves_figure(
        time,
        labels,
        order,
        draw,
        p_value if test is not None else None,
        p_corner="bottom",
        rows=_risk_rows(risk_rows, _KM_ROWS),
        times=times_,
        risk_table=risk_table,
        ax=ax,
        palette=palette,
        figsize=figsize,
        xlabel=xlabel,
        ylabel=ylabel,
    )


def cuminc_plot(
    time,
    status,
    *,
    cause: int = 1,
    group=None,
    conf_type: Literal["log", "log-log", "plain"],
    ci: bool = True,
    risk_table: bool = True,
    test: Literal["gray"] | None = None,
    times: Sequence[float] | None = None,
    xlabel: str = "Days",
    ylabel: str = "Cumulative incidence",
    ax: Axes | None = None,
    palette: Sequence[str] | None = None,
    risk_rows: Sequence[str] = ("at_risk", "events", "competing", "censored"),
    figsize: tuple[float, float] | None = None,
    variance: Literal["cmprsk", "survfit"] = "cmprsk",
) -> Figure:
    """Cumulative incidence (Aalen-Johansen) curves with CI bands and a risk table.

    The curves and bands are :func:`cart_hsct.survival.cuminc` (``variance``: R
    ``cmprsk::cuminc``'s or ``survfit``'s); the p-value is Gray's test,
    :func:`cart_hsct.survival.gray_test`.

    Parameters
    ----------
    time : follow-up times.
    status : 0 = censored, ``cause`` = the event plotted, other codes = competing events.
    cause : status code of the event of interest.
    group : optional group labels; a pandas Categorical keeps its category order.
    conf_type : {"log", "log-log", "plain"}
        CI transform, stated by the caller.
    test : ``"gray"`` prints Gray's test p-value for ``cause`` (needs ``group``).
    times, risk_rows, ci, risk_table, ax, palette, figsize : as in :func:`km_plot`;
        the table also counts competing events.

    Returns
    -------
    Figure
        As :func:`km_plot`.
    """
    time = checks.durations(time, "time")
    raw = np.asarray(status)
    codes = sorted(set(pd.to_numeric(pd.Series(raw), errors="coerce").dropna().astype(int)))
    status = checks.status(raw, sorted(set(codes) | {0, cause}), "status")
    checks.same_length(time=time, status=status)
    labels, order = _groups(group, len(time))
    # grouped in one call, so that a group without an event of this cause gets its flat zero
    # curve instead of the error an ungrouped call gives for a cause nobody has
    grouped = order != [None]
    curves = sv.cuminc(
        time,
        status,
        cause=cause,
        group=labels if grouped else None,
        conf_type=conf_type,
        variance=variance,
    )

    def draw(ax: Axes, g, keep: np.ndarray, colour: str) -> pd.DataFrame:
        curve = curves[curves["group"].astype(str) == str(g)] if grouped else curves
        curve = curve.sort_values("time", kind="stable")
        t = np.r_[0.0, curve["time"].to_numpy(float)]
        est = np.r_[0.0, curve["estimate"].to_numpy(float)]
        lower = np.r_[0.0, curve["ci_lower"].to_numpy(float)]
        upper = np.r_[0.0, curve["ci_upper"].to_numpy(float)]
        _step_band(ax, t, est, lower, upper, colour, _label(g), ci)
        return risk_counts(time[keep], status[keep], times_, cause=cause)

    def p_value() -> str:
        if test != "gray":
            raise ValueError(f"test={test!r} is not available for cuminc_plot; use 'gray' or None.")
        if group is None or len(order) < 2:
            raise ValueError("test='gray' compares groups: pass 'group' with >= 2 groups.")
        return f"Gray's test {format_p(sv.gray_test(time, status, labels, cause=cause)['p'])}"

    times_ = _table_times(time, times)
    return _curves_figure(
        time,
        labels,
        order,
        draw,
        p_value if test is not None else None,
        p_corner="top",
        rows=_risk_rows(risk_rows, _CIF_ROWS),
        times=times_,
        risk_table=risk_table,
        ax=ax,
        palette=palette,
        figsize=figsize,
        xlabel=xlabel,
        ylabel=ylabel,
    )


# ----------------------------------------------------------------------------- estimates


def _intervals(
    ax: Axes,
    y: np.ndarray,
    est,
    lower,
    upper,
    *,
    colour: str,
    marker: str,
    filled: bool,
    label: str,
    gid: str,
    clip: tuple[float, float] | None,
) -> None:
    """Points with horizontal CI whiskers; bounds beyond ``clip`` end in an arrow."""
    est, lower, upper = (np.asarray(v, dtype=float) for v in (est, lower, upper))
    if clip is not None:
        lo_c, hi_c = clip
        for yi, lo, hi in zip(y, lower, upper, strict=True):
            if np.isfinite(lo) and np.isfinite(hi) and lo >= lo_c and hi <= hi_c:
                continue
            # an interval that runs off the axis (e.g. infinite under separation)
            if not np.isnan(hi) and hi > hi_c:
                ax.annotate(
                    "",
                    xy=(hi_c, yi),
                    xytext=(hi_c / 1.6, yi),
                    arrowprops={"arrowstyle": "->", "color": colour, "lw": 1.5},
                )
            if not np.isnan(lo) and lo < lo_c:
                ax.annotate(
                    "",
                    xy=(lo_c, yi),
                    xytext=(lo_c * 1.6, yi),
                    arrowprops={"arrowstyle": "->", "color": colour, "lw": 1.5},
                )
        # a point estimate off the axis (e.g. HR ~ 0 under separation) sits at the edge
        est = np.clip(est, lo_c, hi_c)
        lower, upper = np.clip(lower, lo_c, hi_c), np.clip(upper, lo_c, hi_c)
    ax.hlines(y, lower, upper, color=colour, lw=1.8, gid=f"{gid}:ci")
    ax.scatter(
        est,
        y,
        marker=marker,
        s=55,
        zorder=3,
        label=label,
        gid=gid,
        facecolors=colour if filled else "white",
        edgecolors=colour,
        linewidths=1.5,
    )


def _ratio(value: float) -> str:
    """A ratio for annotations: two decimals, or two significant digits when tiny or huge."""
    if not np.isfinite(value):
        return "inf" if value > 0 else "NA"
    return f"{value:.2f}" if 0.01 <= value < 100 else f"{value:.2g}"


def _estimate_column(df: pd.DataFrame, source: str) -> str:
    for name in ("hr", "shr", "estimate"):
        if name in df.columns:
            return name
    raise ValueError(
        f"{source} has no estimate column ('hr', 'shr' or 'estimate'); columns: {list(df.columns)}."
    )


def forest_plot(
    summary: pd.DataFrame,
    *,
    published: pd.DataFrame | None = None,
    labels: Mapping[str, str] | None = None,
    annotate: bool = True,
    xlabel: str | None = None,
    ax: Axes | None = None,
    palette: Sequence[str] | None = None,
    series: tuple[str, str] = ("Reproduced", "Published"),
) -> Axes:
    """Forest plot of hazard ratios (Cox) or subdistribution hazard ratios (Fine-Gray).

    Parameters
    ----------
    summary : the ``.summary`` of :func:`cart_hsct.survival.cox` or the table of
        :func:`cart_hsct.survival.fine_gray`: term, hr (or shr), ci_lower, ci_upper, p.
    published : optional published estimates to overlay as hollow diamonds: term,
        hr/shr/estimate, ci_lower, ci_upper. Terms absent from ``summary`` get a row.
    labels : display names for terms (e.g. ``{"mrd_pos": "MRD positive"}``).
    annotate : print "estimate (lower-upper), p" of the reproduced fit at the right.
    ax : draw on this Axes; default: a new Figure sized to the number of terms.
    series : legend names of ``summary`` and ``published`` (e.g. ``("Firth", "Cox")``
        to compare two fits).

    Returns
    -------
    Axes
        Log-scaled x-axis with a reference line at 1; markers carry the ids
        ``reproduced`` and ``published``.
    """
    checks.columns(summary, ["term", "ci_lower", "ci_upper"], "forest_plot summary")
    col = _estimate_column(summary, "forest_plot summary")
    terms = list(summary["term"])
    if published is not None:
        checks.columns(published, ["term", "ci_lower", "ci_upper"], "forest_plot published")
        pcol = _estimate_column(published, "forest_plot published")
        terms += [t for t in published["term"] if t not in terms]
    labels = dict(labels or {})
    palette = list(palette or OKABE_ITO)
    n = len(terms)
    if ax is None:
        fig = new_figure(figsize=(7.5, 0.5 * n + 1.3), layout="constrained")
        ax = fig.add_subplot()
    y_of = {t: n - 1 - i for i, t in enumerate(terms)}

    values = [summary[[col, "ci_lower", "ci_upper"]].to_numpy(float).ravel()]
    if published is not None:
        values.append(published[[pcol, "ci_lower", "ci_upper"]].to_numpy(float).ravel())
    finite = np.concatenate(values)
    finite = finite[np.isfinite(finite) & (finite > 0)]
    lo = min(finite.min(), 1.0) / 1.5 if finite.size else 0.1
    hi = max(finite.max(), 1.0) * 1.5 if finite.size else 10.0
    lo, hi = max(lo, 1e-3), min(hi, 1e3)  # beyond 1000-fold only the arrow is informative
    offset = 0.15 if published is not None else 0.0

    rep_y = np.array([y_of[t] for t in summary["term"]], dtype=float) + offset
    _intervals(
        ax,
        rep_y,
        summary[col],
        summary["ci_lower"],
        summary["ci_upper"],
        colour=palette[0],
        marker="o",
        filled=True,
        label=series[0],
        gid="reproduced",
        clip=(lo, hi),
    )
    if published is not None:
        pub_y = np.array([y_of[t] for t in published["term"]], dtype=float) - offset
        _intervals(
            ax,
            pub_y,
            published[pcol],
            published["ci_lower"],
            published["ci_upper"],
            colour=palette[1],
            marker="D",
            filled=False,
            label=series[1],
            gid="published",
            clip=(lo, hi),
        )
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2)

    ax.axvline(1.0, color="0.4", lw=1, ls="--", zorder=0, gid="reference")
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_yticks(range(n), [labels.get(t, str(t)) for t in reversed(terms)])
    ax.set_xlabel(
        xlabel
        or (
            "Subdistribution hazard ratio (log scale)"
            if col == "shr"
            else "Hazard ratio (log scale)"
        )
    )
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
    if annotate:
        right = blended_transform_factory(ax.transAxes, ax.transData)
        for _, row in summary.iterrows():
            text = f"{_ratio(row[col])} ({_ratio(row['ci_lower'])}-{_ratio(row['ci_upper'])})"
            if "p" in summary.columns and pd.notna(row["p"]):
                text += f", {format_p(row['p'])}"
            ax.text(
                1.02,
                y_of[row["term"]],
                text,
                transform=right,
                va="center",
                fontsize="small",
                gid=f"annotation:{row['term']}",
            )
    return ax


def published_vs_reproduced(
    table: pd.DataFrame,
    *,
    label: str = "label",
    log: bool = False,
    reference: float | None = None,
    xlabel: str = "Estimate",
    ax: Axes | None = None,
    palette: Sequence[str] | None = None,
) -> Axes:
    """Dot plot of published and reproduced estimates with their CIs, one row each.

    Parameters
    ----------
    table : columns ``label``, published, published_lower, published_upper,
        reproduced, reproduced_lower, reproduced_upper (CI columns may be NaN when a
        paper prints no interval; the whisker is then omitted).
    log : log-scaled x-axis (for ratios).
    reference : draw a dashed vertical line here (1 for ratios, 0 for differences).

    Returns
    -------
    Axes
        Published estimates as hollow diamonds, reproduced as filled dots; markers carry
        the ids ``published`` and ``reproduced``.
    """
    needed = [
        label,
        "published",
        "published_lower",
        "published_upper",
        "reproduced",
        "reproduced_lower",
        "reproduced_upper",
    ]
    checks.columns(table, needed, "published_vs_reproduced table")
    palette = list(palette or OKABE_ITO)
    n = len(table)
    if ax is None:
        fig = new_figure(figsize=(7.0, 0.45 * n + 1.3), layout="constrained")
        ax = fig.add_subplot()
    y = np.arange(n - 1, -1, -1, dtype=float)
    _intervals(
        ax,
        y + 0.15,
        table["reproduced"],
        table["reproduced_lower"],
        table["reproduced_upper"],
        colour=palette[0],
        marker="o",
        filled=True,
        label="Reproduced",
        gid="reproduced",
        clip=None,
    )
    _intervals(
        ax,
        y - 0.15,
        table["published"],
        table["published_lower"],
        table["published_upper"],
        colour=palette[1],
        marker="D",
        filled=False,
        label="Published",
        gid="published",
        clip=None,
    )
    if reference is not None:
        ax.axvline(reference, color="0.4", lw=1, ls="--", zorder=0, gid="reference")
    if log:
        ax.set_xscale("log")
    ax.set_yticks(y, [str(v) for v in table[label]])
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel(xlabel)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2)
    return ax


def cutpoint_plot(
    result: Mapping,
    *,
    xlabel: str = "Cut-point",
    ax: Axes | None = None,
    palette: Sequence[str] | None = None,
) -> Axes:
    """The standardised log-rank statistic at every candidate cut-point of a marker.

    Parameters
    ----------
    result : the dict returned by :func:`cart_hsct.survival.maxstat` (``curve``,
        ``cutpoint``, ``statistic``, ``p``, ``p_naive``).
    xlabel : the marker's name and unit.

    Returns
    -------
    Axes
        The curve (id ``curve``), the chosen cut-point (id ``cutpoint``) and the naive
        two-sided 5 % threshold |z| = 1.96 (id ``naive_threshold``), which the maximum
        of many correlated statistics crosses far more often than 5 % of the time.
    """
    palette = list(palette or OKABE_ITO)
    if ax is None:
        fig = new_figure(figsize=(7.0, 3.6), layout="constrained")
        ax = fig.add_subplot()
    curve = result["curve"]
    ax.plot(
        curve["cutpoint"],
        curve["statistic"],
        marker="o",
        ms=3,
        color=palette[0],
        gid="curve",
        label="standardised log-rank statistic",
    )
    ax.axvline(
        result["cutpoint"],
        color=palette[1],
        ls="--",
        gid="cutpoint",
        label=f"chosen cut-point {result['cutpoint']:g}",
    )
    ax.axhline(
        1.959964, color="0.4", ls=":", gid="naive_threshold", label="naive 5 % threshold (1.96)"
    )
    # two significant digits: both p-values can be far below 0.001 and their ratio matters
    ax.set_title(
        f"max = {result['statistic']:.2f}; p naive = {result['p_naive']:.2g}, "
        f"corrected for the search = {result['p']:.2g}",
        loc="left",
        fontsize="small",
    )
    ax.set_xlabel(xlabel)
    ax.set_ylabel("|standardised statistic|")
    ax.legend(loc="lower center", fontsize="small")
    return ax


def interval_candidates_plot(tables: dict, entries: dict, methods: list) -> Figure:
    """Each printed interval (black, top row) above the intervals candidate methods give.

    ``tables`` maps a ledger id to a table with columns method, estimate, ci_lower,
    ci_upper, reproduces (``proportions.which_method``); ``entries`` maps the id to its
    ledger entry. One panel per id; a method whose interval reproduces the print is drawn
    thicker.
    """
    height = 1.05 * len(tables) * (len(methods) + 1) / 4
    fig = new_figure(figsize=(7.5, height))
    axes = np.atleast_1d(fig.subplots(len(tables), 1, sharex=True))
    colours = [to_rgb(c) for c in SEABORN_COLORBLIND]
    palette = {m: colours[i % len(colours)] for i, m in enumerate(methods)}
    for ax, (eid, tab) in zip(axes, tables.items(), strict=True):
        e = entries[eid]
        rows = tab.set_index("method").loc[methods]
        ys = range(len(methods), 0, -1)
        for y, (m, r) in zip(ys, rows.iterrows(), strict=True):
            ax.plot(
                [r.ci_lower, r.ci_upper], [y, y], color=palette[m], lw=2.5 if r.reproduces else 1.2
            )
            ax.plot(r.estimate, y, "o", color=palette[m], ms=4)
        ax.plot(e.ci, [len(methods) + 1] * 2, color="black", lw=3)
        ax.plot(e.value, len(methods) + 1, "ko", ms=5)
        ax.set_yticks([len(methods) + 1, *ys], ["printed", *methods], fontsize=7)
        ax.set_title(eid.split(".", 1)[1], fontsize=8, loc="left")
    axes[-1].set_xlabel("percent")
    fig.tight_layout()
    return fig
