"""Risk: validator health statistics, anomaly detection and the downtime-risk model.

Nothing here is a consensus rule; floats are used with their error stated.
"""

from __future__ import annotations

from .health import (
    Availability,
    EpochHealth,
    HealthFlag,
    HealthMonitor,
    HealthReport,
    OutcomeLog,
    ValidatorHealth,
    assess,
)
from .stats import beta_ppf, betainc, binom_sf, clopper_pearson, holm

__all__ = [
    "Availability", "EpochHealth", "HealthFlag", "HealthMonitor", "HealthReport", "OutcomeLog",
    "ValidatorHealth", "assess", "betainc", "beta_ppf", "binom_sf", "clopper_pearson", "holm",
]
