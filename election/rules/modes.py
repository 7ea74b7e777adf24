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
may be eligible in every slot) and is decided per slot from the published betas: its
epoch is a :class:`SecretEpoch` (config, table, seed, slot inputs, eligibility).
:func:`make_rules` returns whichever the config's mode needs (:data:`EpochRules`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from .config import ElectionConfig, check_epoch
from .errors import InvalidConfig, InvalidSlot, InvalidStakeTable
from .schedule import Schedule
from .secret import RaceEntry
from .seeds import check_seed, slot_input
from .stake import StakeTable
from .windowed import WindowedSchedule

__all__ = ["RankedSchedule", "SecretEpoch", "EpochRules", "make_schedule", "make_rules"]


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


class SecretEpoch:
    """What the secret mode knows of an epoch: no leaders, only who could be eligible.

    Args:
        config: secret-mode election parameters.
        table: the epoch's stake table.
        epoch: the epoch number.
        seed: the epoch's 32-byte seed.

    Raises:
        InvalidConfig: config not secret, or seed not 32 bytes.
        InvalidStakeTable: table not a StakeTable.
        InvalidSlot: epoch out of range.
    """

    __slots__ = ("config", "table", "epoch", "seed", "first_slot", "_alpha_prefix")

    def __init__(self, config: ElectionConfig, table: StakeTable, epoch: int, seed: bytes) -> None:
        if not isinstance(config, ElectionConfig) or config.mode != "secret" or config.proposers is None:
            got = config.mode if isinstance(config, ElectionConfig) else type(config).__name__
            raise InvalidConfig(f"config: expected mode 'secret', got {got!r}")
        if not isinstance(table, StakeTable):
            raise InvalidStakeTable(f"table: expected a StakeTable, got {type(table).__name__}")
        check_epoch(epoch)
        self.config = config
        self.table = table
        self.epoch = epoch
        self.seed = check_seed(seed)
        self.first_slot = config.first_slot(epoch)
        self._alpha_prefix = slot_input(config, epoch, self.seed, self.first_slot)[:-8]

    def __repr__(self) -> str:
        return f"SecretEpoch(chain_id={self.config.chain_id.hex()}, epoch={self.epoch}, seed={self.seed.hex()[:16]}...)"

    @property
    def proposers(self) -> int:
        """``k``, the expected number of eligible validators per slot."""
        assert self.config.proposers is not None
        return self.config.proposers

    @property
    def slots(self) -> range:
        """The slots of this epoch."""
        return range(self.first_slot, self.first_slot + self.config.epoch_length)

    def contains(self, slot: int) -> bool:
        """Whether ``slot`` belongs to this epoch."""
        return type(slot) is int and 0 <= slot - self.first_slot < self.config.epoch_length

    def slot_input(self, slot: int) -> bytes:
        """The VRF input of ``slot`` (the rotation's alpha, docs/spec.md section 6).

        Raises:
            InvalidSlot: slot not in this epoch.
        """
        if not self.contains(slot):
            raise InvalidSlot(f"slot {slot!r} is not in epoch {self.epoch}")
        return self._alpha_prefix + slot.to_bytes(8, "big")

    def entry(self, validator_id: str, beta: bytes) -> RaceEntry:
        """The race entry of ``validator_id`` with output ``beta``.

        Raises:
            InvalidStakeTable: the validator is not in the table.
            MalformedData: beta not 64 bytes.
        """
        v = self.table.get(validator_id)
        if v is None:
            raise InvalidStakeTable(f"validator {validator_id!r} is not in the stake table")
        return RaceEntry(validator_id, beta, v.stake)

    def eligible(self, entry: RaceEntry) -> bool:
        """Whether ``entry`` may propose (:func:`~election.rules.secret.is_eligible`)."""
        return entry.eligible(self.table.total_stake, self.proposers)


EpochRules = Schedule | WindowedSchedule | SecretEpoch
"""The per-epoch rules object of any mode (what claim checks take)."""


def make_rules(
    config: ElectionConfig,
    table: StakeTable,
    epoch: int,
    seed: bytes,
    window_seeds: Sequence[bytes] = (),
) -> EpochRules:
    """The epoch's rules for the config's mode: :func:`make_schedule` for the ranked
    modes, a :class:`SecretEpoch` for secret mode.

    Raises:
        InvalidConfig, InvalidStakeTable, InvalidSlot: as :func:`make_schedule` and
            :class:`SecretEpoch` raise.
    """
    if isinstance(config, ElectionConfig) and config.mode == "secret":
        if len(window_seeds):
            raise InvalidConfig(f"window_seeds: only for mode 'windowed', got {len(window_seeds)} with 'secret'")
        return SecretEpoch(config, table, epoch, seed)
    sched = make_schedule(config, table, epoch, seed, window_seeds)
    assert isinstance(sched, (Schedule, WindowedSchedule))
    return sched


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
