"""The array kernels behind the public survival functions, for callers that validate once.

Each public function (``km_at``, ``logrank``, ``cox`` ...) is validation -> kernel ->
DataFrame. A caller that evaluates the same statistics thousands of times on arrays it
has already checked (the reconstruction's search) calls the kernels here directly: they
take plain numpy arrays, do not validate, and return numbers in the order documented at
each kernel. ``tests/test_survival_kernels.py`` ties every kernel to its public function,
and hence to R.

This module is the kernels' public name: a faster implementation of a kernel replaces it
here behind the same name and signature.
"""

from __future__ import annotations

from ._common import zval
from ._design import design_arrays
from .competing import _cuminc_at_kernel as cuminc_at_kernel
from .competing import _gray_kernel as gray_kernel
from .cox import _cox_kernel as cox_kernel
from .km import _km_at_kernel as km_at_kernel
from .km import _km_first_at_or_below as km_first_at_or_below
from .km import _km_median_kernel as km_median_kernel
from .km import _median_symmetric_kernel as median_symmetric_kernel
from .logrank import _logrank_kernel as logrank_kernel

__all__ = [
    "cox_kernel",
    "cuminc_at_kernel",
    "design_arrays",
    "gray_kernel",
    "km_at_kernel",
    "km_first_at_or_below",
    "km_median_kernel",
    "logrank_kernel",
    "median_symmetric_kernel",
    "zval",
]
