"""Reporting statistics for the audit: the chi-square goodness-of-fit test.

Floats are fine here: these figures describe a history for people, they decide
nothing.  The chi-square survival function is the regularized upper incomplete gamma
function ``Q(df/2, x/2)``, computed by its power series when ``x < a + 1`` and by a
Lentz continued fraction otherwise (Numerical Recipes, section 6.2), so no scipy is
needed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

__all__ = ["gamma_q", "chi2_sf", "chi_square"]

_EPS = 1e-15
_TINY = 1e-300
_MAX_ITER = 10_000


def _gamma_p_series(a: float, x: float) -> float:
    """Regularized lower incomplete gamma P(a, x) by its series (good for x < a + 1)."""
    term = 1.0 / a  # float-ok
    total = term
    n = a
    for _ in range(_MAX_ITER):
        n += 1.0
        term *= x / n
        total += term
        if abs(term) < abs(total) * _EPS:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))  # float-ok


def _gamma_q_fraction(a: float, x: float) -> float:
    """Regularized upper incomplete gamma Q(a, x) by a Lentz continued fraction (x >= a + 1)."""
    b = x + 1.0 - a
    c = 1.0 / _TINY  # float-ok: reporting statistics
    d = 1.0 / b
    h = d
    for i in range(1, _MAX_ITER):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        if abs(d) < _TINY:
            d = _TINY
        c = b + an / c
        if abs(c) < _TINY:
            c = _TINY
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h  # float-ok


def gamma_q(a: float, x: float) -> float:
    """Regularized upper incomplete gamma function ``Q(a, x) = Gamma(a, x) / Gamma(a)``.

    Args:
        a: shape, > 0.
        x: lower integration limit, >= 0.

    Returns:
        Q(a, x) in [0, 1].

    Raises:
        ValueError: ``a <= 0`` or ``x < 0``.
    """
    if not a > 0 or not x >= 0:
        raise ValueError(f"gamma_q: expected a > 0 and x >= 0, got a={a}, x={x}")
    if x == 0:
        return 1.0
    if x < a + 1.0:
        return max(0.0, min(1.0, 1.0 - _gamma_p_series(a, x)))
    return max(0.0, min(1.0, _gamma_q_fraction(a, x)))


def chi2_sf(x: float, df: int) -> float:
    """Survival function of the chi-square distribution: ``P(X >= x)`` for ``df`` degrees of freedom.

    Args:
        x: the statistic, >= 0.
        df: degrees of freedom, >= 1.

    Returns:
        The p-value.

    Raises:
        ValueError: ``df < 1`` or ``x < 0``.
    """
    if type(df) is not int or df < 1:
        raise ValueError(f"chi2_sf: expected df >= 1, got {df!r}")
    return gamma_q(df / 2.0, x / 2.0)


def chi_square(observed: Sequence[int], expected: Sequence[Fraction]) -> tuple[float, int, float] | None:
    """Pearson's chi-square statistic of observed counts against expected counts.

    Cells with a zero expectation are left out (they cannot hold an observation when
    the expectation is derived from the same totals).

    Args:
        observed: counts per cell.
        expected: exact expected counts per cell, same length.

    Returns:
        ``(statistic, degrees of freedom, p-value)``, or None when fewer than two cells
        have a positive expectation.

    Raises:
        ValueError: the sequences differ in length.
    """
    if len(observed) != len(expected):
        raise ValueError(f"chi_square: {len(observed)} observed cells but {len(expected)} expected")
    stat = Fraction(0)
    cells = 0
    for o, e in zip(observed, expected, strict=True):
        if e > 0:
            stat += (o - e) ** 2 / e
            cells += 1
    if cells < 2:
        return None
    x = float(stat)  # float-ok
    return x, cells - 1, chi2_sf(x, cells - 1)
