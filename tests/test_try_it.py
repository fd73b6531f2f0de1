"""The teaching page's "Try it" commands work as printed (a chapter rerun with a parameter)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from cart_hsct import paths


def test_try_it_commands_rerun_a_chapter_with_another_parameter(tmp_path):
    page = (paths.ROOT / "book" / "teaching.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", page, re.S).group(1)
    commands = [line.split() for line in block.strip().splitlines()]
    assert [c[0] for c in commands] == [".venv/bin/jupytext", ".venv/bin/papermill"]
    bin_dir = Path(sys.executable).parent  # the venv running the tests
    for cmd in commands:
        cmd = [str(bin_dir / Path(cmd[0]).name)] + [
            str(tmp_path / Path(a).name) if a.startswith("/tmp/") else a for a in cmd[1:]]
        proc = subprocess.run(cmd, cwd=paths.ROOT, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-2000:]
    nb = json.loads((tmp_path / "chapter.out.ipynb").read_text())
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert injected and "landmark_day = 90" in "".join(injected[0]["source"])
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors
