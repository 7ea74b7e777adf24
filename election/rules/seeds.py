"""Slot VRF inputs and the VRF-chained epoch seeds.

The VRF input of a slot binds the chain, the epoch, the epoch's seed and the slot and
nothing else: no block contents, so a leader cannot grind its output by varying its
block.  The seed of epoch ``e + 1`` hashes the seed of epoch ``e`` with the VRF
outputs (betas) of the blocks produced in the first ``seed_cutoff`` slots of epoch
``e``, in slot order, each bound to its slot (as in Ouroboros Praos).  A leader can
withhold its block but never choose its beta (VRF uniqueness); docs/spec.md,
"Grinding", bounds what withholding buys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from ._codec import lp8, tag, u32, u64
from .config import ElectionConfig, check_epoch, check_slot
from .errors import InvalidConfig, InvalidSlot, MalformedData

__all__ = ["SEED_BYTES", "BETA_BYTES", "slot_input", "next_seed", "SeedAccumulator", "check_seed"]

SEED_BYTES = 32
"""Length of an epoch seed."""
BETA_BYTES = 64
"""Length of a VRF output (beta)."""

_SLOT_INPUT_TAG = tag("seqvrf/v1/slot-input")
_EPOCH_SEED_TAG = tag("seqvrf/v1/epoch-seed")


def check_seed(seed: object) -> bytes:
    """Check an epoch seed is 32 bytes and return it as ``bytes``.

    Raises:
        InvalidConfig: not bytes of length 32.
    """
    if not isinstance(seed, (bytes, bytearray)) or len(seed) != SEED_BYTES:
        got = f"{len(seed)} bytes" if isinstance(seed, (bytes, bytearray)) else type(seed).__name__
        raise InvalidConfig(f"epoch seed: expected {SEED_BYTES} bytes, got {got}")
    return bytes(seed)


def _check_in_epoch(config: ElectionConfig, epoch: int, slot: int) -> int:
    check_slot(slot)
    first = config.first_slot(epoch)
    if not first <= slot < first + config.epoch_length:
        raise InvalidSlot(f"slot {slot} is not in epoch {epoch} (expected [{first}, {first + config.epoch_length}))")
    return slot - first


def slot_input(config: ElectionConfig, epoch: int, seed: bytes, slot: int) -> bytes:
    """The VRF input (alpha) of a slot.

    Args:
        config: the election parameters.
        epoch: the slot's epoch.
        seed: the epoch's 32-byte seed.
        slot: an absolute slot number in the epoch.

    Returns:
        ``tag("seqvrf/v1/slot-input") || lp8(chain_id) || u64(epoch) || seed || u64(slot)``.

    Raises:
        InvalidSlot: epoch out of range or slot not in the epoch.
        InvalidConfig: seed not 32 bytes.
    """
    check_epoch(epoch)
    seed = check_seed(seed)
    _check_in_epoch(config, epoch, slot)
    return _SLOT_INPUT_TAG + lp8(config.chain_id) + u64(epoch) + seed + u64(slot)


class SeedAccumulator:
    """Incremental computation of the next epoch's seed, in constant memory.

    Feed every produced block of the epoch in slot order with :meth:`add`; blocks at
    or after the cutoff are accepted and ignored, so a caller can feed all blocks.

    Args:
        config: the election parameters (``seed_cutoff`` is used).
        epoch: the epoch whose blocks are fed.
        seed: that epoch's 32-byte seed.

    Raises:
        InvalidSlot: epoch out of range.
        InvalidConfig: seed not 32 bytes.
    """

    __slots__ = ("config", "epoch", "seed", "_first", "_hash", "_count", "_last")

    def __init__(self, config: ElectionConfig, epoch: int, seed: bytes) -> None:
        check_epoch(epoch)
        self.config = config
        self.epoch = epoch
        self.seed = check_seed(seed)
        self._first = config.first_slot(epoch)
        self._hash = hashlib.sha512(
            _EPOCH_SEED_TAG + lp8(config.chain_id) + u64(epoch) + self.seed + u32(config.cutoff)
        )
        self._count = 0
        self._last: int | None = None

    @property
    def count(self) -> int:
        """How many betas were included so far."""
        return self._count

    def add(self, slot: int, beta: bytes) -> bool:
        """Feed the beta of the block produced at ``slot``.

        Args:
            slot: the block's slot; in the epoch and above every slot fed before.
            beta: the block's 64-byte VRF output.

        Returns:
            True if the beta was included (slot before the cutoff), False if ignored.

        Raises:
            InvalidSlot: slot not in the epoch or not increasing.
            MalformedData: beta not 64 bytes.
        """
        k = slot - self._first if type(slot) is int else -1
        if not 0 <= k < self.config.epoch_length:  # the common case skips the full check
            k = _check_in_epoch(self.config, self.epoch, slot)  # raises InvalidSlot
        if self._last is not None and slot <= self._last:
            raise InvalidSlot(f"slots must strictly increase: got {slot} after {self._last}")
        if not isinstance(beta, (bytes, bytearray)) or len(beta) != BETA_BYTES:
            got = f"{len(beta)} bytes" if isinstance(beta, (bytes, bytearray)) else type(beta).__name__
            raise MalformedData(f"beta: expected {BETA_BYTES} bytes, got {got}")
        self._last = slot
        if k >= self.config.cutoff:
            return False
        self._hash.update(u64(slot) + (beta if type(beta) is bytes else bytes(beta)))
        self._count += 1
        return True

    def finish(self) -> bytes:
        """The next epoch's seed: ``SHA-512(state || u64(count))[:32]``.

        May be called at any time (e.g. once the cutoff has passed); it does not
        change the accumulator.
        """
        h = self._hash.copy()
        h.update(u64(self._count))
        return h.digest()[:SEED_BYTES]


def next_seed(config: ElectionConfig, epoch: int, seed: bytes, betas: Iterable[tuple[int, bytes]]) -> bytes:
    """The seed of epoch ``epoch + 1``.

    Args:
        config: the election parameters.
        epoch: the epoch whose blocks are given.
        seed: that epoch's 32-byte seed.
        betas: ``(slot, beta)`` of every produced block of the epoch in increasing
            slot order; those at or after the cutoff slot are ignored.

    Returns:
        The 32-byte next seed (see :class:`SeedAccumulator`).

    Raises:
        InvalidSlot: a slot outside the epoch or out of order.
        InvalidConfig: seed not 32 bytes.
        MalformedData: a beta not 64 bytes.
    """
    acc = SeedAccumulator(config, epoch, seed)
    for slot, beta in betas:
        acc.add(slot, beta)
    return acc.finish()
