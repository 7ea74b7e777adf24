"""The inactivity rule (docs/spec.md section 19): config, rule, audit, simulator, partition."""

from __future__ import annotations

import hashlib
import json

import pytest

from election import ElectionConfig, GenesisFile, StakeTable, audit
from election.dev.keys import dev_table
from election.rules.errors import InvalidConfig, InvalidStakeTable, MalformedData
from election.rules.inactivity import (
    InactivityError,
    InactivityState,
    Outcome,
    effective_table,
    epoch_outcomes,
    inactive,
    next_reduced,
    proven_live,
)
from election.sim import SimParams, parse_faults, simulate, summarize
from election.sim.partition import side_chain
from election.sim.summary import canonical_records

ON = ElectionConfig(b"inactivity", epoch_length=30, inactivity_threshold=50, inactivity_divisor=4)


# -- config ---------------------------------------------------------------------------------

def test_off_by_default_and_the_json_form_is_unchanged() -> None:
    cfg = ElectionConfig(b"x", epoch_length=30)
    assert not cfg.inactivity
    assert cfg.inactivity_divisor is None and cfg.inactivity_finality is None
    assert set(cfg.to_dict()) == {"chain_id", "epoch_length", "slot_duration_ms", "failover_timeout_ms",
                                  "backups", "seed_cutoff", "suite"}


def test_on_resolves_defaults_and_round_trips() -> None:
    cfg = ElectionConfig(b"x", epoch_length=30, inactivity_threshold=50)
    assert cfg.inactivity and cfg.inactivity_divisor == 64 and cfg.inactivity_finality == "chain"
    d = cfg.to_dict()
    assert (d["inactivity_threshold"], d["inactivity_divisor"], d["inactivity_finality"]) == (50, 64, "chain")
    assert ElectionConfig.from_dict(d) == cfg
    l1 = ElectionConfig(b"x", epoch_length=30, inactivity_threshold=1, inactivity_finality="l1")
    assert ElectionConfig.from_json(l1.to_json()) == l1


@pytest.mark.parametrize("kw", [
    {"inactivity_divisor": 4},                                   # divisor without the rule
    {"inactivity_finality": "l1"},                               # finality without the rule
    {"inactivity_threshold": 0},
    {"inactivity_threshold": 101},
    {"inactivity_threshold": True},
    {"inactivity_threshold": 50, "inactivity_divisor": 1},
    {"inactivity_threshold": 50, "inactivity_finality": "l2"},
    {"inactivity_threshold": 50, "mode": "secret", "proposers": 3},
    {"inactivity_threshold": 50, "seed_cutoff": 1, "slot_duration_ms": 100},  # windows outlast the cutoff
])
def test_bad_configs(kw: dict[str, object]) -> None:
    with pytest.raises(InvalidConfig):
        ElectionConfig(b"x", epoch_length=30, **kw)  # type: ignore[arg-type]


def test_json_with_partial_inactivity_keys_is_rejected() -> None:
    d = ON.to_dict()
    del d["inactivity_divisor"]
    with pytest.raises(MalformedData):
        ElectionConfig.from_dict(d)
    d = ElectionConfig(b"x", epoch_length=30).to_dict()
    d["inactivity_divisor"] = 4
    with pytest.raises(MalformedData):
        ElectionConfig.from_dict(d)


# -- the rule -----------------------------------------------------------------------------------

def test_threshold_is_exact_at_the_boundary() -> None:
    assert inactive(ON, Outcome(4, 2, 2))          # 100*2 >= 50*4
    assert not inactive(ON, Outcome(4, 1, 3))      # 100 < 200
    assert not inactive(ON, Outcome(0, 0, 0))      # no primary slot: no evidence
    t33 = ElectionConfig(b"x", epoch_length=30, inactivity_threshold=34)
    assert not inactive(t33, Outcome(3, 1, 2))     # 100 < 102
    assert inactive(t33, Outcome(50, 17, 33))      # 1700 >= 1700
    assert proven_live(ON, Outcome(0, 0, 1))       # a backup block counts
    assert not proven_live(ON, Outcome(2, 1, 1))   # produced, but missed half: inactive wins
    with pytest.raises(InactivityError):
        Outcome(1, 2, 0)
    with pytest.raises(InactivityError):
        inactive(ElectionConfig(b"x", epoch_length=30), Outcome(1, 1, 0))


def _table() -> StakeTable:
    return dev_table([100, 200, 300, 400, 7])[0]


