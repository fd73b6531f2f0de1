"""The "Try it" commands work as printed: on the teaching page, and in every chapter.

Each notebook shows, in the markdown cell right after its parameters cell, a ``Try it``
admonition with two commands (jupytext, then papermill with ``-p <parameter> <value>``).
The tests read those commands from the notebook's ``.py`` file, run them from the
repository root as printed (``/tmp/`` paths and the ledger's record folder redirected to a
temporary folder), and check that the parameter reached the run and that no cell failed.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from cart_hsct import ledger, paths

pytestmark = pytest.mark.build

NOTEBOOKS = sorted(p.relative_to(paths.ROOT).as_posix() for p in paths.NOTEBOOKS.rglob("*.py")
                   if ".ipynb_checkpoints" not in p.parts)

#: Parameters added to the printed papermill command in these tests only, to shrink a slow
#: section that the Try-it parameter does not touch (the printed command itself still runs
#: everything). None is needed now: every chapter reruns in seconds.
FAST: dict[str, dict[str, str]] = {}

#: Notebooks without a Try it box, and why. Adding a box to one of them fails
#: ``test_every_notebook_has_a_try_it_box`` until its line here is removed.
NO_TRY_IT: dict[str, str] = {}


def _cells(source: str) -> list[tuple[str, str]]:
    """Jupytext percent cells as (header line, body)."""
    parts = re.split(r"^(# %%.*)$", source, flags=re.MULTILINE)
    return [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]


def _parameters(cells) -> dict[str, str]:
    """Names assigned in the parameters cell, with their source text."""
    body = next(b for h, b in cells if 'tags=["parameters"]' in h)
    names = {}
    for node in ast.parse(body).body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        names[name.id] = ast.get_source_segment(body, node.value)
    return names


def try_it(notebook: str) -> tuple[list[list[str]], dict[str, str]]:
    """The commands of a notebook's Try-it box and the parameters they set.

    Fails, naming the notebook and the fix, when the box is missing, is not the cell right
    after the parameters cell, or sets a parameter the parameters cell does not define.
    """
    source = (paths.ROOT / notebook).read_text(encoding="utf-8")
    cells = _cells(source)
    where = [i for i, (h, b) in enumerate(cells) if "{admonition} Try it" in b]
    params_at = next((i for i, (h, _) in enumerate(cells) if 'tags=["parameters"]' in h), None)
    assert params_at is not None, f"{notebook}: no `# %% tags=[\"parameters\"]` cell"
    assert where, (f"{notebook}: no Try it box; add a markdown cell with a "
                   "```{admonition} Try it``` (:class: tip) right after the parameters cell")
    assert where == [params_at + 1], (f"{notebook}: the Try it box must be the one cell right "
                                      "after the parameters cell")
    text = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#")
                     for line in cells[where[0]][1].splitlines())
    block = re.search(r"```bash\n(.*?)```", text, re.DOTALL)
    assert block, f"{notebook}: the Try it box has no ```bash block with the commands"
    commands = [shlex.split(line) for line in block.group(1).strip().splitlines()]
    assert [c[0] for c in commands] == [".venv/bin/jupytext", ".venv/bin/papermill"], notebook
    assert notebook in commands[0], f"{notebook}: the jupytext command converts another file"
    pm = commands[1]
    set_ = {pm[i + 1]: pm[i + 2] for i, a in enumerate(pm) if a in ("-p", "--parameters")}
    assert set_, f"{notebook}: the papermill command sets no parameter (-p name value)"
    unknown = set(set_) - set(_parameters(cells))
    assert not unknown, f"{notebook}: Try it sets {sorted(unknown)}, not in the parameters cell"
    return commands, set_


def _run(commands: list[list[str]], tmp_path: Path, extra: dict[str, str] | None = None) -> dict:
    """Run the commands from the repository root; return the executed notebook."""
    bin_dir = Path(sys.executable).parent  # the venv running the tests
    records = tmp_path / "records"
    records.mkdir()
    # pages that read every page's records (scorecard) need a scorecard file to read
    ledger.write_scorecard(records)
    env = {**os.environ, "CART_HSCT_REPRODUCTION": str(records)}
    env.pop("MPLBACKEND", None)
    out = None
    for cmd in commands:
        args = [str(tmp_path / Path(a).name) if a.startswith("/tmp/") else a for a in cmd[1:]]
        if Path(cmd[0]).name == "papermill":
            out = Path(args[1])
            for name, value in (extra or {}).items():
                args += ["-p", name, value]
        proc = subprocess.run([str(bin_dir / Path(cmd[0]).name), *args], cwd=paths.ROOT,
                              env=env, capture_output=True, text=True, timeout=900, check=False)
        assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}"
    return json.loads(out.read_text(encoding="utf-8"))


def _value(text: str):
    """A ``-p`` value as papermill passes it: int, float, bool, None, else the string."""
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return {"True": True, "False": False, "None": None}.get(text, text)


def _check(nb: dict, expected: dict[str, str]) -> None:
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert injected, "papermill injected no parameters cell"
    lines = "".join(injected[0]["source"]).splitlines()
    for name, value in expected.items():
        assigned = [ast.literal_eval(ln.split("=", 1)[1].strip()) for ln in lines
                    if ln.startswith(f"{name} = ")]
        assert assigned == [_value(value)], f"{name} = {value} not injected: {lines}"
    errors = [f"{o['ename']}: {o['evalue']}" for c in nb["cells"] for o in c.get("outputs", [])
              if o["output_type"] == "error"]
    assert not errors, errors


def test_try_it_commands_rerun_a_chapter_with_another_parameter(tmp_path):
    page = (paths.ROOT / "book" / "teaching.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", page, re.DOTALL).group(1)
    commands = [line.split() for line in block.strip().splitlines()]
    assert [c[0] for c in commands] == [".venv/bin/jupytext", ".venv/bin/papermill"]
    source = next(a for a in commands[0] if a.startswith("notebooks/"))
    nb = _run(commands, tmp_path, FAST.get(source))
    _check(nb, {"landmark_day": "120"})


def test_every_notebook_has_a_try_it_box():
    missing, listed = [], []
    for notebook in NOTEBOOKS:
        try:
            try_it(notebook)
        except AssertionError as err:
            if notebook not in NO_TRY_IT:
                missing.append(str(err).splitlines()[0])
        else:
            if notebook in NO_TRY_IT:
                listed.append(f"{notebook} has a Try it box now: remove it from NO_TRY_IT")
    stale = [f"{nb} is in NO_TRY_IT but does not exist" for nb in NO_TRY_IT if nb not in NOTEBOOKS]
    assert not missing + listed + stale, "\n".join(missing + listed + stale)


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_try_it_box_runs_as_printed(notebook, tmp_path):
    if notebook in NO_TRY_IT:
        pytest.skip(f"no Try it box: {NO_TRY_IT[notebook]}")
    commands, expected = try_it(notebook)
    fast = FAST.get(notebook, {})
    defined = _parameters(_cells((paths.ROOT / notebook).read_text(encoding="utf-8")))
    assert set(fast) <= set(defined), f"FAST names {sorted(set(fast) - set(defined))}: update it"
    nb = _run(commands, tmp_path, fast)
    _check(nb, expected)


def test_records_of_a_chapter_rerun_by_hand_stay_out_of_the_scorecard(tmp_path):
    # A Try it run outside the build records under the page name "interactive", into the
    # build's record folder, the same ids as the chapter's own page: they must not make the
    # next build fail ("recorded by both") nor replace the page's records.
    eid = next(iter(ledger.load("chen2021")))
    page = {"id": eid, "paper": "chen2021", "status": "pending", "contradicted": False,
            "value": None, "ci": None, "p": None, "range": None, "explanation": "",
            "comparison": "", "notebook": "chen2021/page", "source": "pseudo_patients"}
    rerun = {**page, "notebook": ledger.INTERACTIVE, "value": 1.0}
    for name, rec in (("chen2021__page", page), (ledger.INTERACTIVE, rerun)):
        (tmp_path / f"{name}.json").write_text(
            json.dumps({"notebook": rec["notebook"], "records": [rec]}), encoding="utf-8")
    row = next(r for r in ledger.build_scorecard(tmp_path) if r["id"] == eid)
    assert row["notebook"] == "chen2021/page"


def test_every_chapter_on_a_cohort_can_run_on_another_member_of_the_ensemble():
    loads = [nb for nb in NOTEBOOKS  # code, not prose: a line that starts with the call
             if re.search(r"^\w+ = cohorts\.load\(cohort\b", (paths.ROOT / nb).read_text(
                 encoding="utf-8"), re.MULTILINE)]
    missing = [nb for nb in loads if "pts = cohorts.load(cohort, seed=cohort_seed)"
               not in (paths.ROOT / nb).read_text(encoding="utf-8")
               or "cohort_seed" not in _parameters(_cells((paths.ROOT / nb).read_text()))]
    assert len(loads) >= 15 and not missing, missing


@pytest.mark.parametrize("notebook", ["notebooks/chen2021/05_survival.py",
                                      "notebooks/cao2023/06_univariate.py"])
def test_a_chapter_reruns_on_another_pseudo_cohort(notebook, tmp_path):
    commands = [[".venv/bin/jupytext", "--to", "ipynb", notebook, "-o", "/tmp/chapter.ipynb"],
                [".venv/bin/papermill", "/tmp/chapter.ipynb", "/tmp/chapter.out.ipynb",
                 "-p", "cohort_seed", "7"]]
    _check(_run(commands, tmp_path), {"cohort_seed": "7"})
