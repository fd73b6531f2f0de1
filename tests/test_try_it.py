"""The "Try it" commands work as printed: on the teaching page, the intro, the README, and in
every chapter.

Each notebook shows, in the markdown cell right after its parameters cell, a ``Try it``
admonition with one command, ``.venv/bin/python -m cart_hsct.rerun <part>/<page> -p <parameter>
<value>``. The tests read those commands from the notebook's ``.py`` file, run them from the
repository root as printed (the rerun folder and the ledger's record folder redirected to a
temporary folder), read the executed page from the path the command prints, and check that
the parameter reached the run and that no cell failed.
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

from cart_hsct import ledger, paths, rerun

pytestmark = pytest.mark.build

NOTEBOOKS = sorted(
    p.relative_to(paths.ROOT).as_posix()
    for p in paths.NOTEBOOKS.rglob("*.py")
    if ".ipynb_checkpoints" not in p.parts
)
RERUN = [".venv/bin/python", "-m", "cart_hsct.rerun"]

#: Parameters added to the printed command in these tests only, to shrink a slow section that
#: the Try-it parameter does not touch (the printed command itself still runs everything).
#: None is needed now: every chapter reruns in seconds.
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


def _set(command: list[str]) -> dict[str, str]:
    return {
        command[i + 1]: command[i + 2] for i, a in enumerate(command) if a in ("-p", "--parameter")
    }


def _rerun_commands(text: str, where: str) -> list[list[str]]:
    """The rerun commands of the ```bash blocks of a page's text."""
    commands = [
        shlex.split(line)
        for block in re.findall(r"```bash\n(.*?)```", text, re.DOTALL)
        for line in block.strip().splitlines()
        if "cart_hsct.rerun" in line
    ]
    assert commands, f"{where}: no `{' '.join(RERUN)} <part>/<page> -p ...` command"
    for command in commands:
        assert command[:3] == RERUN, f"{where}: {shlex.join(command)} is not {shlex.join(RERUN)}"
    return commands


def try_it(notebook: str) -> tuple[list[str], dict[str, str]]:
    """The command of a notebook's Try-it box and the parameters it sets.

    Fails, naming the notebook and the fix, when the box is missing, is not the cell right
    after the parameters cell, or sets a parameter the parameters cell does not define.
    """
    source = (paths.ROOT / notebook).read_text(encoding="utf-8")
    cells = _cells(source)
    where = [i for i, (h, b) in enumerate(cells) if "{admonition} Try it" in b]
    params_at = next((i for i, (h, _) in enumerate(cells) if 'tags=["parameters"]' in h), None)
    assert params_at is not None, f'{notebook}: no `# %% tags=["parameters"]` cell'
    assert where, (
        f"{notebook}: no Try it box; add a markdown cell with a "
        "```{admonition} Try it``` (:class: tip) right after the parameters cell"
    )
    assert where == [params_at + 1], (
        f"{notebook}: the Try it box must be the one cell right after the parameters cell"
    )
    text = "\n".join(
        line[2:] if line.startswith("# ") else line.lstrip("#")
        for line in cells[where[0]][1].splitlines()
    )
    assert "```bash" in text, f"{notebook}: the Try it box has no ```bash block with the command"
    commands = _rerun_commands(text, notebook)
    assert len(commands) == 1, f"{notebook}: the Try it box has {len(commands)} commands, not 1"
    command = commands[0]
    page = Path(notebook).relative_to("notebooks").with_suffix("").as_posix()
    assert command[3] == page, f"{notebook}: the Try it command reruns {command[3]}, not {page}"
    set_ = _set(command)
    assert set_, f"{notebook}: the Try it command sets no parameter (-p name value)"
    unknown = set(set_) - set(_parameters(cells))
    assert not unknown, f"{notebook}: Try it sets {sorted(unknown)}, not in the parameters cell"
    return command, set_


def _run(command: list[str], tmp_path: Path, extra: dict[str, str] | None = None) -> dict:
    """Run the command from the repository root; return the executed notebook it names."""
    python = Path(sys.executable)  # the venv running the tests
    records, reruns = tmp_path / "records", tmp_path / "reruns"
    records.mkdir()
    # pages that read every page's records (scorecard) need a scorecard file to read
    ledger.write_scorecard(records)
    env = {**os.environ, "CART_HSCT_REPRODUCTION": str(records), "CART_HSCT_RERUNS": str(reruns)}
    env.pop("MPLBACKEND", None)
    args = list(command[1:])
    for name, value in (extra or {}).items():
        args += ["-p", name, value]
    proc = subprocess.run(
        [str(python), *args],
        cwd=paths.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, f"{shlex.join(command)} failed:\n{proc.stderr[-3000:]}"
    printed = [line.strip() for line in proc.stdout.splitlines() if line.strip().endswith(".ipynb")]
    assert len(printed) == 1, f"the command printed no path to the rerun page:\n{proc.stdout}"
    out = Path(printed[0]) if Path(printed[0]).is_absolute() else paths.ROOT / printed[0]
    assert out.is_relative_to(reruns), f"{out} is not in the rerun folder"
    # a page that records writes its records under the interactive name, never its own
    assert sorted(f.name for f in records.iterdir()) == sorted(
        ["scorecard.json"] + [f"{ledger.INTERACTIVE}.json"] * _records_expected(command)
    )
    return json.loads(out.read_text(encoding="utf-8"))


def _records_expected(command: list[str]) -> bool:
    source = (paths.NOTEBOOKS / f"{command[3]}.py").read_text(encoding="utf-8")
    # pages record through the ledger or through the page helpers that call it
    return any(
        call in source for call in ("ledger.record(", "ledger.not_reproducible(", "pages.record_")
    )


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
        assigned = [
            ast.literal_eval(ln.split("=", 1)[1].strip())
            for ln in lines
            if ln.startswith(f"{name} = ")
        ]
        assert assigned == [_value(value)], f"{name} = {value} not injected: {lines}"
    errors = [
        f"{o['ename']}: {o['evalue']}"
        for c in nb["cells"]
        for o in c.get("outputs", [])
        if o["output_type"] == "error"
    ]
    assert not errors, errors


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("book/teaching.md", {"landmark_day": "120"}),
        ("book/intro.md", {"conf_type": "plain"}),
        ("README.md", {"conf_type": "plain"}),
    ],
)
def test_the_rerun_command_on_a_page_runs_as_printed(page, expected, tmp_path):
    commands = _rerun_commands((paths.ROOT / page).read_text(encoding="utf-8"), page)
    assert len(commands) == 1 and _set(commands[0]) == expected, commands
    _check(_run(commands[0], tmp_path, FAST.get(f"notebooks/{commands[0][3]}.py")), expected)


