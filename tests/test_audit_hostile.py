"""The audit against hostile and large inputs: bounded work (counted, not timed) and memory,
exact results across long gaps, strict lines, and exit code 2 with a message (never a
traceback) for unusable input.  Figures and bounds: docs/audit.md, "Bounds"."""

from __future__ import annotations

import json
import random
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

import election.chain.audit as audit_mod
from election import ElectionConfig, GenesisFile, HistoryRecord, LeaderClaim, MalformedHistory, Schedule, audit
from election.chain.audit import MAX_EMPTY_EPOCHS, REASON_CODES, SeedChain, _PrimaryTally
from election.chain.formats import (
    MAX_LINE_BYTES,
    LineError,
    MalformedLine,
    max_line_bytes_for,
    open_lines,
    parse_history_line,
    read_history,
)
from election.cli import main
from election.dev.chains import dev_history
from election.dev.keys import dev_table
from election.rules.config import MAX_EPOCH_LENGTH, MAX_SLOT
from election.rules.schedule import primary_offset
from election.rules.seeds import next_seed

TABLE, KEYS = dev_table([10, 20, 30, 45], b"hostile")
TABLE2, _ = dev_table([11, 25, 31, 41], b"hostile")  # the same keys, new stakes
CONFIG = ElectionConfig(b"hostile", epoch_length=8, backups=2, seed_cutoff=5)
# The stake table changes in the middle of the gap below.
GENESIS = GenesisFile(CONFIG, bytes(range(32)), ((0, TABLE), (30, TABLE2)))
GAP = (3, 60)  # epochs 3..59 have no block


def _gap_producer(slot: int, ranking: list[str]) -> int | None:
    return None if GAP[0] * 8 <= slot < GAP[1] * 8 else 0


GAP_RECORDS = list(dev_history(GENESIS, KEYS, 62 * 8 + 3, _gap_producer))


class _CountingSchedule(Schedule):
    built: list[int] = []

    def __init__(self, config: ElectionConfig, table: Any, epoch: int, seed: bytes) -> None:
        _CountingSchedule.built.append(epoch)
        super().__init__(config, table, epoch, seed)


