"""tests/vectors/inactivity.json: the generator reproduces it byte for byte, and each epoch's
reduced set, effective stakes and table digest are recomputed here from the stored inputs
with plain integer arithmetic (docs/spec.md sections 3 and 19), not with election.rules.inactivity."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

from election import ElectionConfig, Schedule, StakeTable, Validator

VECTORS = Path(__file__).resolve().parent / "vectors"
DATA: dict[str, Any] = json.loads((VECTORS / "inactivity.json").read_text())
BASE = StakeTable.from_dict(DATA["table"])


def test_generator_reproduces_file_byte_for_byte() -> None:
    spec = importlib.util.spec_from_file_location("election_vectors_generate", VECTORS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.render_inactivity() == (VECTORS / "inactivity.json").read_text()


def _digest(stakes: list[int]) -> str:
    body = b"".join(bytes([len(v.id)]) + v.id.encode() + v.vrf_key + v.vote_key + s.to_bytes(8, "big")
                    for v, s in zip(BASE, stakes, strict=True))
    encoding = bytes([21]) + b"seqvrf/v1/stake-table" + len(stakes).to_bytes(4, "big") + body
    return hashlib.sha512(bytes([28]) + b"seqvrf/v1/stake-table-digest" + encoding).digest()[:32].hex()


def test_every_epoch_recomputed_by_hand() -> None:
    assert BASE.digest().hex() == DATA["base_digest"]
    ids = list(BASE.ids)
    total = BASE.total_stake
    assert len(DATA["runs"]) == 2
    for run in DATA["runs"]:
        cfg = run["config"]
        t, d, length = cfg["inactivity_threshold"], cfg["inactivity_divisor"], cfg["epoch_length"]
        floor = (total + length - 1) // length
        reduced: dict[int, set[str]] = {0: set(), 1: set()}
        for item in run["epochs"]:
            e = item["outcomes_epoch"]
            l1 = item["l1_finalized_epoch"]
            usable = cfg["inactivity_finality"] == "chain" or (l1 is not None and l1 >= e)
            new: set[str] = set()
            for vid in ids:
                sched, missed, produced = item["outcomes"].get(vid, [0, 0, 0]) if usable else [0, 0, 0]
                lazy = sched >= 1 and 100 * missed >= t * sched
                live = produced >= 1 and not lazy
                if lazy or (vid in reduced[e + 1] and not live):
                    new.add(vid)
            if new == set(ids):
                new = set()
            reduced[e + 2] = new
            assert item["epoch"] == e + 2 and item["reduced"] == sorted(new)
            stakes = [min(v.stake, max(v.stake // d, floor)) if v.id in new else v.stake for v in BASE]
            assert item["stakes"] == stakes
            assert item["digest"] == _digest(stakes)
            # the effective table drives the schedule; every reduced validator keeps a primary slot
            table = StakeTable(Validator(v.id, v.vrf_key, v.vote_key, s) for v, s in zip(BASE, stakes, strict=True))
            sched_ = Schedule(ElectionConfig.from_dict(cfg), table, e + 2, bytes.fromhex(item["seed"]))
            assert [sched_.counts()[v] for v in ids] == item["counts"]
            assert sched_.leaders()[:24] == item["leaders_first_24"]
            assert all(item["counts"][ids.index(v)] >= 1 for v in new)
    gated = [a != b for a, b in zip(*(r["epochs"] for r in DATA["runs"]), strict=True)]
    assert any(gated)  # the L1 gate changes at least one epoch of the vectors
