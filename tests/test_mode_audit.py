"""The audit of windowed and secret chains: histories made by the in-memory cluster.

Windowed: the audit reveals each window from the audited betas (dropping a source block
changes a later window's leaders, which the audit then rejects).  Secret: per-block
eligibility, ``superseded`` by a better observed claim, and the binomial fairness view.
"""

from __future__ import annotations

import vrf
from election import ElectionConfig, LeaderClaim, SecretEpoch, audit
from election.chain.formats import GenesisFile, HistoryRecord
from election.dev.testing import FailoverCluster, ProducedBlock, fixed_epoch_seed
from election.rules.headers import make_header

WINDOWED = ElectionConfig(b"audit-windowed", epoch_length=16, slot_duration_ms=1000, failover_timeout_ms=200,
                          backups=2, seed_cutoff=8, mode="windowed", window=4)
SECRET = ElectionConfig(b"audit-secret", epoch_length=16, slot_duration_ms=1000, failover_timeout_ms=200,
                        mode="secret", proposers=3)
STAKES = [10, 10, 10, 10, 10]


def genesis_of(c: FailoverCluster) -> GenesisFile:
    return GenesisFile(c.config, fixed_epoch_seed(0), ((0, c.table),))


def record(b: ProducedBlock) -> HistoryRecord:
    assert b.header is not None
    return HistoryRecord(b.claim.slot, b.claim, b.block_hash, None, 0, b.header)


def history(c: FailoverCluster, slots: range) -> list[HistoryRecord]:
    out = []
    for slot in slots:
        best = c.best_block(slot)
        if best is not None:
            out.append(record(best))
    return out


def test_windowed_history_audits_and_reveals_from_audited_betas() -> None:
    c = FailoverCluster(STAKES, WINDOWED, key_seed=b"audit-w")
    c.crash(c.ids[2])
    c.run(16.0)
    recs = history(c, range(16))
    assert len(recs) >= 14
    rep = audit(genesis_of(c), recs)
    assert rep.ok and rep.mode == "windowed" and rep.valid == len(recs), rep.invalid_by_code
    assert rep.takeovers > 0
    assert sum(v.scheduled for v in rep.validators) == recs[-1].slot + 1
    assert rep.to_dict()["mode"] == "windowed"
    # Drop a block of window 0: window 2's seed (and through it window 3's) changes, so the
    # audit rejects blocks of windows 2 and 3 that were rightful under the real seeds, and
    # none of windows 0 and 1.
    dropped = [r for r in recs if r.slot != next(x.slot for x in recs if x.slot < 4)]
    rep2 = audit(genesis_of(c), dropped)
    assert not rep2.ok
    bad = [b.slot for b in rep2.invalid_blocks]
    assert bad and min(bad) >= 8 and any(s < 12 for s in bad), bad


def test_secret_history_eligibility_and_binomial_view() -> None:
    c = FailoverCluster(STAKES, SECRET, key_seed=b"audit-s")
    c.run(16.0)
    recs = history(c, range(16))
    rep = audit(genesis_of(c), recs)
    assert rep.ok and rep.mode == "secret", rep.invalid_by_code
    d = rep.mode_detail
    assert d is not None and d["proposers"] == 3
    assert d["empty_slots"] == rep.slots - rep.valid
    assert abs(d["expected_empty_rate"] - 0.049787) < 1e-5
    assert sum(v["produced"] for v in d["validators"]) == rep.valid
    assert "secret race" in rep.summary_text()
    # An ineligible validator's claim (valid proof, signed header) is not_eligible.
    rules = c.schedule(0)
    assert isinstance(rules, SecretEpoch)
    forged = None
    for slot in range(16):
        alpha = rules.slot_input(slot)
        for vid in c.ids:
            proof = c.secrets[vid].vrf_secret.prove(alpha, SECRET.suite)
            if not rules.eligible(rules.entry(vid, vrf.proof_to_hash(proof, SECRET.suite))):
                claim = LeaderClaim(SECRET.chain_id, 0, slot, 0, vid, proof, None, "secret")
                header = make_header(claim, bytes(32), bytes(32), c.secrets[vid].vote_seed)
                forged = HistoryRecord(slot, claim, header.block_hash(), None, 0, header)
                break
        if forged is not None:
            break
    assert forged is not None
    rep2 = audit(genesis_of(c), sorted([r for r in recs if r.slot != forged.slot] + [forged], key=lambda r: r.slot))
    assert rep2.invalid_by_code == {"not_eligible": 1}


def test_secret_observed_better_claim_supersedes() -> None:
    c = FailoverCluster(STAKES, SECRET, key_seed=b"audit-s")
    c.run(16.0)
    slot = next(s for s in range(16) if len(c.blocks.get(s, [])) >= 2)
    best = c.best_block(slot)
    assert best is not None
    worse = next(b for b in c.blocks[slot] if b.block_hash != best.block_hash)
    recs = [record(worse) if r.slot == slot else r for r in history(c, range(16))]
    rep = audit(genesis_of(c), recs, observed=[record(best)])
    assert rep.invalid_by_code == {"superseded": 1}
    assert [b.slot for b in rep.invalid_blocks] == [slot]
    # The best block in the history with the worse one observed: nothing superseded.
    rep2 = audit(genesis_of(c), history(c, range(16)), observed=[record(worse)])
    assert rep2.ok and rep2.observed is not None and rep2.observed["superseding"] == 0