def test_next_reduced_sets_keeps_returns_and_never_reduces_everyone() -> None:
    table = _table()
    a, b, c, d, e = table.ids
    outcomes = {a: Outcome(3, 3, 0), b: Outcome(5, 1, 4), c: Outcome(9, 0, 9)}
    # a inactive; d reduced before and silent (no slot, no block) stays; e reduced before and produced: back
    got = next_reduced(ON, table, {**outcomes, e: Outcome(0, 0, 1)}, {d, e})
    assert got == {a, d}
    # not finalized (L1 gate): the previous set carries over, outcomes ignored
    assert next_reduced(ON, table, outcomes, {d}, finalized=False) == {d}
    # every validator inactive: nobody is reduced
    everyone = {v: Outcome(1, 1, 0) for v in table.ids}
    assert next_reduced(ON, table, everyone, set()) == frozenset()
    # ids outside the next table are dropped
    assert next_reduced(ON, table, {"ghost": Outcome(1, 1, 0)}, {"ghost"}) == frozenset()


def test_effective_table_divides_reduced_stakes_and_matches_a_table_built_from_scratch() -> None:
    table = _table()
    a, b, c, d, e = table.ids
    assert effective_table(ON, table, set()) is table
    assert effective_table(ON, table, {"ghost"}) is table
    eff = effective_table(ON, table, {a, d, e})
    # S = 1007, L = 30: floor ceil(1007 / 30) = 34; a: max(100 // 4, 34); d: 400 // 4; e: 7 < 34 stays
    assert eff.stakes == (34, 200, 300, 100, 7)
    assert eff.total_stake == 641
    from election import Validator
    scratch = StakeTable(Validator(v.id, v.vrf_key, v.vote_key, s) for v, s in zip(table, eff.stakes, strict=True))
    assert eff.to_bytes() == scratch.to_bytes() and eff.digest() == scratch.digest() and eff == scratch
    assert eff.cumulative_stakes == scratch.cumulative_stakes and eff.index(c) == scratch.index(c)
    with pytest.raises(InvalidStakeTable):
        table.with_stakes([1, 2, 3])
    with pytest.raises(InvalidStakeTable):
        table.with_stakes([0, 1, 1, 1, 1])


def test_epoch_outcomes_counts_primary_and_backup_blocks() -> None:
    got = epoch_outcomes({"a": 3, "b": 2, "c": 0}, [(0, "a"), (1, "a"), (0, "b"), (0, "b"), (2, "c")])
    assert got == {"a": Outcome(3, 2, 2), "b": Outcome(2, 0, 2), "c": Outcome(0, 0, 1)}
    with pytest.raises(InactivityError):
        epoch_outcomes({"a": 1}, [(0, "a"), (0, "a")])


def test_state_needs_outcomes_in_order_and_applies_the_l1_gate() -> None:
    table = _table()
    a = table.ids[0]
    cfg = ElectionConfig(b"x", epoch_length=30, inactivity_threshold=50, inactivity_finality="l1")
    state = InactivityState(cfg, lambda e: table, start_epoch=3)
    assert state.table(3) is table and state.table(4) is table
    with pytest.raises(InactivityError):
        state.table(5)
    state.record(3, {a: Outcome(2, 2, 0)}, l1_finalized_epoch=2)   # epoch 3 not finalized yet
    assert state.reduced(5) == frozenset()
    state.record(4, {a: Outcome(2, 2, 0)}, l1_finalized_epoch=4)
    assert state.reduced(6) == {a} and state.table(6).stakes[0] == 34   # max(100 // 64, ceil(1007 / 30))
    with pytest.raises(InactivityError):
        state.record(4, {}, 4)
    with pytest.raises(InvalidConfig):
        InactivityState(ElectionConfig(b"x", epoch_length=30), lambda e: table)


# -- the simulator and the audit ------------------------------------------------------------------

def _crash_at_epoch_2(recovery: bool, share: float = 0.4):  # type: ignore[no-untyped-def]
    params = SimParams(validators=12, epochs=6, epoch_length=30, stake="equal", seed=3, recovery=recovery,
                       faults=parse_faults(f"outage:stake={share},at=120,for=100000"))
    run = simulate(params)
    return run, summarize(run)


