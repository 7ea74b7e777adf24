"""Timeout votes and timeout certificates.

A :class:`TimeoutVote` says "the ranks below ``rank`` missed ``slot``": it is an
Ed25519 signature by the voter's vote key (never its VRF key) over a domain-separated
encoding binding the chain id, the epoch, the stake table's digest, the slot, the
rank it supports, the parent block hash the voter last saw (optional) and the voter's
id.  A version-2 vote also binds the epoch's seed, so that a node that derived another
seed (it missed a block before the cutoff) is told ``seed_mismatch`` and its votes are not
counted; version-1 votes (no seed) are still read and verified for old histories.
A :class:`TimeoutCertificate` gathers votes for one (chain, epoch, table, slot,
rank) from distinct validators; it is valid when every signature verifies and the
signers hold strictly more than 2/3 of the table's stake: ``3 * signed > 2 * total``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from nacl.signing import SigningKey

from ._codec import JsonForm, Reader, check_hex, json_int, json_object, json_str, lp8, tag, u8, u16, u64
from .config import MAX_BACKUPS, MAX_CHAIN_ID_BYTES, MAX_SLOT, ElectionConfig
from .deferred import Deferred, SignatureItem, verify_signature
from .errors import ElectionError, InvalidCertificate, InvalidStakeTable, InvalidVote, MalformedData
from .stake import StakeTable, check_validator_id

__all__ = ["TimeoutVote", "TimeoutCertificate", "is_quorum", "vote_message", "MAX_PARENT_HASH_BYTES",
           "VERSIONED_MARKER"]

MAX_PARENT_HASH_BYTES = 64
"""Longest parent block hash a vote may carry."""
SIGNATURE_BYTES = 64
_VOTE_TAG = tag("seqvrf/v1/timeout-vote")
_VOTE_TAG_V2 = tag("seqvrf/v2/timeout-vote")
VERSIONED_MARKER = b"\xff\x02"
"""Prefix of the binary encodings of version-2 votes and certificates.  A version-1
encoding starts with ``lp8(chain_id)``, whose first byte is at most 64, so ``0xff`` cannot
begin one; ``0x02`` is the version."""
SEED_BYTES = 32
_LEN = [bytes((n,)) for n in range(256)]  # u8(n), looked up


def is_quorum(signed: int, total: int) -> bool:
    """The certificate rule: strictly more than 2/3 of the stake, ``3 * signed > 2 * total``."""
    return 3 * signed > 2 * total


def _parent_enc(parent_hash: bytes | None) -> bytes:
    return b"\x00" if parent_hash is None else b"\x01" + lp8(parent_hash)


def _read_parent(r: Reader) -> bytes | None:
    flag = r.uint(1, "parent flag")
    if flag == 0:
        return None
    if flag != 1:
        raise MalformedData(f"parent flag: expected 0 or 1, got {flag}")
    return r.lp8("parent_hash")


def _read_marker(r: Reader) -> bool:
    """Consume :data:`VERSIONED_MARKER` if the data starts with it; True for version 2."""
    if r.peek(1) != b"\xff":
        return False
    version = r.take(2, "version marker")[1]
    if version != 2:
        raise MalformedData(f"version marker: expected version 2, got {version}")
    return True


def _read_id(r: Reader, field: str) -> str:
    raw = r.lp8(field)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedData(f"{field}: not UTF-8: {raw.hex()}") from None


def _check_common(
    err: type[Exception], chain_id: object, epoch: object, table_digest: object, slot: object, rank: object
) -> None:
    if not isinstance(chain_id, bytes) or not 1 <= len(chain_id) <= MAX_CHAIN_ID_BYTES:
        raise err(f"chain_id: expected 1 to {MAX_CHAIN_ID_BYTES} bytes, got {chain_id!r}")
    for name, value in (("epoch", epoch), ("slot", slot)):
        if type(value) is not int or not 0 <= value <= MAX_SLOT:
            raise err(f"{name}: expected an int in [0, 2**64-1], got {value!r}")
    if not isinstance(table_digest, bytes) or len(table_digest) != 32:
        raise err(f"table_digest: expected 32 bytes, got {table_digest!r}")
    if type(rank) is not int or not 1 <= rank <= MAX_BACKUPS:
        raise err(f"rank: expected an int in [1, {MAX_BACKUPS}] (a vote supports a backup), got {rank!r}")


def vote_message(
    chain_id: bytes,
    epoch: int,
    table_digest: bytes,
    slot: int,
    rank: int,
    parent_hash: bytes | None,
    voter_id: str,
    seed: bytes | None = None,
) -> bytes:
    """The exact bytes a timeout vote signs.

    Returns:
        Version 1 (``seed`` None): ``tag("seqvrf/v1/timeout-vote") || lp8(chain_id) ||
        u64(epoch) || table_digest || u64(slot) || u8(rank) || parent || lp8(utf8(voter_id))``
        where ``parent`` is ``0x00`` when absent and ``0x01 || lp8(parent_hash)`` when present.
        Version 2: ``tag("seqvrf/v2/timeout-vote")`` and the same fields with ``seed`` (32
        bytes) right after ``table_digest``.
    """
    return (_message_prefix(chain_id, epoch, table_digest, slot, rank, seed) + _parent_enc(parent_hash)
            + lp8(voter_id.encode("utf-8")))


def _message_prefix(chain_id: bytes, epoch: int, table_digest: bytes, slot: int, rank: int,
                    seed: bytes | None) -> bytes:
    """The part of :func:`vote_message` that every vote of one certificate shares."""
    context = table_digest if seed is None else table_digest + seed
    return (_VOTE_TAG if seed is None else _VOTE_TAG_V2) + lp8(chain_id) + u64(epoch) + context + u64(slot) + u8(rank)


def _check_seed(err: type[Exception], seed: object) -> None:
    if seed is not None and (not isinstance(seed, bytes) or len(seed) != SEED_BYTES):
        raise err(f"seed: expected None or {SEED_BYTES} bytes, got {seed!r}")


def check_vote_seed(vote_seed: bytes | None, seed: bytes | None, who: str) -> None:
    """The seed-binding rule: with ``seed`` given, the vote must be version 2 and bind it.

    Raises:
        InvalidVote: ``unbound_vote`` (a version-1 vote) or ``seed_mismatch``.
    """
    if seed is None:
        return
    if vote_seed is None:
        raise InvalidVote(f"{who}: a version-1 vote binds no epoch seed; version 2 is required", "unbound_vote")
    if vote_seed != seed:
        raise InvalidVote(
            f"{who}: seed_mismatch: the vote binds epoch seed {vote_seed.hex()[:16]}..., "
            f"this node's seed is {seed.hex()[:16]}...",
            "seed_mismatch",
        )


@dataclass(frozen=True)
class TimeoutVote(JsonForm):
    """A signed vote that the ranks below ``rank`` missed ``slot``.

    Build one with :meth:`sign`; the constructor only checks shapes.

    Args:
        chain_id: the chain (1 to 64 bytes).
        epoch: the slot's epoch.
        table_digest: the epoch's stake table digest (32 bytes).
        slot: the slot that was missed.
        rank: the rank the vote supports taking over (1 to 255).
        parent_hash: the parent block hash the voter last saw (1 to 64 bytes) or None.
        voter_id: the voting validator's id.
        signature: 64-byte Ed25519 signature by the voter's vote key over
            :meth:`message`.
        seed: the epoch seed the voter's schedule came from (32 bytes; version 2), or
            None for a version-1 vote.

    Raises:
        InvalidVote: a field has the wrong type, length or range.
    """

    chain_id: bytes
    epoch: int
    table_digest: bytes
    slot: int
    rank: int
    parent_hash: bytes | None
    voter_id: str
    signature: bytes
    seed: bytes | None = None

    def __post_init__(self) -> None:
        _check_common(InvalidVote, self.chain_id, self.epoch, self.table_digest, self.slot, self.rank)
        if self.parent_hash is not None and (
            not isinstance(self.parent_hash, bytes) or not 1 <= len(self.parent_hash) <= MAX_PARENT_HASH_BYTES
        ):
            raise InvalidVote(
                f"parent_hash: expected None or 1 to {MAX_PARENT_HASH_BYTES} bytes, got {self.parent_hash!r}"
            )
        try:
            check_validator_id(self.voter_id, "voter_id")
        except InvalidStakeTable as exc:
            raise InvalidVote(str(exc)) from None
        if not isinstance(self.signature, bytes) or len(self.signature) != SIGNATURE_BYTES:
            raise InvalidVote(f"signature: expected {SIGNATURE_BYTES} bytes, got {self.signature!r}")
        _check_seed(InvalidVote, self.seed)

    @classmethod
    def _prechecked(cls, chain_id: bytes, epoch: int, table_digest: bytes, slot: int, rank: int,
                    parent_hash: bytes | None, voter_id: str, signature: bytes, seed: bytes | None) -> TimeoutVote:
        """A vote built without ``__post_init__``, for a caller that has made exactly its
        checks already (the certificate parser's fast path: they would run twice)."""
        vote = object.__new__(cls)
        # Frozen: set as dataclass __init__ sets them, one by one in field order, so that the
        # instance dict shares its keys with the other votes' (half the memory of a dict
        # filled at once, which counts for a 65,535-vote certificate).
        setattr_ = object.__setattr__
        setattr_(vote, "chain_id", chain_id)
        setattr_(vote, "epoch", epoch)
        setattr_(vote, "table_digest", table_digest)
        setattr_(vote, "slot", slot)
        setattr_(vote, "rank", rank)
        setattr_(vote, "parent_hash", parent_hash)
        setattr_(vote, "voter_id", voter_id)
        setattr_(vote, "signature", signature)
        setattr_(vote, "seed", seed)
        return vote

    @property
    def version(self) -> int:
        """2 when the vote binds an epoch seed, else 1."""
        return 1 if self.seed is None else 2

    # -- signing and verification -----------------------------------------------------
    @classmethod
    def sign(
        cls,
        config: ElectionConfig,
        table: StakeTable,
        epoch: int,
        slot: int,
        rank: int,
        voter_id: str,
        vote_secret: bytes | SigningKey,
        parent_hash: bytes | None = None,
        seed: bytes | None = None,
        signer: Callable[[bytes], bytes] | None = None,
    ) -> TimeoutVote:
        """Sign a timeout vote with the voter's Ed25519 vote key.

        Args:
            config: the election parameters (chain id).
            table: the epoch's stake table (its digest is bound).
            epoch: the slot's epoch.
            slot: the missed slot.
            rank: the rank the vote supports (1 to ``config.backups``).
            voter_id: the voter's id in ``table``.
            vote_secret: the voter's 32-byte Ed25519 seed or PyNaCl SigningKey (must match
                its ``vote_key`` in the table).
            parent_hash: the parent block hash the voter last saw, or None.
            seed: the epoch seed of the voter's schedule (makes a version-2 vote), or None.
            signer: when given, called with the message instead of signing directly: a
                node passes its :class:`~election.node.guard.SigningGuard` here, so the
                vote is recorded durably before its signature exists outside.

        Returns:
            The signed vote; it passes :meth:`verify`.

        Raises:
            InvalidVote: voter unknown, key mismatch, or a field out of range.
        """
        v = table.get(voter_id)
        if v is None:
            raise InvalidVote(f"voter {voter_id!r} is not in the stake table")
        if isinstance(vote_secret, SigningKey):
            key = vote_secret
        elif isinstance(vote_secret, (bytes, bytearray)) and len(vote_secret) == 32:
            key = SigningKey(bytes(vote_secret))
        else:
            raise InvalidVote("vote_secret: expected a 32-byte Ed25519 seed or a nacl.signing.SigningKey")
        if bytes(key.verify_key) != v.vote_key:
            raise InvalidVote(f"vote_secret does not match the vote_key of {voter_id!r}")
        unsigned = cls(config.chain_id, epoch, table.digest(), slot, rank, parent_hash, voter_id, bytes(64), seed)
        message = unsigned.message()
        signature = key.sign(message).signature if signer is None else signer(message)
        return cls(config.chain_id, epoch, table.digest(), slot, rank, parent_hash, voter_id, signature, seed)

    def message(self) -> bytes:
        """The signed bytes (:func:`vote_message` of this vote's fields)."""
        return vote_message(
            self.chain_id, self.epoch, self.table_digest, self.slot, self.rank, self.parent_hash, self.voter_id,
            self.seed,
        )

    def same_target(self, other: TimeoutVote) -> bool:
        """True when both votes are by one voter for one (chain, epoch, slot, rank)."""
        return (self.voter_id, self.chain_id, self.epoch, self.slot, self.rank) == (
            other.voter_id, other.chain_id, other.epoch, other.slot, other.rank)

    def verify(self, table: StakeTable, config: ElectionConfig, seed: bytes | None = None) -> None:
        """Check the vote binds this chain and table (and seed), its voter and its signature.

        Args:
            table: the stake table of the vote's epoch.
            config: the election parameters.
            seed: the checker's epoch seed; when given the vote must be version 2 and bind
                exactly this seed (codes ``unbound_vote``, ``seed_mismatch``).

        Raises:
            InvalidVote: wrong chain id, wrong table digest, wrong seed, slot not in the
                epoch, rank beyond ``config.backups``, unknown voter, or a bad signature.
        """
        if not verify_signature(self.check_unsigned(table, config, seed)):
            raise self._bad_signature()

    def check_unsigned(self, table: StakeTable, config: ElectionConfig, seed: bytes | None = None) -> SignatureItem:
        """Every check of :meth:`verify` but the signature, in the same order.

        Returns:
            The ``(vote key, message, signature)`` triple left to verify.

        Raises:
            InvalidVote: as :meth:`verify`, except for a bad signature.
        """
        if self.chain_id != config.chain_id:
            raise InvalidVote(
                f"vote by {self.voter_id!r}: chain_id {self.chain_id.hex()} is not this chain's {config.chain_id.hex()}"
            )
        if self.table_digest != table.digest():
            raise InvalidVote(
                f"vote by {self.voter_id!r}: table digest {self.table_digest.hex()} "
                f"is not the stake table's {table.digest().hex()}"
            )
        if self.slot // config.epoch_length != self.epoch:
            raise InvalidVote(f"vote by {self.voter_id!r}: slot {self.slot} is not in epoch {self.epoch}")
        if self.rank > config.backups:
            raise InvalidVote(f"vote by {self.voter_id!r}: rank {self.rank} exceeds the {config.backups} backups")
        check_vote_seed(self.seed, seed, f"vote by {self.voter_id!r}")
        if table.get(self.voter_id) is None:
            raise InvalidVote(f"vote by {self.voter_id!r}: voter is not in the stake table")
        return self.signature_item(table)

    def signature_item(self, table: StakeTable) -> SignatureItem:
        """``(voter's vote key, message, signature)`` (the voter must be in ``table``)."""
        return (table[self.voter_id].vote_key, self.message(), self.signature)  # vote_public_key's bytes

    def _bad_signature(self) -> InvalidVote:
        return InvalidVote(f"vote by {self.voter_id!r}: bad signature")

    # -- encodings ------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """Binary encoding: the signed message without its tag, then the signature;
        version 2 is prefixed with :data:`VERSIONED_MARKER`."""
        tag_len = len(_VOTE_TAG) if self.seed is None else len(_VOTE_TAG_V2)
        prefix = b"" if self.seed is None else VERSIONED_MARKER
        return prefix + self.message()[tag_len:] + self.signature

    @classmethod
    def from_bytes(cls, data: bytes) -> TimeoutVote:
        """Parse :meth:`to_bytes` output strictly (either version).

        Raises:
            MalformedData: truncated, trailing bytes, bad flags or a field out of range.
        """
        r = Reader(data, "TimeoutVote")
        v2 = _read_marker(r)
        chain_id = r.lp8("chain_id")
        epoch = r.uint(8, "epoch")
        digest = r.take(32, "table_digest")
        seed = r.take(SEED_BYTES, "seed") if v2 else None
        slot = r.uint(8, "slot")
        rank = r.uint(1, "rank")
        parent = _read_parent(r)
        voter = _read_id(r, "voter_id")
        sig = r.take(SIGNATURE_BYTES, "signature")
        r.finish()
        try:
            return cls(chain_id, epoch, digest, slot, rank, parent, voter, sig, seed)
        except InvalidVote as exc:
            raise MalformedData(f"TimeoutVote: {exc}") from None

    def to_dict(self) -> dict[str, Any]:
        """JSON form (bytes as lowercase hex, ``parent_hash`` may be null; ``seed`` present
        only in version 2)."""
        out = {
            "chain_id": self.chain_id.hex(),
            "epoch": self.epoch,
            "table_digest": self.table_digest.hex(),
            "slot": self.slot,
            "rank": self.rank,
            "parent_hash": None if self.parent_hash is None else self.parent_hash.hex(),
            "voter_id": self.voter_id,
            "signature": self.signature.hex(),
        }
        if self.seed is not None:
            out["seed"] = self.seed.hex()
        return out

    @classmethod
    def from_dict(cls, obj: object) -> TimeoutVote:
        """Parse the JSON form strictly.

        Raises:
            MalformedData: wrong keys, JSON types or field ranges.
        """
        keys = {"chain_id", "epoch", "table_digest", "slot", "rank", "parent_hash", "voter_id", "signature"}
        if isinstance(obj, dict) and "seed" in obj:
            keys.add("seed")
        d = json_object(obj, "TimeoutVote", frozenset(keys))
        args = (
            check_hex(d["chain_id"], "TimeoutVote.chain_id"),
            json_int(d["epoch"], "TimeoutVote.epoch", 0, MAX_SLOT),
            check_hex(d["table_digest"], "TimeoutVote.table_digest", 32),
            json_int(d["slot"], "TimeoutVote.slot", 0, MAX_SLOT),
            json_int(d["rank"], "TimeoutVote.rank", 0, MAX_BACKUPS),
            None if d["parent_hash"] is None else check_hex(d["parent_hash"], "TimeoutVote.parent_hash"),
            json_str(d["voter_id"], "TimeoutVote.voter_id"),
            check_hex(d["signature"], "TimeoutVote.signature", SIGNATURE_BYTES),
            check_hex(d["seed"], "TimeoutVote.seed", SEED_BYTES) if "seed" in d else None,
        )
        try:
            return cls(*args)
        except InvalidVote as exc:
            raise MalformedData(f"TimeoutVote: {exc}") from None


def _prefixed(where: str) -> Callable[[ElectionError], ElectionError]:
    """How a certificate reports a vote's bad signature: its own error, prefixed."""

    def wrap(exc: ElectionError) -> ElectionError:
        return InvalidCertificate(f"{where}: {exc}")

    return wrap


class TimeoutCertificate(JsonForm):
    """Votes from distinct validators that the ranks below ``rank`` missed ``slot``.

    The constructor checks structure only: at least one vote, at most 65,535, all for
    the same (chain id, epoch, table digest, slot, rank), no voter twice.  Votes are
    kept in canonical order (ascending UTF-8 bytes of the voter id).  Use
    :meth:`verify` for signatures and the stake quorum.

    Args:
        votes: the votes, in any order.

    Raises:
        InvalidCertificate: empty, mixed slots/ranks/epochs/chains/tables, or a
            duplicate voter.
    """

    __slots__ = ("_votes", "chain_id", "epoch", "table_digest", "slot", "rank", "seed")

    def __init__(self, votes: Iterable[TimeoutVote]) -> None:
        vs = list(votes)
        if not vs:
            raise InvalidCertificate("expected at least one vote, got none")
        if len(vs) > 65535:
            raise InvalidCertificate(f"expected at most 65535 votes, got {len(vs)}")
        for v in vs:
            if not isinstance(v, TimeoutVote):
                raise InvalidCertificate(f"expected TimeoutVote objects, got {type(v).__name__}")
        first = vs[0]
        key = (first.chain_id, first.epoch, first.table_digest, first.slot, first.rank, first.seed)
        for v in vs:
            other = (v.chain_id, v.epoch, v.table_digest, v.slot, v.rank, v.seed)
            if other != key:
                raise InvalidCertificate(
                    f"vote by {v.voter_id!r} is for (chain {v.chain_id.hex()}, epoch {v.epoch}, table "
                    f"{v.table_digest.hex()[:16]}..., slot {v.slot}, rank {v.rank}); expected the certificate's "
                    f"(chain {first.chain_id.hex()}, epoch {first.epoch}, table {first.table_digest.hex()[:16]}..., "
                    f"slot {first.slot}, rank {first.rank}{'' if first.seed == v.seed else ', another seed'})"
                )
        vs.sort(key=lambda v: v.voter_id.encode("utf-8"))
        for a, b in itertools.pairwise(vs):
            if a.voter_id == b.voter_id:
                raise InvalidCertificate(f"duplicate voter {a.voter_id!r}")
        self._votes: tuple[TimeoutVote, ...] = tuple(vs)
        self.chain_id: bytes = first.chain_id
        self.epoch: int = first.epoch
        self.table_digest: bytes = first.table_digest
        self.slot: int = first.slot
        self.rank: int = first.rank
        self.seed: bytes | None = first.seed

    @classmethod
    def _prechecked(cls, votes: tuple[TimeoutVote, ...]) -> TimeoutCertificate:
        """A certificate of ``votes`` built without the constructor's checks, for a caller
        that has made them already: 1 to 65,535 votes sharing (chain id, epoch, table
        digest, slot, rank, seed), in canonical order, no voter twice."""
        cert = object.__new__(cls)
        first = votes[0]
        cert._votes = votes
        cert.chain_id = first.chain_id
        cert.epoch = first.epoch
        cert.table_digest = first.table_digest
        cert.slot = first.slot
        cert.rank = first.rank
        cert.seed = first.seed
        return cert

    @property
    def votes(self) -> tuple[TimeoutVote, ...]:
        """The votes in canonical order."""
        return self._votes

    @property
    def voters(self) -> tuple[str, ...]:
        """The voter ids in canonical order."""
        return tuple(v.voter_id for v in self._votes)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TimeoutCertificate) and other._votes == self._votes

    def __hash__(self) -> int:
        return hash(self._votes)

    def __repr__(self) -> str:
        return f"TimeoutCertificate(epoch={self.epoch}, slot={self.slot}, rank={self.rank}, voters={len(self._votes)})"

    def signed_stake(self, table: StakeTable) -> int:
        """Total stake of the voters found in ``table`` (unknown voters count 0)."""
        total = 0
        for v in self._votes:
            val = table.get(v.voter_id)
            if val is not None:
                total += val.stake
        return total

    def verify(self, table: StakeTable, config: ElectionConfig, seed: bytes | None = None) -> None:
        """Check every vote, distinct voters and the quorum ``3 * signed_stake > 2 * total_stake``.

        Distinct voters are checked here again, not only by the constructor: a
        certificate assembled some other way (``__new__``, a subclass) must not count
        one voter's stake twice.

        Args:
            table: the stake table of the certificate's epoch.
            config: the election parameters.
            seed: when given, every vote must be version 2 and bind this epoch seed.

        Raises:
            InvalidCertificate: a vote is invalid (wrong chain, table or seed, unknown
                voter, bad signature...), a voter appears twice, or the voters hold at
                most 2/3 of the stake.  ``.code`` names the rule.
        """
        self.collect(table, config, seed).check_now()

    def collect(self, table: StakeTable, config: ElectionConfig, seed: bytes | None = None) -> Deferred:
        """:meth:`verify` with the votes' signatures left for a bulk verifier.

        Returns:
            The votes' signature checks in vote order, each failing as
            ``invalid_certificate`` with :meth:`verify`'s message, and the first other
            rule broken after them (``Deferred.error``; e.g. ``no_quorum``): resolved in
            order, the result is exactly :meth:`verify`'s.  Never raises.
        """
        out = Deferred()
        where = f"certificate for slot {self.slot} rank {self.rank}"
        out_wrap = _prefixed(where)
        signed = 0
        seen: set[str] = set()
        # The rules on the fields a vote shares with the others (chain, table, epoch, slot,
        # rank, seed) give one verdict for votes with equal fields: once the first vote has
        # passed them, a later vote with the same fields is checked for its voter alone and
        # its message is the shared prefix plus its own part.  Any other vote (different
        # fields: a certificate not built by the constructor; a subclass) takes every check.
        shared: tuple[Any, ...] | None = None
        prefix = b""
        for v in self._votes:
            voter = v.voter_id
            if voter in seen:
                out.error = InvalidCertificate(f"{where}: duplicate voter {voter!r}", "duplicate_voter")
                out.wrap_items(out_wrap)
                return out
            seen.add(voter)
            parent = v.parent_hash
            if shared is not None and type(v) is TimeoutVote and (
                    parent is None or len(parent) <= MAX_PARENT_HASH_BYTES) and (
                    v.chain_id, v.epoch, v.table_digest, v.slot, v.rank, v.seed) == shared:
                val = table.get(voter)
                if val is None:
                    out.error = InvalidCertificate(
                        f"{where}: vote by {voter!r}: voter is not in the stake table", "invalid_certificate")
                    out.wrap_items(out_wrap)
                    return out
                # vote_message's tail: _parent_enc(parent) + lp8(utf8(voter)) (ids are at most 64 bytes)
                idb = val.id_bytes
                tail = b"\x00" if parent is None else b"\x01" + _LEN[len(parent)] + parent
                out.add((val.vote_key, prefix + tail + _LEN[len(idb)] + idb, v.signature), v._bad_signature)
                signed += val.stake
                continue
            try:
                item = v.check_unsigned(table, config, seed)
            except InvalidVote as exc:
                code = exc.code if exc.code in ("seed_mismatch", "unbound_vote") else "invalid_certificate"
                out.error = InvalidCertificate(f"{where}: {exc}", code)
                out.wrap_items(out_wrap)
                return out
            out.add(item, v._bad_signature)
            signed += table[voter].stake
            if shared is None and type(v) is TimeoutVote:
                shared = (v.chain_id, v.epoch, v.table_digest, v.slot, v.rank, v.seed)
                prefix = _message_prefix(v.chain_id, v.epoch, v.table_digest, v.slot, v.rank, v.seed)
        if not is_quorum(signed, table.total_stake):
            out.error = InvalidCertificate(
                f"{where}: voters hold {signed} of "
                f"{table.total_stake} stake; expected strictly more than 2/3 (3*signed > 2*total)",
                "no_quorum",
            )
        out.wrap_items(out_wrap)
        return out

    # -- encodings ------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """Binary encoding: ``lp8(chain_id) || u64(epoch) || table_digest || u64(slot) ||
        u8(rank) || u16(count) || count * (parent || lp8(voter_id) || signature)``; version
        2 is prefixed with :data:`VERSIONED_MARKER` and has ``seed`` after ``table_digest``."""
        parts = [
            b"" if self.seed is None else VERSIONED_MARKER,
            lp8(self.chain_id),
            u64(self.epoch),
            self.table_digest,
            b"" if self.seed is None else self.seed,
            u64(self.slot),
            u8(self.rank),
            u16(len(self._votes)),
        ]
        for v in self._votes:
            parent = v.parent_hash
            voter = v.voter_id.encode("utf-8")
            parts += [b"\x00" if parent is None else b"\x01" + lp8(parent), lp8(voter), v.signature]
        return b"".join(parts)

    @classmethod
    def read(cls, r: Reader) -> TimeoutCertificate:
        """Parse one certificate from a :class:`Reader` (no end check).

        Raises:
            MalformedData: truncated data, bad flags, votes not in strictly ascending
                voter order, or a structural rule broken (e.g. no votes).
        """
        v2 = _read_marker(r)
        chain_id = r.lp8("certificate.chain_id")
        epoch = r.uint(8, "certificate.epoch")
        digest = r.take(32, "certificate.table_digest")
        seed = r.take(SEED_BYTES, "certificate.seed") if v2 else None
        slot = r.uint(8, "certificate.slot")
        rank = r.uint(1, "certificate.rank")
        count = r.uint(2, "certificate.count")
        votes = []
        prev: bytes | None = None
        for i in range(count):
            parent = _read_parent(r)
            voter = _read_id(r, f"certificate.votes[{i}].voter_id")
            raw = voter.encode("utf-8")
            if prev is not None and not prev < raw:
                raise MalformedData(f"certificate votes not in strictly ascending voter order at {voter!r}")
            prev = raw
            sig = r.take(SIGNATURE_BYTES, f"certificate.votes[{i}].signature")
            try:
                votes.append(TimeoutVote(chain_id, epoch, digest, slot, rank, parent, voter, sig, seed))
            except InvalidVote as exc:
                raise MalformedData(f"TimeoutCertificate: {exc}") from None
        try:
            return cls(votes)
        except InvalidCertificate as exc:
            raise MalformedData(f"TimeoutCertificate: {exc}") from None

    @classmethod
    def from_bytes(cls, data: bytes) -> TimeoutCertificate:
        """Parse :meth:`to_bytes` output strictly (trailing bytes rejected).

        Raises:
            MalformedData: truncated, trailing bytes, bad flags or order, or a
                structural rule broken.
        """
        r = Reader(data, "TimeoutCertificate")
        cert = cls.read(r)
        r.finish()
        return cert

    def to_dict(self) -> dict[str, Any]:
        """JSON form: the shared fields once, then ``votes`` as
        ``[{"voter_id", "parent_hash", "signature"}]`` in canonical order."""
        out: dict[str, Any] = {
            "chain_id": self.chain_id.hex(),
            "epoch": self.epoch,
            "table_digest": self.table_digest.hex(),
            "slot": self.slot,
            "rank": self.rank,
            "votes": [
                {
                    "voter_id": v.voter_id,
                    "parent_hash": None if v.parent_hash is None else v.parent_hash.hex(),
                    "signature": v.signature.hex(),
                }
                for v in self._votes
            ],
        }
        if self.seed is not None:
            out["seed"] = self.seed.hex()
        return out

    @classmethod
    def from_dict(cls, obj: object) -> TimeoutCertificate:
        """Parse the JSON form strictly (votes in any order).

        Raises:
            MalformedData: wrong keys or JSON types, a field out of range, or a
                structural rule broken (e.g. a duplicate voter).
        """
        cert = _certificate_fast(obj)
        if cert is not None:
            return cert
        keys = {"chain_id", "epoch", "table_digest", "slot", "rank", "votes"}
        if isinstance(obj, dict) and "seed" in obj:
            keys.add("seed")
        d = json_object(obj, "TimeoutCertificate", frozenset(keys))
        seed = check_hex(d["seed"], "TimeoutCertificate.seed", SEED_BYTES) if "seed" in d else None
        chain_id = check_hex(d["chain_id"], "TimeoutCertificate.chain_id")
        epoch = json_int(d["epoch"], "TimeoutCertificate.epoch", 0, MAX_SLOT)
        digest = check_hex(d["table_digest"], "TimeoutCertificate.table_digest", 32)
        slot = json_int(d["slot"], "TimeoutCertificate.slot", 0, MAX_SLOT)
        rank = json_int(d["rank"], "TimeoutCertificate.rank", 0, MAX_BACKUPS)
        if not isinstance(d["votes"], list):
            raise MalformedData(f"TimeoutCertificate.votes: expected a list, got {type(d['votes']).__name__}")
        votes = []
        for i, item in enumerate(d["votes"]):
            vd = json_object(
                item, f"TimeoutCertificate.votes[{i}]", frozenset({"voter_id", "parent_hash", "signature"})
            )
            parent = vd["parent_hash"]
            try:
                votes.append(
                    TimeoutVote(
                        chain_id,
                        epoch,
                        digest,
                        slot,
                        rank,
                        None if parent is None else check_hex(parent, f"votes[{i}].parent_hash"),
                        json_str(vd["voter_id"], f"votes[{i}].voter_id"),
                        check_hex(vd["signature"], f"votes[{i}].signature", SIGNATURE_BYTES),
                        seed,
                    )
                )
            except InvalidVote as exc:
                raise MalformedData(f"TimeoutCertificate: {exc}") from None
        try:
            return cls(votes)
        except InvalidCertificate as exc:
            raise MalformedData(f"TimeoutCertificate: {exc}") from None


# -- the certificate parser's fast path ----------------------------------------------------
_CERT_KEYS = frozenset({"chain_id", "epoch", "table_digest", "slot", "rank", "votes"})
_CERT_KEYS_V2 = _CERT_KEYS | {"seed"}
_VOTE_KEYS = frozenset({"voter_id", "parent_hash", "signature"})
_good_voters: set[str] = set()  # voter ids that passed check_validator_id
_MAX_GOOD_VOTERS = 1 << 12  # bounded (the first ones seen stay): a forged history cannot grow it


def _hex_or_none(value: object, lo: int, hi: int) -> bytes | None:
    """``check_hex`` with a length in ``[lo, hi]``, or None for anything it or the vote's
    constructor would refuse."""
    if type(value) is not str:
        return None
    try:
        out = bytes.fromhex(value)
    except ValueError:
        return None
    if out.hex() != value or not lo <= len(out) <= hi:
        return None
    return out


def _certificate_fast(obj: object) -> TimeoutCertificate | None:
    """:meth:`TimeoutCertificate.from_dict` of a certificate that breaks no rule, or None.

    The same checks as ``from_dict`` and the vote and certificate constructors (JSON keys
    and types, canonical hex and lengths, ranges, voter ids, 1 to 65,535 votes, no voter
    twice), made once per certificate for the shared fields and once per vote for the
    rest, without building each vote through its checking constructor.  None for any
    input it does not accept: ``from_dict`` then runs its own checks, so every error
    keeps its exact message.  On accepted input the certificate equals ``from_dict``'s
    (tests/test_election_votes.py compares them)."""
    if type(obj) is not dict:
        return None
    keys = obj.keys()
    seed: bytes | None = None
    if keys == _CERT_KEYS_V2:
        seed = _hex_or_none(obj["seed"], SEED_BYTES, SEED_BYTES)
        if seed is None:
            return None
    elif keys != _CERT_KEYS:
        return None
    chain_id = _hex_or_none(obj["chain_id"], 1, MAX_CHAIN_ID_BYTES)
    digest = _hex_or_none(obj["table_digest"], 32, 32)
    epoch = obj["epoch"]
    slot = obj["slot"]
    rank = obj["rank"]
    entries = obj["votes"]
    if (chain_id is None or digest is None or type(epoch) is not int or not 0 <= epoch <= MAX_SLOT
            or type(slot) is not int or not 0 <= slot <= MAX_SLOT
            or type(rank) is not int or not 1 <= rank <= MAX_BACKUPS
            or type(entries) is not list or not 1 <= len(entries) <= 65535):
        return None
    prechecked = TimeoutVote._prechecked
    votes: list[TimeoutVote] = []
    for e in entries:
        if type(e) is not dict or e.keys() != _VOTE_KEYS:
            return None
        voter = e["voter_id"]
        parent = e["parent_hash"]
        text = e["signature"]
        if type(text) is not str or type(voter) is not str:
            return None
        try:
            signature = bytes.fromhex(text)
        except ValueError:
            return None
        if len(signature) != SIGNATURE_BYTES or signature.hex() != text:
            return None
        if parent is not None:
            parent = _hex_or_none(parent, 1, MAX_PARENT_HASH_BYTES)
            if parent is None:
                return None
        if voter not in _good_voters:
            try:
                check_validator_id(voter, "voter_id")
            except InvalidStakeTable:
                return None
            if len(_good_voters) < _MAX_GOOD_VOTERS:
                _good_voters.add(voter)
        votes.append(prechecked(chain_id, epoch, digest, slot, rank, parent, voter, signature, seed))
    votes.sort(key=_voter_bytes)
    for a, b in itertools.pairwise(votes):
        if a.voter_id == b.voter_id:
            return None  # a duplicate voter: from_dict says so
    return TimeoutCertificate._prechecked(tuple(votes))


def _voter_bytes(vote: TimeoutVote) -> bytes:
    return vote.voter_id.encode("utf-8")  # the canonical order of a certificate's votes
