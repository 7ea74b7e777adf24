"""The committed mode vectors (tests/vectors/modes.json) are still reproduced exactly."""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

import vrf
from election import ElectionConfig, StakeTable, slot_input
from election.dev.keys import dev_validators
from election.rules.secret import RaceEntry, compare_entries, compare_scores, is_eligible, race_ranking, score
from election.rules.windowed import WindowedSchedule, window_seed, window_source, windowed_context

VECTORS = Path(__file__).resolve().parent / "vectors"
DATA: dict[str, Any] = json.loads((VECTORS / "modes.json").read_text())
BASE: dict[str, Any] = json.loads((VECTORS / "election.json").read_text())
CONFIGS = {k: ElectionConfig.from_dict(v) for k, v in DATA["configs"].items()}
TABLES = {t["name"]: StakeTable.from_dict(t["table"]) for t in BASE["tables"]}


def test_generator_reproduces_file_byte_for_byte() -> None:
    spec = importlib.util.spec_from_file_location("election_vectors_generate_modes", VECTORS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.render_modes() == (VECTORS / "modes.json").read_text()


def test_configs_round_trip() -> None:
    for name, obj in DATA["configs"].items():
        assert CONFIGS[name].to_dict() == obj
    assert {c.mode for c in CONFIGS.values()} == {"windowed", "secret"}


@pytest.mark.parametrize("vec", DATA["windowed"], ids=lambda v: f"{v['config']}-{v['epoch']}")
def test_windowed(vec: dict[str, Any]) -> None:
    config, table = CONFIGS[vec["config"]], TABLES[vec["table"]]
    epoch, seed = vec["epoch"], bytes.fromhex(vec["seed"])
    assert windowed_context(config, table, epoch, seed).hex() == vec["context"]
    s = WindowedSchedule(config, table, epoch, seed)
    assert s.offset == vec["offset"] and s.counts() == vec["counts"]
    prev: bytes | None = None
    for w in vec["windows"]:
        j = w["window"]
        src = window_source(config, epoch, j)
        assert [src.start, src.stop] == w["source"]
        blocks = [(x, bytes.fromhex(b)) for x, b in w["blocks"]]
        ws = window_seed(config, epoch, seed, j, prev, blocks)
        assert ws.hex() == w["window_seed"]
        s.reveal(ws)
        assert s.leaders()[j * s.window :] == w["leaders"] and s.remaining() == w["remaining"]
        assert {str(x): s.ranking(int(x)) for x in w["rankings"]} == w["rankings"]
        prev = ws
    assert set(s.remaining().values()) == {0}


@pytest.mark.parametrize("vec", DATA["secret"]["comparisons"], ids=lambda v: v["kind"])
def test_secret_comparisons(vec: dict[str, Any]) -> None:
    a = score(bytes.fromhex(vec["a"]["beta"]), vec["a"]["stake"])
    b = score(bytes.fromhex(vec["b"]["beta"]), vec["b"]["stake"])
    assert compare_scores(a, b) == vec["result"] == -compare_scores(b, a)


@pytest.mark.parametrize("vec", DATA["secret"]["eligibility"], ids=lambda v: v["kind"])
def test_secret_eligibility(vec: dict[str, Any]) -> None:
    got = is_eligible(bytes.fromhex(vec["beta"]), vec["stake"], vec["total"], vec["proposers"])
    assert got == vec["eligible"]


def test_secret_races() -> None:
    races = DATA["secret"]["races"]
    config, table = CONFIGS[races["config"]], TABLES[races["table"]]
    epoch, seed = races["epoch"], bytes.fromhex(races["seed"])
    tv = next(t for t in BASE["tables"] if t["name"] == races["table"])
    devs = {d.id: d for d in dev_validators([v["stake"] for v in tv["table"]["validators"]],
                                            bytes.fromhex(tv["dev_seed"]))}
    assert config.proposers is not None
    for r in races["slots"]:
        alpha = slot_input(config, epoch, seed, r["slot"])
        assert alpha.hex() == r["alpha"]
        for v in table:
            proof = devs[v.id].vrf_secret.prove(alpha, config.suite)
            assert v.vrf_public_key.verify(alpha, proof, config.suite).hex() == r["betas"][v.id]
            assert vrf.proof_to_hash(proof, config.suite).hex() == r["betas"][v.id]
        entries = [RaceEntry(v.id, bytes.fromhex(r["betas"][v.id]), v.stake) for v in table]
        order = sorted(entries, key=functools.cmp_to_key(compare_entries))
        assert [e.validator_id for e in order] == r["order"]
        ranked = race_ranking(entries, table.total_stake, config.proposers)
        assert [e.validator_id for e in ranked] == r["ranking"] == r["order"][: len(ranked)]
