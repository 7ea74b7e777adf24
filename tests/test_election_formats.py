"""Genesis and history file formats: round trips, writers, strict parsing with line numbers."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from audit_chain import CONFIG, GENESIS, TABLE, build_records

from election import (
    GenesisFile,
    HistoryRecord,
    HistoryWriter,
    LeaderClaim,
    MalformedData,
    MalformedGenesis,
    MalformedLine,
    read_history,
)
from election.chain.formats import parse_history_line

RECORDS = build_records()
BACKUP = next(r for r in RECORDS if r.claim.rank > 0)
PRIMARY = RECORDS[0]


# -- genesis ------------------------------------------------------------------------------


def test_genesis_round_trip(tmp_path: Any) -> None:
    text = GENESIS.to_json()
    assert GenesisFile.from_json(text) == GENESIS
    assert GenesisFile.from_json(GENESIS.to_json(indent=None)) == GENESIS
    d = json.loads(text)
    assert d["format"] == "seqvrf-genesis" and d["version"] == 1 and d["start_epoch"] == 0
    assert [e["from_epoch"] for e in d["stake_tables"]] == [0, 3]
    path = tmp_path / "g.json"
    GENESIS.save(path)
    assert GenesisFile.load(path) == GENESIS


def test_table_for() -> None:
    t1, t2 = GENESIS.tables[0][1], GENESIS.tables[1][1]
    assert [GENESIS.table_for(e) for e in range(6)] == [t1, t1, t1, t2, t2, t2]
    single = GenesisFile.single(CONFIG, b"\x00" * 32, TABLE, start_epoch=4)
    assert single.table_for(4) == TABLE and single.table_for(10**6) == TABLE
    with pytest.raises(MalformedGenesis, match="precedes"):
        single.table_for(3)


def _genesis_dict() -> dict[str, Any]:
    return json.loads(GENESIS.to_json())


def _mutations() -> list[tuple[str, Any, str]]:
    def drop(key: str) -> Any:
        return lambda d: d.pop(key)

    def put(key: str, value: Any) -> Any:
        return lambda d: d.__setitem__(key, value)

    return [
        ("missing config", drop("config"), "missing key"),
        ("unknown key", put("extra", 1), "unknown key"),
        ("wrong format", put("format", "other"), "format"),
        ("wrong version", put("version", 2), "version"),
        ("bool version", put("version", True), "version"),
        ("short seed", put("initial_seed", "00" * 31), "32 bytes"),
        ("uppercase seed", put("initial_seed", "AB" * 32), "hex"),
        ("negative start", put("start_epoch", -1), "start_epoch"),
        ("no tables", put("stake_tables", []), "at least one"),
        ("tables not a list", put("stake_tables", {}), "list"),
        ("first table late", lambda d: d["stake_tables"][0].__setitem__("from_epoch", 1), "start epoch"),
        ("tables out of order", lambda d: d["stake_tables"][1].__setitem__("from_epoch", 0), "strictly increasing"),
        ("bad epoch length", lambda d: d["config"].__setitem__("epoch_length", 0), "epoch_length"),
        ("bad stake", lambda d: d["stake_tables"][0]["table"]["validators"][0].__setitem__("stake", 0), "stake"),
        ("table key", lambda d: d["stake_tables"][0].__setitem__("tabel", {}), "key"),
    ]


@pytest.mark.parametrize("name,mutate,match", _mutations(), ids=[m[0] for m in _mutations()])
def test_genesis_rejects(name: str, mutate: Any, match: str) -> None:
    d = _genesis_dict()
    mutate(d)
    with pytest.raises(MalformedGenesis, match=match):
        GenesisFile.from_json(json.dumps(d))


def test_genesis_syntax_error_has_line(tmp_path: Any) -> None:
    text = GENESIS.to_json().splitlines()
    text[5] = text[5] + " oops"
    path = tmp_path / "g.json"
    path.write_text("\n".join(text))
    with pytest.raises(MalformedGenesis) as info:
        GenesisFile.load(path)
    assert info.value.line == 6 and f"{path}:6:" in str(info.value)
    with pytest.raises(MalformedGenesis, match="duplicate JSON key"):
        GenesisFile.from_json('{"format": "a", "format": "b"}')
    with pytest.raises(MalformedGenesis, match="NaN"):
        GenesisFile.from_json('{"format": NaN}')
    assert isinstance(info.value, MalformedData) and isinstance(info.value, ValueError)


# -- history ------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["json", "hex"])
def test_history_writer_round_trip(tmp_path: Any, encoding: str) -> None:
    path = tmp_path / "h.jsonl"
    with HistoryWriter(path, claim_encoding=encoding) as w:
        w.write_all(RECORDS[:10])
        w.write(RECORDS[10].claim, RECORDS[10].block_hash, RECORDS[10].parent_hash)
        assert w.count == 11
    back = list(read_history(path))
    assert [(r.slot, r.claim, r.block_hash, r.parent_hash) for r in back] == [
        (r.slot, r.claim, r.block_hash, r.parent_hash) for r in RECORDS[:11]]
    assert [r.line for r in back] == list(range(1, 12))
    with HistoryWriter(path, claim_encoding=encoding, append=True) as w:
        w.write(RECORDS[11].claim)
    back = list(read_history(path))
    assert len(back) == 12 and back[-1].block_hash is None and back[-1].parent_hash is None


def test_history_writer_on_open_file() -> None:
    buf = io.StringIO()
    w = HistoryWriter(buf)
    w.write_all([BACKUP.claim, PRIMARY])
    w.close()
    lines = buf.getvalue().splitlines(keepends=True)
    assert len(lines) == 2 and all(line.endswith("\n") for line in lines)
    assert [r.claim for r in read_history(lines)] == [BACKUP.claim, PRIMARY.claim]
    with pytest.raises(ValueError):
        HistoryWriter(buf, claim_encoding="xml")


def test_backup_claim_line_carries_certificate() -> None:
    obj = json.loads(BACKUP.to_line())
    assert obj["claim"]["certificate"]["rank"] == BACKUP.claim.rank
    assert parse_history_line(BACKUP.to_line(), 1).claim == BACKUP.claim
    assert parse_history_line(BACKUP.to_line("hex").encode(), 1).claim == BACKUP.claim
    assert LeaderClaim.from_bytes(bytes.fromhex(json.loads(BACKUP.to_line("hex"))["claim_hex"])) == BACKUP.claim


def _line_mutations() -> list[tuple[str, Any, str]]:
    def claim(key: str, value: Any) -> Any:
        return lambda d: d["claim"].__setitem__(key, value)

    def put(key: str, value: Any) -> Any:
        return lambda d: d.__setitem__(key, value)

    return [
        ("unknown key", put("extra", 1), "unknown key"),
        ("missing slot", lambda d: d.pop("slot"), "missing key 'slot'"),
        ("bool slot", put("slot", True), "slot"),
        ("negative slot", put("slot", -1), "slot"),
        ("huge slot", put("slot", 2**64), "slot"),
        ("float slot", put("slot", 1.0), "slot"),
        ("no claim", lambda d: d.pop("claim"), "neither"),
        ("both claims", put("claim_hex", "00"), "both"),
        ("claim not object", put("claim", [1]), "JSON object"),
        ("claim missing key", lambda d: d["claim"].pop("rank"), "missing key"),
        ("claim unknown key", claim("extra", 0), "unknown key"),
        ("uppercase proof", lambda d: d["claim"].__setitem__("proof", d["claim"]["proof"].upper()), "lowercase"),
        ("odd hex", claim("proof", "abc"), "hex"),
        ("short proof", claim("proof", "00" * 79), "80"),
        ("rank too big", claim("rank", 256), "rank"),
        ("bad validator id", claim("validator_id", ""), "validator"),
        ("validator id type", claim("validator_id", 7), "validator_id"),
        ("empty chain id", claim("chain_id", ""), "chain_id"),
        ("bad certificate", claim("certificate", {"votes": []}), "TimeoutCertificate"),
        ("bad block hash", put("block_hash", "zz"), "block_hash"),
        ("long parent hash", put("parent_hash", "00" * 65), "parent_hash"),
        ("null block hash", put("block_hash", None), "block_hash"),
    ]


@pytest.mark.parametrize("name,mutate,match", _line_mutations(), ids=[m[0] for m in _line_mutations()])
def test_malformed_line(name: str, mutate: Any, match: str) -> None:
    d = json.loads(PRIMARY.to_line())
    mutate(d)
    with pytest.raises(MalformedLine, match=match) as info:
        parse_history_line(json.dumps(d), 42, "h.jsonl")
    assert info.value.line == 42 and str(info.value).startswith("h.jsonl:42: ")


@pytest.mark.parametrize("text,match", [
    ("", "blank line"),
    ("   \n", "blank line"),
    ("{", "invalid JSON"),
    ("[]", "JSON object"),
    ('{"slot": NaN}', "NaN"),
    ('{"slot": 1, "slot": 2}', "duplicate JSON key"),
    ('{"slot": 1} trailing', "invalid JSON"),
    (b"\xff\xfe", "not UTF-8"),
    ('{"slot": 0, "claim_hex": "0100"}', "LeaderClaim"),
])
def test_malformed_text(text: str | bytes, match: str) -> None:
    with pytest.raises(MalformedLine, match=match) as info:
        parse_history_line(text, 7)
    assert info.value.line == 7


def test_claim_hex_trailing_bytes() -> None:
    d = json.loads(PRIMARY.to_line("hex"))
    d["claim_hex"] += "00"
    with pytest.raises(MalformedLine, match="trailing"):
        parse_history_line(json.dumps(d), 1)


def test_read_history_stops_at_first_malformed_line(tmp_path: Any) -> None:
    path = tmp_path / "h.jsonl"
    lines = [r.to_line() for r in RECORDS[:5]]
    lines[3] = "\n"
    path.write_text("".join(lines))
    it = read_history(path)
    assert [next(it).slot for _ in range(3)] == [r.slot for r in RECORDS[:3]]
    with pytest.raises(MalformedLine) as info:
        next(it)
    assert info.value.line == 4 and info.value.path == str(path)


def test_records_built_in_memory() -> None:
    rec = HistoryRecord(PRIMARY.slot, PRIMARY.claim)
    assert rec.line == 0 and json.loads(rec.to_line()) == {"slot": rec.slot, "claim": rec.claim.to_dict()}
    with pytest.raises(ValueError):
        rec.to_dict("xml")


def test_parser_memos_keep_every_check() -> None:
    # The parser remembers the chain id, validator ids and the last block_hash it
    # checked; once they are warm, every check must still run on every line.
    lines = [r.to_line() for r in RECORDS]
    for number, (text, rec) in enumerate(zip(lines, RECORDS, strict=True), 1):
        got = parse_history_line(text, number)
        assert got == HistoryRecord(rec.slot, rec.claim, rec.block_hash, rec.parent_hash, number)
    d = json.loads(lines[-1])
    known_id = d["claim"]["validator_id"]
    for key, value, match in [
        ("validator_id", known_id + "\x07", "control characters"),
        ("chain_id", d["claim"]["chain_id"].upper(), "lowercase"),
        ("chain_id", "00" * 65, "chain_id"),
        ("proof", "00" * 81, "80"),
    ]:
        bad = json.loads(lines[-1])
        bad["claim"][key] = value
        with pytest.raises(MalformedLine, match=match):
            parse_history_line(json.dumps(bad), 1)
    previous = json.loads(lines[-1]).get("block_hash", "ab")
    parse_history_line(json.dumps({**d, "block_hash": previous}), 1)
    for key, value in [("parent_hash", None), ("parent_hash", previous.upper()), ("block_hash", ""),
                       ("parent_hash", "")]:
        with pytest.raises(MalformedLine, match=key):
            parse_history_line(json.dumps({**d, key: value}), 1)
    rec = parse_history_line(json.dumps({**d, "parent_hash": previous}), 1)
    assert rec.parent_hash == bytes.fromhex(previous)
    with pytest.raises(MalformedLine, match="invalid JSON"):
        parse_history_line(lines[0][:-1] + "x", 1)
    with pytest.raises(MalformedLine, match="leading or trailing whitespace"):
        parse_history_line(" " + lines[0], 1)  # docs/formats.md: nothing around the object
    assert parse_history_line(lines[0], 1).claim == RECORDS[0].claim
