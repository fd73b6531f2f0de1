"""Tests of cart_hsct.plots: the figures show exactly what cart_hsct.survival computes.

Artists are found through the ids (``gid``) that plots.py gives them; the expected
numbers come from cart_hsct.survival (itself checked against R in
test_survival_parity.py) or, for the risk table, from counting patients directly.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless here only; never via MPLBACKEND (notebooks lose figures)

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from cart_hsct import pages, plots
from cart_hsct import survival as sv

REF = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def random_data() -> pd.DataFrame:
    """n = 300, three groups, tied integer times (tests/reference/survival_random.csv)."""
    return pd.read_csv(REF / "survival_random.csv")


@pytest.fixture(scope="module")
def competing_data() -> pd.DataFrame:
    """Seeded competing-risks data: status 0 censored, 1 relapse, 2 death in remission."""
    rng = np.random.default_rng(11)
    n = 120
    group = rng.choice(["a", "b"], n)
    t1 = rng.exponential(np.where(group == "a", 20.0, 10.0))
    t2 = rng.exponential(25.0, n)
    cens = rng.uniform(0, 40, n)
    time = np.round(np.minimum.reduce([t1, t2, cens]), 1)
    status = np.select([t1 <= np.minimum(t2, cens), t2 <= np.minimum(t1, cens)], [1, 2], 0)
    return pd.DataFrame({"time": time, "status": status, "group": group})


def _texts(fig: Figure, prefix: str) -> dict[str, str]:
    return {
        t.get_gid(): t.get_text()
        for ax in fig.axes
        for t in ax.texts
        if (t.get_gid() or "").startswith(prefix)
    }


def _curves(ax) -> list:
    return [line for line in ax.lines if (line.get_gid() or "").startswith("curve:")]


# ----------------------------------------------------------------------------- KM


def test_km_plot_draws_one_curve_per_group_in_category_order(random_data):
    d = random_data
    group = pd.Categorical(d.group, categories=["z", "x", "y"])
    fig = plots.km_plot(d.time, d.event, group=group, conf_type="log-log")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.lines) == 3
    assert [line.get_label() for line in _curves(ax)] == ["z", "x", "y"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["z", "x", "y"]


@pytest.mark.parametrize("conf_type", ["plain", "log", "log-log", "arcsine"])
def test_km_curve_and_band_are_km_table(random_data, conf_type):
    """The step curve is km_table's survival; the band spans its CI at every time."""
    d = random_data[random_data.group == "y"]
    fig = plots.km_plot(d.time, d.event, conf_type=conf_type, risk_table=False)
    ax = fig.axes[0]
    want = sv.km_table(d.time, d.event, conf_type=conf_type)
    (line,) = _curves(ax)
    np.testing.assert_allclose(line.get_xdata(), np.r_[0, want.time])
    np.testing.assert_allclose(line.get_ydata(), np.r_[1, want.survival])
    (band,) = [c for c in ax.collections if c.get_gid() == "ci:All patients"]
    verts = np.concatenate([p.vertices for p in band.get_paths()])
    finite = want.dropna(subset=["ci_lower", "ci_upper"])
    assert np.isclose(verts[:, 1].min(), min(finite.ci_lower.min(), 1.0))
    assert np.isclose(verts[:, 1].max(), max(finite.ci_upper.max(), 1.0))
    for _, row in finite.iterrows():  # each CI value is a vertex of the band at its time
        at_t = verts[np.isclose(verts[:, 0], row.time), 1]
        assert np.isclose(at_t, row.ci_lower).any() and np.isclose(at_t, row.ci_upper).any()


def test_km_censoring_ticks_sit_on_the_curve_at_censoring_times(random_data):
    d = random_data[random_data.group == "x"]
    fig = plots.km_plot(d.time, d.event, conf_type="log", risk_table=False)
    (ticks,) = [c for c in fig.axes[0].collections if c.get_gid() == "censor:All patients"]
    assert isinstance(ticks, PathCollection)
    want = sv.km_table(d.time, d.event, conf_type="log").query("censored > 0")
    np.testing.assert_allclose(ticks.get_offsets(), want[["time", "survival"]].to_numpy())


