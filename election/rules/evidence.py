"""Equivocation evidence: two signed statements of one validator that cannot both be honest.

* :class:`HeaderEquivocation`: two signed block headers of one validator for one (chain,
  slot, rank) with different contents (different block hashes).
* :class:`VoteEquivocation`: two signed timeout votes of one validator for one (chain, slot,
  rank) with different signed bytes (e.g. different parent hashes or seeds).
* :class:`ProduceAfterVote`: a signed header for (slot, r) and a signed vote by the same
  validator for (slot, r') with ``r' > r``: it declared rank ``r`` missed and produced it.

Each verifies offline against the stake table of the slot's epoch (:func:`verify_evidence`);
none needs a VRF check or any chain context.  The two statements are kept in canonical
order (smaller encoding first), so the same pair always encodes to the same bytes.
Encodings: docs/spec.md, section 17.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._codec import Reader, check_hex, json_object, tag, u8
from .config import ElectionConfig
from .errors import ElectionError, InvalidVote, MalformedData
from .headers import InvalidHeader, SignedHeader
from .stake import StakeTable
from .votes import TimeoutVote

__all__ = [
    "Evidence", "HeaderEquivocation", "VoteEquivocation", "ProduceAfterVote", "InvalidEvidence",
    "verify_evidence", "evidence_from_bytes", "evidence_from_dict", "EVIDENCE_KINDS",
]

_TAG = tag("seqvrf/v1/evidence")
_KIND_HEADERS, _KIND_VOTES, _KIND_PRODUCE_AFTER_VOTE = 1, 2, 3
EVIDENCE_KINDS = {"header_equivocation": _KIND_HEADERS, "vote_equivocation": _KIND_VOTES,
                  "produce_after_vote": _KIND_PRODUCE_AFTER_VOTE}
"""Evidence kind names (stable codes, as in reports) and their byte in the encoding."""


class InvalidEvidence(ElectionError, ValueError):
    """Evidence that does not prove what it claims (not one validator, not one slot, same
    contents, or a signature that does not verify)."""


def _lp16(data: bytes) -> bytes:
    return len(data).to_bytes(2, "big") + data


@dataclass(frozen=True)
class HeaderEquivocation:
    """Two signed headers of one validator for one slot and rank with different block hashes."""

    first: SignedHeader
    second: SignedHeader

    kind = "header_equivocation"

    @classmethod
    def of(cls, a: SignedHeader, b: SignedHeader) -> HeaderEquivocation:
        """The evidence in canonical order (smaller encoding first)."""
        x, y = sorted((a, b), key=lambda s: s.to_bytes())
        return cls(x, y)

    @property
    def validator_id(self) -> str:
        return self.first.header.validator_id

    @property
    def slot(self) -> int:
        return self.first.header.slot

    def parts(self) -> tuple[bytes, bytes]:
        return self.first.to_bytes(), self.second.to_bytes()

    def verify(self, table: StakeTable, config: ElectionConfig) -> None:
        a, b = self.first.header, self.second.header
        if (a.chain_id, a.epoch, a.slot, a.rank, a.validator_id) != (
                b.chain_id, b.epoch, b.slot, b.rank, b.validator_id):
            raise InvalidEvidence("header equivocation: the headers are not for one validator, slot and rank")
        if a.chain_id != config.chain_id:
            raise InvalidEvidence("header equivocation: another chain's headers")
        if a.block_hash() == b.block_hash():
            raise InvalidEvidence("header equivocation: the two headers are the same block")
        for s in (self.first, self.second):
            try:
                s.verify_signature(table)
            except InvalidHeader as exc:
                raise InvalidEvidence(f"header equivocation: {exc}") from None


@dataclass(frozen=True)
class VoteEquivocation:
    """Two signed votes of one validator for one slot and rank with different signed bytes."""

    first: TimeoutVote
    second: TimeoutVote

    kind = "vote_equivocation"

    @classmethod
    def of(cls, a: TimeoutVote, b: TimeoutVote) -> VoteEquivocation:
        x, y = sorted((a, b), key=lambda v: v.to_bytes())
        return cls(x, y)

    @property
    def validator_id(self) -> str:
        return self.first.voter_id

    @property
    def slot(self) -> int:
        return self.first.slot

    def parts(self) -> tuple[bytes, bytes]:
        return self.first.to_bytes(), self.second.to_bytes()

    def verify(self, table: StakeTable, config: ElectionConfig) -> None:
        if not self.first.same_target(self.second) or self.first.chain_id != config.chain_id:
            raise InvalidEvidence("vote equivocation: the votes are not for one validator, slot and rank")
        if self.first.message() == self.second.message():
            raise InvalidEvidence("vote equivocation: the two votes sign the same bytes")
        for v in (self.first, self.second):
            try:
                v.verify(table, config)
            except InvalidVote as exc:
                raise InvalidEvidence(f"vote equivocation: {exc}") from None


@dataclass(frozen=True)
class ProduceAfterVote:
    """A validator's signed header for (slot, r) and its signed vote for (slot, r' > r)."""

    first: SignedHeader
    second: TimeoutVote

    kind = "produce_after_vote"

    @classmethod
    def of(cls, header: SignedHeader, vote: TimeoutVote) -> ProduceAfterVote:
        return cls(header, vote)

    @property
    def validator_id(self) -> str:
        return self.first.header.validator_id

    @property
    def slot(self) -> int:
        return self.first.header.slot

    def parts(self) -> tuple[bytes, bytes]:
        return self.first.to_bytes(), self.second.to_bytes()

    def verify(self, table: StakeTable, config: ElectionConfig) -> None:
        h, v = self.first.header, self.second
        if (h.chain_id, h.epoch, h.slot, h.validator_id) != (v.chain_id, v.epoch, v.slot, v.voter_id):
            raise InvalidEvidence("produce after vote: header and vote are not for one validator and slot")
        if h.chain_id != config.chain_id:
            raise InvalidEvidence("produce after vote: another chain's statements")
        if not v.rank > h.rank:
            raise InvalidEvidence(f"produce after vote: the vote (rank {v.rank}) does not vote out "
                                  f"the header's rank {h.rank}")
        try:
            self.first.verify_signature(table)
            v.verify(table, config)
        except (InvalidHeader, InvalidVote) as exc:
            raise InvalidEvidence(f"produce after vote: {exc}") from None


Evidence = HeaderEquivocation | VoteEquivocation | ProduceAfterVote


def verify_evidence(evidence: Evidence, table: StakeTable, config: ElectionConfig) -> None:
    """Check that ``evidence`` proves misbehaviour of ``evidence.validator_id``.

    Args:
        evidence: the evidence.
        table: the stake table of the slot's epoch.
        config: the election parameters.

    Raises:
        InvalidEvidence: it proves nothing (see each class).
    """
    if not isinstance(evidence, (HeaderEquivocation, VoteEquivocation, ProduceAfterVote)):
        raise InvalidEvidence(f"expected evidence, got {type(evidence).__name__}")
    evidence.verify(table, config)


def evidence_to_bytes(evidence: Evidence) -> bytes:
    """``tag("seqvrf/v1/evidence") || u8(kind) || lp16(first) || lp16(second)``."""
    a, b = evidence.parts()
    return _TAG + u8(EVIDENCE_KINDS[evidence.kind]) + _lp16(a) + _lp16(b)


def evidence_from_bytes(data: bytes) -> Evidence:
    """Parse :func:`evidence_to_bytes` strictly.

    Raises:
        MalformedData: wrong tag or kind, truncated or trailing bytes, a malformed statement.
    """
    r = Reader(data, "Evidence")
    if r.take(len(_TAG), "tag") != _TAG:
        raise MalformedData("Evidence: wrong tag")
    kind = r.uint(1, "kind")
    a = r.take(r.uint(2, "first length"), "first")
    b = r.take(r.uint(2, "second length"), "second")
    r.finish()
    if kind in (_KIND_HEADERS, _KIND_VOTES) and not a < b:
        raise MalformedData("Evidence: the two statements must be distinct and in canonical order (smaller first)")
    if kind == _KIND_HEADERS:
        return HeaderEquivocation(SignedHeader.from_bytes(a), SignedHeader.from_bytes(b))
    if kind == _KIND_VOTES:
        return VoteEquivocation(TimeoutVote.from_bytes(a), TimeoutVote.from_bytes(b))
    if kind == _KIND_PRODUCE_AFTER_VOTE:
        return ProduceAfterVote(SignedHeader.from_bytes(a), TimeoutVote.from_bytes(b))
    raise MalformedData(f"Evidence: unknown kind {kind}")


def evidence_to_dict(evidence: Evidence) -> dict[str, Any]:
    """JSON form: ``{"kind": name, "validator_id", "slot", "hex": evidence_to_bytes hex}``."""
    return {"kind": evidence.kind, "validator_id": evidence.validator_id, "slot": evidence.slot,
            "hex": evidence_to_bytes(evidence).hex()}


def evidence_from_dict(obj: object) -> Evidence:
    """Parse the JSON form (the ``hex`` field decides; the others must agree).

    Raises:
        MalformedData: wrong keys or a mismatch between the fields and the bytes.
    """
    d = json_object(obj, "Evidence", frozenset({"kind", "validator_id", "slot", "hex"}))
    ev = evidence_from_bytes(check_hex(d["hex"], "Evidence.hex"))
    if (ev.kind, ev.validator_id, ev.slot) != (d["kind"], d["validator_id"], d["slot"]):
        raise MalformedData("Evidence: kind, validator_id or slot disagree with the encoded statements")
    return ev


__all__ += ["evidence_to_bytes", "evidence_to_dict"]
