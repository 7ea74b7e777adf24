"""Fault models of the simulator and the ``--faults`` specification language.

A specification is one or more fault items separated by ``;`` (or given as several
``--faults`` options).  Each item is ``KIND`` or ``KIND:key=value,key=value``:

=============  ==========================================================================
``crash``      independent crash/recover of every honest validator: ``rate`` = long-run
               fraction of time down (default 0.03), ``mttr`` = mean time to repair in
               seconds (default 60); up and down times are exponential, so the mean time
               between failures is ``mttr * (1 - rate) / rate``.
``down``       a share of the stake is down for the whole run: ``stake`` (default 0.1).
``outage``     correlated outage (one region): validators holding ``stake`` (default 0.2)
               of the stake go down together at ``at`` seconds (default: the middle of
               the run) for ``for`` seconds (default 60).
``withhold``   byzantine seed grinding: validators holding ``stake`` (default 0.1)
               withhold their blocks in the run of their own slots just before the seed
               cutoff whenever that steers the next epoch's seed their way.
``falsevote``  byzantine: validators holding ``stake`` (default 0.1) vote "missed"
               against every live leader at the start of every slot.
``invalid``    byzantine: validators holding ``stake`` (default 0.05) each broadcast, per
               slot with probability ``rate`` (default 0.05), an invalid leadership
               claim (they are not the slot's leader) and a timeout vote with a forged
               voter id (bad signature).
``equivocate`` byzantine: validators holding ``stake`` (default 0.05) publish two
               different blocks for every slot they lead.
=============  ==========================================================================

Every ``stake`` is a fraction in [0, 1]; the validators are drawn by the run's seeded
generator among the honest ones (each byzantine set is disjoint from the others) until
their stake reaches the fraction.  ``none`` turns every fault off.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..rules.errors import ElectionError

__all__ = ["FaultSpecError", "FaultItem", "FaultSpec", "parse_faults", "KINDS"]

KINDS: dict[str, dict[str, float | None]] = {
    "crash": {"rate": 0.03, "mttr": 60.0},
    "down": {"stake": 0.1},
    "outage": {"stake": 0.2, "at": None, "for": 60.0},
    "withhold": {"stake": 0.1},
    "falsevote": {"stake": 0.1},
    "invalid": {"stake": 0.05, "rate": 0.05},
    "equivocate": {"stake": 0.05},
}
"""Fault kinds with their parameters and defaults (None: computed from the run)."""

BYZANTINE = ("withhold", "falsevote", "invalid", "equivocate")
"""Kinds whose validators are byzantine (they never count as honest)."""


class FaultSpecError(ElectionError, ValueError):
    """A ``--faults`` specification does not parse; the message names the bad part."""


@dataclass(frozen=True)
class FaultItem:
    """One parsed fault: its kind and its parameters (defaults filled in)."""

    kind: str
    params: dict[str, float | None] = field(default_factory=dict)

    def get(self, key: str) -> float:
        """A parameter that has a value.

        Raises:
            FaultSpecError: the parameter is unset (no default).
        """
        v = self.params.get(key)
        if v is None:
            raise FaultSpecError(f"{self.kind}: parameter {key!r} has no value")
        return v

    def to_dict(self) -> dict[str, object]:
        """JSON form."""
        return {"kind": self.kind, **{k: v for k, v in sorted(self.params.items())}}


@dataclass(frozen=True)
class FaultSpec:
    """The faults of one run, in specification order."""

    items: tuple[FaultItem, ...] = ()

    def of(self, kind: str) -> list[FaultItem]:
        """The items of one kind."""
        return [i for i in self.items if i.kind == kind]

    def to_list(self) -> list[dict[str, object]]:
        """JSON form."""
        return [i.to_dict() for i in self.items]


def _number(kind: str, key: str, text: str) -> float:
    try:
        v = float(text)  # float-ok: simulator parameter, not consensus
    except ValueError:
        raise FaultSpecError(f"{kind}: {key}={text!r}: expected a number") from None
    if v != v or v in (float("inf"), float("-inf")) or v < 0:
        raise FaultSpecError(f"{kind}: {key}={text!r}: expected a finite number >= 0")
    if key in ("stake", "rate") and v > 1:
        raise FaultSpecError(f"{kind}: {key}={text!r}: expected a fraction in [0, 1]")
    if key == "mttr" and v == 0:
        raise FaultSpecError(f"{kind}: mttr must be > 0")
    return v


def parse_faults(specs: str | list[str] | None) -> FaultSpec:
    """Parse ``--faults`` specifications (see the module docstring).

    Args:
        specs: one string, several (repeated options) or None (no faults).

    Returns:
        The parsed faults.

    Raises:
        FaultSpecError: an unknown kind or parameter, a malformed or out-of-range value.
    """
    if specs is None:
        return FaultSpec()
    texts = [specs] if isinstance(specs, str) else list(specs)
    items: list[FaultItem] = []
    for text in texts:
        for raw in text.split(";"):
            raw = raw.strip()
            if not raw:
                continue
            if raw == "none":
                items.clear()
                continue
            kind, _, rest = raw.partition(":")
            kind = kind.strip()
            if kind not in KINDS:
                raise FaultSpecError(f"unknown fault kind {kind!r}; expected one of {', '.join(KINDS)} or none")
            params = dict(KINDS[kind])
            for pair in filter(None, (p.strip() for p in rest.split(","))):
                key, eq, value = pair.partition("=")
                key = key.strip()
                if not eq or key not in params:
                    raise FaultSpecError(f"{kind}: expected key=value with key in {sorted(params)}, got {pair!r}")
                params[key] = _number(kind, key, value.strip())
            items.append(FaultItem(kind, params))
    return FaultSpec(tuple(items))