def test_recovery_fills_99_percent_from_epoch_4_and_the_audit_agrees() -> None:
    run, s = _crash_at_epoch_2(True)
    down = run.roles["outage"]
    assert sum(run.table[v].stake for v in down) * 100 >= 40 * run.table.total_stake
    filled = [e["filled"] for e in s["epochs"]]
    assert filled[:2] == [30, 30] and filled[2] < 27 and filled[3] < 27   # stuck before the rule applies
    assert sum(filled[4:]) * 100 >= 99 * 60
    assert run.reduced[4] == sorted(down) and run.reduced[5] == sorted(down)
    assert [r["ids"] for r in s["recovery"]["reduced"]] == [sorted(down), sorted(down)]
    report = audit(run.genesis, canonical_records(run))
    assert report.ok and report.inactivity is not None
    assert [(x["epoch"], x["reduced"]) for x in report.inactivity["epochs"] if x["epoch"] < 6] == \
        [(4, sorted(down)), (5, sorted(down))]
    assert "inactivity" in report.to_dict() and "inactivity rule" in report.summary_text()
    # the effective tables bind: the same history against the base tables is invalid
    base = GenesisFile.single(ElectionConfig(**{**run.config.__dict__, "inactivity_threshold": None,
                                                "inactivity_divisor": None, "inactivity_finality": None}),
                              run.genesis.initial_seed, run.table)
    assert not audit(base, canonical_records(run)).ok


def test_without_the_rule_the_audit_rejects_a_history_that_ignores_reductions() -> None:
    run, s = _crash_at_epoch_2(False)
    assert sum(e["filled"] for e in s["epochs"][4:]) < 50
    on = GenesisFile.single(ElectionConfig(**{**run.config.__dict__, "inactivity_threshold": 50}),
                            run.genesis.initial_seed, run.table)
    report = audit(on, canonical_records(run))
    assert not report.ok and report.inactivity is not None
    assert "inactivity" not in audit(run.genesis, canonical_records(run)).to_dict()


def test_a_returning_validator_gets_its_weight_back() -> None:
    params = SimParams(validators=12, epochs=8, epoch_length=30, stake="equal", seed=3, recovery=True,
                       faults=parse_faults("outage:stake=0.4,at=120,for=120"))  # down in epochs 2 and 3
    run = simulate(params)
    down = sorted(run.roles["outage"])
    assert run.reduced.get(4) == down and run.reduced.get(5) == down
    assert all(e not in run.reduced for e in (6, 7))  # they produced in epochs 4 and 5: full weight again
    # each reduced validator kept at least one primary slot in epoch 4 (the floor) and produced it
    producers = {b.claim.validator_id for x, b in run.canonical.items() if 120 <= x < 150 and b.claim.rank == 0}
    assert set(down) <= producers
    assert audit(run.genesis, canonical_records(run)).ok


OFF_DIGEST = "1d737fba862ee5746fccdfbf37df254d968107f4abe14b03a2347657037d6835"
"""Computed with the code before the rule existed (main just before the rule was merged, which
already had the audit's health section): summaries, genesis, histories and audit reports of two
runs, byte for byte."""


def test_rule_off_leaves_simulator_and_audit_outputs_byte_identical() -> None:
    h = hashlib.sha256()
    for faults in ("outage:stake=0.4,at=120,for=1000", "crash;falsevote:stake=0.1"):
        run = simulate(SimParams(validators=10, epochs=4, epoch_length=30, stake="equal",
                                 faults=parse_faults(faults), seed=5))
        h.update(json.dumps(summarize(run), sort_keys=True).encode())
        h.update(run.genesis.to_json().encode())
        for r in canonical_records(run):
            h.update(r.to_line().encode())
        report = audit(run.genesis, canonical_records(run)).to_dict()
        for key in ("mode", "mode_detail"):  # added to every report by the election modes, after the digest
            assert report.pop(key) == ("rotation" if key == "mode" else None)
        h.update(json.dumps(report, indent=2).replace(" ", "").encode().split(b'"elapsed_seconds"')[0])
    assert h.hexdigest() == OFF_DIGEST


# -- partitions -------------------------------------------------------------------------------------

def _partition(finality: str | None):  # type: ignore[no-untyped-def]
    table, keys = dev_table([1000] * 10)
    side_a, side_b = table.ids[:6], table.ids[6:]                 # 60 % and 40 %: neither above 2/3
    kw = {} if finality is None else {"inactivity_threshold": 50, "inactivity_finality": finality}
    genesis = GenesisFile.single(ElectionConfig(b"partition", epoch_length=60, **kw), bytes(32), table)
    l1_a = {e: e - 2 for e in range(8)}                           # the L1 finalizes side A's chain
    l1_b = {e: min(e - 2, 1) for e in range(8)}                   # and nothing of side B's after the split
    a = side_chain(genesis, keys, side_a, 120, 359, l1_a)         # the split: slot 120, start of epoch 2
    b = side_chain(genesis, keys, side_b, 120, 359, l1_b)
    assert audit(genesis, a.records, l1_finalized=l1_a).ok
    assert audit(genesis, b.records, l1_finalized=l1_b).ok
    return a, b


