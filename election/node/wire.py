"""The node's wire codec: one versioned binary encoding for every message.

Every message is ``b"SQ" || u8(WIRE_VERSION) || u8(type) || body`` and at most
:data:`MAX_MESSAGE_BYTES` long (one UDP datagram).  Bodies (all integers big-endian):

* ``HEARTBEAT`` (1): ``lp8(chain_id) || lp8(validator_id) || u64(seq) || u64(time_ms) ||
  signature(64)``; the signature is Ed25519 by the validator's **vote key** over
  ``tag("seqvrf/v1/heartbeat") || lp8(chain_id) || lp8(validator_id) || u64(seq) ||
  u64(time_ms)`` (:func:`heartbeat_message`).
* ``BLOCK`` (2): ``u32(n) || SignedBlock bytes (n) || u32(m) || payload (m)``.
* ``VOTE`` (3): ``TimeoutVote.to_bytes()``.
* ``EVIDENCE`` (4): ``evidence_to_bytes(...)``.
* ``SYNC_REQUEST`` (5): ``lp8(requester_id) || u64(nonce) || u64(first_slot) || u32(count)``
  with ``1 <= count <=`` :data:`MAX_SYNC_SLOTS`.
* ``SYNC_RESPONSE`` (6): ``lp8(responder_id) || u64(nonce) || u64(first_slot) || u32(count) ||
  u64(tip_slot + 1, 0 = none) || u64(requester_high + 1, 0 = none) || u8(last) || u16(k) ||
  k * (u32(n) || SignedBlock bytes)``.  ``requester_high`` is the highest slot at which the
  responder saw a signature (header or vote) by the requester; ``last`` is 1 on the final
  part of a response split over several datagrams.

Parsing is strict (:func:`decode`): wrong magic, version or type, truncation, trailing
bytes, counts or sizes above their caps and malformed parts all raise
:class:`WireError` (a :class:`~election.rules.errors.MalformedData`) with a ``code``.
Signatures and blocks are *not* verified here: that is the runtime's and the chain view's
job; the codec only guarantees well-formed objects.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from ..rules._codec import Reader, lp8, tag, u8, u16, u32, u64
from ..rules.blocks import MAX_CLAIM_BYTES, SignedBlock
from ..rules.errors import ElectionError, MalformedData
from ..rules.evidence import Evidence, evidence_from_bytes, evidence_to_bytes
from ..rules.stake import check_validator_id
from ..rules.votes import TimeoutVote

__all__ = [
    "WIRE_VERSION", "MAGIC", "MAX_MESSAGE_BYTES", "MAX_PAYLOAD_BYTES", "MAX_SYNC_SLOTS", "MAX_SYNC_BLOCKS",
    "WireError", "HeartbeatMsg", "BlockMsg", "VoteMsg", "EvidenceMsg", "SyncRequest", "SyncResponse",
    "Message", "encode", "decode", "heartbeat_message", "sign_heartbeat", "split_sync_response",
]

WIRE_VERSION = 1
MAGIC = b"SQ"
MAX_MESSAGE_BYTES = 60_000
"""Largest encoded message (fits a UDP datagram on loopback)."""
MAX_PAYLOAD_BYTES = 32_768
"""Largest block payload carried in a ``BLOCK`` message."""
MAX_SYNC_SLOTS = 64
"""Most slots one sync request may ask for."""
MAX_SYNC_BLOCKS = 256
"""Most blocks in one sync response part."""
_U64 = 2**64 - 1
_HEARTBEAT_TAG = tag("seqvrf/v1/heartbeat")

T_HEARTBEAT, T_BLOCK, T_VOTE, T_EVIDENCE, T_SYNC_REQUEST, T_SYNC_RESPONSE = 1, 2, 3, 4, 5, 6


class WireError(MalformedData):
    """A message that does not decode.

    Attributes:
        code: ``too_large``, ``bad_magic``, ``bad_version``, ``bad_type``, ``malformed``
            or ``over_cap``.
    """

    def __init__(self, message: str, code: str = "malformed") -> None:
        super().__init__(message)
        self.code = code


def heartbeat_message(chain_id: bytes, validator_id: str, seq: int, time_ms: int) -> bytes:
    """The bytes a heartbeat signature covers (see the module docstring)."""
    return _HEARTBEAT_TAG + lp8(chain_id) + lp8(validator_id.encode()) + u64(seq) + u64(time_ms)


@dataclass(frozen=True)
class HeartbeatMsg:
    """A signed liveness beacon."""

    chain_id: bytes
    validator_id: str
    seq: int
    time_ms: int
    signature: bytes

    def signed_bytes(self) -> bytes:
        return heartbeat_message(self.chain_id, self.validator_id, self.seq, self.time_ms)

    def verify(self, vote_key: bytes) -> None:
        """Check the signature under the validator's 32-byte vote public key.

        Raises:
            WireError: ``bad_signature``.
        """
        try:
            VerifyKey(vote_key).verify(self.signed_bytes(), self.signature)
        except (BadSignatureError, ValueError) as exc:
            raise WireError(f"heartbeat of {self.validator_id!r}: bad signature", "bad_signature") from exc


def sign_heartbeat(key: SigningKey, chain_id: bytes, validator_id: str, seq: int, time_ms: int) -> HeartbeatMsg:
    """A heartbeat signed with the vote key ``key``."""
    sig = key.sign(heartbeat_message(chain_id, validator_id, seq, time_ms)).signature
    return HeartbeatMsg(chain_id, validator_id, seq, time_ms, sig)


@dataclass(frozen=True)
class BlockMsg:
    """A block and its payload."""

    block: SignedBlock
    payload: bytes = b""


@dataclass(frozen=True)
class VoteMsg:
    """A timeout vote."""

    vote: TimeoutVote


@dataclass(frozen=True)
class EvidenceMsg:
    """Equivocation evidence."""

    evidence: Evidence


@dataclass(frozen=True)
class SyncRequest:
    """Ask for the canonical blocks of ``[first_slot, first_slot + count)``."""

    requester_id: str
    nonce: int
    first_slot: int
    count: int


@dataclass(frozen=True)
class SyncResponse:
    """One part of the answer to a :class:`SyncRequest`."""

    responder_id: str
    nonce: int
    first_slot: int
    count: int
    tip_slot: int | None
    requester_high: int | None
    last: bool
    blocks: tuple[SignedBlock, ...]


Message = HeartbeatMsg | BlockMsg | VoteMsg | EvidenceMsg | SyncRequest | SyncResponse


def _id(vid: str) -> bytes:
    try:
        return check_validator_id(vid)
    except ElectionError as exc:
        raise WireError(str(exc)) from None


def _opt(v: int | None) -> bytes:
    return u64(0 if v is None else v + 1)


def _check_u64(v: int, what: str) -> None:
    if type(v) is not int or not 0 <= v <= _U64:
        raise WireError(f"{what}: expected a u64, got {v!r}")


def _sync_count(count: int) -> None:
    if type(count) is not int or not 1 <= count <= MAX_SYNC_SLOTS:
        raise WireError(f"sync count: expected 1 to {MAX_SYNC_SLOTS}, got {count!r}", "over_cap")


def _body(msg: Message) -> tuple[int, bytes]:
    if isinstance(msg, HeartbeatMsg):
        _check_u64(msg.seq, "seq")
        _check_u64(msg.time_ms, "time_ms")
        if len(msg.signature) != 64 or not 1 <= len(msg.chain_id) <= 64:
            raise WireError("heartbeat: bad signature or chain id length")
        return T_HEARTBEAT, (lp8(msg.chain_id) + lp8(_id(msg.validator_id)) + u64(msg.seq) + u64(msg.time_ms)
                             + msg.signature)
    if isinstance(msg, BlockMsg):
        if len(msg.payload) > MAX_PAYLOAD_BYTES:
            raise WireError(f"payload of {len(msg.payload)} bytes exceeds {MAX_PAYLOAD_BYTES}", "over_cap")
        b = msg.block.to_bytes()
        return T_BLOCK, u32(len(b)) + b + u32(len(msg.payload)) + msg.payload
    if isinstance(msg, VoteMsg):
        return T_VOTE, msg.vote.to_bytes()
    if isinstance(msg, EvidenceMsg):
        return T_EVIDENCE, evidence_to_bytes(msg.evidence)
    if isinstance(msg, SyncRequest):
        _check_u64(msg.nonce, "nonce")
        _check_u64(msg.first_slot, "first_slot")
        _sync_count(msg.count)
        return T_SYNC_REQUEST, lp8(_id(msg.requester_id)) + u64(msg.nonce) + u64(msg.first_slot) + u32(msg.count)
    if isinstance(msg, SyncResponse):
        _check_u64(msg.nonce, "nonce")
        _check_u64(msg.first_slot, "first_slot")
        _sync_count(msg.count)
        if len(msg.blocks) > MAX_SYNC_BLOCKS:
            raise WireError(f"sync response: {len(msg.blocks)} blocks exceed {MAX_SYNC_BLOCKS}", "over_cap")
        parts = [lp8(_id(msg.responder_id)), u64(msg.nonce), u64(msg.first_slot), u32(msg.count),
                 _opt(msg.tip_slot), _opt(msg.requester_high), u8(1 if msg.last else 0), u16(len(msg.blocks))]
        for blk in msg.blocks:
            bb = blk.to_bytes()
            parts += [u32(len(bb)), bb]
        return T_SYNC_RESPONSE, b"".join(parts)
    raise WireError(f"cannot encode {type(msg).__name__}", "bad_type")


def encode(msg: Message) -> bytes:
    """Encode ``msg``.

    Raises:
        WireError: a field out of range or the message over :data:`MAX_MESSAGE_BYTES`.
    """
    t, body = _body(msg)
    out = MAGIC + u8(WIRE_VERSION) + u8(t) + body
    if len(out) > MAX_MESSAGE_BYTES:
        raise WireError(f"message of {len(out)} bytes exceeds {MAX_MESSAGE_BYTES}", "too_large")
    return out


def _vid(r: Reader, what: str) -> str:
    raw = r.lp8(what)
    try:
        text = raw.decode("utf-8")
        if check_validator_id(text) != raw:
            raise WireError(f"{what}: not canonical")
    except (UnicodeDecodeError, ElectionError) as exc:
        raise WireError(f"{what}: {exc}") from None
    return text


def _get_opt(r: Reader, what: str) -> int | None:
    v = r.uint(8, what)
    return None if v == 0 else v - 1


def _block(data: bytes) -> SignedBlock:
    if len(data) > MAX_CLAIM_BYTES + 4096:
        raise WireError("block too large", "over_cap")
    return SignedBlock.from_bytes(data)


def decode(data: bytes) -> Message:
    """Decode one message strictly.

    Raises:
        WireError: see the module docstring (every malformed input raises it; nothing else).
    """
    if not isinstance(data, (bytes, bytearray)):
        raise WireError(f"expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) > MAX_MESSAGE_BYTES:
        raise WireError(f"message of {len(data)} bytes exceeds {MAX_MESSAGE_BYTES}", "too_large")
    if len(data) < 4 or data[:2] != MAGIC:
        raise WireError("bad magic", "bad_magic")
    if data[2] != WIRE_VERSION:
        raise WireError(f"wire version {data[2]}, expected {WIRE_VERSION}", "bad_version")
    t = data[3]
    body = data[4:]
    try:
        return _decode_body(t, body)
    except WireError:
        raise
    except (ElectionError, ValueError) as exc:
        raise WireError(f"type {t}: {exc}") from None


def _decode_body(t: int, body: bytes) -> Message:
    r = Reader(body, "message")
    if t == T_HEARTBEAT:
        chain_id = r.lp8("chain_id")
        if not chain_id:
            raise WireError("heartbeat: empty chain id")
        vid = _vid(r, "validator_id")
        seq, time_ms = r.uint(8, "seq"), r.uint(8, "time_ms")
        sig = r.take(64, "signature")
        r.finish()
        return HeartbeatMsg(chain_id, vid, seq, time_ms, sig)
    if t == T_BLOCK:
        blk = _block(r.take(r.uint(4, "block length"), "block"))
        m = r.uint(4, "payload length")
        if m > MAX_PAYLOAD_BYTES:
            raise WireError(f"payload of {m} bytes exceeds {MAX_PAYLOAD_BYTES}", "over_cap")
        payload = r.take(m, "payload")
        r.finish()
        return BlockMsg(blk, payload)
    if t == T_VOTE:
        return VoteMsg(TimeoutVote.from_bytes(body))
    if t == T_EVIDENCE:
        return EvidenceMsg(evidence_from_bytes(body))
    if t == T_SYNC_REQUEST:
        vid = _vid(r, "requester_id")
        nonce, first, count = r.uint(8, "nonce"), r.uint(8, "first_slot"), r.uint(4, "count")
        r.finish()
        _sync_count(count)
        return SyncRequest(vid, nonce, first, count)
    if t == T_SYNC_RESPONSE:
        vid = _vid(r, "responder_id")
        nonce, first, count = r.uint(8, "nonce"), r.uint(8, "first_slot"), r.uint(4, "count")
        _sync_count(count)
        tip, high = _get_opt(r, "tip_slot"), _get_opt(r, "requester_high")
        last = r.uint(1, "last")
        if last > 1:
            raise WireError(f"last: expected 0 or 1, got {last}")
        k = r.uint(2, "block count")
        if k > MAX_SYNC_BLOCKS:
            raise WireError(f"sync response: {k} blocks exceed {MAX_SYNC_BLOCKS}", "over_cap")
        blocks = tuple(_block(r.take(r.uint(4, "block length"), "block")) for _ in range(k))
        r.finish()
        return SyncResponse(vid, nonce, first, count, tip, high, bool(last), blocks)
    raise WireError(f"unknown message type {t}", "bad_type")


def split_sync_response(responder_id: str, request: SyncRequest, blocks: Sequence[SignedBlock],
                        tip_slot: int | None, requester_high: int | None) -> Iterator[bytes]:
    """Encode the answer to ``request`` as one or more datagrams, each under the size cap
    (the final part has ``last`` set; an answer with no blocks is one part)."""
    def part(chunk: list[SignedBlock], last: bool) -> bytes:
        return encode(SyncResponse(responder_id, request.nonce, request.first_slot, request.count,
                                   tip_slot, requester_high, last, tuple(chunk)))
    chunk: list[SignedBlock] = []
    size = 64 + len(responder_id)
    for blk in blocks:
        n = len(blk.to_bytes()) + 4
        if n + 128 > MAX_MESSAGE_BYTES:
            continue  # a block that can never fit one datagram is not served
        if chunk and (size + n > MAX_MESSAGE_BYTES - 64 or len(chunk) >= MAX_SYNC_BLOCKS):
            yield part(chunk, False)
            chunk, size = [], 64 + len(responder_id)
        chunk.append(blk)
        size += n
    yield part(chunk, True)
