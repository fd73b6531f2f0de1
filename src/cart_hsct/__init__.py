"""Helper package of the CAR-T -> allo-HSCT reproduction compendium.

Notebooks compose these modules; each module holds one concept:
``ledger`` (published numbers, ``record``, tolerance rules, scorecard),
``survival`` (R-validated survival statistics), ``reconstruct`` (pseudo
patient-level data from published summaries), ``cohorts``, ``plots``,
``tables`` and ``build`` (notebooks -> book).
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