def test_the_readme_two_command_form_runs_as_printed(tmp_path):
    # for those who call papermill themselves: jupytext, then papermill, /tmp/ redirected
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```bash\n(.*?)```", readme, re.DOTALL) if "papermill" in b)
    commands = [shlex.split(line) for line in block.strip().splitlines()]
    assert [c[0] for c in commands] == [".venv/bin/jupytext", ".venv/bin/papermill"]
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "CART_HSCT_REPRODUCTION": str(tmp_path)}
    env.pop("MPLBACKEND", None)
    for cmd in commands:
        args = [str(tmp_path / Path(a).name) if a.startswith("/tmp/") else a for a in cmd[1:]]
        proc = subprocess.run(
            [str(bin_dir / Path(cmd[0]).name), *args],
            cwd=paths.ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert proc.returncode == 0, f"{shlex.join(cmd)} failed:\n{proc.stderr[-3000:]}"
    out = tmp_path / Path(commands[1][2]).name
    _check(json.loads(out.read_text(encoding="utf-8")), _set(commands[1]))


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
    command, expected = try_it(notebook)
    fast = FAST.get(notebook, {})
    defined = _parameters(_cells((paths.ROOT / notebook).read_text(encoding="utf-8")))
    assert set(fast) <= set(defined), f"FAST names {sorted(set(fast) - set(defined))}: update it"
    nb = _run(command, tmp_path, fast)
    _check(nb, expected)


def test_records_of_a_chapter_rerun_by_hand_stay_out_of_the_scorecard(tmp_path):
    # A Try it run outside the build records under the page name "interactive", into the
    # build's record folder, the same ids as the chapter's own page: they must not make the
    # next build fail ("recorded by both") nor replace the page's records.
    eid = next(iter(ledger.load("chen2021")))
    page = {
        "id": eid,
        "paper": "chen2021",
        "status": "pending",
        "contradicted": False,
        "value": None,
        "ci": None,
        "p": None,
        "range": None,
        "explanation": "",
        "comparison": "",
        "notebook": "chen2021/page",
        "source": "pseudo_patients",
    }
    rerun = {**page, "notebook": ledger.INTERACTIVE, "value": 1.0}
    for name, rec in (("chen2021__page", page), (ledger.INTERACTIVE, rerun)):
        (tmp_path / f"{name}.json").write_text(
            json.dumps({"notebook": rec["notebook"], "records": [rec]}), encoding="utf-8"
        )
    row = next(r for r in ledger.build_scorecard(tmp_path) if r["id"] == eid)
    assert row["notebook"] == "chen2021/page"


def test_every_chapter_on_a_cohort_can_run_on_another_member_of_the_ensemble():
    loads = [
        nb
        for nb in NOTEBOOKS  # code, not prose: a line that starts with the call
        if re.search(
            r"^\w+ = cohorts\.load\(cohort\b",
            (paths.ROOT / nb).read_text(encoding="utf-8"),
            re.MULTILINE,
        )
    ]
    missing = [
        nb
        for nb in loads
        if "pts = cohorts.load(cohort, seed=cohort_seed)"
        not in (paths.ROOT / nb).read_text(encoding="utf-8")
        or "cohort_seed" not in _parameters(_cells((paths.ROOT / nb).read_text()))
    ]
    assert len(loads) >= 15 and not missing, missing


@pytest.mark.parametrize("page", ["chen2021/05_survival", "cao2023/06_univariate"])
def test_a_chapter_reruns_on_another_pseudo_cohort(page, tmp_path):
    command = [*RERUN, page, "-p", "cohort_seed", "7"]
    _check(_run(command, tmp_path), {"cohort_seed": "7"})


def test_an_unknown_page_is_named_with_the_valid_ones(capsys):
    assert rerun.main(["chen2021/05_survivl", "-p", "conf_type", "plain"]) == 2
    err = capsys.readouterr().err
    assert "no page 'chen2021/05_survivl'" in err and "Did you mean chen2021/05_survival?" in err
    assert all(page in err for page in rerun.pages())


def test_an_unknown_parameter_is_named_with_the_valid_ones(capsys, tmp_path):
    out = tmp_path / "never.ipynb"
    code = rerun.main(["counts/chen2021", "-p", "alpah", "0.1", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "counts/chen2021 has no parameter 'alpah'" in err
    assert "alpha = 0.05" in err  # the parameters cell's names, with their defaults


def test_a_value_is_read_as_papermill_reads_it():
    assert [rerun.parse_value(v) for v in ("True", "None", "7", "0.1", "log-log", "1e3")] == [
        True,
        None,
        7,
        0.1,
        "log-log",
        1000.0,
    ]