@pytest.fixture
def count_schedules(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    _CountingSchedule.built = []
    monkeypatch.setattr(audit_mod, "Schedule", _CountingSchedule)
    return _CountingSchedule.built


# -- empty epochs: a seed step each, never a schedule ------------------------------------


def test_empty_epochs_build_no_schedule(count_schedules: list[int]) -> None:
    rep = audit(GENESIS, GAP_RECORDS)
    assert rep.ok and rep.blocks == len(GAP_RECORDS)
    # One schedule per epoch that has blocks; none for the 57 empty epochs of the gap.
    assert sorted(set(count_schedules)) == [0, 1, 2, 60, 61, 62] == sorted(count_schedules)


def test_gap_report_is_exact() -> None:
    """Seeds, per-epoch figures and per-validator scheduled slots across the gap equal an
    independent recomputation that builds every schedule."""
    rep = audit(GENESIS, GAP_RECORDS)
    seed = GENESIS.initial_seed
    scheduled: dict[str, int] = {}
    by_epoch: dict[int, list[tuple[int, bytes]]] = {}
    import vrf

    for r in GAP_RECORDS:
        by_epoch.setdefault(r.claim.epoch, []).append((r.claim.slot, vrf.proof_to_hash(r.claim.proof, CONFIG.suite)))
    assert [e.epoch for e in rep.epochs] == list(range(63)) and len(rep.epochs) == 63
    for e in rep.epochs:
        assert e.seed == seed and e.table_digest == GENESIS.table_for(e.epoch).digest()
        sched = Schedule(CONFIG, GENESIS.table_for(e.epoch), e.epoch, seed)
        counts = sched.counts() if e.epoch < 62 else {v: sched.leaders()[:4].count(v) for v in sched.table.ids}
        for vid, n in counts.items():
            scheduled[vid] = scheduled.get(vid, 0) + n
        seed = next_seed(CONFIG, e.epoch, seed, by_epoch.get(e.epoch, []))
        assert e.next_seed == seed
        if GAP[0] <= e.epoch < GAP[1]:
            assert e.produced == 0 and e.slots == 8 and e.next_seed_final
    assert {v.id: v.scheduled for v in rep.validators} == scheduled
    assert rep.epochs[10] == list(rep.epochs)[10] and rep.epochs[-1].epoch == 62 and rep.epochs[3:5][1].epoch == 4
    assert rep.epochs == list(rep.epochs) and rep.epochs != list(rep.epochs)[:-1]


def test_scheduled_exact_when_the_start_epoch_is_empty() -> None:
    """No block in epochs 0 and 1 (epoch 0 closes without its schedule, epoch 1 is walked):
    per-validator scheduled slots still equal the real schedules' counts."""
    recs = [r for r in GAP_RECORDS if r.claim.epoch >= 2]
    rep = audit(GENESIS, recs)
    want: dict[str, int] = {}
    for e in rep.epochs:
        sched = Schedule(CONFIG, GENESIS.table_for(e.epoch), e.epoch, e.seed)
        leaders = sched.leaders()[:e.slots]
        for vid in sched.table.ids:
            want[vid] = want.get(vid, 0) + leaders.count(vid)
        assert e.next_seed == next_seed(CONFIG, e.epoch, e.seed, []) or e.produced
    assert {v.id: v.scheduled for v in rep.validators} == want and rep.epochs[0].produced == 0


def test_seed_chain_stores_a_run_in_constant_space() -> None:
    chain = SeedChain(CONFIG)
    seed = bytes(32)
    for e in range(5000):
        nxt = next_seed(CONFIG, e, seed, [])
        chain.append_empty(e, seed, TABLE.digest(), nxt)
        seed = nxt
    assert len(chain) == 5000 and len(chain._items) == 1
    assert chain.last_next_seed == seed and chain[4999].next_seed == seed and chain[-5000].epoch == 0
    with pytest.raises(IndexError):
        chain[5000]


def test_primary_tally_equals_schedule_counts() -> None:
    """The O(log n)-per-epoch tally of primary slots equals the sum of real schedules' counts."""
    rng = random.Random(3)
    for trial in range(4):
        stakes = [rng.choice([1, rng.randrange(1, 50), rng.randrange(1, 10**12)]) for _ in range(rng.randrange(1, 12))]
        table, _ = dev_table(stakes, b"tally%d" % trial)
        cfg = ElectionConfig(b"tally", epoch_length=rng.randrange(1, 60))
        tally = _PrimaryTally(table, cfg.epoch_length)
        want = dict.fromkeys(table.ids, 0)
        for e in range(25):
            seed = bytes(rng.randrange(256) for _ in range(32))
            tally.add(primary_offset(cfg, table, e, seed))
            for vid, n in Schedule(cfg, table, e, seed).counts().items():
                want[vid] += n
        assert tally.counts() == want and sum(want.values()) == 25 * cfg.epoch_length


def test_hostile_gap_line_costs_no_schedule_per_epoch(count_schedules: list[int]) -> None:
    """The reported DoS: one line 4,097 epochs ahead (43,200-slot epochs) built 4,097
    schedules; now the walk builds none (one for the block's own epoch)."""
    table, _ = dev_table([1000 + i for i in range(20)], b"dos")
    cfg = ElectionConfig(b"dos", epoch_length=43_200, backups=3)
    genesis = GenesisFile.single(cfg, bytes(32), table)
    slot = (MAX_EMPTY_EPOCHS + 1) * 43_200
    line = HistoryRecord(slot, LeaderClaim(cfg.chain_id, slot // 43_200, slot, 0, "v0000", bytes(80))).to_line()
    rep = audit(genesis, [line])
    assert count_schedules == [MAX_EMPTY_EPOCHS + 1]
    assert rep.blocks == 1 and not rep.ok and len(rep.epochs) == MAX_EMPTY_EPOCHS + 2
    assert sum(v.scheduled for v in rep.validators) == rep.slots


# -- the gap limit ----------------------------------------------------------------------


def test_max_empty_epochs_is_a_limit_not_a_trap() -> None:
    """A valid chain with 1-slot epochs and a gap longer than the limit: every block past it
    is epoch_gap, naming the limit that would audit it (the first one cannot be skipped:
    its beta is part of the next seed); with that limit, the chain passes."""
    cfg = ElectionConfig(b"short", epoch_length=1, backups=1)
    genesis = GenesisFile.single(cfg, bytes(32), TABLE)
    recs = list(dev_history(genesis, KEYS, 150, lambda s, r: None if 5 <= s < 145 else 0))
    rep = audit(genesis, recs, max_empty_epochs=139)
    assert not rep.ok and rep.invalid_by_code == {"epoch_gap": 6} and rep.valid == 5
    assert "--max-empty-epochs 140" in rep.invalid_blocks[0].reason
    rep = audit(genesis, recs, max_empty_epochs=140)
    assert rep.ok and rep.valid == len(recs) and len(rep.epochs) == 151
    assert audit(genesis, recs[:5], max_empty_epochs=0).ok  # 0: no empty epoch walked, none needed


def test_valid_chain_past_default_limit_passes_with_flag(tmp_path: Path) -> None:
    """The reported false violation: epoch_length 1 and 4,100 empty epochs in a row."""
    cfg = ElectionConfig(b"short", epoch_length=1, backups=1)
    genesis = GenesisFile.single(cfg, bytes(32), TABLE)
    recs = list(dev_history(genesis, KEYS, 4_110, lambda s, r: None if 5 <= s < 4_105 else 0))
    g, h = tmp_path / "g.json", tmp_path / "h.jsonl"
    genesis.save(g)
    h.write_text("".join(r.to_line() for r in recs))
    assert main(["audit", str(g), str(h)]) == 1
    assert main(["audit", str(g), str(h), "--max-empty-epochs", "4100"]) == 0


# -- slots past the last epoch ------------------------------------------------------------


def test_slot_past_last_epoch_is_an_invalid_block(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    length = 10
    last_epoch = (MAX_SLOT + 1 - length) // length  # the last whole epoch below 2**64
    cfg = ElectionConfig(b"edge", epoch_length=length, backups=1)
    genesis = GenesisFile.single(cfg, bytes(32), TABLE, start_epoch=last_epoch)
    assert "slot_out_of_range" in REASON_CODES
    recs = []
    for slot in (cfg.first_slot(last_epoch) + 3, MAX_SLOT):
        claim = LeaderClaim(cfg.chain_id, slot // length, slot, 0, "v0000", bytes(80))
        recs.append(HistoryRecord(slot, claim))
    rep = audit(genesis, recs)
    codes = [b.code for b in rep.invalid_blocks]  # the first: a zero proof, at best by the leader
    assert codes[0] in ("wrong_leader", "invalid_proof") and codes[1] == "slot_out_of_range"
    assert rep.blocks == 2 and rep.last_slot == recs[0].slot  # the out-of-range block takes no place
    g, h = tmp_path / "g.json", tmp_path / "h.jsonl"
    genesis.save(g)
    h.write_text("".join(r.to_line() for r in recs))
    assert main(["audit", str(g), str(h)]) == 1
    out, err = capsys.readouterr()
    assert "slot_out_of_range" in out and "Traceback" not in err


# -- unusable input: exit 2, one line, no traceback --------------------------------------


def _genesis_json(**config: Any) -> str:
    d = json.loads(GenesisFile.single(CONFIG, bytes(32), TABLE).to_json())
    d["config"].update(config)
    return json.dumps(d)


@pytest.mark.parametrize("config", [{"epoch_length": 2**32 - 1, "seed_cutoff": 1},
                                    {"epoch_length": MAX_EPOCH_LENGTH + 1, "seed_cutoff": 1},
                                    {"epoch_length": 2**64}, {"backups": 256}])
def test_oversized_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], config: dict[str, int]) -> None:
    g, h = tmp_path / "g.json", tmp_path / "h.jsonl"
    g.write_text(_genesis_json(**config))
    h.write_text(HistoryRecord(0, LeaderClaim(CONFIG.chain_id, 0, 0, 0, "v0000", bytes(80))).to_line())
    assert main(["audit", str(g), str(h)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and "malformed genesis" in err


@pytest.mark.parametrize("which", ["dir", "missing", "binary"])
def test_unusable_files_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], which: str) -> None:
    g, h = tmp_path / "g.json", tmp_path / "h.jsonl"
    GENESIS.save(g)
    h.write_text("".join(r.to_line() for r in GAP_RECORDS[:3]))
    args = {"dir": [str(g), str(tmp_path)], "missing": [str(g), str(tmp_path / "nope")],
            "binary": [str(tmp_path / "bin"), str(h)]}[which]
    (tmp_path / "bin").write_bytes(b"\xff\xfe\x00" * 10)
    assert main(["audit", *args]) == 2
    _, err = capsys.readouterr()
    assert err.startswith("seqvrf audit:") and "Traceback" not in err


def test_empty_history_exits_1_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    g, h = tmp_path / "g.json", tmp_path / "h.jsonl"
    GENESIS.save(g)
    h.write_bytes(b"")
    assert main(["audit", str(g), str(h)]) == 1
    out, err = capsys.readouterr()
    assert "FAIL: no blocks" in out and "no blocks" in err
    assert main(["audit", str(g), str(h), "--json"]) == 1
    out, _ = capsys.readouterr()
    assert json.loads(out)["ok"] is False


# -- lines: a length cap, and exactly as strict as docs/formats.md ----------------------


def test_line_cap_default_fits_the_longest_legitimate_line() -> None:
    """A line with every field at its longest and a certificate signed by the whole table
    (voter ids of 64 bytes that JSON escapes to 192 characters) fits max_line_bytes_for."""
    n = 3
    ids = [("é" * 31) + c for c in "abc"]  # 63 + 1 bytes of UTF-8 each, escaped as \\u00e9
    cid = "ff" * 64
    votes = [{"voter_id": i, "parent_hash": "ab" * 64, "signature": "cd" * 64} for i in sorted(ids)]
    cert = {"chain_id": cid, "epoch": MAX_SLOT, "table_digest": "00" * 32, "slot": MAX_SLOT, "rank": 255,
            "votes": votes}
    claim = {"chain_id": cid, "epoch": MAX_SLOT, "slot": MAX_SLOT, "rank": 255, "validator_id": "é" * 32,
             "proof": "00" * 80, "certificate": cert}
    obj = {"slot": MAX_SLOT, "claim": claim, "block_hash": "11" * 64, "parent_hash": "22" * 64}
    for text in (json.dumps(obj, separators=(",", ":")), json.dumps(obj)):
        rec = parse_history_line(text, 1)
        assert rec.claim.certificate is not None and len(rec.claim.certificate.votes) == n
        assert len(text) <= max_line_bytes_for(n)
        hex_line = rec.to_line("hex")
        assert len(hex_line) <= max_line_bytes_for(n)
    assert MAX_LINE_BYTES == max_line_bytes_for(65_535) < 34_000_000


def test_long_line_is_read_past_not_kept(tmp_path: Path) -> None:
    """A 4 MB line under a 60 KB cap: malformed, named, and never in memory whole."""
    h = tmp_path / "h.jsonl"
    good = GAP_RECORDS[0].to_line()
    h.write_text(good + '{"slot":1,"claim_hex":"' + "00" * 2_000_000 + '"}\n' + GAP_RECORDS[1].to_line())
    tracemalloc.start()
    try:
        with pytest.raises(MalformedHistory) as info:
            audit(GENESIS, h, max_line_bytes=60_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.count == 1 and info.value.line == 2 and "longer than the limit of 60000" in str(info.value)
    assert peak < 1_500_000, peak
    # The default cap for this genesis (4 validators) is small too.
    with pytest.raises(MalformedHistory, match="max_line_bytes"):
        audit(GENESIS, h)
    with pytest.raises(MalformedHistory, match="expected version 1"):  # allowed in, the line is parsed
        audit(GENESIS, h, max_line_bytes=5_000_000)


def test_rejected_records_drop_their_certificates() -> None:
    """Lines with large (invalid) certificates: the batch keeps no certificate, so memory
    is about one line's, not the batch's."""
    sig = "00" * 64
    cid = CONFIG.chain_id.hex()
    lines = []
    for slot in range(1, 13):
        votes = ",".join(f'{{"voter_id":"w{i:05d}","parent_hash":null,"signature":"{sig}"}}' for i in range(1500))
        cert = (f'{{"chain_id":"{cid}","epoch":0,"table_digest":"{"11" * 32}","slot":{slot},"rank":1,'
                f'"votes":[{votes}]}}')
        lines.append(f'{{"slot":{slot},"claim":{{"chain_id":"{cid}","epoch":0,"slot":{slot},"rank":1,'
                     f'"validator_id":"v0001","proof":"{"00" * 80}","certificate":{cert}}}}}\n')
    tracemalloc.start()
    try:
        rep = audit(GENESIS, lines, max_line_bytes=10**7)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rep.blocks == 12 and not rep.ok
    # One parsed 1,500-vote line is about 1.5 MB; twelve kept until the batch drains were 18 MB.
    assert peak < 6_000_000, peak


@pytest.mark.parametrize("text,reason", [
    ("{}\r\n", "CR before the line end"),
    (" {}\n", "leading or trailing whitespace"),
    ("{} \n", "leading or trailing whitespace"),
    ("\t{}\n", "leading or trailing whitespace"),
    ("\n", "blank line"),
])
def test_line_strictness(text: str, reason: str) -> None:
    with pytest.raises(MalformedLine, match=reason):
        parse_history_line(text, 1)


def test_missing_final_newline_in_a_file(tmp_path: Path) -> None:
    h = tmp_path / "h.jsonl"
    lines = [r.to_line() for r in GAP_RECORDS[:3]]
    h.write_text("".join(lines)[:-1])
    with pytest.raises(MalformedLine, match="missing newline at the end of the file"):
        list(read_history(h))
    with pytest.raises(MalformedHistory, match="line 3|:3:"):
        audit(GENESIS, h)
    with open(h, "rb") as f:  # an open binary file is read the same way
        items = list(open_lines(f)[0])
    assert isinstance(items[-1], LineError) and items[:2] == [ln.encode() for ln in lines[:2]]
    h.write_text("".join(lines))
    assert [r.claim for r in read_history(h)] == [r.claim for r in GAP_RECORDS[:3]]


def test_crlf_file_is_malformed_on_every_line(tmp_path: Path) -> None:
    h = tmp_path / "h.jsonl"
    h.write_bytes("".join(r.to_line() for r in GAP_RECORDS[:5]).replace("\n", "\r\n").encode())
    with pytest.raises(MalformedHistory) as info:
        audit(GENESIS, h)
    assert info.value.count == 5 and all("CR before" in e.reason for e in info.value.errors)


# -- seqvrf schedule --count ---------------------------------------------------------------


def test_schedule_count_is_bounded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    g = tmp_path / "g.json"
    GENESIS.save(g)
    with pytest.raises(SystemExit) as exit_info:  # argparse's usage error
        main(["schedule", str(g), "--count", "99999999999999999999"])
    assert exit_info.value.code == 2
    _, err = capsys.readouterr()
    assert "--count" in err and str(MAX_EPOCH_LENGTH) in err
    # At the bound: stops at the epoch's end (8 slots here), computed, not enumerated.
    assert main(["schedule", str(g), "--count", str(MAX_EPOCH_LENGTH), "--from-slot", "5"]) == 0
    out, _ = capsys.readouterr()
    assert [ln.split()[0] for ln in out.splitlines()[2:]] == ["5", "6", "7"]


def test_schedule_json_streams_the_same_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    g = tmp_path / "g.json"
    GENESIS.save(g)
    assert main(["schedule", str(g), "--json", "--count", "6"]) == 0
    out, _ = capsys.readouterr()
    sched = Schedule(CONFIG, TABLE, 0, GENESIS.initial_seed)
    rows = [{"slot": s, "ranking": sched.ranking(s)} for s in range(6)]
    assert out == json.dumps({"epoch": 0, "seed": GENESIS.initial_seed.hex(), "slots": rows}, indent=2) + "\n"


def _walk_with_schedules(self: Any, epoch: int) -> None:
    """The walk as it was: close each epoch with its full schedule (the reference)."""
    while self.cur.epoch < epoch:
        self._close_epoch(self.length, final=True)
        self.cur = audit_mod._Epoch(self.genesis, self.cur.epoch + 1, self.epochs.last_next_seed)


def test_walk_is_byte_identical_to_building_every_schedule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Random gaps (empty start epochs, runs across a table change, a forged far line):
    the report is the same JSON as when every empty epoch's schedule is built."""
    rng = random.Random(77)
    for trial in range(5):
        lo = rng.randrange(0, 20) * 8
        hi = lo + rng.randrange(1, 40) * 8 + rng.randrange(8)
        recs = [r for r in GAP_RECORDS if not lo <= r.slot < hi]
        lines = [r.to_line() for r in recs]
        if trial % 2:
            far = rng.randrange(70, 90) * 8 + 3
            lines.insert(rng.randrange(len(lines)), HistoryRecord(
                far, LeaderClaim(CONFIG.chain_id, far // 8, far, 0, "v0002", bytes(80))).to_line())
        new = audit(GENESIS, lines).to_dict()
        with monkeypatch.context() as m:
            m.setattr(audit_mod._Auditor, "_advance", _walk_with_schedules)
            m.setattr(audit_mod._Epoch, "built", property(lambda self: True))
            old = audit(GENESIS, lines).to_dict()
        new.pop("elapsed_seconds")
        old.pop("elapsed_seconds")
        assert json.dumps(new) == json.dumps(old), trial


def test_schedule_epoch_before_start_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    g = tmp_path / "g.json"
    GENESIS.save(g)
    assert main(["schedule", str(g), "--epoch", "-1"]) == 2
    _, err = capsys.readouterr()
    assert "precedes the genesis start epoch 0" in err
