"""The schedule: determinism, floor/ceil shares, fairness, backups."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from election import ElectionConfig, InvalidConfig, InvalidSlot, InvalidStakeTable, Schedule, StakeTable
from election.dev.keys import dev_table, dev_validators
from election.rules.schedule import primary_counts

ROOT = Path(__file__).resolve().parent.parent
STAKES = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89]
TABLE, _ = dev_table(STAKES, b"schedule")
CONFIG = ElectionConfig(b"test-chain", epoch_length=97, backups=3)
SEED = bytes(range(32))


def test_leaders_and_counts() -> None:
    s = Schedule(CONFIG, TABLE, 4, SEED)
    assert s.first_slot == 4 * 97 and s.slots == range(388, 485)
    leaders = s.leaders()
    assert len(leaders) == 97
    assert [s.leader(x) for x in s.slots] == leaders
    counts = s.counts()
    assert sum(counts.values()) == 97
    for v in TABLE:
        assert counts[v.id] == leaders.count(v.id)
        share = Fraction(97 * v.stake, TABLE.total_stake)
        assert share.__floor__() <= counts[v.id] <= share.__ceil__()


def test_slot_out_of_epoch() -> None:
    s = Schedule(CONFIG, TABLE, 4, SEED)
    for bad in (387, 485, -1, True, "400"):
        with pytest.raises(InvalidSlot):
            s.leader(bad)  # type: ignore[arg-type]
        with pytest.raises(InvalidSlot):
            s.ranking(bad)  # type: ignore[arg-type]


def test_bad_arguments() -> None:
    with pytest.raises(InvalidConfig):
        Schedule(CONFIG, TABLE, 0, b"short")
    with pytest.raises(InvalidConfig):
        Schedule(CONFIG, TABLE, 0, "x" * 32)  # type: ignore[arg-type]
    with pytest.raises(InvalidConfig):
        Schedule("config", TABLE, 0, SEED)  # type: ignore[arg-type]
    with pytest.raises(InvalidStakeTable):
        Schedule(CONFIG, [], 0, SEED)  # type: ignore[arg-type]
    with pytest.raises(InvalidSlot):
        Schedule(CONFIG, TABLE, -1, SEED)
    with pytest.raises(InvalidSlot):
        Schedule(CONFIG, TABLE, 2**64, SEED)
    last_epoch = 2**64 // 97 - 1  # the last epoch whose every slot fits in u64
    s = Schedule(CONFIG, TABLE, last_epoch, SEED)
    assert s.slots[-1] <= 2**64 - 1 and len(s.ranking(s.slots[-1])) == 4
    with pytest.raises(InvalidSlot, match="beyond"):
        Schedule(CONFIG, TABLE, last_epoch + 1, SEED)


def test_determinism_and_input_order() -> None:
    a = Schedule(CONFIG, TABLE, 2, SEED)
    vals = list(TABLE)
    random.Random(7).shuffle(vals)
    b = Schedule(CONFIG, StakeTable(vals), 2, SEED)
    assert a.leaders() == b.leaders()
    assert all(a.ranking(x) == b.ranking(x) for x in a.slots)
    # Every input changes the outcome.
    assert Schedule(CONFIG, TABLE, 3, SEED).leaders() != a.leaders()
    assert Schedule(CONFIG, TABLE, 2, bytes(32)).leaders() != a.leaders()
    other_chain = ElectionConfig(b"other-chain", epoch_length=97, backups=3)
    assert Schedule(other_chain, TABLE, 2, SEED).leaders() != a.leaders()
    t2, _ = dev_table(STAKES[:-1] + [90], b"schedule")
    assert Schedule(CONFIG, t2, 2, SEED).leaders() != a.leaders()


def test_random_access_matches_sequential() -> None:
    s1 = Schedule(CONFIG, TABLE, 1, SEED)
    s2 = Schedule(CONFIG, TABLE, 1, SEED)
    slots = list(s1.slots)
    forward = [s1.ranking(x) for x in slots]
    random.Random(3).shuffle(slots)
    jumped = {x: s2.ranking(x) for x in slots}
    assert forward == [jumped[x] for x in s1.slots]


_SUBPROCESS = """
import random, sys
from election import ElectionConfig, Schedule, StakeTable
from election.dev.keys import dev_validators
vals = [d.validator for d in dev_validators([1, 2, 3, 5, 8, 13, 21, 34, 55, 89], b"schedule")]
random.Random(int(sys.argv[1])).shuffle(vals)
s = Schedule(ElectionConfig(b"test-chain", epoch_length=97, backups=3), StakeTable(vals), 2, bytes(range(32)))
print(",".join(s.leaders()) + "|" + ";".join(",".join(s.ranking(x)) for x in s.slots))
"""


def test_independent_of_pythonhashseed_and_order() -> None:
    outs = set()
    for hashseed, order in (("0", 1), ("1", 2), ("12345", 3), ("random", 4)):
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        out = subprocess.run(
            [sys.executable, "-c", _SUBPROCESS, str(order)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        outs.add(out)
    assert len(outs) == 1
    s = Schedule(CONFIG, TABLE, 2, SEED)
    assert outs.pop().strip() == ",".join(s.leaders()) + "|" + ";".join(",".join(s.ranking(x)) for x in s.slots)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(1, 2**64 // 70), min_size=1, max_size=60), st.integers(1, 5000), st.data())
def test_floor_ceil_property(stakes: list[int], slots: int, data: st.DataObject) -> None:
    total = sum(stakes)
    offset = data.draw(st.integers(0, total - 1))
    counts = primary_counts(stakes, slots, offset)
    assert sum(counts) == slots
    for s, c in zip(stakes, counts, strict=True):
        lo, r = divmod(slots * s, total)
        assert c == lo or (r and c == lo + 1)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 50), min_size=1, max_size=6), st.integers(1, 40))
def test_expectation_is_exact_share(stakes: list[int], slots: int) -> None:
    # Averaging over every offset in [0, total) gives exactly slots * stake / total.
    total = sum(stakes)
    sums = [0] * len(stakes)
    for offset in range(total):
        for i, c in enumerate(primary_counts(stakes, slots, offset)):
            sums[i] += c
    assert all(Fraction(sm, total) == Fraction(slots * s, total) for sm, s in zip(sums, stakes, strict=True))


def test_floor_ceil_on_real_schedules() -> None:
    rng = random.Random(11)
    for trial in range(5):
        stakes = [rng.randrange(1, 10 ** rng.randrange(1, 12)) for _ in range(rng.randrange(1, 30))]
        table, _ = dev_table(stakes, b"fc%d" % trial)
        config = ElectionConfig(b"fc", epoch_length=rng.randrange(1, 500), backups=2)
        counts = Schedule(config, table, trial, bytes([trial]) * 32).counts()
        for v in table:
            lo, r = divmod(config.epoch_length * v.stake, table.total_stake)
            assert counts[v.id] in ((lo, lo + 1) if r else (lo,))


def test_chi_square_leader_counts_over_many_epochs() -> None:
    # Stakes chosen so that shares are fractional: the remainder slots must go to each
    # validator with probability equal to its fractional share.  Over 2,000 epochs of
    # 10 slots, compare the total counts with the exact expectation.  Plain floats are
    # fine here: this is a test statistic, not consensus code.
    stakes = [1, 2, 3, 4, 7, 9, 13]
    table, _ = dev_table(stakes, b"chi")
    config = ElectionConfig(b"chi", epoch_length=10, backups=2)
    epochs = 2000
    totals = dict.fromkeys(table.ids, 0)
    extra = dict.fromkeys(table.ids, 0)
    for e in range(epochs):
        for vid, c in Schedule(config, table, e, e.to_bytes(32, "big")).counts().items():
            totals[vid] += c
            extra[vid] += c - (10 * table[vid].stake) // table.total_stake
    chi2 = 0.0
    for v in table:
        expected = Fraction(epochs * 10 * v.stake, table.total_stake)
        chi2 += float((totals[v.id] - expected) ** 2 / expected)
    # 6 degrees of freedom: 99.9th percentile 22.46.  (Systematic sampling makes the
    # statistic much smaller than a multinomial draw would: counts are floor/ceil.)
    assert chi2 < 22.46, chi2
    # The random remainder: each validator gets its extra slot with probability equal to
    # the fractional part of its share; chi-square over the "extra" counts.
    chi2x = 0.0
    for v in table:
        frac = Fraction(10 * v.stake, table.total_stake) - (10 * v.stake) // table.total_stake
        p = float(frac)
        exp = epochs * p
        chi2x += (extra[v.id] - exp) ** 2 / (exp * (1 - p))
    assert chi2x < 24.32, chi2x  # 7 binomial terms, 99.9th percentile of chi2(7)


def test_shuffle_spreads_positions() -> None:
    # A validator's primaries are spread over the epoch, not bunched at the start.
    table, _ = dev_table([1, 1], b"pos")
    config = ElectionConfig(b"pos", epoch_length=2, backups=1)
    first = sum(Schedule(config, table, e, e.to_bytes(32, "big")).leader(2 * e) == "v0000" for e in range(2000))
    assert 850 < first < 1150


def test_backups_distinct_and_exclude_leader() -> None:
    s = Schedule(CONFIG, TABLE, 5, SEED)
    assert s.depth == 3
    for x in s.slots:
        r = s.ranking(x)
        assert len(r) == 4 and len(set(r)) == 4 and r[0] == s.leader(x)
        assert [s.at_rank(x, k) for k in range(4)] == r
        assert s.rank_of(x, r[2]) == 2
    with pytest.raises(IndexError):
        s.at_rank(s.first_slot, 4)


def test_backups_capped_by_table_size() -> None:
    table, _ = dev_table([5, 1], b"two")
    s = Schedule(ElectionConfig(b"c", epoch_length=20, backups=5), table, 0, SEED)
    assert s.depth == 1
    assert all(sorted(s.ranking(x)) == ["v0000", "v0001"] for x in s.slots)
    one, _ = dev_table([5], b"one")
    s1 = Schedule(ElectionConfig(b"c", epoch_length=3, backups=5), one, 0, SEED)
    assert s1.depth == 0 and s1.ranking(1) == ["v0000"]


def test_backups_stake_weighted_with_whale() -> None:
    # A whale (> half the stake) exercises both sampling modes.  Rank-1 backup of
    # slots led by v0000 (stake 1) is the whale with probability 100/103.
    table, _ = dev_table([1, 2, 100], b"whale")
    config = ElectionConfig(b"w", epoch_length=1000, backups=2)
    hits = total = 0
    second_when_whale_leads = {"v0000": 0, "v0001": 0}
    for e in range(4):
        s = Schedule(config, table, e, bytes([e]) * 32)
        for x in s.slots:
            r = s.ranking(x)
            assert len(set(r)) == 3
            if r[0] == "v0000":
                total += 1
                hits += r[1] == "v0002"
            if r[0] == "v0002":
                second_when_whale_leads[r[1]] += 1
    assert total > 0 and hits >= total * 0.9
    a, b = second_when_whale_leads["v0000"], second_when_whale_leads["v0001"]
    assert abs(b / (a + b) - 2 / 3) < 0.03  # stake 2 vs 1 among the rest


def test_backup_rank1_frequencies() -> None:
    # Rank-1 frequency given the leader follows stake / (total - leader stake).
    table, _ = dev_table([1, 2, 3, 4], b"freq")
    config = ElectionConfig(b"f", epoch_length=3000, backups=2)
    s = Schedule(config, table, 0, SEED)
    pair: dict[tuple[str, str], int] = {}
    lead: dict[str, int] = {}
    for x in s.slots:
        r = s.ranking(x)
        pair[(r[0], r[1])] = pair.get((r[0], r[1]), 0) + 1
        lead[r[0]] = lead.get(r[0], 0) + 1
    chi2 = 0.0
    for (lid, b), n in sorted(pair.items()):
        p = table[b].stake / (table.total_stake - table[lid].stake)
        chi2 += (n - lead[lid] * p) ** 2 / (lead[lid] * p)
    assert chi2 < 32.9, chi2  # 12 cells, 8 degrees of freedom: 99.9th percentile 26.1; margin


def test_large_table_builds() -> None:
    # 1,000 validators x 43,200 slots; no timing assertion here (see benches/).
    rng = random.Random(5)
    table = StakeTable(d.validator for d in dev_validators([rng.randrange(1, 10**9) for _ in range(1000)], b"big"))
    s = Schedule(ElectionConfig(b"big"), table, 9, SEED)
    assert len(s.leaders()) == 43_200
    x = s.first_slot + 43_199
    assert len(set(s.ranking(x))) == 4


# -- an independent, deliberately plain implementation of docs/spec.md section 4-5 ---------
class _SpecStream:
    def __init__(self, purpose: bytes, context: bytes) -> None:
        import hashlib

        self.key = hashlib.sha512(b"\x10seqvrf/v1/stream" + bytes([len(purpose)]) + purpose + context).digest()
        self.data = b""
        self.j = 0

    def take(self, w: int) -> bytes:
        import hashlib

        while len(self.data) < w:
            self.data += hashlib.sha512(self.key + self.j.to_bytes(8, "big")).digest()
            self.j += 1
        out, self.data = self.data[:w], self.data[w:]
        return out

    def uniform(self, n: int) -> int:
        if n == 1:
            return 0
        b = (n - 1).bit_length()
        while True:
            x = int.from_bytes(self.take((b + 7) // 8), "big") % (1 << b)
            if x < n:
                return x

    def weighted(self, weights: list[int]) -> int:
        u = self.uniform(sum(weights))
        acc = 0
        for i, w in enumerate(weights):
            acc += w
            if u < acc:
                return i
        raise AssertionError


def _spec_schedule(
    config: ElectionConfig, table: StakeTable, epoch: int, seed: bytes
) -> tuple[list[int], dict[int, list[int]]]:
    stakes = [v.stake for v in sorted(table, key=lambda v: v.id.encode())]
    n, total, length = len(stakes), sum(stakes), config.epoch_length
    ctx = (
        bytes([len(config.chain_id)])
        + config.chain_id
        + epoch.to_bytes(8, "big")
        + seed
        + table.digest()
        + length.to_bytes(4, "big")
    )
    s = _SpecStream(b"primary", ctx)
    offset = s.uniform(total)

    def p(x: int) -> int:
        return 0 if x <= offset else -(-(x - offset) // total)

    arr: list[int] = []
    cum = 0
    for i, st_ in enumerate(stakes):
        lo = p(length * cum)
        cum += st_
        arr += [i] * (p(length * cum) - lo)
    for k in range(length - 1, 0, -1):
        j = s.uniform(k + 1)
        arr[k], arr[j] = arr[j], arr[k]
    depth = min(config.backups, n - 1)
    first = epoch * length
    rankings = {}
    for x in range(first, first + length):
        bs = _SpecStream(b"backup", ctx + x.to_bytes(8, "big"))
        r = [arr[x - first]]
        while len(r) < depth + 1:
            if 2 * sum(stakes[i] for i in r) <= total:
                i = bs.weighted(stakes)
                if i in r:
                    continue
            else:
                rest = [i for i in range(n) if i not in r]
                i = rest[bs.weighted([stakes[q] for q in rest])]
            r.append(i)
        rankings[x] = r
    return arr, rankings


@pytest.mark.parametrize("stakes", [[1], [3, 1], [1, 2, 3, 5, 8], [1000, 1, 2, 3], [7] * 9, [2**63, 5, 2**62]])
def test_matches_plain_spec_implementation(stakes: list[int]) -> None:
    table, _ = dev_table(stakes, b"spec")
    config = ElectionConfig(b"spec-chain", epoch_length=37, backups=4)
    seed = bytes(range(1, 33))
    arr, rankings = _spec_schedule(config, table, 6, seed)
    s = Schedule(config, table, 6, seed)
    assert s.leaders() == [table.ids[i] for i in arr]
    assert {x: s.ranking(x) for x in s.slots} == {x: [table.ids[i] for i in r] for x, r in rankings.items()}


# -- reduced mode: the O(log n) Fenwick draw against the O(n) draw of the spec text --------
def test_fenwick_find_is_bisect_of_remaining_running_sums() -> None:
    from bisect import bisect_right

    from election.rules.schedule import _fenwick_find, _fenwick_remove, _fenwick_tree

    rng = random.Random(11)
    for _ in range(300):
        weights = [rng.choice([1, rng.randrange(1, 100), rng.randrange(1, 2**64)]) for _ in range(rng.randrange(1, 70))]
        tree = _fenwick_tree(weights)
        gone = set(rng.sample(range(len(weights)), rng.randrange(0, len(weights))))
        removed: dict[int, int] = {}
        for j in gone:
            _fenwick_remove(removed, len(weights), j, weights[j])
        rest = [j for j in range(len(weights)) if j not in gone]
        running = []
        acc = 0
        for j in rest:
            acc += weights[j]
            running.append(acc)
        for u in {0, acc - 1, *(rng.randrange(acc) for _ in range(10))}:
            assert _fenwick_find(tree, removed, u) == rest[bisect_right(running, u)]


def test_reduced_mode_matches_plain_spec_on_random_whale_tables() -> None:
    """Random tables with a whale (so most slots rank in reduced mode), deep rankings:
    identical to the spec's O(n) draw, slot by slot."""
    rng = random.Random(2024)
    reduced_slots = 0
    for trial in range(6):
        n = rng.randrange(3, 40)
        stakes = [rng.randrange(1, 1000) for _ in range(n)]
        stakes[rng.randrange(n)] = sum(stakes) * rng.choice([1, 3, 9])  # 50 % to 90 % of the stake
        table, _ = dev_table(stakes, b"whale%d" % trial)
        config = ElectionConfig(b"whale-chain", epoch_length=23, backups=rng.choice([2, 8, 255]))
        seed = bytes(rng.randrange(256) for _ in range(32))
        arr, rankings = _spec_schedule(config, table, trial, seed)
        s = Schedule(config, table, trial, seed)
        assert {x: s.ranking(x) for x in s.slots} == {x: [table.ids[i] for i in r] for x, r in rankings.items()}
        reduced_slots += s._tree is not None
    assert reduced_slots >= 4  # the Fenwick path really ran
