"""election.risk.model and `seqvrf risk`: the exact per-slot probabilities against brute-force
enumeration, the run-length dynamic programmes against enumeration, the Monte Carlo against
the exact marginal, and the model against `seqvrf simulate` (20 runs)."""

from __future__ import annotations

import itertools
import json
import math
import random
from pathlib import Path

import pytest

from election.cli import main
from election.dev.keys import dev_table
from election.risk.model import (
    Group,
    RiskModelError,
    down_threshold,
    longest_run_distribution,
    monte_carlo,
    slot_risks,
    stall_probability,
    stall_slots,
    transient_availability,
)
from election.rules.config import ElectionConfig
from election.rules.schedule import Schedule
from election.rules.votes import is_quorum


def _schedule(stakes: list[int], length: int = 12, tag: bytes = b"t") -> Schedule:
    table, _ = dev_table(stakes, b"risk-model-" + tag)
    cfg = ElectionConfig(b"risk", epoch_length=length, slot_duration_ms=2000, failover_timeout_ms=500, backups=3)
    return Schedule(cfg, table, 0, bytes(32))


def _brute(sched: Schedule, avail: dict[str, float], groups: list[Group]) -> list[float]:
    """Enumerate every up/down state of every validator and group."""
    ids = list(sched.table.ids)
    total = sched.table.total_stake
    group_of = {m: k for k, g in enumerate(groups) for m in g.members}
    out = [0.0] * len(sched.slots)
    for gbits in itertools.product((0, 1), repeat=len(groups)):
        pg = math.prod(g.down if b else 1 - g.down for g, b in zip(groups, gbits, strict=True))
        for bits in itertools.product((0, 1), repeat=len(ids)):
            p = pg * math.prod((1 - avail[v]) if b else avail[v] for v, b in zip(ids, bits, strict=True))
            if p == 0:
                continue
            down = {v for v, b in zip(ids, bits, strict=True) if b or (v in group_of and gbits[group_of[v]])}
            live = sum(sched.table[v].stake for v in ids if v not in down)
            for j, s in enumerate(sched.slots):
                r = sched.ranking(s)
                if r[0] in down and (all(b in down for b in r[1:]) or not is_quorum(live, total)):
                    out[j] += p
    return out


@pytest.mark.parametrize("trial", range(4))
def test_slot_risks_equal_brute_force_enumeration(trial: int) -> None:
    rng = random.Random(trial)
    stakes = [rng.randint(1, 60) for _ in range(rng.choice([5, 7, 8]))]
    sched = _schedule(stakes, tag=bytes([trial]))
    ids = list(sched.table.ids)
    avail = {v: rng.choice([0.0, 0.55, 0.8, 0.97, 1.0]) for v in ids}
    groups = [Group("a", tuple(ids[:2]), 0.1), Group("b", tuple(ids[3:5]), 0.3)] if trial % 2 else []
    exact = _brute(sched, avail, groups)
    got = slot_risks(sched, avail, groups)
    assert [r.slot for r in got] == list(sched.slots)
    for r, e in zip(got, exact, strict=True):
        assert r.empty == pytest.approx(e, abs=1e-12) and r.error <= 1e-12
        assert r.empty == pytest.approx(r.all_down + r.no_quorum, abs=1e-15)
    # coarse stake units bracket the quorum term: the stated error covers the difference
    for r, e in zip(slot_risks(sched, avail, groups, max_bins=3), exact, strict=True):
        assert abs(r.empty - e) <= r.error + 1e-12


def test_down_threshold_is_the_certificate_rule() -> None:
    for total in range(1, 300):
        d = down_threshold(total)
        assert not is_quorum(total - d, total) and (d == 0 or is_quorum(total - d + 1, total))


def test_bad_inputs_are_refused() -> None:
    sched = _schedule([1, 2, 3, 4])
    ids = list(sched.table.ids)
    with pytest.raises(RiskModelError):
        slot_risks(sched, {ids[0]: 0.9})
    with pytest.raises(RiskModelError):
        slot_risks(sched, dict.fromkeys(ids, 0.9), [Group("a", (ids[0],), 0.1), Group("b", (ids[0],), 0.1)])
    with pytest.raises(RiskModelError):
        Group("c", (ids[0],), 1.5)


def test_run_length_programmes_equal_enumeration() -> None:
    rng = random.Random(1)
    probs = [rng.random() * 0.6 for _ in range(10)]
    dist = [0.0] * 11
    for bits in itertools.product((0, 1), repeat=10):
        p = math.prod(q if b else 1 - q for q, b in zip(probs, bits, strict=True))
        run = best = 0
        for b in bits:
            run = run + 1 if b else 0
            best = max(best, run)
        dist[best] += p
    assert longest_run_distribution(probs) == pytest.approx(dist, abs=1e-14)
    assert longest_run_distribution(probs, 3)[3] == pytest.approx(sum(dist[3:]), abs=1e-14)
    # a horizon of several epochs: the repeated-squaring programme equals the direct one
    repeated = probs * 7 + probs[:4]
    direct = sum(longest_run_distribution(repeated, 3)[3:])
    assert stall_probability(probs, len(repeated), 3) == pytest.approx(direct, rel=1e-12)
    # tiny probabilities keep their relative accuracy: about (n - k + 1) q^k
    assert stall_probability([1e-3] * 300, 302_400, 6) == pytest.approx(302_395e-18, rel=1e-4)
    assert stall_slots(10, 2) == 6 and stall_slots(9.9, 2) == 5


