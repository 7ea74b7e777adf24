"""Validators and stake tables: canonical order, canonical encoding, digest.

A :class:`StakeTable` is immutable.  Its validators are kept in canonical order
(ascending by the UTF-8 bytes of their ids), every key is parsed and validated once
at construction, and :meth:`StakeTable.digest` pins the whole table (ids, both keys
and stakes) so that votes and schedules can bind it.  See docs/spec.md, "Stake table".
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from nacl.bindings import crypto_core_ed25519_is_valid_point
from nacl.signing import VerifyKey

import vrf

from ._codec import JsonForm, Reader, check_hex, json_int, json_object, json_str, lp8, tag, u32, u64
from .errors import InvalidStakeTable, MalformedData

__all__ = ["Validator", "StakeTable", "MAX_ID_BYTES", "MAX_STAKE", "MAX_VALIDATORS"]

MAX_ID_BYTES = 64
"""Longest validator id, in UTF-8 bytes."""
MAX_STAKE = 2**64 - 1
"""Largest stake of one validator and of a whole table (fits an unsigned 64-bit integer)."""
MAX_VALIDATORS = 65535
"""Largest number of validators in one table."""

_TABLE_TAG = tag("seqvrf/v1/stake-table")
_DIGEST_TAG = tag("seqvrf/v1/stake-table-digest")


def check_validator_id(validator_id: object, what: str = "validator id") -> bytes:
    """Validate a validator id and return its UTF-8 encoding.

    Args:
        validator_id: the candidate id.
        what: a name for error messages.

    Returns:
        The id's UTF-8 bytes (1 to :data:`MAX_ID_BYTES` of them).

    Raises:
        InvalidStakeTable: not a str, empty, too long, not encodable, or containing
            control characters.
    """
    if not isinstance(validator_id, str):
        raise InvalidStakeTable(f"{what}: expected a str, got {type(validator_id).__name__}")
    try:
        raw = validator_id.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidStakeTable(f"{what}: expected valid UTF-8 text, got {validator_id!r}") from None
    if not 1 <= len(raw) <= MAX_ID_BYTES:
        raise InvalidStakeTable(f"{what}: expected 1 to {MAX_ID_BYTES} UTF-8 bytes, got {len(raw)}")
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in validator_id):
        raise InvalidStakeTable(f"{what}: control characters are not allowed, got {validator_id!r}")
    return raw


@dataclass(frozen=True)
class Validator:
    """One validator: an id, a VRF public key, a separate Ed25519 vote key, a stake.

    Args:
        id: non-empty UTF-8 text of at most 64 bytes, without control characters.
        vrf_key: 32-byte ECVRF-EDWARDS25519 public key (validated: on the curve,
            canonical, not of small order, in the prime-order subgroup).
        vote_key: 32-byte Ed25519 public key for timeout votes; validated like the
            VRF key and required to differ from it (ECVRF and Ed25519 derive their
            nonces from the same key prefix, so one key must never serve both).
        stake: positive int at most 2**64 - 1 (``bool`` rejected).

    Raises:
        InvalidStakeTable: any field breaks the rules above.
    """

    id: str
    vrf_key: bytes
    vote_key: bytes
    stake: int
    id_bytes: bytes = field(init=False, repr=False, compare=False)
    vrf_public_key: vrf.PublicKey = field(init=False, repr=False, compare=False)
    vote_public_key: VerifyKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        raw = check_validator_id(self.id)
        who = f"validator {self.id!r}"
        for name in ("vrf_key", "vote_key"):
            key = getattr(self, name)
            if not isinstance(key, (bytes, bytearray)) or len(key) != 32:
                got = f"{len(key)} bytes" if isinstance(key, (bytes, bytearray)) else type(key).__name__
                raise InvalidStakeTable(f"{who}: {name} must be 32 bytes, got {got}")
            object.__setattr__(self, name, bytes(key))
        if type(self.stake) is not int:
            raise InvalidStakeTable(f"{who}: stake must be an int, got {type(self.stake).__name__}")
        if not 1 <= self.stake <= MAX_STAKE:
            raise InvalidStakeTable(f"{who}: stake must be in [1, 2**64-1], got {self.stake}")
        if self.vrf_key == self.vote_key:
            raise InvalidStakeTable(f"{who}: vote_key must differ from vrf_key (key reuse leaks the key)")
        try:
            vrf_pk = vrf.PublicKey(self.vrf_key)
        except vrf.VRFError as exc:
            raise InvalidStakeTable(f"{who}: vrf_key {self.vrf_key.hex()} is not a valid ECVRF key: {exc}") from None
        try:
            vrf.PublicKey(self.vote_key)  # same point rules: canonical, on curve, not small order
            vote_pk = VerifyKey(self.vote_key)
        except (vrf.VRFError, ValueError, TypeError) as exc:
            raise InvalidStakeTable(
                f"{who}: vote_key {self.vote_key.hex()} is not a valid Ed25519 key: {exc}"
            ) from None
        for name in ("vrf_key", "vote_key"):
            # Keys derived from a seed always lie in the prime-order subgroup. A key with a
            # small-order component has other bytes for the same secret, which would slip a
            # reused key (VRF key = vote key) past the byte comparison above.
            if not crypto_core_ed25519_is_valid_point(getattr(self, name)):
                raise InvalidStakeTable(
                    f"{who}: {name} {getattr(self, name).hex()} is not in the prime-order subgroup "
                    "(it has a small-order component; keys derived from a seed never do)"
                )
        object.__setattr__(self, "id_bytes", raw)
        object.__setattr__(self, "vrf_public_key", vrf_pk)
        object.__setattr__(self, "vote_public_key", vote_pk)

    def to_bytes(self) -> bytes:
        """Canonical encoding: ``lp8(id) || vrf_key || vote_key || u64(stake)``."""
        return lp8(self.id_bytes) + self.vrf_key + self.vote_key + u64(self.stake)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``{"id", "vrf_key" (hex), "vote_key" (hex), "stake" (int)}``."""
        return {"id": self.id, "vrf_key": self.vrf_key.hex(), "vote_key": self.vote_key.hex(), "stake": self.stake}

    @classmethod
    def from_dict(cls, obj: object) -> Validator:
        """Parse the JSON form produced by :meth:`to_dict`.

        Raises:
            MalformedData: wrong keys or types.
            InvalidStakeTable: the values break a validator rule.
        """
        d = json_object(obj, "validator", frozenset({"id", "vrf_key", "vote_key", "stake"}))
        return cls(
            id=json_str(d["id"], "validator.id"),
            vrf_key=check_hex(d["vrf_key"], "validator.vrf_key", 32),
            vote_key=check_hex(d["vote_key"], "validator.vote_key", 32),
            stake=json_int(d["stake"], "validator.stake", 1, MAX_STAKE),
        )


