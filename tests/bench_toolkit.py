"""Timing of the survival toolkit on seeded n = 10,000 data (not a test).

``run()`` returns {name: seconds} (best of a few repeats) so that a benchmark
runner can call it; ``python tests/bench_toolkit.py`` prints the table.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from cart_hsct import survival as sv

N = 10_000


def _data(n: int = N, seed: int = 20240601) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    group = rng.choice(np.array(["a", "b", "c"]), n)
    event_time = rng.exponential(np.where(group == "a", 20.0, 30.0))
    censor_time = rng.uniform(0, 60, n)
    time_days = np.round(np.minimum(event_time, censor_time), 1)  # ties, as in real data
    event = (event_time <= censor_time).astype(int)
    cause = np.where(event == 1, rng.choice([1, 2], n), 0)
    marker = np.round(rng.normal(50, 10, n), 1)
    return {"time": time_days, "event": event, "group": group, "status": cause, "marker": marker}


def _best(fn: Callable[[], object], repeats: int = 3) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def run(n: int = N) -> dict[str, float]:
    """Seconds per call of each toolkit function on seeded data of size ``n``."""
    d = _data(n)
    calls: dict[str, Callable[[], object]] = {
        "km_table": lambda: sv.km_table(d["time"], d["event"], conf_type="log-log"),
        "km_at": lambda: sv.km_at(
            d["time"], d["event"], [6, 12, 24], conf_type="log-log", group=d["group"]
        ),
        "km_median": lambda: sv.km_median(d["time"], d["event"], conf_type="log"),
        "logrank": lambda: sv.logrank(d["time"], d["event"], d["group"]),
        "pairwise_logrank": lambda: sv.pairwise_logrank(
            d["time"], d["event"], d["group"], adjust="holm"
        ),
        "cuminc": lambda: sv.cuminc(
            d["time"], d["status"], group=d["group"], times=[6, 12, 24], conf_type="log-log"
        ),
        "gray_test": lambda: sv.gray_test(d["time"], d["status"], d["group"]),
        "maxstat": lambda: sv.maxstat(d["time"], d["event"], d["marker"]),
    }
    # regression models: 3 terms (marker + the 3-level group as two dummies)
    frame = pd.DataFrame(d)
    calls["cox_efron"] = lambda: sv.cox(frame, "time", "event", ["marker", "group"], ties="efron")
    calls["cox_breslow"] = lambda: sv.cox(
        frame, "time", "event", ["marker", "group"], ties="breslow"
    )
    calls["cox_firth"] = lambda: sv.cox(
        frame, "time", "event", ["marker", "group"], ties="breslow", firth=True
    )
    calls["fine_gray"] = lambda: sv.fine_gray(frame, "time", "status", ["marker", "group"], cause=1)
    return {name: _best(fn) for name, fn in calls.items()}


if __name__ == "__main__":
    for name, seconds in run().items():
        print(f"{name:18s} {1000 * seconds:8.1f} ms")
