"""election.chain.audit: valid histories pass, every kind of tampering fails with the block and
reason named, the seed chain matches an independent recomputation, memory stays flat."""

from __future__ import annotations

import copy
import math
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

import pytest
from audit_chain import CONFIG, EMPTY_EPOCH, GENESIS, KEYS, LAST_SLOT, TABLE, build_records, dump, to_lines, to_objs

import vrf
from election import (
    ElectionConfig,
    GenesisFile,
    HistoryRecord,
    LeaderClaim,
    MalformedHistory,
    Schedule,
    audit,
    next_seed,
)
from election.chain.audit import MAX_EMPTY_EPOCHS, REASON_CODES
from election.chain.stats import chi2_sf, chi_square, gamma_q
from election.dev.chains import certificate_for, dev_history
from election.dev.keys import dev_table

RECORDS = build_records()
LINES = to_lines(RECORDS)
OBJS = to_objs(RECORDS)


def _report_dict(rep: Any) -> dict[str, Any]:
    d = rep.to_dict()
    d.pop("elapsed_seconds")
    return d


@pytest.fixture(scope="module")
def report() -> Any:
    return audit(GENESIS, LINES)


# -- valid histories ----------------------------------------------------------------------


def test_valid_history_passes(report: Any) -> None:
    assert report.ok and report.invalid == 0 and report.invalid_blocks == []
    assert report.blocks == report.valid == len(RECORDS)
    assert report.slots == LAST_SLOT + 1 == report.valid + report.missed
    assert sum(report.by_rank.values()) == report.valid
    assert report.takeovers == sum(1 for r in RECORDS if r.claim.rank > 0) > 0
    assert set(report.by_rank) == {0, 1, 2}


def test_seed_chain_matches_independent_recomputation(report: Any) -> None:
    seed = GENESIS.initial_seed
    by_epoch: dict[int, list[tuple[int, bytes]]] = {}
    for r in RECORDS:
        by_epoch.setdefault(r.claim.epoch, []).append((r.claim.slot, vrf.proof_to_hash(r.claim.proof, CONFIG.suite)))
    assert [e.epoch for e in report.epochs] == list(range(6))
    for e in report.epochs:
        assert e.seed == seed
        assert e.table_digest == GENESIS.table_for(e.epoch).digest()
        seed = next_seed(CONFIG, e.epoch, seed, by_epoch.get(e.epoch, []))
        assert e.next_seed == seed
        assert e.seed_blocks == sum(1 for s, _ in by_epoch.get(e.epoch, []) if s % 32 < CONFIG.cutoff)
    assert report.epochs[EMPTY_EPOCH].produced == 0 and report.epochs[EMPTY_EPOCH].missed == 32
    assert report.epochs[-1].slots == LAST_SLOT % 32 + 1 and not report.epochs[-1].next_seed_final
    assert all(e.next_seed_final for e in report.epochs[:-1])


def test_per_validator_figures(report: Any) -> None:
    rows = report.validators
    assert sum(v.scheduled for v in rows) == report.slots
    assert sum(v.produced for v in rows) == report.valid
    assert sum(v.as_primary for v in rows) == report.by_rank[0]
    assert sum(v.as_backup for v in rows) == report.takeovers
    assert sum(v.expected for v in rows) == report.slots  # exact fractions
    assert sum(v.expected_produced for v in rows) == report.valid
    # Expected slots follow each epoch's table: epochs 0-2 (96 slots) table 1, then table 2.
    v7 = next(v for v in rows if v.id == "v0007")
    slots_t2 = report.slots - 96
    t2 = GENESIS.tables[1][1]
    assert v7.expected == Fraction(96 * 80, TABLE.total_stake) + Fraction(slots_t2 * 241, t2.total_stake)
    for v in rows:
        counted = sum(1 for r in RECORDS if r.claim.validator_id == v.id)
        assert v.produced == counted
    # Independent primary count from the schedules.
    leaders: dict[str, int] = {}
    for e in report.epochs:
        sched = Schedule(CONFIG, GENESIS.table_for(e.epoch), e.epoch, e.seed)
        for vid in sched.leaders()[: e.slots]:
            leaders[vid] = leaders.get(vid, 0) + 1
    assert {v.id: v.scheduled for v in rows} == leaders
    assert report.chi_square is not None and report.chi_square_df == 7 and 0 <= report.p_value <= 1


