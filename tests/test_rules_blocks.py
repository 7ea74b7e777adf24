"""SignedBlock's binary and JSON forms (regression: from_bytes dropped the header's last byte)."""

from __future__ import annotations

import pytest

from election.dev.blocks import dev_block
from election.dev.keys import dev_table
from election.rules.blocks import SignedBlock
from election.rules.config import ElectionConfig
from election.rules.errors import MalformedData
from election.rules.schedule import Schedule

CONFIG = ElectionConfig(chain_id=b"blocks", epoch_length=8, backups=1)
TABLE, SECRETS = dev_table([1, 1, 1], b"blocks")


def test_binary_and_json_round_trip_with_a_header() -> None:
    b = dev_block(Schedule(CONFIG, TABLE, 0, bytes(32)), SECRETS, 2, rank=1)
    assert SignedBlock.from_bytes(b.to_bytes()) == b
    assert SignedBlock.from_dict(b.to_dict()) == b
    headerless = SignedBlock(b.claim, None)
    assert SignedBlock.from_bytes(headerless.to_bytes()) == headerless
    for bad in (b.to_bytes()[:-1], b.to_bytes() + b"\x00"):
        with pytest.raises(MalformedData):
            SignedBlock.from_bytes(bad)


def test_history_line_carries_the_header() -> None:
    from election.chain.formats import HistoryRecord, parse_history_line

    b = dev_block(Schedule(CONFIG, TABLE, 0, bytes(32)), SECRETS, 2)
    rec = HistoryRecord(2, b.claim, b.block_hash(), bytes(32), header=b.header)
    back = parse_history_line(rec.to_line(), 1)
    assert back.header == b.header and back.claim == b.claim
    with pytest.raises(MalformedData):
        parse_history_line(rec.to_line().replace('"header":{', '"header":{"x":1,'), 1)
