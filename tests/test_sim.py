"""election.sim: small deterministic runs with real keys, proofs, votes and the audit."""

from __future__ import annotations

import json

import pytest

from election import audit
from election.sim import (
    FaultSpecError,
    SimError,
    SimParams,
    parse_faults,
    simulate,
    summarize,
    write_outputs,
)
from election.sim.summary import canonical_records

SMALL = dict(validators=10, epochs=2, epoch_length=30, stake="equal")


def _run(faults: str, **kw: object):  # type: ignore[no-untyped-def]
    params = SimParams(**{**SMALL, **kw, "faults": parse_faults(faults)})  # type: ignore[arg-type]
    run = simulate(params)
    return run, summarize(run)


def test_no_faults_fills_every_slot_and_audits_clean() -> None:
    run, s = _run("none")
    assert s["slots"]["filled"] == s["slots"]["total"] == 60
    assert s["takeovers"]["total"] == 0
    report = audit(run.genesis, canonical_records(run))
    assert report.ok and report.valid == 60 and report.missed == 0
    # the audit recomputes the same seed chain the simulation used
    assert [e.seed for e in report.epochs] == run.seeds[:2]


def test_down_leaders_are_replaced_by_rank_1_with_certificates() -> None:
    run, s = _run("down:stake=0.1")
    assert run.roles["down"]
    assert s["slots"]["filled"] == 60
    assert s["takeovers"]["by_rank"].get("1", 0) > 0
    for b in run.canonical.values():
        if b.claim.rank > 0:
            assert b.claim.certificate is not None
            assert b.claim.certificate.signed_stake(run.table) * 3 > 2 * run.table.total_stake
    assert s["takeover_latency_s"]["p50"] >= run.config.failover_timeout_ms / 1000
    assert audit(run.genesis, canonical_records(run)).ok


def test_more_than_a_third_down_gives_no_certificates() -> None:
    run, s = _run("down:stake=0.4")
    assert s["takeovers"]["total"] == 0
    assert s["primary_failures"]["empty"] == s["slots"]["empty"] > 0
    assert audit(run.genesis, canonical_records(run)).ok


def test_invalid_claims_and_votes_rejected_by_every_honest_node(tmp_path) -> None:  # type: ignore[no-untyped-def]
    run, s = _run("invalid:stake=0.1,rate=0.5")
    b = s["byzantine"]
    assert b["invalid_claims_sent"] > 0
    assert b["invalid_claim_deliveries"] > 0 and b["invalid_claims_rejected"] == b["invalid_claim_deliveries"]
    assert b["invalid_vote_deliveries"] > 0 and b["invalid_votes_rejected"] == b["invalid_vote_deliveries"]
    paths = write_outputs(run, str(tmp_path), s)
    assert audit(paths["genesis"], paths["history"]).ok  # rejected blocks are not in the chain
    flagged = audit(paths["genesis"], paths["rejected"])  # and the audit flags every one of them
    assert flagged.valid == 0 and flagged.invalid == len(run.rejected) > 0


def test_false_votes_and_equivocation_do_not_break_the_chain() -> None:
    run, s = _run("falsevote:stake=0.2;equivocate:stake=0.1")
    assert s["byzantine"]["false_votes_sent"] > 0
    assert s["byzantine"]["takeovers_against_live_leader"] == 0
    assert s["byzantine"]["equivocations"] > 0 and s["byzantine"]["equivocation_evidence"] > 0
    assert s["slots"]["filled"] == 60
    assert audit(run.genesis, canonical_records(run)).ok


def test_stalled_and_restarted_primaries_never_double_produce() -> None:
    run, s = _run("stall:rate=0.3;restart:rate=0.3,at=0.02,down=0.05")
    ss = s["slot_safety"]
    assert ss["stalls"] > 0 and ss["restarts"] > 0
    assert ss["honest_validator_double_blocks"] == 0 and ss["slots_with_multiple_honest_blocks"] == 0
    assert ss["refused"]["guard"] > 0  # restarted inside their window: the guard said no
    assert s["slots"]["filled"] == 60 and s["takeovers"]["total"] >= ss["stalls"] // 2
    assert audit(run.genesis, canonical_records(run)).ok


def test_equivocation_is_proven_by_the_audit_with_observed_blocks(tmp_path) -> None:  # type: ignore[no-untyped-def]
    run, s = _run("equivocate:stake=0.2")
    assert s["slot_safety"]["equivocations_detected"] > 0
    paths = write_outputs(run, str(tmp_path), s)
    assert audit(paths["genesis"], paths["history"]).ok
    report = audit(paths["genesis"], paths["history"], observed=paths["observed"])
    assert not report.ok and report.equivocations
    cheaters = set(run.roles["equivocate"])
    assert {e["validator_id"] for e in report.equivocations} <= cheaters
    assert all(e["kind"] == "header_equivocation" for e in report.equivocations)


def test_withholding_is_measured_and_the_history_still_audits() -> None:
    run, s = _run("withhold:stake=0.3", epochs=3)
    g = s["grinding"]
    assert g is not None and g["attackers"] == run.roles["withhold"]
    assert audit(run.genesis, canonical_records(run)).ok


def test_same_seed_same_summary(tmp_path) -> None:  # type: ignore[no-untyped-def]
    texts = []
    for d in ("a", "b"):
        run, s = _run("crash:rate=0.1,mttr=20;invalid", jitter=0.01, loss=0.01)
        write_outputs(run, str(tmp_path / d), s)
        texts.append((tmp_path / d / "summary.json").read_bytes())
    assert texts[0] == texts[1]
    _, other = _run("crash:rate=0.1,mttr=20;invalid", jitter=0.01, loss=0.01, seed=2)
    assert json.dumps(other, sort_keys=True).encode() != texts[0]


def test_fault_spec_errors() -> None:
    assert parse_faults("crash:rate=0.1;withhold").of("withhold")[0].get("stake") == 0.1
    assert parse_faults(["crash", "none"]).items == ()
    for bad in ("quake", "crash:rate=2", "crash:speed=1", "down:stake=x", "crash:mttr=0"):
        with pytest.raises(FaultSpecError):
            parse_faults(bad)
    with pytest.raises(SimError):
        simulate(SimParams(validators=3))


@pytest.mark.parametrize("faults", ["down:stake=0.2;crash:rate=0.1,mttr=15", "outage:stake=0.35,for=12"])
def test_shared_heartbeat_feeds_change_nothing(faults: str) -> None:
    """Shared per-sender heartbeat feeds (the default with no loss) give exactly the run of
    per-pair detectors: same chain, times, failures, counters (down-from-start validators
    exercise the bootstrap path; crashes and recoveries exercise followers made mid-run)."""
    from election.sim.engine import Simulation

    params = SimParams(validators=16, epochs=2, epoch_length=30, faults=parse_faults(faults), seed=5)
    shared, per_pair = Simulation(params), Simulation(params, shared_heartbeats=False)
    assert shared.shared_heartbeats and not per_pair.shared_heartbeats
    a, b = shared.run(), per_pair.run()

    def key(r):  # type: ignore[no-untyped-def]
        return ([(s, p.claim.to_bytes(), p.time) for s, p in sorted(r.canonical.items())], r.counters,
                r.primary_failed, r.downtime, r.seeds)

    assert key(a) == key(b)
    assert a.counters["votes"] > 0 and a.primary_failed  # the detectors were exercised
    with pytest.raises(SimError):
        Simulation(SimParams(validators=8, epochs=1, epoch_length=30, loss=0.1), shared_heartbeats=True)
