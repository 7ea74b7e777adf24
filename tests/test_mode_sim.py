"""The simulator in every election mode, and the targeted attacker (``target`` fault)."""

from __future__ import annotations

import pytest

from election import SecretEpoch, WindowedSchedule, audit
from election.sim import FaultSpecError, SimError, SimParams, parse_faults, simulate, summarize
from election.sim.engine import Simulation
from election.sim.faults import prediction_slot
from election.sim.summary import canonical_records

SMALL = dict(validators=10, epochs=2, epoch_length=30, stake="equal")


def _run(faults: str, **kw: object):  # type: ignore[no-untyped-def]
    params = SimParams(**{**SMALL, **kw, "faults": parse_faults(faults)})  # type: ignore[arg-type]
    run = simulate(params)
    return run, summarize(run)


def test_target_fault_parses() -> None:
    item = parse_faults("target:budget=2,lead=7").items[0]
    assert (item.kind, item.get("budget"), item.get("lead")) == ("target", 2.0, 7.0)
    with pytest.raises(FaultSpecError):
        parse_faults("target:budget=1.5")


def test_rotation_target_isolates_every_predicted_primary() -> None:
    run, s = _run("target:budget=1,lead=3")
    assert s["slots"]["filled"] == 60
    assert run.counters["dos_slots"] == 60  # the rotation's whole epoch is predictable
    assert all(b.claim.rank == 1 for b in run.canonical.values())
    assert set(run.primary_failed.values()) == {"targeted"}
    assert audit(run.genesis, canonical_records(run)).ok


def test_windowed_target_cannot_reach_past_the_window() -> None:
    # W = 5: a window is known 5 to 9 slots ahead; an attacker needing 10 slots predicts none.
    run, s = _run("target:budget=3,lead=10", mode="windowed", window=5)
    assert run.counters["dos_slots"] == 0 and s["slots"]["filled"] == 60
    assert all(b.claim.rank == 0 for b in run.canonical.values())
    rep = audit(run.genesis, canonical_records(run))
    assert rep.ok and rep.mode == "windowed"
    # With a lead the window allows, part of each window is hit (positions lead - W .. W - 1).
    run2, s2 = _run("target:budget=1,lead=7", mode="windowed", window=5)
    hit = sum(1 for x in range(60) if prediction_slot(run2.config, x) is not None
              and prediction_slot(run2.config, x) <= x - 7)  # type: ignore[operator]
    assert run2.counters["dos_slots"] == hit == 36 and s2["slots"]["filled"] == 60


def test_secret_target_predicts_nothing_and_audits() -> None:
    run, s = _run("target:budget=10,lead=0", mode="secret", proposers=5)
    assert run.counters["dos_slots"] == 0 and run.counters["votes"] == 0
    assert all(b.claim.rank == 0 and b.claim.mode == "secret" for b in run.canonical.values())
    assert s["slots"]["filled"] >= 55  # e^-5 = 0.7 % empty expected
    rep = audit(run.genesis, canonical_records(run))
    assert rep.ok and rep.mode == "secret" and rep.valid == s["slots"]["filled"]


def test_mode_parameters_and_rotation_only_faults() -> None:
    sim = Simulation(SimParams(**SMALL, mode="windowed"))  # type: ignore[arg-type]
    assert isinstance(sim.schedule(0), WindowedSchedule) and sim.config.window == 3
    assert isinstance(Simulation(SimParams(**SMALL, mode="secret")).schedule(0), SecretEpoch)  # type: ignore[arg-type]
    for kw in ({"mode": "rotation", "window": 5}, {"mode": "windowed", "proposers": 3}, {"mode": "bogus"}):
        with pytest.raises(SimError):
            Simulation(SimParams(**{**SMALL, **kw}))  # type: ignore[arg-type]
    with pytest.raises(SimError, match="rotation"):
        Simulation(SimParams(**SMALL, mode="secret", faults=parse_faults("equivocate")))  # type: ignore[arg-type]
