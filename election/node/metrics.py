"""A node's metrics: Prometheus (``prometheus-client``, the ``node`` extra) or a no-op.

Names follow ``seqvrf_node_<what>`` (docs/node.md lists them).  Without
``prometheus-client`` installed, :class:`NodeMetrics` warns once and records nothing for
Prometheus; the plain :attr:`NodeMetrics.counts` (used by the health endpoint and the
logs) always work.
"""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["NodeMetrics", "LATENCY_BUCKETS", "prometheus_available"]

LATENCY_BUCKETS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0)
"""Buckets (seconds after the slot's start) of the takeover latency histogram."""


def prometheus_available() -> bool:
    """Whether ``prometheus_client`` can be imported."""
    try:
        import prometheus_client  # noqa: F401
    except ImportError:
        return False
    return True


class _Noop:
    def labels(self, *args: Any, **kwargs: Any) -> _Noop:
        return self

    def inc(self, amount: float = 1.0) -> None:
        pass

    def set(self, value: float) -> None:
        pass

    def observe(self, value: float) -> None:
        pass


class NodeMetrics:
    """The metrics of one node, in a registry of its own.

    Args:
        validator_id: the node's id (a constant label on nothing: one node per registry).
        use_prometheus: False forces the no-op registry.
    """

    def __init__(self, validator_id: str, use_prometheus: bool = True) -> None:
        self.validator_id = validator_id
        self.counts: dict[str, int] = {}
        self.latencies: list[float] = []
        self.registry: Any = None
        prom: Any = None
        if use_prometheus:
            try:
                import prometheus_client as prom
            except ImportError:
                warnings.warn("prometheus-client is not installed (pip install 'seqvrf[node]'): "
                              "metrics are kept in memory only", RuntimeWarning, stacklevel=2)
                prom = None
        if prom is None:
            n = _Noop()
            self.produced = self.takeovers = self.missed = self.votes = self.rejected = n
            self.peer_phi = self.takeover_latency = self.tip_slot = self.evidence = n
            self.seed_mismatch = self.late_seed_inputs = self.abandoned = self.restarts = n
            self.availability = self.health_alerts = n
            return
        r = self.registry = prom.CollectorRegistry()
        self.produced = prom.Counter("seqvrf_node_slots_produced", "blocks this node produced, by rank",
                                     ["rank"], registry=r)
        self.takeovers = prom.Counter("seqvrf_node_slots_taken_over", "blocks this node produced as a backup",
                                      registry=r)
        self.missed = prom.Counter("seqvrf_node_slots_missed", "slots with no block once every window closed",
                                   registry=r)
        self.votes = prom.Counter("seqvrf_node_votes", "timeout votes, by direction (sent, received)",
                                  ["direction"], registry=r)
        self.rejected = prom.Counter("seqvrf_node_rejected_inputs", "refused inputs, by reason", ["reason"],
                                     registry=r)
        self.peer_phi = prom.Gauge("seqvrf_node_peer_phi", "phi-accrual suspicion of each peer", ["peer"],
                                   registry=r)
        self.takeover_latency = prom.Histogram(
            "seqvrf_node_takeover_latency_seconds", "time from the slot's start to sending a backup's block",
            buckets=LATENCY_BUCKETS, registry=r)
        self.tip_slot = prom.Gauge("seqvrf_node_tip_slot", "highest slot with a valid block", registry=r)
        self.evidence = prom.Counter("seqvrf_node_evidence", "equivocation evidence found", ["kind"], registry=r)
        self.seed_mismatch = prom.Counter("seqvrf_node_seed_mismatch", "votes or blocks bound to another seed",
                                          registry=r)
        self.late_seed_inputs = prom.Counter("seqvrf_node_late_seed_inputs",
                                             "blocks changing a slot whose seed was fixed", registry=r)
        self.abandoned = prom.Counter("seqvrf_node_abandoned", "own blocks superseded by a higher rank",
                                      registry=r)
        self.restarts = prom.Counter("seqvrf_node_starts", "times this node started", registry=r)
        self.availability = prom.Gauge("seqvrf_node_validator_availability",
                                       "share of its primary slots each validator filled (election.risk)",
                                       ["validator"], registry=r)
        self.health_alerts = prom.Counter("seqvrf_node_health_alerts",
                                          "change-point alerts: a validator whose missed-slot rate rose",
                                          ["validator"], registry=r)

    def count(self, name: str, amount: int = 1) -> None:
        """Add to a plain counter (kept whether Prometheus is available or not)."""
        self.counts[name] = self.counts.get(name, 0) + amount

    def reject(self, reason: str) -> None:
        """Count one refused input."""
        self.count(f"rejected.{reason}")
        self.rejected.labels(reason=reason).inc()
        if reason == "SeedMismatch":
            self.seed_mismatch.inc()

    def render(self) -> bytes | None:
        """The Prometheus text exposition, or None without ``prometheus-client``."""
        if self.registry is None:
            return None
        from prometheus_client import generate_latest
        out: bytes = generate_latest(self.registry)
        return out
