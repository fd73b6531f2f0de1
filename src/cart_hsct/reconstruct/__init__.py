"""Pseudo patient-level data reconstructed from published summaries.

``load_spec`` reads and validates a spec (``data/specs/<cohort>.yaml``; format in
``data/specs/README.md``); ``Reconstruction(spec).fit(seed=...)`` searches for a cohort
that reproduces the spec's targets with the same ``cart_hsct.survival`` functions the
notebooks use; ``fit_members`` fits the same spec from scratch with many seeds, in parallel
(joblib, or a Dask cluster): the ensemble of independent reconstructions. Nothing here knows
about a particular paper: everything cohort-specific lives in the spec.

Command line: ``python -m cart_hsct.reconstruct <cohort> [--seed N] [--ensemble K]
[--root DIR] [--scheduler ADDRESS]``.
"""

from .ensemble import Member, SpecSource, fit_members, member_table, summarise_ensemble
from .fidelity import fidelity_table
from .output import (
    provenance_dict,
    write_cohort,
    write_ensemble,
    write_ensemble_cohorts,
    write_members,
)
from .solver import Reconstruction
from .spec import Spec, SpecError, load_spec, parse_spec

__all__ = [
    "Member",
    "Reconstruction",
    "Spec",
    "SpecError",
    "SpecSource",
    "fidelity_table",
    "fit_members",
    "load_spec",
    "member_table",
    "parse_spec",
    "provenance_dict",
    "summarise_ensemble",
    "write_cohort",
    "write_ensemble",
    "write_ensemble_cohorts",
    "write_members",
]
