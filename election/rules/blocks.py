"""A block as the election sees it: the leadership claim and the producer's signed header.

The two travel together (a claim alone binds no contents; a header alone proves no right
to the slot).  :func:`check_block_static` runs every rule on a block except the VRF proof,
so that callers (the node's chain view, the audit, the simulator) verify proofs in bulk and
apply one set of rules.  The payload (transactions) is the sequencer's; only its digest is
in the header.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import vrf

from ._codec import JsonForm, Reader, json_object
from .claims import LeaderClaim, collect_claim_static
from .deferred import Deferred
from .errors import ElectionError, MalformedData
from .headers import SignedHeader, collect_header
from .modes import EpochRules

__all__ = ["SignedBlock", "check_block_static", "collect_block_static", "MAX_CLAIM_BYTES"]

MAX_CLAIM_BYTES = 65535 * (2 + 256 + 64) + 512
"""Upper bound of a claim's binary encoding (a certificate of 65,535 votes with the
longest parent hashes and ids): the length prefix of a block's claim is 4 bytes."""


@dataclass(frozen=True)
class SignedBlock(JsonForm):
    """A claim and its signed header.

    Args:
        claim: the leadership claim.
        header: the producer's signed header binding the claim (None only for version-1
            data, whose authorship is not proven).
    """

    claim: LeaderClaim
    header: SignedHeader | None

    def __post_init__(self) -> None:
        if not isinstance(self.claim, LeaderClaim):
            raise MalformedData(f"claim: expected a LeaderClaim, got {type(self.claim).__name__}")
        if self.header is not None and not isinstance(self.header, SignedHeader):
            raise MalformedData(f"header: expected a SignedHeader or None, got {type(self.header).__name__}")

    @property
    def slot(self) -> int:
        return self.claim.slot

    @property
    def rank(self) -> int:
        return self.claim.rank

    @property
    def validator_id(self) -> str:
        return self.claim.validator_id

    def block_hash(self) -> bytes:
        """The header's block hash (empty for a block without a header)."""
        return b"" if self.header is None else self.header.block_hash()

    def to_bytes(self) -> bytes:
        """``u32(len(claim)) || claim || u8(0)`` or ``|| u8(1) || signed header``."""
        c = self.claim.to_bytes()
        tail = b"\x00" if self.header is None else b"\x01" + self.header.to_bytes()
        return len(c).to_bytes(4, "big") + c + tail

    @classmethod
    def from_bytes(cls, data: bytes) -> SignedBlock:
        """Parse :meth:`to_bytes` strictly.

        Raises:
            MalformedData: truncated, trailing bytes, a bad flag or a malformed part.
        """
        r = Reader(data, "SignedBlock")
        n = r.uint(4, "claim length")
        if n > MAX_CLAIM_BYTES:
            raise MalformedData(f"SignedBlock: claim length {n} exceeds {MAX_CLAIM_BYTES}")
        claim = LeaderClaim.from_bytes(r.take(n, "claim"))
        flag = r.uint(1, "header flag")
        if flag == 0:
            r.finish()
            return cls(claim, None)
        if flag != 1:
            raise MalformedData(f"SignedBlock: header flag must be 0 or 1, got {flag}")
        rest = r.take(len(data) - 4 - n - 1, "header")
        return cls(claim, SignedHeader.from_bytes(rest))

    def to_dict(self) -> dict[str, Any]:
        """``{"claim": claim JSON, "header": signed header JSON or null}``."""
        return {"claim": self.claim.to_dict(), "header": None if self.header is None else self.header.to_dict()}

    @classmethod
    def from_dict(cls, obj: object) -> SignedBlock:
        """Parse the JSON form strictly.

        Raises:
            MalformedData: wrong keys, types or ranges.
        """
        d = json_object(obj, "SignedBlock", frozenset({"claim", "header"}))
        return cls(LeaderClaim.from_dict(d["claim"]),
                   None if d["header"] is None else SignedHeader.from_dict(d["header"]))


def check_block_static(block: SignedBlock, schedule: EpochRules, *,
                       require_header: bool = True) -> tuple[vrf.PublicKey, bytes, bytes, bytes]:
    """Every rule on a block except its VRF proof: the header binds the claim and is
    signed by the claim's validator, and the claim passes
    :func:`~election.rules.claims.check_claim_static` (which dispatches on the mode; in
    secret mode the caller also runs :func:`~election.rules.claims.check_claim_output` on
    the verified output, for ``not_eligible``).

    Args:
        block: the block.
        schedule: the rules of the block's epoch (:func:`~election.rules.modes.make_rules`).
        require_header: a block without a header is invalid (``header_missing``), and a
            certificate must hold version-2 votes bound to the schedule's seed (version 2).

    Returns:
        ``(public_key, alpha, proof, block_hash)`` — the first three ready for a bulk VRF
        verification; ``block_hash`` empty when the block has no header.

    Raises:
        InvalidHeader: ``header_missing``, ``header_mismatch``, ``header_signature``.
        InvalidClaim: the claim's first broken rule (``.code``).
        WindowNotRevealed: windowed mode, the block's window is not revealed yet (not
            checkable yet).
    """
    triple, block_hash, deferred = collect_block_static(block, schedule, require_header=require_header)
    deferred.check_now()
    assert triple is not None  # check_now raised otherwise
    key, alpha, proof = triple
    return key, alpha, proof, block_hash


def collect_block_static(block: SignedBlock, schedule: EpochRules, *, require_header: bool = True
                         ) -> tuple[tuple[vrf.PublicKey, bytes, bytes] | None, bytes, Deferred]:
    """:func:`check_block_static` with the header's and the votes' Ed25519 signatures left
    for a bulk verifier, in the order :func:`check_block_static` checks them (the header's
    first, then the certificate's votes).

    Returns:
        ``(triple, block_hash, deferred)``: the VRF triple (None when a claim rule is
        already known broken: then ``deferred.error`` holds it, behind the header
        signature that :func:`check_block_static` would check first), the block hash,
        and the pending checks; :meth:`~election.rules.deferred.Deferred.resolve` gives
        exactly the error :func:`check_block_static` raises.

    Raises:
        InvalidHeader: a header rule broken before any signature check.
        InvalidClaim: a claim rule broken before any signature check.
    """
    block_hash = b""
    deferred = Deferred()
    if block.header is not None or require_header:
        block_hash, deferred = collect_header(block.header, block.claim, schedule.table)
    try:
        triple, votes = collect_claim_static(block.claim, schedule, require_seed=require_header)
    except ElectionError as exc:
        if not deferred.items:
            raise
        deferred.error = exc  # after the header signature
        return None, block_hash, deferred
    deferred.extend(votes)
    return triple, block_hash, deferred

