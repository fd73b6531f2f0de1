"""R-validated survival statistics: Kaplan-Meier, log-rank, competing risks, cut-points,
time-dependent exposures, landmark analyses.

Arrays in, tidy pandas objects out. Conventions (ties, medians, variances,
confidence-interval transforms) follow R's ``survival``, ``cmprsk`` and
``maxstat`` so that results agree with R to 1e-6; each function's docstring
names the R call it matches. Import as ``from cart_hsct import survival as sv``.
"""

from .competing import cuminc, gray_test
from .cox import cox, cox_time_varying
from .cut_search import logrank_cut_curve, max_logrank_null, search_corrected_p
from .cutpoints import maxstat
from .diagnostics import cox_zph, schoenfeld_residuals
from .fine_gray import fine_gray
from .km import km_at, km_compare_at, km_median, km_table, median_followup, median_symmetric_ci
from .landmark import landmark_cox, landmark_data
from .logrank import logrank, p_adjust, pairwise_logrank
from .time_dependent import mantel_byar, simon_makuch, split_at_exposure

__all__ = [
    "cox",
    "cox_time_varying",
    "cox_zph",
    "cuminc",
    "fine_gray",
    "gray_test",
    "km_at",
    "km_compare_at",
    "km_median",
    "km_table",
    "landmark_cox",
    "landmark_data",
    "logrank",
    "logrank_cut_curve",
    "mantel_byar",
    "max_logrank_null",
    "maxstat",
    "median_followup",
    "median_symmetric_ci",
    "p_adjust",
    "pairwise_logrank",
    "schoenfeld_residuals",
    "search_corrected_p",
    "simon_makuch",
    "split_at_exposure",
]
