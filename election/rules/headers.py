"""Signed block headers: what binds a block to its producer.

A claim proves a validator's right to a slot; a :class:`BlockHeader` says *which block* it
produced there: (chain id, epoch, slot, rank, validator id, parent hash, payload digest,
claim digest), signed with the producer's Ed25519 **vote key** (never its VRF key: the
ECVRF nonce shares the Ed25519 key prefix).  Anyone holding a leader's claim can attach it
to other contents, but cannot sign a header for them; and two headers of one validator for
one slot with different contents are proof of equivocation
(:mod:`election.rules.evidence`).

The block hash is the hash of the header's signed bytes (without the signature: Ed25519
signatures are deterministic for honest signers, but a hash must not depend on them).
Byte layouts: docs/spec.md, section 15.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nacl.signing import SigningKey

from ._codec import JsonForm, Reader, check_hex, json_object, lp8, tag, u8, u64
from .claims import LeaderClaim
from .config import MAX_BACKUPS, MAX_CHAIN_ID_BYTES, MAX_SLOT
from .deferred import Deferred, SignatureItem, verify_signature
from .errors import ElectionError, InvalidStakeTable, MalformedData
from .stake import StakeTable, check_validator_id

__all__ = [
    "BlockHeader", "SignedHeader", "InvalidHeader", "make_header", "verify_header", "collect_header", "claim_digest",
    "HASH_BYTES", "GENESIS_PARENT", "HEADER_REASONS",
]

HASH_BYTES = 32
"""Length of block hashes, parent hashes, payload and claim digests."""
GENESIS_PARENT = bytes(HASH_BYTES)
"""The parent hash of a chain's first block."""
_HEADER_TAG = tag("seqvrf/v1/block-header")
_HASH_TAG = tag("seqvrf/v1/block-hash")
_CLAIM_TAG = tag("seqvrf/v1/claim-digest")
SIGNATURE_BYTES = 64

HEADER_REASONS: dict[str, str] = {
    "header_missing": "a version-2 block has no signed header",
    "header_mismatch": "the header's chain, epoch, slot, rank or validator differ from its claim's, "
                       "or its claim digest is not the claim's",
    "header_signature": "the header signature does not verify under the claimed validator's vote key "
                        "(forged, by another validator, or over other contents)",
}
"""Stable reason codes of :class:`InvalidHeader` and their meaning."""


