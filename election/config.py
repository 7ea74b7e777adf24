"""Election parameters shared by every node and auditor of a chain.

Slots are numbered absolutely from 0; epoch ``e`` holds the slots
``[e * epoch_length, (e + 1) * epoch_length)``.  Slot and epoch numbers are unsigned
64-bit integers in every encoding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import vrf

from ._codec import JsonForm, check_hex, json_int, json_object
from .errors import InvalidConfig, InvalidSlot

__all__ = ["ElectionConfig", "MAX_CHAIN_ID_BYTES", "MAX_SLOT", "MAX_BACKUPS"]

MAX_CHAIN_ID_BYTES = 64
"""Longest chain id, in bytes."""
MAX_SLOT = 2**64 - 1
"""Largest slot (and epoch) number."""
MAX_BACKUPS = 255
"""Largest number of ranked backups (ranks are encoded as one byte)."""
_U32 = 2**32 - 1


def _check_int(name: str, value: object, lo: int, hi: int) -> int:
    if type(value) is not int:
        raise InvalidConfig(f"{name}: expected an int, got {type(value).__name__}")
    if not lo <= value <= hi:
        raise InvalidConfig(f"{name}: expected an int in [{lo}, {hi}], got {value}")
    return value


@dataclass(frozen=True)
class ElectionConfig(JsonForm):
    """Immutable, validated election parameters.

    Args:
        chain_id: 1 to 64 bytes naming the chain; bound into every input, vote and claim.
        epoch_length: slots per epoch, 1 to 2**32 - 1 (default 43,200: one day of 2 s slots).
        slot_duration_ms: nominal slot length in milliseconds, 1 to 2**32 - 1 (default 2,000).
        failover_timeout_ms: wait per rank before a backup may take over, in
            milliseconds, 1 to 2**32 - 1 (default 500); rank r may produce after
            ``r * failover_timeout_ms`` from the slot start, with a certificate.
        backups: ranked backups per slot, 0 to 255 (default 3).
        seed_cutoff: how many slots from the start of an epoch contribute their VRF
            outputs to the next epoch's seed, 1 to epoch_length; None (default) means
            ``max(1, 2 * epoch_length // 3)``.
        suite: the ECVRF suite of every proof (default EDWARDS25519_SHA512_TAI).

    Raises:
        InvalidConfig: any field out of range or of the wrong type.
    """

    chain_id: bytes
    epoch_length: int = 43_200
    slot_duration_ms: int = 2_000
    failover_timeout_ms: int = 500
    backups: int = 3
    seed_cutoff: int | None = None
    suite: vrf.Suite = vrf.Suite.EDWARDS25519_SHA512_TAI

    def __post_init__(self) -> None:
        if not isinstance(self.chain_id, (bytes, bytearray)):
            raise InvalidConfig(f"chain_id: expected bytes, got {type(self.chain_id).__name__}")
        if not 1 <= len(self.chain_id) <= MAX_CHAIN_ID_BYTES:
            raise InvalidConfig(f"chain_id: expected 1 to {MAX_CHAIN_ID_BYTES} bytes, got {len(self.chain_id)}")
        object.__setattr__(self, "chain_id", bytes(self.chain_id))
        _check_int("epoch_length", self.epoch_length, 1, _U32)
        _check_int("slot_duration_ms", self.slot_duration_ms, 1, _U32)
        _check_int("failover_timeout_ms", self.failover_timeout_ms, 1, _U32)
        _check_int("backups", self.backups, 0, MAX_BACKUPS)
        if self.seed_cutoff is None:
            object.__setattr__(self, "seed_cutoff", max(1, 2 * self.epoch_length // 3))
        else:
            _check_int("seed_cutoff", self.seed_cutoff, 1, self.epoch_length)
        if isinstance(self.suite, bool) or not isinstance(self.suite, int):
            raise InvalidConfig(f"suite: expected a vrf.Suite, got {type(self.suite).__name__}")
        object.__setattr__(self, "suite", _suite(self.suite))

    @property
    def cutoff(self) -> int:
        """The resolved seed cutoff (never None after construction)."""
        assert self.seed_cutoff is not None
        return self.seed_cutoff

    # -- slot arithmetic ------------------------------------------------------------
    def epoch_of(self, slot: int) -> int:
        """The epoch holding ``slot``.

        Raises:
            InvalidSlot: slot not an int in [0, 2**64 - 1].
        """
        check_slot(slot)
        return slot // self.epoch_length

    def first_slot(self, epoch: int) -> int:
        """The first slot of ``epoch``.

        Raises:
            InvalidSlot: the epoch is negative or its last slot is beyond 2**64 - 1.
        """
        check_epoch(epoch)
        first = epoch * self.epoch_length
        if first + self.epoch_length - 1 > MAX_SLOT:
            raise InvalidSlot(f"epoch {epoch} ends at slot {first + self.epoch_length - 1}, beyond 2**64-1")
        return first

    def slots(self, epoch: int) -> range:
        """The slots of ``epoch``.

        Raises:
            InvalidSlot: as :meth:`first_slot`.
        """
        first = self.first_slot(epoch)
        return range(first, first + self.epoch_length)

    def slot_offset_ms(self, slot: int) -> int:
        """Start time of ``slot`` in milliseconds after slot 0's start."""
        check_slot(slot)
        return slot * self.slot_duration_ms

    def takeover_offset_ms(self, slot: int, rank: int) -> int:
        """Earliest time rank ``rank`` may produce ``slot`` (with a certificate if rank > 0):
        ``slot_offset_ms(slot) + rank * failover_timeout_ms``.

        Raises:
            InvalidSlot: slot out of range or rank not in [0, backups].
        """
        if type(rank) is not int or not 0 <= rank <= self.backups:
            raise InvalidSlot(f"rank: expected an int in [0, {self.backups}], got {rank!r}")
        return self.slot_offset_ms(slot) + rank * self.failover_timeout_ms

    # -- encodings ------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON form; ``chain_id`` in lowercase hex, ``suite`` as its integer code."""
        return {
            "chain_id": self.chain_id.hex(),
            "epoch_length": self.epoch_length,
            "slot_duration_ms": self.slot_duration_ms,
            "failover_timeout_ms": self.failover_timeout_ms,
            "backups": self.backups,
            "seed_cutoff": self.cutoff,
            "suite": int(self.suite),
        }

    @classmethod
    def from_dict(cls, obj: object) -> ElectionConfig:
        """Parse the JSON form; every key is required.

        Raises:
            MalformedData: wrong keys or JSON types.
            InvalidConfig: a value out of range.
        """
        keys = frozenset(
            {"chain_id", "epoch_length", "slot_duration_ms", "failover_timeout_ms", "backups", "seed_cutoff", "suite"}
        )
        d = json_object(obj, "ElectionConfig", keys)
        ints = {k: json_int(d[k], f"ElectionConfig.{k}", 0, 2**64) for k in keys - {"chain_id"}}
        return cls(
            chain_id=check_hex(d["chain_id"], "ElectionConfig.chain_id"),
            epoch_length=ints["epoch_length"],
            slot_duration_ms=ints["slot_duration_ms"],
            failover_timeout_ms=ints["failover_timeout_ms"],
            backups=ints["backups"],
            seed_cutoff=ints["seed_cutoff"],
            suite=_suite(ints["suite"]),
        )


# The suites an election can run: its validators hold edwards25519 keys (vrf.SecretKey), so
# vrf.Suite members for other key types (the P-256 suites) are not election suites.
ELECTION_SUITES = (vrf.Suite.EDWARDS25519_SHA512_TAI, vrf.Suite.EDWARDS25519_SHA512_ELL2)


def _suite(code: int) -> vrf.Suite:
    if code not in ELECTION_SUITES:
        raise InvalidConfig(f"suite: expected one of {[int(s) for s in ELECTION_SUITES]}, got {code}")
    return vrf.Suite(code)


def check_slot(slot: object, what: str = "slot") -> int:
    """Check ``slot`` is an int in [0, 2**64 - 1] (``bool`` rejected).

    Raises:
        InvalidSlot: otherwise.
    """
    if type(slot) is not int:
        raise InvalidSlot(f"{what}: expected an int, got {type(slot).__name__}")
    if not 0 <= slot <= MAX_SLOT:
        raise InvalidSlot(f"{what}: expected an int in [0, 2**64-1], got {slot}")
    return slot


def check_epoch(epoch: object) -> int:
    """Check ``epoch`` is an int in [0, 2**64 - 1] (``bool`` rejected).

    Raises:
        InvalidSlot: otherwise.
    """
    return check_slot(epoch, "epoch")
