"""Every notebook kernel imports the package: keep what it pulls in small.

scipy.stats (~0.5 s) and seaborn (which imports scipy.stats) cost more to import than
pandas; a page that needs neither should not pay for them. The modules below must
import without them; the functions that need scipy.stats import it when called.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

MODULES = (
    "cart_hsct.survival",
    "cart_hsct.plots",
    "cart_hsct.proportions",
    "cart_hsct.ledger",
    "cart_hsct.cohorts",
    "cart_hsct.provenance",
    "cart_hsct.tables",
    "cart_hsct.papertext",
    "cart_hsct.parity",
)


@pytest.mark.parametrize(
    "heavy", ["scipy.stats", "seaborn", "scipy.optimize", "scipy.linalg", "lifelines"]
)
def test_package_imports_without_heavy_modules(heavy):
    code = (
        f"import sys; import {', '.join(MODULES)}; sys.exit(3 if {heavy!r} in sys.modules else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode != 3, (
        f"importing {', '.join(MODULES)} imports {heavy}; import it inside the function "
        "that needs it (every notebook kernel pays for a module-level import)"
    )
    assert proc.returncode == 0, proc.stderr
