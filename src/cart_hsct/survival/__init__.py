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
    "km_table",
    "km_at",
    "km_compare_at",
    "km_median",
    "median_followup",
    "median_symmetric_ci",
    "logrank",
    "pairwise_logrank",
    "p_adjust",
    "cuminc",
    "gray_test",
    "maxstat",
    "logrank_cut_curve",
    "max_logrank_null",
    "search_corrected_p",
    "cox",
    "cox_time_varying",
    "cox_zph",
    "schoenfeld_residuals",
    "fine_gray",
    "split_at_exposure",
    "simon_makuch",
    "mantel_byar",
    "landmark_data",
    "landmark_cox",
]
