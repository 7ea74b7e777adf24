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
``stall``      the primary of a slot, with probability ``rate`` (default 0.05), freezes
               (as SIGSTOP would) from ``at`` seconds before the slot start (default
               0.05) for ``for`` seconds (default 0.8): what reaches it meanwhile is
               handled when it wakes, with the clock reading the wake-up time.
``restart``    the primary of a slot, with probability ``rate`` (default 0.05), crashes
               ``at`` seconds after the slot start (default 0.02, after it published)
               and restarts ``down`` seconds later (default 0.1) with a fresh controller
               and its durable signing guard.
``target``     a targeted denial of service (:class:`TargetedDoS`): during each slot the
               attacker isolates the first ``budget`` validators of the slot's ranking
               (default 1) if it could predict that ranking ``lead`` slots ahead (default
               0): the whole epoch in the rotation, the current window in windowed mode,
               never in secret mode.
=============  ==========================================================================

Every ``stake`` is a fraction in [0, 1]; the validators are drawn by the run's seeded
generator among the honest ones (each byzantine set is disjoint from the others) until
their stake reaches the fraction.  ``none`` turns every fault off.

:class:`TargetedDoS` is the model of an attacker that takes down the leaders it can
predict (bounded by a budget of validators and a reaction time); it depends on the
election mode through :func:`prediction_slot`; the ``target`` kind runs it in the
simulator (an isolated validator's messages in and out are dropped for the slot).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ..rules.config import ElectionConfig
from ..rules.errors import ElectionError

__all__ = [
    "FaultSpecError",
    "FaultItem",
    "FaultSpec",
    "parse_faults",
    "KINDS",
    "TargetedDoS",
    "DoSOutcome",
    "prediction_slot",
]

KINDS: dict[str, dict[str, float | None]] = {
    "crash": {"rate": 0.03, "mttr": 60.0},
    "down": {"stake": 0.1},
    "outage": {"stake": 0.2, "at": None, "for": 60.0},
    "withhold": {"stake": 0.1},
    "falsevote": {"stake": 0.1},
    "invalid": {"stake": 0.05, "rate": 0.05},
    "equivocate": {"stake": 0.05},
    "stall": {"rate": 0.05, "at": 0.05, "for": 0.8},
    "restart": {"rate": 0.05, "at": 0.02, "down": 0.1},
    "target": {"budget": 1.0, "lead": 0.0},
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
    if key in ("budget", "lead") and v != int(v):
        raise FaultSpecError(f"{kind}: {key}={text!r}: expected a whole number")
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


# -- targeted denial of service ---------------------------------------------------------


def prediction_slot(config: ElectionConfig, slot: int) -> int | None:
    """The first slot at whose start the ranking of ``slot`` is public, per election mode.

    - rotation: the epoch seed fixes every ranking of the epoch; it is computable from
      the cutoff of the previous epoch on, ``first(e - 1) + seed_cutoff`` (negative for
      epoch 0, whose seed is the genesis's: known before the chain starts);
    - windowed: window ``g`` (absolute, ``slot // W``) is drawn with a seed computable at
      the end of window ``g - 2``: slot ``(g - 1) * W``, ``W`` to ``2W - 1`` slots ahead
      (docs/spec.md section 13.6);
    - secret: never; a leader is known when it publishes (None).

    Args:
        config: the election parameters.
        slot: an absolute slot number.

    Returns:
        The slot number (negative: known before slot 0), or None in secret mode.
    """
    if config.mode == "secret":
        return None
    if config.mode == "windowed":
        assert config.window is not None
        return (slot // config.window - 1) * config.window
    epoch = slot // config.epoch_length
    return (epoch - 1) * config.epoch_length + config.cutoff


@dataclass(frozen=True)
class DoSOutcome:
    """What a :class:`TargetedDoS` achieved over some slots.

    Attributes:
        slots: slots examined.
        predicted: slots whose ranking the attacker knew in time (``lead`` slots ahead).
        primary_down: slots whose primary (rank 0) it had taken down.
        all_down: slots whose every ranked validator it had taken down (no rank can
            produce: the slot is lost).
    """

    slots: int
    predicted: int
    primary_down: int
    all_down: int


@dataclass(frozen=True)
class TargetedDoS:
    """An attacker that keeps up to ``budget`` validators offline and always aims at the
    next leaders it can predict.

    Taking a validator down needs ``lead`` slots of preparation: to have the validators
    of slot ``x`` down during ``x``, the attacker must know ``x``'s ranking at the start
    of slot ``x - lead``, i.e. ``prediction_slot(config, x) <= x - lead``.  It then takes
    down the first ``budget`` validators of the ranking (primary first, then the backups
    in rank order) for that slot.  Predictability by mode: the whole epoch (rotation),
    the current window and, within it, the next one (windowed), nothing (secret: the
    attacker can only hit validators blindly, which is the ``down``/``outage`` faults).

    Args:
        budget: validators it can hold offline at once (>= 0).
        lead: slots of preparation before a target is down (>= 0).

    Raises:
        FaultSpecError: budget or lead not a non-negative int.
    """

    budget: int
    lead: int = 0

    def __post_init__(self) -> None:
        for name in ("budget", "lead"):
            v = getattr(self, name)
            if type(v) is not int or v < 0:
                raise FaultSpecError(f"targeted DoS: {name} must be an int >= 0, got {v!r}")

    def predicts(self, config: ElectionConfig, slot: int) -> bool:
        """Whether the ranking of ``slot`` is known ``lead`` slots before it."""
        known = prediction_slot(config, slot)
        return known is not None and known <= slot - self.lead

    def targets(self, config: ElectionConfig, slot: int, ranking: Sequence[str]) -> frozenset[str]:
        """The validators it holds down during ``slot`` (``ranking``: the slot's ranked ids)."""
        if not self.budget or not self.predicts(config, slot):
            return frozenset()
        return frozenset(ranking[: self.budget])

    def run(
        self, config: ElectionConfig, slots: Iterable[int], ranking_of: Callable[[int], Sequence[str]]
    ) -> DoSOutcome:
        """Apply the attack to ``slots``.

        Args:
            config: the election parameters (the mode decides what is predictable).
            slots: the slots to attack.
            ranking_of: the slot's ranked ids (e.g. ``Schedule.ranking`` or
                ``WindowedSchedule.ranking``); called only for predicted slots.

        Returns:
            The counts of :class:`DoSOutcome`.
        """
        n = predicted = primary = every = 0
        for x in slots:
            n += 1
            if not self.predicts(config, x):
                continue
            predicted += 1
            ranking = ranking_of(x)
            down = self.targets(config, x, ranking)
            primary += ranking[0] in down
            every += all(v in down for v in ranking)
        return DoSOutcome(n, predicted, primary, every)
