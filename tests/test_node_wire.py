"""The wire codec: round trips of every message type, strict rejection, size caps, fuzz property."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.signing import SigningKey

from election.dev.blocks import dev_block
from election.dev.keys import dev_table
from election.node import wire
from election.rules.config import ElectionConfig
from election.rules.evidence import HeaderEquivocation
from election.rules.schedule import Schedule
from election.rules.votes import TimeoutVote

CONFIG = ElectionConfig(chain_id=b"wire-test", epoch_length=16, slot_duration_ms=400,
                        failover_timeout_ms=100, backups=2, seed_cutoff=8)
TABLE, SECRETS = dev_table([1, 2, 3, 4], b"wire")
SCHED = Schedule(CONFIG, TABLE, 0, bytes(32))
B0 = dev_block(SCHED, SECRETS, 3)
B1 = dev_block(SCHED, SECRETS, 3, rank=1)
B2 = dev_block(SCHED, SECRETS, 3, salt=b"other")
VID = TABLE.ids[0]
VOTE = TimeoutVote.sign(CONFIG, TABLE, 0, 3, 1, VID, SECRETS[VID].vote_seed, parent_hash=bytes(32), seed=bytes(32))

_spec = importlib.util.spec_from_file_location("fuzz_wire", Path(__file__).parents[1] / "fuzz" / "fuzz_wire.py")
assert _spec is not None and _spec.loader is not None
fuzz_wire = importlib.util.module_from_spec(_spec)
sys.path.insert(0, str(Path(__file__).parents[1] / "fuzz"))
_spec.loader.exec_module(fuzz_wire)


def messages() -> list[wire.Message]:
    key = SigningKey(SECRETS[VID].vote_seed)
    return [
        wire.sign_heartbeat(key, CONFIG.chain_id, VID, 7, 1_700_000_000_000),
        wire.BlockMsg(B0, b"payload"),
        wire.BlockMsg(B1),
        wire.VoteMsg(VOTE),
        wire.EvidenceMsg(HeaderEquivocation.of(B0.header, B2.header)),  # type: ignore[arg-type]
        wire.SyncRequest(VID, 1, 0, 64),
        wire.SyncResponse(VID, 1, 0, 16, 3, None, True, (B0, B1)),
        wire.SyncResponse(VID, 2**64 - 1, 5, 1, None, 2**64 - 2, False, ()),
    ]


@pytest.mark.parametrize("msg", messages(), ids=lambda m: type(m).__name__)
def test_round_trip(msg: wire.Message) -> None:
    data = wire.encode(msg)
    assert wire.decode(data) == msg
    fuzz_wire.check_one(data)
    # Every truncation and any trailing byte is rejected with the typed error.
    for cut in range(0, len(data), max(1, len(data) // 40)):
        with pytest.raises(wire.WireError):
            wire.decode(data[:cut])
    with pytest.raises(wire.WireError):
        wire.decode(data + b"\x00")


def test_heartbeat_signature() -> None:
    key = SigningKey(SECRETS[VID].vote_seed)
    hb = wire.sign_heartbeat(key, CONFIG.chain_id, VID, 1, 2)
    hb.verify(TABLE[VID].vote_key)
    forged = wire.HeartbeatMsg(hb.chain_id, hb.validator_id, hb.seq + 1, hb.time_ms, hb.signature)
    with pytest.raises(wire.WireError) as exc:
        forged.verify(TABLE[VID].vote_key)
    assert exc.value.code == "bad_signature"
    with pytest.raises(wire.WireError):  # the VRF key is not the heartbeat key
        hb.verify(TABLE[VID].vrf_key)


@pytest.mark.parametrize(("data", "code"), [
    (b"", "bad_magic"), (b"XX\x01\x01", "bad_magic"), (b"SQ\x02\x01", "bad_version"),
    (b"SQ\x01\x09", "bad_type"), (b"SQ\x01\x01" + b"\x00" * 70_000, "too_large"),
    (b"SQ\x01\x05\x02ab" + bytes(16) + (65).to_bytes(4, "big"), "over_cap"),
])
def test_rejections_have_codes(data: bytes, code: str) -> None:
    with pytest.raises(wire.WireError) as exc:
        wire.decode(data)
    assert exc.value.code == code


def test_caps_on_encode() -> None:
    with pytest.raises(wire.WireError):
        wire.encode(wire.BlockMsg(B0, bytes(wire.MAX_PAYLOAD_BYTES + 1)))
    with pytest.raises(wire.WireError):
        wire.encode(wire.SyncRequest(VID, 0, 0, wire.MAX_SYNC_SLOTS + 1))


def test_split_sync_response_stays_under_the_cap() -> None:
    req = wire.SyncRequest(VID, 9, 0, 64)
    parts = list(wire.split_sync_response(VID, req, [B0, B1] * 200, 5, 3))
    assert len(parts) > 1 and all(len(p) <= wire.MAX_MESSAGE_BYTES for p in parts)
    decoded = [wire.decode(p) for p in parts]
    assert all(isinstance(d, wire.SyncResponse) for d in decoded)
    assert [d.last for d in decoded if isinstance(d, wire.SyncResponse)] == [False] * (len(parts) - 1) + [True]
    assert sum(len(d.blocks) for d in decoded if isinstance(d, wire.SyncResponse)) == 400


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_wire_error(data: bytes) -> None:
    fuzz_wire.check_one(b"SQ\x01" + data)
    fuzz_wire.check_one(data)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([wire.encode(m) for m in messages()]), st.data())
def test_mutated_messages(data: bytes, draw: st.DataObject) -> None:
    i = draw.draw(st.integers(0, len(data) - 1))
    b = draw.draw(st.integers(0, 255))
    fuzz_wire.check_one(data[:i] + bytes([b]) + data[i + 1:])


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1), st.integers(1, wire.MAX_SYNC_SLOTS),
       st.text(alphabet="abcxyz019-_", min_size=1, max_size=20))
def test_sync_request_round_trip(nonce: int, first: int, count: int, vid: str) -> None:
    m = wire.SyncRequest(vid, nonce, first, count)
    assert wire.decode(wire.encode(m)) == m
