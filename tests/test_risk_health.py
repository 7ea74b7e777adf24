"""election.risk: exact binomial/beta functions, availability intervals, excess-miss and
change-point flags (synthetic outcome sequences, many seeds), the online monitor and the
audit's health section."""

from __future__ import annotations

import random
from fractions import Fraction
from math import comb

import pytest

from election.risk.health import HealthMonitor, OutcomeLog, assess
from election.risk.stats import beta_ppf, betainc, binom_sf, clopper_pearson, holm

V, SLOTS, L, BASE, BAD_RATE = 20, 2400, 240, 0.02, 0.4
CHANGE = SLOTS // 2
MAX_DELAY = 50  # of the degraded validator's own primary slots (docs/risk.md: median 17, max 41)


Event = tuple[int, str, "int | None", "str | None"]


def _events(seed: int, bad: str | None = None) -> list[Event]:
    """V validators, uniform primaries, miss rate BASE; ``bad`` misses BAD_RATE from slot CHANGE on.
    One (slot, primary, rank or None, producer or None) per slot."""
    rng = random.Random(seed)
    ids = [f"v{i:02d}" for i in range(V)]
    out: list[Event] = []
    for s in range(SLOTS):
        k = rng.randrange(V)
        missed = rng.random() < (BAD_RATE if ids[k] == bad and s >= CHANGE else BASE)
        rank = (1 if rng.random() < 0.9 else None) if missed else 0
        out.append((s, ids[k], rank, None if rank is None else ids[(k + 1) % V] if rank else ids[k]))
    return out


