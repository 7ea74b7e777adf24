"""Election parameters shared by every node and auditor of a chain.

Slots are numbered absolutely from 0; epoch ``e`` holds the slots
``[e * epoch_length, (e + 1) * epoch_length)``.  Slot and epoch numbers are unsigned
64-bit integers in every encoding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import vrf

from ._codec import JsonForm, check_hex, json_int, json_object, json_str
from .errors import InvalidConfig, InvalidSlot, MalformedData

__all__ = ["ElectionConfig", "MAX_CHAIN_ID_BYTES", "MAX_SLOT", "MAX_BACKUPS", "MAX_EPOCH_LENGTH", "MODES",
           "MAX_PROPOSERS", "INACTIVITY_FINALITY", "DEFAULT_INACTIVITY_DIVISOR", "MAX_INACTIVITY_DIVISOR"]

MAX_CHAIN_ID_BYTES = 64
"""Longest chain id, in bytes."""
MAX_SLOT = 2**64 - 1
"""Largest slot (and epoch) number."""
MAX_BACKUPS = 255
"""Largest number of ranked backups (ranks are encoded as one byte)."""
MAX_EPOCH_LENGTH = 2**20
"""Longest epoch, in slots (1,048,576: about 24 days of 2 s slots).  A schedule holds one
leader per slot, so this bounds one epoch's schedule to 8 MiB of leader list and one
shuffle of 2**20 draws; it is still encoded as a ``u32`` (docs/spec.md section 2)."""
MODES = ("rotation", "windowed", "secret")
"""Election modes: the public per-epoch rotation (default), the windowed rotation (bounded
lookahead, exact per-epoch shares) and the secret VRF race (docs/spec.md, sections 13 and 14)."""
MAX_PROPOSERS = 255
"""Largest expected number of eligible proposers per slot in secret mode."""
_U32 = 2**32 - 1
_BASE_KEYS = frozenset(
    {"chain_id", "epoch_length", "slot_duration_ms", "failover_timeout_ms", "backups", "seed_cutoff", "suite"}
)
_MODE_KEYS: dict[str, frozenset[str]] = {
    "rotation": frozenset(),
    "windowed": frozenset({"mode", "window"}),
    "secret": frozenset({"mode", "proposers"}),
}
_INACTIVITY_KEYS = frozenset({"inactivity_threshold", "inactivity_divisor", "inactivity_finality"})
INACTIVITY_FINALITY = ("chain", "l1")
"""Where the inactivity rule takes its outcomes' finality from (docs/spec.md section 19)."""
DEFAULT_INACTIVITY_DIVISOR = 64
"""Default weight divisor of a validator the inactivity rule reduces."""
MAX_INACTIVITY_DIVISOR = 2**32 - 1


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
        epoch_length: slots per epoch, 1 to :data:`MAX_EPOCH_LENGTH` = 2**20 (default
            43,200: one day of 2 s slots).
        slot_duration_ms: nominal slot length in milliseconds, 1 to 2**32 - 1 (default 2,000).
        failover_timeout_ms: wait per rank before a backup may take over, in
            milliseconds, 1 to 2**32 - 1 (default 500); rank r may produce after
            ``r * failover_timeout_ms`` from the slot start, with a certificate.
        backups: ranked backups per slot, 0 to 255 (default 3).
        seed_cutoff: how many slots from the start of an epoch contribute their VRF
            outputs to the next epoch's seed, 1 to epoch_length; None (default) means
            ``max(1, 2 * epoch_length // 3)``.
        suite: the ECVRF suite of every proof (default EDWARDS25519_SHA512_TAI).
        mode: ``"rotation"`` (default: every leader of the epoch is public once its seed
            is fixed), ``"windowed"`` (per-epoch counts fixed by the epoch seed, the order
            revealed one window of ``window`` slots at a time) or ``"secret"`` (a
            stake-weighted VRF race per slot; nobody knows a leader before it reveals).
        window: windowed mode only (None otherwise): slots per window ``W``; ``W`` divides
            ``epoch_length`` and ``seed_cutoff <= epoch_length - W`` (so an epoch has at
            least two windows and its seed is fixed before its first window is drawn).
        proposers: secret mode only (None otherwise): ``k`` in [1, 255], the expected
            number of eligible proposers per slot; validator ``i`` is eligible with
            probability ``1 - exp(-k * stake_i / total)``.
        inactivity_threshold: None (default: the inactivity rule is off and nothing
            changes) or a percentage in [1, 100]: a validator that missed at least this
            share of its primary slots in epoch ``e`` has its weight divided by
            ``inactivity_divisor`` (down to one slot's worth at least) in the effective
            stake table of epoch ``e + 2`` (docs/spec.md section 19; rotation mode only).
        inactivity_divisor: with the rule on, the divisor ``D`` in [2, 2**32 - 1] of a
            reduced validator's weight (``min(s, max(s // D, ceil(S / L)))``); None
            means 64.  Must be None when the rule is off.
        inactivity_finality: with the rule on, ``"chain"`` (None means this: epoch
            ``e``'s outcomes count once final by the chain's own rules) or ``"l1"`` (they
            count only when an external finality signal has confirmed epoch ``e``).
            Must be None when the rule is off.

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
    mode: str = "rotation"
    window: int | None = None
    proposers: int | None = None
    inactivity_threshold: int | None = None
    inactivity_divisor: int | None = None
    inactivity_finality: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.chain_id, (bytes, bytearray)):
            raise InvalidConfig(f"chain_id: expected bytes, got {type(self.chain_id).__name__}")
        if not 1 <= len(self.chain_id) <= MAX_CHAIN_ID_BYTES:
            raise InvalidConfig(f"chain_id: expected 1 to {MAX_CHAIN_ID_BYTES} bytes, got {len(self.chain_id)}")
        object.__setattr__(self, "chain_id", bytes(self.chain_id))
        _check_int("epoch_length", self.epoch_length, 1, MAX_EPOCH_LENGTH)
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
        self._check_mode()
        self._check_inactivity()

    def _check_inactivity(self) -> None:
        if self.inactivity_threshold is None:
            for name in ("inactivity_divisor", "inactivity_finality"):
                if getattr(self, name) is not None:
                    raise InvalidConfig(f"{name}: only with inactivity_threshold set, got {getattr(self, name)!r}")
            return
        _check_int("inactivity_threshold", self.inactivity_threshold, 1, 100)
        if self.mode != "rotation":
            raise InvalidConfig(f"inactivity_threshold: the inactivity rule is for mode 'rotation', got {self.mode!r}")
        if self.inactivity_divisor is None:
            object.__setattr__(self, "inactivity_divisor", DEFAULT_INACTIVITY_DIVISOR)
        else:
            _check_int("inactivity_divisor", self.inactivity_divisor, 2, MAX_INACTIVITY_DIVISOR)
        if self.inactivity_finality is None:
            object.__setattr__(self, "inactivity_finality", "chain")
        elif type(self.inactivity_finality) is not str or self.inactivity_finality not in INACTIVITY_FINALITY:
            raise InvalidConfig(f"inactivity_finality: expected one of {list(INACTIVITY_FINALITY)}, "
                                f"got {self.inactivity_finality!r}")
        # Epoch e's outcomes must be final when the table of e + 2 is fixed (slot first(e+1) + c):
        # the last slot of e closes its last window (backups + 1) * T after its start.
        if (self.backups + 1) * self.failover_timeout_ms > (self.cutoff + 1) * self.slot_duration_ms:
            raise InvalidConfig(
                "inactivity_threshold: the takeover windows of an epoch's last slot, (backups + 1) * "
                f"failover_timeout_ms = {(self.backups + 1) * self.failover_timeout_ms} ms, must close by the next "
                "epoch's cutoff, (seed_cutoff + 1) * slot_duration_ms = "
                f"{(self.cutoff + 1) * self.slot_duration_ms} ms")

    @property
    def inactivity(self) -> bool:
        """Whether the inactivity rule (docs/spec.md section 19) is on."""
        return self.inactivity_threshold is not None

    def _check_mode(self) -> None:
        if type(self.mode) is not str or self.mode not in MODES:
            raise InvalidConfig(f"mode: expected one of {list(MODES)}, got {self.mode!r}")
        if self.mode == "windowed":
            w = _check_int("window", self.window, 1, self.epoch_length)
            if self.epoch_length % w:
                raise InvalidConfig(f"window: expected a divisor of epoch_length {self.epoch_length}, got {w}")
            if self.cutoff > self.epoch_length - w:
                raise InvalidConfig(
                    f"window: windowed mode needs seed_cutoff <= epoch_length - window "
                    f"(the epoch seed is fixed before the next epoch's first window is drawn), "
                    f"got seed_cutoff {self.cutoff}, epoch_length {self.epoch_length}, window {w}"
                )
        elif self.window is not None:
            raise InvalidConfig(f"window: only for mode 'windowed', got {self.window!r} with mode {self.mode!r}")
        if self.mode == "secret":
            _check_int("proposers", self.proposers, 1, MAX_PROPOSERS)
        elif self.proposers is not None:
            raise InvalidConfig(f"proposers: only for mode 'secret', got {self.proposers!r} with mode {self.mode!r}")

    @property
    def windows_per_epoch(self) -> int:
        """Windowed mode: ``epoch_length // window``.

        Raises:
            InvalidConfig: the mode is not windowed.
        """
        if self.window is None:
            raise InvalidConfig(f"windows_per_epoch: mode {self.mode!r} has no windows")
        return self.epoch_length // self.window

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
        """JSON form; ``chain_id`` in lowercase hex, ``suite`` as its integer code.

        The rotation mode has no ``mode`` key (configs written before the modes existed
        are unchanged); windowed mode adds ``mode`` and ``window``, secret mode adds
        ``mode`` and ``proposers``.
        """
        out: dict[str, Any] = {
            "chain_id": self.chain_id.hex(),
            "epoch_length": self.epoch_length,
            "slot_duration_ms": self.slot_duration_ms,
            "failover_timeout_ms": self.failover_timeout_ms,
            "backups": self.backups,
            "seed_cutoff": self.cutoff,
            "suite": int(self.suite),
        }
        if self.mode == "windowed":
            out["mode"] = self.mode
            out["window"] = self.window
        elif self.mode == "secret":
            out["mode"] = self.mode
            out["proposers"] = self.proposers
        if self.inactivity_threshold is not None:
            out["inactivity_threshold"] = self.inactivity_threshold
            out["inactivity_divisor"] = self.inactivity_divisor
            out["inactivity_finality"] = self.inactivity_finality
        return out

    @classmethod
    def from_dict(cls, obj: object) -> ElectionConfig:
        """Parse the JSON form; every key of the mode is required and no other is allowed
        (``"mode": "rotation"`` is not canonical: rotation has no ``mode`` key).

        Raises:
            MalformedData: wrong keys or JSON types.
            InvalidConfig: a value out of range.
        """
        mode = "rotation"
        if isinstance(obj, dict) and "mode" in obj:
            mode = json_str(obj["mode"], "ElectionConfig.mode")
            if mode not in ("windowed", "secret"):
                raise MalformedData(
                    f"ElectionConfig.mode: expected 'windowed' or 'secret' (rotation has no key), got {mode!r}"
                )
        keys = _BASE_KEYS | _MODE_KEYS[mode]
        if isinstance(obj, dict) and "inactivity_threshold" in obj:
            keys |= _INACTIVITY_KEYS  # the rule on: all three keys, resolved
        d = json_object(obj, "ElectionConfig", keys)
        ints = {k: json_int(d[k], f"ElectionConfig.{k}", 0, 2**64)
                for k in keys - {"chain_id", "mode", "inactivity_finality"}}
        finality = json_str(d["inactivity_finality"], "ElectionConfig.inactivity_finality") \
            if "inactivity_finality" in d else None
        return cls(
            chain_id=check_hex(d["chain_id"], "ElectionConfig.chain_id"),
            epoch_length=ints["epoch_length"],
            slot_duration_ms=ints["slot_duration_ms"],
            failover_timeout_ms=ints["failover_timeout_ms"],
            backups=ints["backups"],
            seed_cutoff=ints["seed_cutoff"],
            suite=_suite(ints["suite"]),
            mode=mode,
            window=ints.get("window"),
            proposers=ints.get("proposers"),
            inactivity_threshold=ints.get("inactivity_threshold"),
            inactivity_divisor=ints.get("inactivity_divisor"),
            inactivity_finality=finality,
        )


# The suites an election can run: its validators hold edwards25519 keys (vrf.SecretKey), so
# vrf.Suite members for other key types (the P-256 suites) are not election suites.  The
# draft-03 suites (0x103, 0x104) take the same keys but exist for interoperability with chains
# that shipped them (docs/vrf-batch.md: new deployments use the RFC suites), so an election
# config refuses them too.
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