class StakeTable(JsonForm):
    """An immutable stake table in canonical order.

    Args:
        validators: the validators, in any order.

    Raises:
        InvalidStakeTable: empty, too many validators, not :class:`Validator` objects,
            a duplicate id, a key used twice anywhere in the table (as VRF or vote
            key), or a total stake above 2**64 - 1.
    """

    __slots__ = ("_validators", "_by_id", "_index", "_total", "_cumulative", "_digest", "_encoding")

    def __init__(self, validators: Iterable[Validator]) -> None:
        vals = list(validators)
        if not vals:
            raise InvalidStakeTable("expected at least one validator, got none")
        if len(vals) > MAX_VALIDATORS:
            raise InvalidStakeTable(f"expected at most {MAX_VALIDATORS} validators, got {len(vals)}")
        for v in vals:
            if not isinstance(v, Validator):
                raise InvalidStakeTable(f"expected Validator objects, got {type(v).__name__}")
        vals.sort(key=lambda v: v.id_bytes)
        for a, b in itertools.pairwise(vals):
            if a.id_bytes == b.id_bytes:
                raise InvalidStakeTable(f"duplicate validator id {a.id!r}")
        seen: dict[bytes, str] = {}
        for v in vals:
            for key in (v.vrf_key, v.vote_key):
                if key in seen:
                    raise InvalidStakeTable(
                        f"key {key.hex()} of validator {v.id!r} is already used by validator {seen[key]!r}"
                    )
                seen[key] = v.id
        total = 0
        cumulative = []
        for v in vals:
            total += v.stake
            cumulative.append(total)
        if total > MAX_STAKE:
            raise InvalidStakeTable(f"total stake must be at most 2**64-1, got {total}")
        self._validators: tuple[Validator, ...] = tuple(vals)
        self._by_id: dict[str, Validator] = {v.id: v for v in vals}
        self._index: dict[str, int] = {v.id: i for i, v in enumerate(vals)}
        self._total = total
        self._cumulative: tuple[int, ...] = tuple(cumulative)
        self._encoding = _TABLE_TAG + u32(len(vals)) + b"".join(v.to_bytes() for v in vals)
        self._digest = hashlib.sha512(_DIGEST_TAG + self._encoding).digest()[:32]

    # -- container protocol ----------------------------------------------------------
    def __len__(self) -> int:
        return len(self._validators)

    def __iter__(self) -> Iterator[Validator]:
        return iter(self._validators)

    def __contains__(self, validator_id: object) -> bool:
        return validator_id in self._by_id

    def __getitem__(self, validator_id: str) -> Validator:
        """Look a validator up by id.

        Raises:
            KeyError: no validator has this id.
        """
        return self._by_id[validator_id]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StakeTable) and other._encoding == self._encoding

    def __hash__(self) -> int:
        return hash(self._digest)

    def __repr__(self) -> str:
        return f"StakeTable({len(self)} validators, total_stake={self._total}, digest={self._digest.hex()[:16]}...)"

    # -- queries ------------------------------------------------------------------
    @property
    def validators(self) -> tuple[Validator, ...]:
        """The validators in canonical order."""
        return self._validators

    @property
    def ids(self) -> tuple[str, ...]:
        """The validator ids in canonical order."""
        return tuple(v.id for v in self._validators)

    @property
    def stakes(self) -> tuple[int, ...]:
        """The stakes in canonical order."""
        return tuple(v.stake for v in self._validators)

    @property
    def cumulative_stakes(self) -> tuple[int, ...]:
        """Running sums of the stakes in canonical order (the last one is the total)."""
        return self._cumulative

    @property
    def total_stake(self) -> int:
        """Sum of all stakes."""
        return self._total

    def get(self, validator_id: str) -> Validator | None:
        """Return the validator with this id, or None."""
        return self._by_id.get(validator_id)

    def index(self, validator_id: str) -> int:
        """Position of a validator in canonical order.

        Raises:
            KeyError: no validator has this id.
        """
        return self._index[validator_id]

    def expected_slots(self, validator_id: str, slots: int) -> Fraction:
        """Exact expected number of primary slots out of ``slots``: ``slots * stake / total``.

        Raises:
            KeyError: no validator has this id.
        """
        return Fraction(slots * self._by_id[validator_id].stake, self._total)

    def digest(self) -> bytes:
        """32-byte digest pinning the table: ``SHA-512(tag || to_bytes())[:32]``."""
        return self._digest

    # -- encodings ------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """Canonical binary encoding (see docs/spec.md)."""
        return self._encoding

    @classmethod
    def from_bytes(cls, data: bytes) -> StakeTable:
        """Parse the canonical binary encoding, strictly.

        Raises:
            MalformedData: wrong tag, truncated or trailing bytes, or validators not in
                strictly ascending canonical order.
            InvalidStakeTable: the content breaks a table rule.
        """
        r = Reader(data, "StakeTable")
        if r.take(len(_TABLE_TAG), "tag") != _TABLE_TAG:
            raise MalformedData(f"StakeTable: expected tag {_TABLE_TAG!r}")
        count = r.uint(4, "count")
        vals = []
        for i in range(count):
            raw_id = r.lp8(f"validator[{i}].id")
            try:
                vid = raw_id.decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedData(f"StakeTable: validator[{i}].id is not UTF-8: {raw_id.hex()}") from None
            vals.append(
                Validator(
                    vid,
                    r.take(32, f"validator[{i}].vrf_key"),
                    r.take(32, f"validator[{i}].vote_key"),
                    r.uint(8, f"validator[{i}].stake"),
                )
            )
        r.finish()
        for a, b in itertools.pairwise(vals):
            if not a.id_bytes < b.id_bytes:
                raise MalformedData(f"StakeTable: validators not in canonical order at {b.id!r}")
        return cls(vals)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``{"validators": [validator, ...]}`` in canonical order."""
        return {"validators": [v.to_dict() for v in self._validators]}

    @classmethod
    def from_dict(cls, obj: object) -> StakeTable:
        """Parse the JSON form (validators may come in any order).

        Raises:
            MalformedData: wrong keys or types.
            InvalidStakeTable: the content breaks a table rule.
        """
        d = json_object(obj, "StakeTable", frozenset({"validators"}))
        if not isinstance(d["validators"], list):
            raise MalformedData(f"StakeTable.validators: expected a list, got {type(d['validators']).__name__}")
        return cls(Validator.from_dict(v) for v in d["validators"])

    def with_stakes(self, stakes: Iterable[int]) -> StakeTable:
        """The same validators (ids and keys) with other stakes, in canonical order.

        The keys were validated when this table was built, so they are not parsed again:
        O(n) without any curve operation (the effective tables of the inactivity rule,
        docs/spec.md section 19, are built this way once per epoch).

        Args:
            stakes: one stake per validator, in canonical order.

        Raises:
            InvalidStakeTable: a stake out of [1, 2**64 - 1], the wrong number of stakes,
                or a total above 2**64 - 1.
        """
        new = list(stakes)
        if len(new) != len(self._validators):
            raise InvalidStakeTable(f"with_stakes: expected {len(self._validators)} stakes, got {len(new)}")
        vals = []
        for v, s in zip(self._validators, new, strict=True):
            if type(s) is not int or not 1 <= s <= MAX_STAKE:
                raise InvalidStakeTable(f"validator {v.id!r}: stake must be an int in [1, 2**64-1], got {s!r}")
            if s == v.stake:
                vals.append(v)
                continue
            w = object.__new__(Validator)
            for name in ("id", "vrf_key", "vote_key", "id_bytes", "vrf_public_key", "vote_public_key"):
                object.__setattr__(w, name, getattr(v, name))
            object.__setattr__(w, "stake", s)
            vals.append(w)
        total = 0
        cumulative = []
        for w in vals:
            total += w.stake
            cumulative.append(total)
        if total > MAX_STAKE:
            raise InvalidStakeTable(f"total stake must be at most 2**64-1, got {total}")
        out = object.__new__(StakeTable)
        out._validators = tuple(vals)
        out._by_id = {w.id: w for w in vals}
        out._index = dict(self._index)
        out._total = total
        out._cumulative = tuple(cumulative)
        out._encoding = _TABLE_TAG + u32(len(vals)) + b"".join(w.to_bytes() for w in vals)
        out._digest = hashlib.sha512(_DIGEST_TAG + out._encoding).digest()[:32]
        return out
