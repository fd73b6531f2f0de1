"""Kernels forked from the build's template run a page exactly as a fresh kernel does."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from cart_hsct import build, notebook_kernels, paths

pytestmark = pytest.mark.build

# What a page could see differently in a kernel forked from a process that imported the
# stack before any kernel existed: pandas' display defaults (set at import, from whether
# get_ipython() is a kernel), matplotlib's backend (inline figures), the working folder,
# the environment the build sets for the page, the import path, the kernel's parent.
PAGE = """# %% [markdown]
# # Probe
# %%
import os, sys
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
# %%
pd.DataFrame(np.arange(60).reshape(2, 30))
# %%
print(pd.get_option("display.max_columns"), pd.get_option("display.width"))
print(plt.get_backend(), type(get_ipython()).__name__)
print(os.getcwd() == os.environ["PROBE_CWD"], os.environ["CART_HSCT_NOTEBOOK"])
print(sys.path[0] == os.getcwd(), "MPLBACKEND" in os.environ, __name__)
print(sorted(m for m in ("scipy.stats", "lifelines") if m in sys.modules))
# %%
fig, ax = plt.subplots(figsize=(2, 1.5))
_ = ax.plot([0, 1], [1, 0])  # no Line2D repr: its address differs between runs
"""


def _outputs(path: Path) -> list:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [c["outputs"] for c in cells if c["cell_type"] == "code"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("kernels")
    source = tmp / "probe.py"
    source.write_text(PAGE, encoding="utf-8")
    os.environ["PROBE_CWD"] = str(paths.ROOT)
    out = {}
    build.run_notebook(source, tmp / "fresh.ipynb", page="probe/page")
    out["fresh"] = tmp / "fresh.ipynb"
    with notebook_kernels.template(paths.ROOT) as socket_path:
        assert os.environ[notebook_kernels.TEMPLATE_ENV] == socket_path
        build.run_notebook(source, tmp / "forked.ipynb", page="probe/page")
    assert notebook_kernels.TEMPLATE_ENV not in os.environ
    out["forked"] = tmp / "forked.ipynb"
    return out


def test_a_forked_kernel_gives_the_outputs_of_a_fresh_one(runs):
    fresh, forked = _outputs(runs["fresh"]), _outputs(runs["forked"])
    assert forked == fresh
    text = "".join(fresh[2][0]["text"])
    assert text.startswith("20 80\nmodule://matplotlib_inline.backend_inline ZMQInteractiveShell")
    assert "True probe/page" in text
    png = [o for o in fresh[3] if "image/png" in o.get("data", {})]
    assert png, "the figure is drawn inline"


def test_a_kernel_the_template_cannot_fork_starts_as_usual(tmp_path, monkeypatch):
    # with no template running, ForkedKernelManager starts a kernel the usual way
    monkeypatch.delenv(notebook_kernels.TEMPLATE_ENV, raising=False)
    source = tmp_path / "page.py"
    source.write_text("# %%\nprint(6 * 7)\n", encoding="utf-8")
    build.run_notebook(source, tmp_path / "out.ipynb", page="probe/plain")
    assert re.search(r"\b42\b", json.dumps(_outputs(tmp_path / "out.ipynb")))