class InvalidHeader(ElectionError, ValueError):
    """A block header does not bind its claim or is not signed by the claimed producer.

    Attributes:
        code: a key of :data:`HEADER_REASONS`.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (str(self), self.code))


# One-entry memos, by identity, of the last claim digest and header body: the history
# parser computes them for a line and the audit's rules again for the same objects right
# after (a takeover's claim digest encodes its whole certificate).  The memo holds the
# object, so its identity cannot be reused meanwhile; claims and headers are frozen.
_last_digest: tuple[object, bytes] = (None, b"")
_last_body: tuple[object, bytes] = (None, b"")
_last_hash: tuple[object, bytes] = (None, b"")


def claim_digest(claim: LeaderClaim) -> bytes:
    """``SHA512(tag("seqvrf/v1/claim-digest") || claim.to_bytes())[0:32]``: binds the exact
    claim (proof and certificate bytes) a header travels with."""
    global _last_digest
    memo = _last_digest
    if memo[0] is claim:
        return memo[1]
    digest = hashlib.sha512(_CLAIM_TAG + claim.to_bytes()).digest()[:HASH_BYTES]
    _last_digest = (claim, digest)
    return digest


def _check32(value: object, name: str) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_BYTES:
        raise MalformedData(f"{name}: expected {HASH_BYTES} bytes, got {value!r}")


@dataclass(frozen=True)
class BlockHeader(JsonForm):
    """The producer's statement "this is my block for ``slot`` at ``rank``".

    Args:
        chain_id: the chain (1 to 64 bytes).
        epoch: the slot's epoch.
        slot: the slot.
        rank: the producer's rank (0 primary).
        validator_id: the producer.
        parent_hash: hash of the block this one builds on (:data:`GENESIS_PARENT` for the first).
        payload_digest: the sequencer's digest of the block contents (32 bytes; opaque here).
        claim_digest: :func:`claim_digest` of the block's claim.

    Raises:
        MalformedData: a field of the wrong type, length or range.
    """

    chain_id: bytes
    epoch: int
    slot: int
    rank: int
    validator_id: str
    parent_hash: bytes
    payload_digest: bytes
    claim_digest: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.chain_id, bytes) or not 1 <= len(self.chain_id) <= MAX_CHAIN_ID_BYTES:
            raise MalformedData(f"chain_id: expected 1 to {MAX_CHAIN_ID_BYTES} bytes, got {self.chain_id!r}")
        for name in ("epoch", "slot"):
            value = getattr(self, name)
            if type(value) is not int or not 0 <= value <= MAX_SLOT:
                raise MalformedData(f"{name}: expected an int in [0, 2**64-1], got {value!r}")
        if type(self.rank) is not int or not 0 <= self.rank <= MAX_BACKUPS:
            raise MalformedData(f"rank: expected an int in [0, {MAX_BACKUPS}], got {self.rank!r}")
        try:
            check_validator_id(self.validator_id)
        except InvalidStakeTable as exc:
            raise MalformedData(str(exc)) from None
        for name in ("parent_hash", "payload_digest", "claim_digest"):
            _check32(getattr(self, name), name)

    @classmethod
    def for_claim(cls, claim: LeaderClaim, parent_hash: bytes, payload_digest: bytes) -> BlockHeader:
        """The header of a block carrying ``claim``."""
        return cls(claim.chain_id, claim.epoch, claim.slot, claim.rank, claim.validator_id, parent_hash,
                   payload_digest, claim_digest(claim))

    @classmethod
    def _for_checked_claim(cls, claim: LeaderClaim, parent_hash: bytes, payload_digest: bytes) -> BlockHeader:
        """:meth:`for_claim` without ``__post_init__``, for a caller that knows the claim's
        fields passed :class:`LeaderClaim`'s checks (the same as the header's) and both
        hashes are 32 bytes (the history parser, on its hot path)."""
        header = object.__new__(cls)
        # Frozen: fields go straight into the instance dict, as dataclass __init__ would put them.
        header.__dict__.update(chain_id=claim.chain_id, epoch=claim.epoch, slot=claim.slot, rank=claim.rank,
                               validator_id=claim.validator_id, parent_hash=parent_hash,
                               payload_digest=payload_digest, claim_digest=claim_digest(claim))
        return header

    def body(self) -> bytes:
        """``lp8(chain_id) || u64(epoch) || u64(slot) || u8(rank) || lp8(utf8(validator_id)) ||
        parent_hash || payload_digest || claim_digest``."""
        global _last_body
        memo = _last_body
        if memo[0] is self:
            return memo[1]
        body = (lp8(self.chain_id) + u64(self.epoch) + u64(self.slot) + u8(self.rank)
                + lp8(self.validator_id.encode("utf-8")) + self.parent_hash + self.payload_digest
                + self.claim_digest)
        _last_body = (self, body)
        return body

    def message(self) -> bytes:
        """The signed bytes: ``tag("seqvrf/v1/block-header") || body``."""
        return _HEADER_TAG + self.body()

    def block_hash(self) -> bytes:
        """``SHA512(tag("seqvrf/v1/block-hash") || body)[0:32]``."""
        global _last_hash
        memo = _last_hash
        if memo[0] is self:
            return memo[1]
        digest = hashlib.sha512(_HASH_TAG + self.body()).digest()[:HASH_BYTES]
        _last_hash = (self, digest)
        return digest

    @classmethod
    def from_body(cls, data: bytes) -> BlockHeader:
        """Parse :meth:`body` strictly.

        Raises:
            MalformedData: truncated, trailing bytes or a field out of range.
        """
        r = Reader(data, "BlockHeader")
        header = cls.read(r)
        r.finish()
        return header

    @classmethod
    def read(cls, r: Reader) -> BlockHeader:
        """Parse one header body from a :class:`Reader` (no end check)."""
        chain_id = r.lp8("chain_id")
        epoch = r.uint(8, "epoch")
        slot = r.uint(8, "slot")
        rank = r.uint(1, "rank")
        raw = r.lp8("validator_id")
        try:
            vid = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedData(f"BlockHeader: validator_id is not UTF-8: {raw.hex()}") from None
        return cls(chain_id, epoch, slot, rank, vid, r.take(HASH_BYTES, "parent_hash"),
                   r.take(HASH_BYTES, "payload_digest"), r.take(HASH_BYTES, "claim_digest"))

    def to_dict(self) -> dict[str, Any]:
        """JSON form: bytes as lowercase hex."""
        return {"chain_id": self.chain_id.hex(), "epoch": self.epoch, "slot": self.slot, "rank": self.rank,
                "validator_id": self.validator_id, "parent_hash": self.parent_hash.hex(),
                "payload_digest": self.payload_digest.hex(), "claim_digest": self.claim_digest.hex()}

    @classmethod
    def from_dict(cls, obj: object) -> BlockHeader:
        """Parse the JSON form strictly.

        Raises:
            MalformedData: wrong keys, types or ranges.
        """
        d = json_object(obj, "BlockHeader", frozenset({"chain_id", "epoch", "slot", "rank", "validator_id",
                                                       "parent_hash", "payload_digest", "claim_digest"}))
        for k in ("epoch", "slot", "rank"):
            if type(d[k]) is not int:
                raise MalformedData(f"BlockHeader.{k}: expected an integer, got {type(d[k]).__name__}")
        if not isinstance(d["validator_id"], str):
            raise MalformedData("BlockHeader.validator_id: expected a string")
        return cls(check_hex(d["chain_id"], "BlockHeader.chain_id"), d["epoch"], d["slot"], d["rank"],
                   d["validator_id"], check_hex(d["parent_hash"], "BlockHeader.parent_hash", HASH_BYTES),
                   check_hex(d["payload_digest"], "BlockHeader.payload_digest", HASH_BYTES),
                   check_hex(d["claim_digest"], "BlockHeader.claim_digest", HASH_BYTES))


@dataclass(frozen=True)
class SignedHeader(JsonForm):
    """A :class:`BlockHeader` with its producer's Ed25519 signature over :meth:`BlockHeader.message`."""

    header: BlockHeader
    signature: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.header, BlockHeader):
            raise MalformedData(f"header: expected a BlockHeader, got {type(self.header).__name__}")
        if not isinstance(self.signature, bytes) or len(self.signature) != SIGNATURE_BYTES:
            raise MalformedData(f"signature: expected {SIGNATURE_BYTES} bytes, got {self.signature!r}")

    def block_hash(self) -> bytes:
        """The block hash (independent of the signature)."""
        return self.header.block_hash()

    def to_bytes(self) -> bytes:
        """``header body || signature (64)``."""
        return self.header.body() + self.signature

    @classmethod
    def from_bytes(cls, data: bytes) -> SignedHeader:
        """Parse :meth:`to_bytes` strictly.

        Raises:
            MalformedData: truncated, trailing bytes or a field out of range.
        """
        r = Reader(data, "SignedHeader")
        header = BlockHeader.read(r)
        sig = r.take(SIGNATURE_BYTES, "signature")
        r.finish()
        return cls(header, sig)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``{"header": header JSON, "signature": hex}``."""
        return {"header": self.header.to_dict(), "signature": self.signature.hex()}

    @classmethod
    def from_dict(cls, obj: object) -> SignedHeader:
        """Parse the JSON form strictly.

        Raises:
            MalformedData: wrong keys, types or ranges.
        """
        d = json_object(obj, "SignedHeader", frozenset({"header", "signature"}))
        return cls(BlockHeader.from_dict(d["header"]), check_hex(d["signature"], "SignedHeader.signature", 64))

    def verify_signature(self, table: StakeTable) -> None:
        """Check the signature under the vote key of the header's validator in ``table``.

        Raises:
            InvalidHeader: ``header_signature`` (unknown validator or bad signature).
        """
        if not verify_signature(self.signature_item(table)):
            raise self._bad_signature()

    def signature_item(self, table: StakeTable) -> SignatureItem:
        """The ``(vote key, message, signature)`` triple :meth:`verify_signature` checks.

        Raises:
            InvalidHeader: ``header_signature``: the validator is not in ``table``.
        """
        h = self.header
        v = table.get(h.validator_id)
        if v is None:
            raise InvalidHeader(f"header by {h.validator_id!r}: validator is not in the stake table",
                                "header_signature")
        return (v.vote_key, h.message(), self.signature)  # vote_key: the VerifyKey's bytes

    def _bad_signature(self) -> InvalidHeader:
        h = self.header
        return InvalidHeader(f"header by {h.validator_id!r} for slot {h.slot} rank {h.rank}: bad signature",
                             "header_signature")


def make_header(claim: LeaderClaim, parent_hash: bytes, payload_digest: bytes,
                vote_secret: bytes | SigningKey | None = None,
                signer: Callable[[bytes], bytes] | None = None) -> SignedHeader:
    """Build and sign the header of a block carrying ``claim``.

    Args:
        claim: the block's (valid) claim.
        parent_hash: the hash of the block it builds on.
        payload_digest: the digest of its contents.
        vote_secret: the producer's Ed25519 vote key (32-byte seed or SigningKey).
        signer: instead of ``vote_secret``, a function signing the message (a node passes
            its signing guard, which records the header durably before signing).

    Returns:
        The signed header.

    Raises:
        MalformedData: a hash of the wrong length.
        TypeError: neither or both of ``vote_secret`` and ``signer`` given, or a
            ``vote_secret`` that is not a 32-byte seed or a SigningKey.
    """
    header = BlockHeader.for_claim(claim, parent_hash, payload_digest)
    if (vote_secret is None) == (signer is None):
        raise TypeError("make_header: give exactly one of vote_secret and signer")
    if signer is None:
        if not isinstance(vote_secret, SigningKey) and not (
                isinstance(vote_secret, (bytes, bytearray)) and len(vote_secret) == 32):
            raise TypeError("make_header: vote_secret must be a 32-byte Ed25519 seed or a nacl.signing.SigningKey")
        key = vote_secret if isinstance(vote_secret, SigningKey) else SigningKey(bytes(vote_secret))
        return SignedHeader(header, key.sign(header.message()).signature)
    return SignedHeader(header, signer(header.message()))


def verify_header(signed: SignedHeader | None, claim: LeaderClaim, table: StakeTable) -> bytes:
    """Check that ``signed`` binds ``claim`` and is signed by the claim's validator.

    The claim itself is checked elsewhere (:func:`~election.rules.claims.verify_claim`).

    Args:
        signed: the block's signed header (None: missing).
        claim: the block's claim.
        table: the stake table of the claim's epoch.

    Returns:
        The block hash.

    Raises:
        InvalidHeader: ``header_missing``, ``header_mismatch`` or ``header_signature``.
    """
    block_hash, deferred = collect_header(signed, claim, table)
    deferred.check_now()
    return block_hash


def _where(claim: LeaderClaim) -> str:
    # Built only for an error: on the hot path the text would go unused.
    return f"block by {claim.validator_id!r} for slot {claim.slot} rank {claim.rank}"


def collect_header(signed: SignedHeader | None, claim: LeaderClaim, table: StakeTable) -> tuple[bytes, Deferred]:
    """:func:`verify_header` with the signature left for a bulk verifier.

    Returns:
        The block hash and the signature check (failing as ``header_signature``).

    Raises:
        InvalidHeader: ``header_missing``, ``header_mismatch``, or ``header_signature``
            for a validator not in ``table``.
    """
    if signed is None:
        raise InvalidHeader(f"{_where(claim)}: no signed header", "header_missing")
    h = signed.header
    if (h.chain_id, h.epoch, h.slot, h.rank, h.validator_id) != (
            claim.chain_id, claim.epoch, claim.slot, claim.rank, claim.validator_id):
        raise InvalidHeader(f"{_where(claim)}: the header names slot {h.slot} rank {h.rank} by {h.validator_id!r}",
                            "header_mismatch")
    if h.claim_digest != claim_digest(claim):
        raise InvalidHeader(f"{_where(claim)}: the header's claim digest is not the claim's", "header_mismatch")
    deferred = Deferred()
    deferred.add(signed.signature_item(table), signed._bad_signature)
    return h.block_hash(), deferred