def test_km_risk_table_equals_km_table_at_risk(random_data):
    d = random_data
    times = [0, 5, 10, 17.5, 30, 39, 60]
    fig = plots.km_plot(d.time, d.event, group=d.group, conf_type="log-log", times=times)
    assert len(fig.axes) == 2
    cells = _texts(fig, "risk:")
    assert len(cells) == 3 * 3 * len(times)
    for g, sub in d.groupby("group"):
        table = sv.km_table(sub.time, sub.event, conf_type="log-log")
        for t in times:
            later = table[table.time >= t]
            want = int(later.at_risk.iloc[0]) if len(later) else 0
            assert cells[f"risk:{g}:at_risk:{t:g}"] == str(want)
            assert cells[f"risk:{g}:events:{t:g}"] == str(int(table.events[table.time < t].sum()))
            assert cells[f"risk:{g}:censored:{t:g}"] == str(
                int(table.censored[table.time < t].sum())
            )
            total = sum(
                int(cells[f"risk:{g}:{k}:{t:g}"]) for k in ("at_risk", "events", "censored")
            )
            assert total == len(sub)


def test_km_p_value_text_matches_logrank(random_data):
    d = random_data[random_data.group != "x"]
    fig = plots.km_plot(d.time, d.event, group=d.group, conf_type="log", test="logrank")
    p = sv.logrank(d.time, d.event, d.group)["p"]
    assert p >= 0.001  # so that the printed value shows digits that can disagree
    assert _texts(fig, "p_value") == {"p_value": f"Log-rank p = {p:.3f}"}


def test_format_p():
    assert pages.format_p(0.0004) == "p < 0.001"
    assert pages.format_p(0.0391) == "p = 0.039"
    assert pages.format_p(float("nan")) == "p = NA"


def test_km_plot_on_given_axes_appends_table_below(random_data):
    d = random_data
    fig = Figure()
    ax = fig.add_subplot()
    out = plots.km_plot(
        d.time, d.event, group=d.group, conf_type="plain", ax=ax, risk_rows=["at_risk"]
    )
    assert out is fig and fig.axes[0] is ax and len(fig.axes) == 2
    fig.draw_without_rendering()  # the divider places the table at draw time
    assert fig.axes[1].get_position().y1 <= ax.get_position().y0 + 1e-9
    assert {k.split(":")[2] for k in _texts(fig, "risk:")} == {"at_risk"}


def test_km_plot_errors_name_the_problem(random_data):
    d = random_data
    with pytest.raises(ValueError, match="'group' has 1 missing"):
        plots.km_plot(d.time, d.event, group=d.group.where(d.index != 4), conf_type="log")
    with pytest.raises(ValueError, match="pass 'group'"):
        plots.km_plot(d.time, d.event, conf_type="log", test="logrank")
    with pytest.raises(ValueError, match="'event' has codes 2"):
        plots.km_plot(d.time, d.event.replace(1, 2), conf_type="log")
    with pytest.raises(ValueError, match="risk_rows"):
        plots.km_plot(d.time, d.event, conf_type="log", risk_rows=["deaths"])


# ----------------------------------------------------------------------------- CIF


def test_cuminc_plot_curves_table_and_gray_p(competing_data):
    d = competing_data
    times = [0, 10, 20, 30]
    fig = plots.cuminc_plot(
        d.time, d.status, cause=1, group=d.group, conf_type="log-log", test="gray", times=times
    )
    ax = fig.axes[0]
    assert [line.get_label() for line in _curves(ax)] == ["a", "b"]
    for line, (g, sub) in zip(_curves(ax), d.groupby("group"), strict=True):
        want = sv.cuminc(sub.time, sub.status, cause=1, conf_type="log-log")
        np.testing.assert_allclose(line.get_ydata(), np.r_[0, want.estimate])
        cells = _texts(fig, f"risk:{g}:")
        for t in times:
            assert cells[f"risk:{g}:at_risk:{t:g}"] == str(int((sub.time >= t).sum()))
            assert cells[f"risk:{g}:competing:{t:g}"] == str(
                int(((sub.time < t) & (sub.status == 2)).sum())
            )
    p = sv.gray_test(d.time, d.status, d.group, cause=1)["p"]
    assert _texts(fig, "p_value") == {"p_value": f"Gray's test {pages.format_p(p)}"}


def test_risk_counts_add_up_to_group_size(competing_data):
    d = competing_data
    counts = plots.risk_counts(d.time, d.status, [0, 5, 15, 100], cause=2)
    assert (counts[["at_risk", "events", "competing", "censored"]].sum(axis=1) == len(d)).all()
    assert counts.at_risk.tolist() == [int((d.time >= t).sum()) for t in (0, 5, 15, 100)]
    assert counts.events.iloc[-1] == int((d.status == 2).sum())


# ----------------------------------------------------------------------------- forest