def test_monte_carlo_marginal_matches_the_exact_model() -> None:
    sched = _schedule([1000] * 8, length=60, tag=b"mc")
    avail = dict.fromkeys(sched.table.ids, 0.75)
    exact = sum(r.empty for r in slot_risks(sched, avail))
    mc = monte_carlo(sched, avail, mttr=20.0, runs=300, seed=3, stall_run=3)
    assert abs(mc.empty_mean - exact) <= 4 * mc.empty_se
    assert sum(mc.longest.values()) == 300 and 0 < mc.stall_epochs < 300


def test_model_agrees_with_the_simulator_over_20_runs() -> None:
    """seqvrf simulate with crash faults (6 equal validators, 40 slots, 25 % downtime, MTTR 15 s)
    against the model on the same parameters: the mean number of empty slots (exact, with the
    simulator's start with every validator up) and P(longest empty run >= k) (persistent-failure
    Monte Carlo) agree within 3 standard errors of the 20 simulated runs."""
    from election.sim import SimParams, parse_faults, simulate

    n, length, rate, mttr = 20, 40, 0.25, 15.0
    empties, longest, model = [], [], []
    mc_longest: dict[int, int] = {}
    for seed in range(1, n + 1):
        run = simulate(SimParams(validators=6, epochs=1, epoch_length=length, stake="equal", seed=seed,
                                 faults=parse_faults(f"crash:rate={rate},mttr={mttr}")))
        run_len = best = 0
        for s in range(length):
            run_len = 0 if s in run.canonical else run_len + 1
            best = max(best, run_len)
        empties.append(length - len(run.canonical))
        longest.append(best)
        sched = Schedule(run.config, run.table, 0, run.seeds[0])
        for s in range(length):
            at = dict.fromkeys(run.table.ids, transient_availability(1 - rate, mttr, 2.0 * s))
            model.append(slot_risks(sched, at, slots=[s])[0].empty)
        mc = monte_carlo(sched, dict.fromkeys(run.table.ids, 1 - rate), mttr=mttr, runs=50, seed=seed, start_up=True)
        for k, c in mc.longest.items():
            mc_longest[k] = mc_longest.get(k, 0) + c
    mean = sum(empties) / n
    se = math.sqrt(sum((x - mean) ** 2 for x in empties) / (n - 1) / n)
    assert abs(mean - sum(model) / n) <= 3 * se, (mean, se, sum(model) / n)  # model: per-slot terms of n runs
    for k in (1, 2, 3):
        sim_p = sum(b >= k for b in longest) / n
        mc_p = sum(c for kk, c in mc_longest.items() if kk >= k) / (50 * n)
        assert abs(sim_p - mc_p) <= 3 * math.sqrt(mc_p * (1 - mc_p) / n) + 0.05, (k, sim_p, mc_p)


# -- the command ------------------------------------------------------------------------------------
def _chain(tmp_path: Path) -> tuple[str, str]:
    from election.sim import SimParams, parse_faults, simulate, write_outputs

    run = simulate(SimParams(validators=8, epochs=1, epoch_length=30, stake="equal", seed=4,
                             faults=parse_faults("crash:rate=0.2,mttr=10")))
    paths = write_outputs(run, str(tmp_path / "sim"), {})
    return paths["genesis"], paths["history"]


def test_cli_risk_from_history_and_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    genesis, history = _chain(tmp_path)
    assert main(["risk", genesis, history, "--json", "--runs", "50"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["format"] == "seqvrf-risk" and out["epoch"] == 1 and len(out["per_slot"]) == 30
    assert out["stall"]["empty_slots_in_a_row"] == 6 and out["availability_source"] == "history"
    assert abs(sum(out["independent_slots"]["longest_run"]) - 1) < 1e-9
    from election.chain.formats import GenesisFile

    ids = list(GenesisFile.load(genesis).table_for(0).ids)
    avail = tmp_path / "avail.json"
    avail.write_text(json.dumps({"default": 0.9, "validators": {ids[0]: 0.5}, "mttr": 30}))
    groups = tmp_path / "groups.json"
    groups.write_text(json.dumps([{"name": "dc", "members": ids[:3], "down": 0.05, "mttr": 120}]))
    assert main(["risk", genesis, "--availability", str(avail), "--groups", str(groups), "--runs", "20"]) == 0
    text = capsys.readouterr().out
    assert "1 group(s)" in text and "expected empty slots per epoch" in text
    assert main(["risk", genesis]) == 2  # no availabilities
    groups.write_text(json.dumps([{"members": ["nobody"], "down": 0.1}]))
    assert main(["risk", genesis, "--availability", str(avail), "--groups", str(groups)]) == 2
    assert "not in the stake table" in capsys.readouterr().err