def test_a_long_partition_forks_the_chain_under_the_rule() -> None:
    a, b = _partition("chain")
    assert a.filled[4:] == [60, 60] and b.filled[4:] == [60, 60]  # both sides recovered on their own
    assert a.tables[4] != b.tables[4]                              # under different effective tables
    assert set(a.reduced[4]) == b.members and set(b.reduced[4]) == a.members
    assert a.certified_slots() and b.certified_slots()             # both certify takeovers
    a_blocks = {r.claim.slot: r.header for r in a.records if r.claim.slot >= 240}
    b_blocks = {r.claim.slot: r.header for r in b.records if r.claim.slot >= 240}
    assert len(a_blocks) == len(b_blocks) == 120
    assert all(a_blocks[s] != b_blocks[s] for s in a_blocks)       # two blocks per slot, disjoint signers


def test_without_the_rule_neither_side_certifies_anything() -> None:
    a, b = _partition(None)
    assert a.filled[2:] == [36] * 4 and b.filled[2:] == [24] * 4    # each side: its own primaries only
    assert not a.certified_slots() and not b.certified_slots()


def test_the_l1_gate_lets_only_the_finalized_side_recover() -> None:
    a, b = _partition("l1")
    assert a.filled[4:] == [60, 60] and a.certified_slots()
    assert b.filled[4:] == [24, 24] and not b.certified_slots() and not b.reduced


def test_cli_audit_takes_the_l1_finality_signal(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from election.chain.formats import HistoryWriter
    from election.cli import main

    table, keys = dev_table([1000] * 10)
    cfg = ElectionConfig(b"partition", epoch_length=60, inactivity_threshold=50, inactivity_finality="l1")
    genesis = GenesisFile.single(cfg, bytes(32), table)
    l1 = {e: e - 2 for e in range(2, 8)}
    side = side_chain(genesis, keys, table.ids[:6], 120, 359, l1)
    genesis.save(tmp_path / "genesis.json")
    with HistoryWriter(tmp_path / "history.jsonl") as w:
        w.write_all(side.records)
    (tmp_path / "l1.json").write_text(json.dumps({str(k): v for k, v in l1.items()}))
    (tmp_path / "bad.json").write_text('{"01": 3}')
    args = [str(tmp_path / "genesis.json"), str(tmp_path / "history.jsonl")]
    assert main(["audit", *args, "--l1-finality", str(tmp_path / "l1.json")]) == 0
    assert main(["audit", *args]) == 1          # without the signal nothing is finalized: takeovers invalid
    assert main(["audit", *args, "--l1-finality", str(tmp_path / "bad.json")]) == 2


def test_record_empty_equals_record_with_every_slot_missed(rng) -> None:  # type: ignore[no-untyped-def]
    table = dev_table([rng.randrange(1, 50) for _ in range(12)])[0]
    for finality in ("chain", "l1"):
        cfg = ElectionConfig(b"x", epoch_length=30, inactivity_threshold=rng.randrange(1, 101),
                             inactivity_finality=finality)
        slow, fast = (InactivityState(cfg, lambda e: table) for _ in range(2))
        for epoch in range(12):
            counts = [rng.choice([0, 0, 1, 3]) for _ in table.ids]
            l1 = rng.choice([None, epoch - 1, epoch])
            if rng.random() < 0.5:
                slow.record(epoch, {v: Outcome(n, n, 0) for v, n in zip(table.ids, counts, strict=True)}, l1)
                fast.record_empty(epoch, table.ids, counts, l1)
            else:  # a non-empty epoch in between, the same for both
                outs = {v: Outcome(n, rng.randrange(n + 1), rng.randrange(3)) for v, n in zip(table.ids, counts,
                                                                                               strict=True)}
                slow.record(epoch, outs, l1)
                fast.record(epoch, outs, l1)
            assert slow.reduced(epoch + 2) == fast.reduced(epoch + 2)
            assert slow.table(epoch + 2) == fast.table(epoch + 2)


def test_cli_simulate_recovery_flag(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from election.cli import main

    args = ["simulate", "--validators", "12", "--epochs", "5", "--epoch-length", "30", "--stake", "equal",
            "--seed", "3", "--faults", "outage:stake=0.4,at=120,for=100000", "--out", str(tmp_path), "--quiet"]
    assert main([*args, "--recovery"]) == 0
    text = capsys.readouterr().out
    assert "recovery        inactivity rule on" in text and "epoch 4: 5 (41.7% of stake)" in text
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["params"]["recovery"] is True and summary["epochs"][4]["filled"] == 30
    genesis = json.loads((tmp_path / "genesis.json").read_text())
    assert genesis["config"]["inactivity_threshold"] == 50
    assert main(args) == 0
    assert "recovery" not in json.loads((tmp_path / "summary.json").read_text())