@pytest.fixture
def cox_summary() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "term": ["hsct", "blasts", "mrd"],
            "hr": [0.25, 6.0, 7.9],
            "ci_lower": [0.07, 1.6, 1.0],
            "ci_upper": [0.92, 18.9, np.inf],
            "p": [0.036, 0.004, 0.048],
        }
    )


def test_forest_plot_log_axis_reference_and_rows(cox_summary):
    ax = plots.forest_plot(cox_summary, labels={"hsct": "Bridged to HSCT"})
    assert ax.get_xscale() == "log"
    (ref,) = [line for line in ax.lines if line.get_gid() == "reference"]
    assert np.allclose(ref.get_xdata(), 1.0)
    (points,) = [c for c in ax.collections if c.get_gid() == "reproduced"]
    np.testing.assert_allclose(points.get_offsets()[:, 0], cox_summary.hr)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["mrd", "blasts", "Bridged to HSCT"]
    notes = {t.get_gid(): t.get_text() for t in ax.texts}
    assert notes["annotation:hsct"] == "0.25 (0.07-0.92), p = 0.036"
    assert "inf" in notes["annotation:mrd"]  # an unbounded CI is reported, not hidden


def test_forest_plot_keeps_off_axis_estimates_visible():
    """Under separation the HR is ~0: its marker sits at the axis edge, not outside it."""
    sep = pd.DataFrame(
        {"term": ["arm"], "hr": [1e-9], "ci_lower": [0.0], "ci_upper": [np.inf], "p": [0.99]}
    )
    ax = plots.forest_plot(sep)
    (points,) = [c for c in ax.collections if c.get_gid() == "reproduced"]
    x = points.get_offsets()[0, 0]
    assert ax.get_xlim()[0] <= x <= ax.get_xlim()[1]
    notes = {t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("annotation:")}
    assert notes == {"1e-09 (0-inf), p = 0.990"}


def test_forest_plot_overlays_published(cox_summary):
    published = pd.DataFrame(
        {
            "term": ["hsct", "age"],
            "hr": [0.25, 1.5],
            "ci_lower": [0.068, 1.1],
            "ci_upper": [0.915, 2.0],
        }
    )
    ax = plots.forest_plot(cox_summary, published=published)
    (pub,) = [c for c in ax.collections if c.get_gid() == "published"]
    np.testing.assert_allclose(pub.get_offsets()[:, 0], [0.25, 1.5])
    assert len(ax.get_yticks()) == 4  # the published-only term gets its own row
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Reproduced", "Published"]


def test_forest_plot_accepts_fine_gray_table():
    fg = pd.DataFrame(
        {"term": ["x"], "shr": [2.0], "ci_lower": [1.2], "ci_upper": [3.3], "p": [0.01]}
    )
    ax = plots.forest_plot(fg)
    assert "Subdistribution" in ax.get_xlabel()
    with pytest.raises(ValueError, match="no estimate column"):
        plots.forest_plot(fg.drop(columns="shr"))


def test_published_vs_reproduced_dot_plot():
    table = pd.DataFrame(
        {
            "label": ["OS 1y", "LFS 1y"],
            "published": [70.0, 80.0],
            "published_lower": [33.0, 40.9],
            "published_upper": [90.2, 94.6],
            "reproduced": [70.0, 80.0],
            "reproduced_lower": [32.9, 40.9],
            "reproduced_upper": [89.2, np.nan],
        }
    )
    ax = plots.published_vs_reproduced(table, xlabel="Percent")
    (pub,) = [c for c in ax.collections if c.get_gid() == "published"]
    (rep,) = [c for c in ax.collections if c.get_gid() == "reproduced"]
    np.testing.assert_allclose(pub.get_offsets()[:, 0], [70.0, 80.0])
    assert rep.get_offsets()[0, 1] > rep.get_offsets()[1, 1]  # first row on top


# ----------------------------------------------------------------------------- global state


def test_plots_leave_global_state_alone(random_data, competing_data, cox_summary):
    """No rcParams change and no figure registered with pyplot (nothing to show twice)."""
    before = dict(matplotlib.rcParams)
    figures = plt.get_fignums()
    d, c = random_data, competing_data
    plots.km_plot(d.time, d.event, group=d.group, conf_type="log", test="logrank")
    plots.cuminc_plot(c.time, c.status, group=c.group, conf_type="log", test="gray")
    plots.forest_plot(cox_summary)
    assert dict(matplotlib.rcParams) == before
    assert plt.get_fignums() == figures


