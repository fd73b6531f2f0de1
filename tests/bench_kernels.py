"""Calls per second of the survival kernels, numpy (``_``-kernels) vs compiled
(``survival.kernels``), on cohorts shaped like the reconstruction's (not a test).

The reconstruction evaluates these kernels on n = 10-95 patients hundreds of thousands of
times per fit. ``run()`` returns {kernel: {n: (numpy calls/s, compiled calls/s)}}, timed in
CPU seconds (``time.process_time``: the machine may be shared), best of a few repeats,
after a first call that compiles (or loads from the cache); ``compile_seconds()`` times
that first call in a fresh process. ``python tests/bench_kernels.py`` prints both.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np

from cart_hsct.survival import kernels
from cart_hsct.survival._common import zval
from cart_hsct.survival.competing import _cuminc_at_kernel, _gray_kernel
from cart_hsct.survival.cox import _cox_kernel
from cart_hsct.survival.km import (
    _km_at_kernel,
    _km_first_at_or_below,
    _km_median_kernel,
    _median_symmetric_kernel,
)
from cart_hsct.survival.logrank import _logrank_kernel

SIZES = (28, 95)  # the two committed cohorts' sizes
Z = zval(0.05)


def _data(n: int, seed: int = 20240601) -> dict[str, np.ndarray]:
    """Days to event or censoring (some ties), 0/1/2 status, two groups, two binary terms."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, n)
    days = np.round(rng.exponential(np.where(group == 0, 300.0, 500.0)))
    status = rng.choice([0, 1, 2], n, p=[0.45, 0.4, 0.15])
    x = np.c_[group, rng.integers(0, 2, n)].astype(float)
    return {"t": days, "s": status, "e": (status == 1).astype(float), "g": group, "x": x}


def _pairs(d: dict) -> dict[str, tuple[Callable, Callable]]:
    t, s, e, g, x = d["t"], d["s"], d["e"], d["g"], d["x"]
    at = np.array([365.0])
    ei = e.astype(int)
    med = _km_median_kernel(t, 1 - e, "log", Z)[0]
    return {
        "km_at": (
            lambda: _km_at_kernel(t, e, at, "log-log", Z),
            lambda: kernels.km_at(t, e, at, "log-log", Z),
        ),
        "km_median": (
            lambda: _km_median_kernel(t, e, "log-log", Z),
            lambda: kernels.km_median(t, e, "log-log", Z),
        ),
        "km_first_at_or_below": (
            lambda: _km_first_at_or_below(t, e, 0.5),
            lambda: kernels.km_first_at_or_below(t, e, 0.5),
        ),
        "median_symmetric": (
            lambda: _median_symmetric_kernel(t, 1 - e, med, Z),
            lambda: kernels.median_symmetric(t, 1 - e, med, Z),
        ),
        "logrank": (lambda: _logrank_kernel(t, e, g, 2), lambda: kernels.logrank(t, e, g, 2)),
        "cuminc_at cmprsk": (
            lambda: _cuminc_at_kernel(t, s, 1, at, "log", Z, "cmprsk"),
            lambda: kernels.cuminc_at(t, s, 1, at, "log", Z, "cmprsk"),
        ),
        "cuminc_at survfit": (
            lambda: _cuminc_at_kernel(t, s, 1, at, "log", Z, "survfit"),
            lambda: kernels.cuminc_at(t, s, 1, at, "log", Z, "survfit"),
        ),
        "gray": (lambda: _gray_kernel(t, s, g, 2, 1), lambda: kernels.gray(t, s, g, 2, 1)),
        "cox efron": (
            lambda: _cox_kernel(x, t, ei, None, "efron", Z),
            lambda: kernels.cox(x, t, ei, None, "efron", Z),
        ),
        "cox breslow": (
            lambda: _cox_kernel(x, t, ei, None, "breslow", Z),
            lambda: kernels.cox(x, t, ei, None, "breslow", Z),
        ),
    }


def _calls_per_second(fn: Callable[[], object], budget: float = 0.2, repeats: int = 3) -> float:
    fn()  # compile or load from the cache, warm up
    best = 0.0
    for _ in range(repeats):
        calls, start = 0, time.process_time()
        while (spent := time.process_time() - start) < budget:
            for _ in range(20):
                fn()
            calls += 20
        best = max(best, calls / spent)
    return best


def run(sizes: tuple[int, ...] = SIZES) -> dict[str, dict[int, tuple[float, float]]]:
    """{kernel: {n: (numpy calls/s, compiled calls/s)}} in CPU time."""
    out: dict[str, dict[int, tuple[float, float]]] = {}
    for n in sizes:
        for name, (old, new) in _pairs(_data(n)).items():
            out.setdefault(name, {})[n] = (_calls_per_second(old), _calls_per_second(new))
    return out


_FIRST_CALLS = """
import time
t0 = time.process_time()
from cart_hsct.survival import kernels
t1 = time.process_time()
kernels.warm_up()
print(t1 - t0, time.process_time() - t1)
"""


def compile_seconds(clear_cache: bool = False) -> tuple[float, float]:
    """(import, first call of every kernel) in CPU seconds of a fresh process; with
    ``clear_cache`` the cached machine code is removed first (a fresh clone's cost)."""
    if clear_cache:
        from pathlib import Path

        for f in (Path(kernels.__file__).parent / "__pycache__").glob("_jit*.nb[ic]"):
            f.unlink()
    # the child's CPU time, measured by itself (its compilation is all its own)
    proc = subprocess.run(
        [sys.executable, "-c", _FIRST_CALLS], capture_output=True, text=True, check=True
    )
    imp, first = proc.stdout.split()
    return float(imp), float(first)


if __name__ == "__main__":
    cold = compile_seconds(clear_cache="--cold" in sys.argv)
    warm = compile_seconds()
    print(f"{'first calls (CPU s)':22s} import numba+kernels  every kernel's first call")
    print(
        f"{'  cache ' + ('cleared' if '--cold' in sys.argv else 'as found'):22s} "
        f"{cold[0]:>20.2f}  {cold[1]:>25.2f}"
    )
    print(f"{'  cache warm':22s} {warm[0]:>20.2f}  {warm[1]:>25.2f}")
    print(f"\n{'kernel':22s}" + "".join(f"{'n=' + str(n):>34s}" for n in SIZES))
    print(f"{'':22s}" + f"{'numpy/s':>12s}{'compiled/s':>12s}{'speedup':>10s}" * len(SIZES))
    for name, by_n in run().items():
        cells = "".join(f"{old:12.0f}{new:12.0f}{new / old:9.1f}x" for old, new in by_n.values())
        print(f"{name:22s}{cells}")
