"""Reconstruction specs: the YAML schema, its validation and a small expression language.

A spec (``data/specs/<cohort>.yaml``) says what is known about a cohort whose patient-level
data are not public: its size, groups, covariate margins, the accrual window and data
cut-off (which bound each patient's potential follow-up), the events that can happen to a
patient, the endpoints derived from them, and the published numbers (targets, each tied
to ledger ids) that a reconstruction must reproduce. ``data/specs/README.md`` documents
the format with examples; this package enforces it.

- ``schema``: the validated spec as frozen dataclasses, defaults included;
- ``expressions``: the expression language of ``where``, ``of``, ``derived`` ...;
- ``parse`` (``load_spec``, ``parse_spec``) with one parse function per section, the
  larger sections in ``covariates``, ``events`` and ``targets``;
- ``reader``: typed reads whose errors name the file and the field path, e.g.
  ``chen2021.yaml: targets[12].ids[0]: 'x' is not a ledger id``.
"""

from .expressions import Expression, compile_expression
from .parse import load_spec, parse_spec
from .reader import SpecError
from .schema import (
    COMPARE_PARTS,
    CONF_TYPES,
    STATS,
    Cause,
    Conflict,
    Covariate,
    Design,
    Endpoint,
    Event,
    Exclusion,
    Groups,
    SolverSettings,
    Spec,
    Split,
    Target,
    Versus,
)

__all__ = [
    "COMPARE_PARTS",
    "CONF_TYPES",
    "STATS",
    "Cause",
    "Conflict",
    "Covariate",
    "Design",
    "Endpoint",
    "Event",
    "Exclusion",
    "Expression",
    "Groups",
    "SolverSettings",
    "Spec",
    "SpecError",
    "Split",
    "Target",
    "Versus",
    "compile_expression",
    "load_spec",
    "parse_spec",
]