def test_set_theme_sets_okabe_ito_cycle():
    with matplotlib.rc_context():
        plots.set_theme()
        colours = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        assert [to_hex(c) for c in colours] == [c.lower() for c in plots.OKABE_ITO]


@pytest.mark.parametrize("font_scale", [1.0, 1.1, 1.6])
def test_theme_is_seaborns_ticks_notebook_theme(font_scale):
    """set_theme writes out what seaborn.set_theme sets, without importing seaborn."""
    sns = pytest.importorskip("seaborn")
    with matplotlib.rc_context():
        sns.set_theme(
            context="notebook",
            style="ticks",
            palette=list(plots.OKABE_ITO),
            font="sans-serif",
            font_scale=font_scale,
            rc={
                "axes.spines.top": False,
                "axes.spines.right": False,
                "figure.dpi": 110,
                "savefig.dpi": 150,
                "savefig.bbox": "tight",
                "legend.frameon": False,
            },
        )
        seaborns = dict(matplotlib.rcParams)
    with matplotlib.rc_context():
        plots.set_theme(font_scale)
        ours = dict(matplotlib.rcParams)
    differ = {k: (seaborns[k], ours[k]) for k in seaborns if seaborns[k] != ours[k]}
    # seaborn's "rocket" colormap exists only once seaborn is imported (see plots.py)
    assert differ == {"image.cmap": ("rocket", "viridis")}


def test_seaborn_colorblind_palette_is_seaborns():
    sns = pytest.importorskip("seaborn")
    assert [to_hex(c) for c in sns.color_palette("colorblind")] == [
        c.lower() for c in plots.SEABORN_COLORBLIND
    ]


def test_forest_plot_series_names_for_two_fits(cox_summary):
    ax = plots.forest_plot(cox_summary, published=cox_summary, series=("Firth", "Cox"))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Firth", "Cox"]


def test_cutpoint_plot_shows_maxstat_curve_and_both_p_values():
    d = pd.read_csv(REF / "survival_maxstat_data.csv")
    result = sv.maxstat(d.time, d.event, d.marker)
    ax = plots.cutpoint_plot(result, xlabel="Marker")
    (curve,) = [line for line in ax.lines if line.get_gid() == "curve"]
    np.testing.assert_allclose(curve.get_xdata(), result["curve"].cutpoint)
    np.testing.assert_allclose(curve.get_ydata(), result["curve"].statistic)
    (cut,) = [line for line in ax.lines if line.get_gid() == "cutpoint"]
    assert np.allclose(cut.get_xdata(), result["cutpoint"])
    assert f"{result['p']:.2g}" in ax.get_title("left")
    assert f"{result['p_naive']:.2g}" in ax.get_title("left")


def test_cuminc_plot_draws_a_flat_zero_curve_for_a_group_without_the_cause():
    """A group whose patients only have competing events is a curve at 0, not an error."""
    time = np.array([5.0, 8, 12, 20, 3, 9, 15, 30])
    status = np.array([2, 0, 2, 0, 1, 2, 1, 0])
    group = np.array(["none", "none", "none", "none", "some", "some", "some", "some"])
    fig = plots.cuminc_plot(time, status, cause=1, group=group, conf_type="log", test=None)
    none_curve = next(line for line in fig.axes[0].get_lines() if line.get_label() == "none")
    assert np.all(none_curve.get_ydata() == 0)
    plt.close("all")


def test_distributions_by_group_draws_every_patient_in_its_group():
    from cart_hsct import summary_plots

    df = pd.DataFrame({"g": ["a", "a", "b", "b", "b"], "x": [1.0, 2, 3, 4, None]})
    fig = summary_plots.distributions_by_group(df, {"x": "X"}, group="g", order=["b", "a"])
    ax = fig.axes[0]
    dots = [c for c in ax.collections if len(c.get_offsets())]
    assert sorted(len(c.get_offsets()) for c in dots) == [2, 2]  # the missing value is left out
    assert [t.get_text() for t in ax.get_xticklabels()] == ["b", "a"]
    with pytest.raises(ValueError, match="lacks column"):
        summary_plots.distributions_by_group(df, {"y": "Y"}, group="g")


def test_status_heatmap_counts_ids_per_section_and_status():
    from cart_hsct import summary_plots

    card = pd.DataFrame({"notebook": ["p1", "p1", "p2"], "status": ["exact", "close", "exact"]})
    ax = summary_plots.status_heatmap(card)
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["1", "1", "0", "0", "1", "0", "0", "0"]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "exact",
        "close",
        "discrepant",
        "not_reproducible",
    ]