def _history(seed: int, bad: str | None = None) -> tuple[OutcomeLog, list[str]]:
    """The events of :func:`_events` in an OutcomeLog, and the primary of every slot."""
    log = OutcomeLog()
    events = _events(seed, bad)
    for slot, primary, rank, producer in events:
        log.add(slot, slot // L, primary, rank, producer)
    return log, [e[1] for e in events]


# -- numerics ---------------------------------------------------------------------------------
def test_binomial_tail_matches_exact_rational_sums() -> None:
    rng = random.Random(7)
    for _ in range(150):
        n = rng.randint(1, 60)
        k = rng.randint(-1, n + 1)
        p = rng.choice([rng.random(), rng.random() / 100, 0.5])
        pf = Fraction(p)
        exact = sum(comb(n, j) * pf**j * (1 - pf) ** (n - j) for j in range(max(k, 0), n + 1)) if k <= n else 0
        assert binom_sf(k, n, p) == pytest.approx(float(exact), abs=1e-13)


def test_beta_quantiles_invert_the_incomplete_beta() -> None:
    rng = random.Random(3)
    for _ in range(100):
        a, b, q = rng.choice([0.5, 1, 3, 40, 5000]), rng.choice([0.5, 2, 7, 300, 10**5]), rng.random()
        x = beta_ppf(q, a, b)
        assert betainc(a, b, max(0.0, x - 1e-11)) <= q + 1e-12 <= betainc(a, b, min(1.0, x + 1e-11)) + 2e-12


def test_clopper_pearson_closed_forms_and_a_known_value() -> None:
    assert clopper_pearson(0, 10) == (0.0, pytest.approx(1 - 0.025 ** 0.1, abs=1e-12))
    assert clopper_pearson(10, 10) == (pytest.approx(0.025 ** 0.1, abs=1e-12), 1.0)
    lo, hi = clopper_pearson(3, 10)  # textbook: (0.0667, 0.6525)
    assert lo == pytest.approx(0.066739511, abs=1e-8) and hi == pytest.approx(0.652452850, abs=1e-8)
    with pytest.raises(ValueError):
        clopper_pearson(4, 3)


def test_holm_steps_down() -> None:
    assert holm([0.001, 0.03, 0.013, 0.5], 0.05) == [True, False, True, False]  # 0.03 > 0.05 / 2
    assert holm([0.001, 0.02, 0.013, 0.5], 0.05) == [True, True, True, False]
    assert holm([0.03, 0.04], 0.05) == [False, False]


# -- offline assessment ---------------------------------------------------------------------------
def test_change_point_flags_a_validator_that_starts_missing_40_percent() -> None:
    """In every seed the degraded validator is flagged after the change, within MAX_DELAY of
    its own primary slots, and nobody else is flagged."""
    for seed in range(25):
        log, primaries = _history(seed, bad="v03")
        report = assess(log, intervals=False)
        assert {f.validator_id for f in report.flags} == {"v03"}, seed
        cps = [f for f in report.flags if f.kind == "change_point"]
        assert len(cps) == 1
        e = cps[0].evidence
        assert CHANGE <= e["detected_slot"] and e["statistic"] >= e["threshold"]
        own_after = primaries[CHANGE:e["detected_slot"] + 1].count("v03")
        assert 1 <= own_after <= MAX_DELAY, (seed, own_after)
        assert e["availability_after_change"] < 0.8 < e["availability_before_change"]
        assert e["alarms"] >= 2 and e["last_detected_slot"] > e["detected_slot"]  # still degraded: alarms again


def test_clean_histories_raise_no_flag_in_95_percent_of_seeds() -> None:
    flagged = sum(bool(assess(_history(1000 + seed)[0], intervals=False).flags) for seed in range(100))
    assert flagged <= 5


def test_report_counts_and_intervals() -> None:
    log = OutcomeLog()
    # v1 primary in 4 slots: produced, missed (taken over by v2), produced, empty
    for slot, (rank, producer) in enumerate([(0, "v1"), (1, "v2"), (0, "v1"), (None, None)]):
        log.add(slot, slot // 2, "v1", rank, producer)
    r = assess(log)
    v1, v2 = r.validators
    assert (v1.id, v1.primary, v1.produced, v1.missed, v1.takeovers) == ("v1", 4, 2, 2, 0)
    assert (v2.id, v2.primary, v2.takeovers) == ("v2", 0, 1)
    assert v1.availability.estimate == 0.5 and (v1.availability.low, v1.availability.high) == clopper_pearson(2, 4)
    assert [(e.epoch, e.primary, e.produced) for e in v1.epochs] == [(0, 2, 1), (1, 2, 1)]
    assert (r.slots, r.empty, r.missed) == (4, 1, 2)
    d = r.to_dict()
    assert d["validators"][0]["availability"]["estimate"] == 0.5 and d["missed_primary"] == 2


# -- online ----------------------------------------------------------------------------------------
def test_online_monitor_alerts_on_the_drop_and_stays_quiet_on_clean_runs() -> None:
    for seed in range(5):
        mon = HealthMonitor(L, horizon=SLOTS)
        events = _events(seed, bad="v03")
        first = None
        for slot, primary, rank, producer in events:
            for alert in mon.observe(slot, primary, rank, producer):
                assert alert.validator_id == "v03" and alert.evidence["detected_slot"] >= CHANGE
                first = first or alert
        assert first is not None, seed
        own_after = [e[1] for e in events[CHANGE:first.evidence["detected_slot"] + 1]].count("v03")
        assert own_after <= MAX_DELAY
        assert mon.availability("v03").estimate is not None and mon.availability("v03").estimate < 0.9
        assert mon.report().validators[3].id == "v03"
    quiet = 0
    for seed in range(20):
        mon = HealthMonitor(L, horizon=SLOTS)
        for e in _events(2000 + seed):
            mon.observe(*e)
        quiet += not mon.alerts
    assert quiet >= 19


# -- end to end: the audit's health section ----------------------------------------------------------
def test_audit_health_section_flags_validators_of_an_outage() -> None:
    from election import audit
    from election.sim import SimParams, parse_faults, simulate
    from election.sim.summary import canonical_records

    # 2 of 10 equal validators go down at 120 s (slot 60) for the rest of the 180-slot run.
    run = simulate(SimParams(validators=10, epochs=3, epoch_length=60, stake="equal",
                             faults=parse_faults("outage:stake=0.2,at=120,for=10000"), seed=2))
    report = audit(run.genesis, canonical_records(run))
    health = report.health
    assert report.ok and health is not None
    down = set(run.roles["outage"])
    assert len(down) == 2
    assert {f.validator_id for f in health.flags if f.kind == "excess_misses"} == down
    changes = {f.validator_id: f.evidence for f in health.flags if f.kind == "change_point"}
    assert set(changes) == down
    for e in changes.values():
        assert 60 <= e["change_slot"] <= e["detected_slot"] and e["availability_after_change"] == 0.0
    rows = {v.id: v for v in health.validators}
    assert sum(v.takeovers for v in rows.values()) == report.takeovers
    assert all(rows[v].produced == sum(1 for b in run.canonical.values()
                                       if b.claim.validator_id == v and b.claim.rank == 0) for v in rows)
    d = report.to_dict()["health"]
    assert d["primary_slots"] == 180 and len(d["flags"]) == 4 and d["validators"][0]["epochs"]
    assert "FLAG change_point" in report.summary_text()
    clean = simulate(SimParams(validators=10, epochs=3, epoch_length=60, stake="equal",
                               faults=parse_faults("none"), seed=2))
    clean_health = audit(clean.genesis, canonical_records(clean)).health
    assert clean_health is not None and not clean_health.flags and clean_health.missed == 0


def test_add_epoch_records_what_add_records() -> None:
    """The audit's batched OutcomeLog.add_epoch equals slot-by-slot add (outcomes, miss slots,
    per-epoch counters, takeovers, empty slots)."""
    rng = random.Random(9)
    ids = [f"v{i}" for i in range(7)]
    one, batch = OutcomeLog(), OutcomeLog()
    for epoch in range(3):
        first = 100 + 50 * epoch
        primaries = [rng.choice(ids) for _ in range(50)]
        blocks: dict[int, tuple[int, str]] = {}
        for i, p in enumerate(primaries):
            u = rng.random()
            if u < 0.8:
                blocks[first + i] = (0, p)
            elif u < 0.9:
                blocks[first + i] = (rng.randint(1, 3), rng.choice(ids))
            one.add(first + i, epoch, p, *blocks.get(first + i, (None, None)))
        batch.add_epoch(epoch, first, primaries, blocks)
    assert (one.slots, one.empty) == (batch.slots, batch.empty) and one.empty > 0
    for v in ids:
        assert one.outcomes(v) == batch.outcomes(v) and one.miss_slots(v) == batch.miss_slots(v)
        assert one.epochs(v) == batch.epochs(v)
    assert assess(one) == assess(batch)
