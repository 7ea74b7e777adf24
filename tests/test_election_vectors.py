"""The committed vectors (tests/vectors/election.json) are still reproduced exactly."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from election import (
    ElectionConfig,
    HashStream,
    LeaderClaim,
    Schedule,
    StakeTable,
    TimeoutCertificate,
    TimeoutVote,
    next_seed,
    slot_input,
    verify_claim,
)
from election.dev.keys import dev_validators
from election.rules.hashstream import stream_key
from election.rules.schedule import schedule_context

VECTORS = Path(__file__).resolve().parent / "vectors"
DATA: dict[str, Any] = json.loads((VECTORS / "election.json").read_text())
CONFIGS = {k: ElectionConfig.from_dict(v) for k, v in DATA["configs"].items()}
TABLES = {t["name"]: StakeTable.from_dict(t["table"]) for t in DATA["tables"]}


def test_generator_reproduces_file_byte_for_byte() -> None:
    spec = importlib.util.spec_from_file_location("election_vectors_generate", VECTORS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.render() == (VECTORS / "election.json").read_text()


@pytest.mark.parametrize("vec", DATA["hash_stream"], ids=lambda v: v["purpose"])
def test_hash_stream(vec: dict[str, Any]) -> None:
    key = stream_key(bytes.fromhex(vec["purpose"]), bytes.fromhex(vec["context"]))
    assert key.hex() == vec["key"]
    assert HashStream(key).read(160).hex() == vec["first_160_bytes"]
    s = HashStream(key)
    assert [s.uniform(n) for n in vec["uniform_n"]] == vec["uniform_draws"]


@pytest.mark.parametrize("vec", DATA["tables"], ids=lambda v: v["name"])
def test_tables(vec: dict[str, Any]) -> None:
    table = TABLES[vec["name"]]
    assert table.to_bytes().hex() == vec["encoding"] and table.digest().hex() == vec["digest"]
    assert StakeTable.from_bytes(bytes.fromhex(vec["encoding"])) == table
    devs = dev_validators([v["stake"] for v in vec["table"]["validators"]], bytes.fromhex(vec["dev_seed"]))
    assert {d.id: d.vrf_seed.hex() for d in devs} == vec["vrf_secret_seeds"]
    assert {d.id: d.vote_seed.hex() for d in devs} == vec["vote_secret_seeds"]


@pytest.mark.parametrize("vec", DATA["schedules"], ids=lambda v: f"{v['config']}-{v['table']}-{v['epoch']}")
def test_schedules(vec: dict[str, Any]) -> None:
    config, table, seed = CONFIGS[vec["config"]], TABLES[vec["table"]], bytes.fromhex(vec["seed"])
    s = Schedule(config, table, vec["epoch"], seed)
    assert schedule_context(config, table, vec["epoch"], seed).hex() == vec["context"]
    assert s.offset == vec["offset"] and s.counts() == vec["counts"] and s.leaders() == vec["leaders"]
    assert {str(x): s.ranking(int(x)) for x in vec["rankings"]} == vec["rankings"]


@pytest.mark.parametrize("vec", DATA["slot_inputs"], ids=lambda v: str(v["slot"]))
def test_slot_inputs(vec: dict[str, Any]) -> None:
    alpha = slot_input(CONFIGS[vec["config"]], vec["epoch"], bytes.fromhex(vec["seed"]), vec["slot"])
    assert alpha.hex() == vec["alpha"]


@pytest.mark.parametrize("vec", DATA["next_seeds"], ids=lambda v: f"{v['config']}-{v['epoch']}")
def test_next_seeds(vec: dict[str, Any]) -> None:
    blocks = [(slot, bytes.fromhex(b)) for slot, b in vec["blocks"]]
    got = next_seed(CONFIGS[vec["config"]], vec["epoch"], bytes.fromhex(vec["seed"]), blocks)
    assert got.hex() == vec["next_seed"]


def test_votes_and_certificate() -> None:
    vv = DATA["votes"]
    config, table = CONFIGS[vv["config"]], TABLES[vv["table"]]
    for item in vv["items"]:
        vote = TimeoutVote.from_dict(item["vote"])
        assert vote.message().hex() == item["message"] and vote.to_bytes().hex() == item["encoding"]
        assert TimeoutVote.from_bytes(bytes.fromhex(item["encoding"])) == vote
        vote.verify(table, config)
    cert = TimeoutCertificate.from_dict(vv["certificate"])
    assert cert.to_bytes().hex() == vv["certificate_encoding"]
    cert.verify(table, config)


def test_claims() -> None:
    cv = DATA["claims"]
    config, table = CONFIGS[cv["config"]], TABLES[cv["table"]]
    s = Schedule(config, table, cv["epoch"], bytes.fromhex(cv["seed"]))
    for item in cv["items"]:
        claim = LeaderClaim.from_dict(item["claim"])
        assert claim.to_bytes().hex() == item["encoding"] and claim.to_json() == item["json"]
        assert LeaderClaim.from_bytes(bytes.fromhex(item["encoding"])) == claim
        assert verify_claim(claim, s).hex() == item["beta"]
