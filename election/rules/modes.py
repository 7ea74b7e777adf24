"""One entry point for the election modes, and the interface their schedules share.

``config.mode`` selects the rule set (docs/spec.md sections 5, 13, 14):

=============  ===================================================  =========================
mode           who leads slot ``x``                                 known from
=============  ===================================================  =========================
``rotation``   :class:`~election.rules.schedule.Schedule`           the previous epoch's cutoff
``windowed``   :class:`~election.rules.windowed.WindowedSchedule`   ``W`` to ``2W - 1`` slots ahead
``secret``     the race of :mod:`election.rules.secret`             when the leader publishes
=============  ===================================================  =========================

The two ranked modes answer the same questions through :class:`RankedSchedule`, so claim
checks written against it serve both; the secret mode has no schedule (every validator
may be eligible in every slot) and is decided per slot from the published betas.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from .config import ElectionConfig
from .errors import InvalidConfig
from .schedule import Schedule
from .stake import StakeTable
from .windowed import WindowedSchedule

__all__ = ["RankedSchedule", "make_schedule"]


class RankedSchedule(Protocol):
    """What a claim check needs from an epoch's schedule (rotation or windowed).

    ``leader``, ``ranking``, ``at_rank`` and ``rank_of`` raise
    :class:`~election.rules.errors.InvalidSlot` for a slot outside the epoch; a windowed
    schedule raises its subclass :class:`~election.rules.windowed.WindowNotRevealed` for a
    slot whose window is not revealed yet.
    """

    config: ElectionConfig
    table: StakeTable
    epoch: int
    seed: bytes
    first_slot: int

    @property
    def slots(self) -> range: ...

    @property
    def depth(self) -> int: ...

    def contains(self, slot: int) -> bool: ...

    def slot_input(self, slot: int) -> bytes: ...

    def leader(self, slot: int) -> str: ...

    def ranking(self, slot: int) -> list[str]: ...

    def at_rank(self, slot: int, rank: int) -> str: ...

    def rank_of(self, slot: int, validator_id: str) -> int | None: ...

    def counts(self) -> dict[str, int]: ...


def make_schedule(
    config: ElectionConfig,
    table: StakeTable,
    epoch: int,
    seed: bytes,
    window_seeds: Sequence[bytes] = (),
) -> RankedSchedule:
    """The epoch's schedule for the config's mode.

    Args:
        config: the election parameters.
        table: the epoch's stake table.
        epoch: the epoch number.
        seed: the epoch's 32-byte seed.
        window_seeds: windowed mode: the window seeds known so far (see
            :class:`~election.rules.windowed.WindowedSchedule`); must be empty otherwise.

    Returns:
        A :class:`~election.rules.schedule.Schedule` (rotation) or a
        :class:`~election.rules.windowed.WindowedSchedule` (windowed).

    Raises:
        InvalidConfig: secret mode (no schedule: use :mod:`election.rules.secret`),
            window seeds given outside windowed mode, or as the schedules raise.
        InvalidStakeTable, InvalidSlot: as the schedules raise.
    """
    if not isinstance(config, ElectionConfig):
        raise InvalidConfig(f"config: expected an ElectionConfig, got {type(config).__name__}")
    if config.mode == "windowed":
        return WindowedSchedule(config, table, epoch, seed, window_seeds)
    if len(window_seeds):
        raise InvalidConfig(f"window_seeds: only for mode 'windowed', got {len(window_seeds)} with {config.mode!r}")
    if config.mode == "secret":
        raise InvalidConfig("mode 'secret' has no schedule: each slot is a race (election.rules.secret)")
    return Schedule(config, table, epoch, seed)


def _conformance(rotation: Schedule, windowed: WindowedSchedule) -> tuple[RankedSchedule, RankedSchedule]:
    """Never called: mypy --strict checks here that both schedules satisfy the protocol."""
    return rotation, windowed