def test_missed_runs(report: Any) -> None:
    filled = {r.claim.slot for r in RECORDS}
    runs = []
    start = None
    for s in range(LAST_SLOT + 2):
        if s <= LAST_SLOT and s not in filled:
            start = s if start is None else start
        elif start is not None:
            runs.append((start, s - 1))
            start = None
    assert report.missed_runs == len(runs)
    assert report.missed == sum(b - a + 1 for a, b in runs)
    assert report.longest_missed_runs[0] == (64, 95)  # the empty epoch
    assert sum(report.missed_run_histogram.values()) == len(runs)
    top = sorted(runs, key=lambda r: (-(r[1] - r[0]), r[0]))[:10]
    assert sorted(report.longest_missed_runs) == sorted(top)


def test_workers_and_batch_sizes_agree(report: Any) -> None:
    ref = _report_dict(report)
    assert _report_dict(audit(GENESIS, LINES, workers=1)) == ref
    assert _report_dict(audit(GENESIS, LINES, workers=2, batch_size=5)) == ref
    assert _report_dict(audit(GENESIS, LINES, batch_size=1)) == ref
    assert _report_dict(audit(GENESIS, RECORDS)) == ref  # records in memory
    assert _report_dict(audit(GENESIS, to_lines(RECORDS, "hex"))) == ref
    assert _report_dict(audit(GENESIS, [line.encode() for line in LINES])) == ref


def test_paths_and_progress(tmp_path: Any, report: Any) -> None:
    g = tmp_path / "genesis.json"
    h = tmp_path / "history.jsonl"
    GENESIS.save(g)
    h.write_text("".join(LINES))
    calls: list[tuple[int, int, int | None]] = []
    rep = audit(g, h, progress=lambda *a: calls.append(a), batch_size=16)
    assert _report_dict(rep) == _report_dict(report)
    assert len(calls) >= 3
    assert calls[-1] == (len(RECORDS), h.stat().st_size, h.stat().st_size)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)


@pytest.mark.parametrize("kwargs", [{"workers": 0}, {"workers": True}, {"batch_size": 0}])
def test_bad_arguments(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        audit(GENESIS, LINES, **kwargs)


def test_empty_history() -> None:
    """An empty history proves nothing (most likely the wrong file): not ok, said plainly."""
    rep = audit(GENESIS, [])
    assert not rep.ok and rep.invalid == 0 and rep.blocks == 0 and rep.slots == 0
    assert rep.epochs == [] and rep.chi_square is None and rep.to_dict()["ok"] is False
    text = rep.summary_text()
    assert "history is empty" in text and "FAIL: no blocks" in text


def test_start_epoch_after_zero() -> None:
    table, keys = dev_table([5, 6, 7], b"late")
    cfg = ElectionConfig(b"late", epoch_length=8, backups=1)
    genesis = GenesisFile.single(cfg, b"\x05" * 32, table, start_epoch=3)
    recs = list(dev_history(genesis, keys, 8 * 5 + 2))
    assert recs[0].claim.slot == 24
    rep = audit(genesis, recs)
    assert rep.ok and rep.first_slot == 24 and rep.slots == 8 * 5 + 3 - 24 and rep.missed == 0
    early = LeaderClaim(cfg.chain_id, 2, 20, 0, "v0000", bytes(80))
    rep = audit(genesis, [HistoryRecord(20, early), *recs])
    assert not rep.ok and rep.invalid_blocks[0].code == "before_start" and rep.invalid_blocks[0].line == 1


# -- tampering ----------------------------------------------------------------------------

Objs = list[dict[str, Any]]


def _index(pred: Callable[[dict[str, Any]], bool], start: int = 0) -> int:
    return next(i for i, o in enumerate(OBJS) if i >= start and pred(o))


# Blocks after their epoch's cutoff: tampering with one leaves the next seed alone, so it
# is the only invalid block.  (Before the cutoff the next epoch fails too: see below.)
LATE = [i for i, o in enumerate(OBJS) if o["slot"] % 32 >= CONFIG.cutoff and o["claim"]["rank"] == 0]


def _late(pred: Callable[[dict[str, Any]], bool]) -> int:
    return _index(lambda o: o["slot"] % 32 >= CONFIG.cutoff and pred(o))


def _first_backup(rank: int = 1) -> int:
    return _late(lambda o: o["claim"]["rank"] == rank)


def _other_validator(vid: str) -> str:
    return next(v for v in TABLE.ids if v != vid)


def _set_validator(objs: Objs) -> int:
    i = LATE[0]
    objs[i]["claim"]["validator_id"] = _other_validator(objs[i]["claim"]["validator_id"])
    return i


def _forged_leader(objs: Objs) -> int:
    """The wrong validator with a genuine proof of its own over the slot's input."""
    i = LATE[1]
    c = RECORDS[i].claim
    thief = _other_validator(c.validator_id)
    sched = Schedule(CONFIG, TABLE, c.epoch, GENESIS.initial_seed)
    objs[i]["claim"]["validator_id"] = thief
    objs[i]["claim"]["proof"] = KEYS[thief].vrf_secret.prove(sched.slot_input(c.slot), CONFIG.suite).hex()
    return i


def _flip_proof(objs: Objs) -> int:
    i = LATE[2]
    p = bytearray(bytes.fromhex(objs[i]["claim"]["proof"]))
    p[40] ^= 1
    objs[i]["claim"]["proof"] = p.hex()
    return i


def _proof_from_other_slot(objs: Objs) -> int:
    i = LATE[3]
    vid = objs[i]["claim"]["validator_id"]
    j = _index(lambda o: o["claim"]["validator_id"] == vid and o["claim"]["rank"] == 0 and o["slot"] != objs[i]["slot"])
    objs[i]["claim"]["proof"] = objs[j]["claim"]["proof"]
    return i


def _rank_up(objs: Objs) -> int:
    i = LATE[4]
    objs[i]["claim"]["rank"] = 1
    objs[i]["claim"]["certificate"] = None
    return i


def _rank_down(objs: Objs) -> int:
    """A backup pretends to be the primary (and drops its certificate)."""
    i = _first_backup()
    objs[i]["claim"]["rank"] = 0
    objs[i]["claim"]["certificate"] = None
    return i


def _rank_beyond_depth(objs: Objs) -> int:
    objs[LATE[5]]["claim"]["rank"] = 7
    return LATE[5]


def _strip_certificate(objs: Objs) -> int:
    i = _first_backup()
    objs[i]["claim"]["certificate"] = None
    return i


def _cert_under_quorum(objs: Objs) -> int:
    i = _first_backup()
    cert = objs[i]["claim"]["certificate"]
    cert["votes"] = cert["votes"][:2]
    return i


def _cert_bad_signature(objs: Objs) -> int:
    i = _first_backup(2)
    vote = objs[i]["claim"]["certificate"]["votes"][0]
    sig = bytearray(bytes.fromhex(vote["signature"]))
    sig[0] ^= 0x80
    vote["signature"] = sig.hex()
    return i


def _cert_from_other_slot(objs: Objs) -> int:
    i = _first_backup()
    j = _late(lambda o: o["claim"]["rank"] == 1 and o["slot"] > objs[i]["slot"])
    objs[j]["claim"]["certificate"] = copy.deepcopy(objs[i]["claim"]["certificate"])
    return j


def _stray_certificate(objs: Objs) -> int:
    i = LATE[6]
    objs[i]["claim"]["certificate"] = copy.deepcopy(objs[_first_backup()]["claim"]["certificate"])
    return i


def _swap_lines(objs: Objs) -> int:
    i = next(i for i in LATE if i + 1 in LATE and OBJS[i]["slot"] // 32 == OBJS[i + 1]["slot"] // 32)
    objs[i], objs[i + 1] = objs[i + 1], objs[i]
    return i + 1


def _duplicate_line(objs: Objs) -> int:
    i = LATE[8]
    objs.insert(i + 1, copy.deepcopy(objs[i]))
    return i + 1


def _equivocate(objs: Objs) -> int:
    """A second, different block for a slot: the rightful leader's, with another parent."""
    i = LATE[9]
    twin = copy.deepcopy(objs[i])
    twin["parent_hash"] = "ab" * 32
    objs.insert(i + 1, twin)
    return i + 1


def _slot_field(objs: Objs) -> int:
    objs[LATE[10]]["slot"] += 1
    return LATE[10]


def _chain(objs: Objs) -> int:
    objs[LATE[11]]["claim"]["chain_id"] = b"other".hex()
    return LATE[11]


def _epoch_field(objs: Objs) -> int:
    objs[LATE[12]]["claim"]["epoch"] += 1
    return LATE[12]


def _parent(objs: Objs) -> int:
    objs[LATE[13]]["parent_hash"] = "00" * 32
    return LATE[13]


def _far_future(objs: Objs) -> int:
    c = RECORDS[0].claim
    far = (MAX_EMPTY_EPOCHS + 10) * CONFIG.epoch_length
    objs.append(HistoryRecord(far, LeaderClaim(c.chain_id, far // 32, far, 0, c.validator_id, c.proof)).to_dict())
    return len(objs) - 1


TAMPERS: list[tuple[Callable[[Objs], int], str]] = [
    (_set_validator, "wrong_leader"),
    (_forged_leader, "wrong_leader"),
    (_flip_proof, "invalid_proof"),
    (_proof_from_other_slot, "invalid_proof"),
    (_rank_up, "wrong_leader"),
    (_rank_down, "wrong_leader"),
    (_rank_beyond_depth, "wrong_rank"),
    (_strip_certificate, "missing_certificate"),
    (_cert_under_quorum, "invalid_certificate"),
    (_cert_bad_signature, "invalid_certificate"),
    (_cert_from_other_slot, "certificate_mismatch"),
    (_stray_certificate, "stray_certificate"),
    (_swap_lines, "out_of_order"),
    (_duplicate_line, "duplicate_slot"),
    (_equivocate, "duplicate_slot"),
    (_slot_field, "slot_mismatch"),
    (_chain, "wrong_chain"),
    (_epoch_field, "wrong_epoch"),
    (_parent, "parent_mismatch"),
    (_far_future, "epoch_gap"),
]


@pytest.mark.parametrize("tamper,code", TAMPERS, ids=[t.__name__.strip("_") for t, _ in TAMPERS])
def test_tampering_is_detected(tamper: Callable[[Objs], int], code: str) -> None:
    objs = copy.deepcopy(OBJS)
    index = tamper(objs)
    rep = audit(GENESIS, dump(objs))
    assert not rep.ok
    found = [(b.line, b.code) for b in rep.invalid_blocks]
    assert (index + 1, code) in found, rep.summary_text()
    assert code in REASON_CODES and all(b.reason for b in rep.invalid_blocks)
    assert f"line {index + 1} " in rep.summary_text()
    if tamper is _swap_lines:  # the block moved up no longer links to its predecessor
        assert found == [(index, "parent_mismatch"), (index + 1, code)]
    else:
        assert found == [(index + 1, code)], rep.summary_text()


def _without_hashes(objs: Objs) -> Objs:
    for o in objs:
        o.pop("block_hash", None)
        o.pop("parent_hash", None)
    return objs


def test_tampering_with_a_seed_block_breaks_the_next_epoch() -> None:
    objs = copy.deepcopy(OBJS)
    i = _index(lambda o: o["claim"]["epoch"] == 1 and o["slot"] % 32 < CONFIG.cutoff)
    objs[i]["claim"]["validator_id"] = _other_validator(objs[i]["claim"]["validator_id"])
    rep = audit(GENESIS, dump(objs))
    assert (rep.invalid_blocks[0].line, rep.invalid_blocks[0].code) == (i + 1, "wrong_leader")
    # Epoch 2 is empty but its seed changed too, so epoch 3 onwards has another schedule.
    assert rep.invalid_blocks[1].slot // 32 == 3
    assert all(b.slot // 32 >= 3 for b in rep.invalid_blocks[1:])


def test_replayed_claim_at_a_rightful_slot() -> None:
    """A genuine claim moved to an empty slot of a later epoch where its validator is the
    rightful primary: every static rule holds, but the proof binds the old slot and seed."""
    rep = audit(GENESIS, LINES)
    filled = {o["slot"] for o in OBJS}
    seeds = {e.epoch: e.seed for e in rep.epochs}
    for target in range(4 * 32 + CONFIG.cutoff, 5 * 32):
        if target in filled:
            continue
        leader = Schedule(CONFIG, GENESIS.table_for(4), 4, seeds[4]).leader(target)
        src = _index(lambda o, who=leader: o["claim"]["validator_id"] == who and o["claim"]["rank"] == 0)
        break
    objs = _without_hashes(copy.deepcopy(OBJS))
    moved = copy.deepcopy(objs[src])
    moved["slot"] = moved["claim"]["slot"] = target
    moved["claim"]["epoch"] = 4
    k = next(k for k, o in enumerate(objs) if o["slot"] > target)
    objs.insert(k, moved)
    rep = audit(GENESIS, dump(objs))
    assert [(b.line, b.code) for b in rep.invalid_blocks] == [(k + 1, "invalid_proof")]


def test_deleting_a_seed_block_breaks_the_next_epoch() -> None:
    """A block before the cutoff feeds the next seed: removing it invalidates the next epoch."""
    i = _index(lambda o: o["claim"]["epoch"] == 0 and o["slot"] < CONFIG.cutoff)
    objs = _without_hashes(copy.deepcopy(OBJS))
    del objs[i]
    rep = audit(GENESIS, dump(objs))
    n1 = sum(1 for o in objs if o["claim"]["epoch"] == 1)
    assert set(rep.invalid_by_code) <= {"invalid_proof", "wrong_leader"} and rep.invalid >= n1
    assert rep.invalid_blocks[0].slot // 32 == 1


def test_rejected_block_between_honest_blocks() -> None:
    """A byzantine block the network rejected may sit in the history: the next honest block
    links to the last valid block, and only the rejected one is flagged."""
    i = next(i for i in LATE
             if OBJS[i + 1]["slot"] > OBJS[i]["slot"] + 1 and OBJS[i + 1]["slot"] // 32 == OBJS[i]["slot"] // 32)
    objs = copy.deepcopy(OBJS)
    forged = copy.deepcopy(objs[i])
    forged["slot"] = forged["claim"]["slot"] = objs[i]["slot"] + 1
    forged["parent_hash"] = objs[i]["block_hash"]
    forged["block_hash"] = "ee" * 32
    objs.insert(i + 1, forged)
    rep = audit(GENESIS, dump(objs))
    assert [b.line for b in rep.invalid_blocks] == [i + 2]
    assert rep.invalid_blocks[0].code in ("wrong_leader", "invalid_proof")


def test_deleting_a_block_breaks_the_hash_link() -> None:
    i = _index(lambda o: o["claim"]["epoch"] == 0 and o["slot"] >= CONFIG.cutoff and o["claim"]["rank"] == 0)
    objs = copy.deepcopy(OBJS)
    del objs[i]
    rep = audit(GENESIS, dump(objs))
    assert [(b.line, b.code) for b in rep.invalid_blocks] == [(i + 1, "parent_mismatch")]


def test_deleting_a_late_block_without_hashes_is_only_a_miss() -> None:
    i = _index(lambda o: o["claim"]["epoch"] == 0 and o["slot"] >= CONFIG.cutoff and o["claim"]["rank"] == 0)
    objs = _without_hashes(copy.deepcopy(OBJS))
    full = audit(GENESIS, dump(objs))
    assert full.ok
    del objs[i]
    rep = audit(GENESIS, dump(objs))
    assert rep.ok and rep.missed == full.missed + 1


def test_wrong_genesis_seed_fails_everything() -> None:
    other = GenesisFile(CONFIG, b"\x09" * 32, GENESIS.tables)
    rep = audit(other, LINES)
    assert rep.invalid == rep.blocks and set(rep.invalid_by_code) <= {"invalid_proof", "wrong_leader"}


def test_wrong_genesis_table_fails_everything() -> None:
    table, _ = dev_table([80, 70, 60, 50, 40, 30, 20, 10], b"audit")
    rep = audit(GenesisFile.single(CONFIG, GENESIS.initial_seed, table), LINES)
    assert not rep.ok and rep.valid < rep.blocks // 4


def test_invalid_blocks_kept_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    audit_mod = sys.modules["election.chain.audit"]  # the package attribute is the function
    monkeypatch.setattr(audit_mod, "MAX_INVALID_KEPT", 5)
    rep = audit(GenesisFile(CONFIG, b"\x09" * 32, GENESIS.tables), LINES)
    assert len(rep.invalid_blocks) == 5 and rep.invalid == rep.blocks
    assert rep.to_dict()["invalid_blocks_truncated"] is True


def test_certificate_helper_covers_rank_two() -> None:
    sched = Schedule(CONFIG, TABLE, 0, GENESIS.initial_seed)
    cert = certificate_for(sched, KEYS, 5, 2)
    cert.verify(TABLE, CONFIG)
    assert cert.rank == 2 and cert.slot == 5


def test_malformed_lines_all_reported() -> None:
    lines = list(LINES)
    lines[2] = "{not json\n"
    lines[7] = "\n"
    lines[20] = '{"slot": 1}\n'
    with pytest.raises(MalformedHistory) as info:
        audit(GENESIS, lines)
    exc = info.value
    assert exc.count == 3 and [e.line for e in exc.errors] == [3, 8, 21] and exc.line == 3
    assert "history:3:" in str(exc) and "2 more" in str(exc)


# -- statistics ---------------------------------------------------------------------------


def _q_integer(n: int, x: float) -> float:
    """Q(n, x) for integer n: exp(-x) * sum_{k<n} x^k / k! (independent closed form)."""
    return math.exp(-x) * sum(x**k / math.factorial(k) for k in range(n))  # float-ok


@pytest.mark.parametrize("n", [1, 2, 3, 7, 30])
@pytest.mark.parametrize("x", [0.01, 0.5, 2.0, 6.5, 25.0, 60.0])
def test_gamma_q_matches_closed_form(n: int, x: float) -> None:
    assert gamma_q(n, x) == pytest.approx(_q_integer(n, x), rel=1e-9, abs=1e-300)


def test_chi2_sf_known_values() -> None:
    assert chi2_sf(3.841458820694124, 1) == pytest.approx(0.05, rel=1e-9)
    assert chi2_sf(18.307038053275146, 10) == pytest.approx(0.05, rel=1e-9)
    assert chi2_sf(0.0, 4) == 1.0
    assert chi2_sf(1e4, 3) == pytest.approx(0.0, abs=1e-300)
    # df = 1: Q(1/2, x/2) = erfc(sqrt(x/2))
    for x in (0.1, 1.0, 4.0, 9.0):
        assert chi2_sf(x, 1) == pytest.approx(math.erfc(math.sqrt(x / 2)), rel=1e-9)  # float-ok
    with pytest.raises(ValueError):
        chi2_sf(1.0, 0)
    with pytest.raises(ValueError):
        gamma_q(0, 1.0)


def test_chi_square() -> None:
    stat, df, p = chi_square([10, 20, 30], [Fraction(20), Fraction(20), Fraction(20)])  # type: ignore[misc]
    assert stat == 10.0 and df == 2 and p == pytest.approx(math.exp(-5))
    assert chi_square([5, 0], [Fraction(5), Fraction(0)]) is None


# -- memory -------------------------------------------------------------------------------


def _cheap_lines(genesis: GenesisFile, count: int) -> Iterator[str]:
    """Valid-looking lines for the rightful primary, with a proof that fails fast in C.

    No block is valid, so each epoch's seed is the seed of an empty epoch."""
    config = genesis.config
    chain = config.chain_id.hex()
    proof = "ff" * 80  # Gamma is not a canonical point encoding: rejected at decoding
    seed = genesis.initial_seed
    epoch = -1
    sched: Schedule | None = None
    for slot in range(count):
        if slot // config.epoch_length != epoch:
            if sched is not None:
                seed = next_seed(config, epoch, seed, [])
            epoch = slot // config.epoch_length
            sched = Schedule(config, genesis.table_for(epoch), epoch, seed)
        assert sched is not None
        yield (f'{{"slot":{slot},"claim":{{"chain_id":"{chain}","epoch":{epoch},"slot":{slot},"rank":0,'
               f'"validator_id":"{sched.leader(slot)}","proof":"{proof}","certificate":null}}}}\n')


def _peak(genesis: GenesisFile, count: int) -> tuple[int, Any]:
    tracemalloc.start()
    try:
        rep = audit(genesis, _cheap_lines(genesis, count), workers=2, batch_size=1024)
        return tracemalloc.get_traced_memory()[1], rep
    finally:
        tracemalloc.stop()


def test_memory_stays_flat() -> None:
    table, _ = dev_table([3, 5, 8, 13, 21], b"mem")
    genesis = GenesisFile.single(ElectionConfig(b"mem", epoch_length=8192, backups=1), b"\x11" * 32, table)
    small, rep_small = _peak(genesis, 4_000)
    big, rep_big = _peak(genesis, 40_000)
    assert rep_big.blocks == 40_000 and rep_big.invalid_by_code == {"invalid_proof": 40_000}
    assert len(rep_big.invalid_blocks) == 1000 and len(rep_big.epochs) == 5
    # Ten times the history, about the same peak (bounded by the batch and the kept invalid blocks).
    assert big < small * 1.3 + 1_000_000, (small, big)
    assert big < 20_000_000
