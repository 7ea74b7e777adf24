"""Windowed rotation: exact per-epoch counts, draws without replacement, chained window seeds."""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from election import ElectionConfig, InvalidConfig, InvalidSlot, MalformedData, StakeTable, Validator
from election.dev.keys import dev_table, dev_validators
from election.rules.hashstream import HashStream, stream_key
from election.rules.schedule import primary_counts
from election.rules.windowed import (
    CountTree,
    WindowedSchedule,
    WindowNotRevealed,
    WindowSeedAccumulator,
    window_seed,
    window_source,
    windowed_context,
)

STAKES = [1, 2, 3, 5, 8, 13, 21]
TABLE, _ = dev_table(STAKES, b"windowed")
CONFIG = ElectionConfig(b"win-chain", epoch_length=60, seed_cutoff=40, backups=3, mode="windowed", window=20)
SEED = bytes(range(32))
_POOL = dev_validators([1] * 8, b"windowed-pool")


def _table(stakes: list[int]) -> StakeTable:
    return StakeTable(
        Validator(d.id, d.validator.vrf_key, d.validator.vote_key, s) for d, s in zip(_POOL, stakes, strict=False)
    )


def _wseeds(n: int, label: bytes) -> list[bytes]:
    return [hashlib.sha512(label + bytes([j])).digest()[:32] for j in range(n)]


def test_count_tree_matches_naive_cumulative_search() -> None:
    rng = random.Random(11)
    for _ in range(300):
        counts = [rng.randrange(0, 6) for _ in range(rng.randrange(1, 40))]
        if not sum(counts):
            continue
        tree, left = CountTree(counts), list(counts)
        while tree.total:
            u = rng.randrange(tree.total)
            acc, want = 0, -1
            for i, c in enumerate(left):
                acc += c
                if acc > u:
                    want = i
                    break
            assert tree.find(u) == want
            tree.remove(want)
            left[want] -= 1
        assert left == [0] * len(counts)


def test_count_tree_draw_is_exactly_proportional() -> None:
    # Every u in [0, R) maps to some index; index i receives exactly r_i of them.
    counts = [3, 0, 1, 7, 0, 2, 5]
    tree = CountTree(counts)
    tally = Counter(tree.find(u) for u in range(tree.total))
    assert [tally[i] for i in range(len(counts))] == counts


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 1000), min_size=1, max_size=8),
    st.integers(1, 6),
    st.integers(2, 6),
    st.binary(min_size=32, max_size=32),
    st.integers(0, 2**20),
)
def test_epoch_counts_floor_ceil_and_exhausted(
    stakes: list[int], window: int, windows: int, seed: bytes, epoch: int
) -> None:
    length = window * windows
    config = ElectionConfig(b"h", epoch_length=length, seed_cutoff=length - window, mode="windowed", window=window)
    table = _table(stakes)
    s = WindowedSchedule(config, table, epoch, seed)
    counts = s.counts()
    assert sum(counts.values()) == length
    for v in table:
        share = Fraction(length * v.stake, table.total_stake)
        assert share.__floor__() <= counts[v.id] <= share.__ceil__()
    # The counts are the systematic sampling of the offset drawn from the window-counts stream.
    ctx = windowed_context(config, table, epoch, seed)
    offset = HashStream(stream_key(b"window-counts", ctx)).uniform(table.total_stake)
    assert s.offset == offset and list(counts.values()) == primary_counts(table.stakes, length, offset)
    # Reveal window by window: each draw comes out of what is left, and the epoch exhausts it.
    for j, ws in enumerate(_wseeds(windows, seed)):
        before = s.remaining()
        s.reveal(ws)
        drawn = Counter(s.leaders()[j * window :])
        after = s.remaining()
        assert all(after[v] == before[v] - drawn[v] >= 0 for v in table.ids)
        assert s.revealed == j + 1
    assert Counter(s.leaders()) == Counter({k: c for k, c in counts.items() if c})
    assert set(s.remaining().values()) == {0}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 12), min_size=1, max_size=5), st.integers(1, 9))
def test_counts_expectation_is_exact_over_all_offsets(stakes: list[int], length: int) -> None:
    # The offset is uniform on [0, S): summing the counts over every offset gives L * s_i * ... exactly.
    total = sum(stakes)
    sums = [0] * len(stakes)
    for offset in range(total):
        for i, c in enumerate(primary_counts(stakes, length, offset)):
            sums[i] += c
    assert sums == [length * s for s in stakes]  # E[count_i] = (1/S) * sum = L * s_i / S


def test_incremental_equals_batch_and_lookahead() -> None:
    seeds = _wseeds(3, b"w")
    a = WindowedSchedule(CONFIG, TABLE, 5, SEED, seeds)
    b = WindowedSchedule(CONFIG, TABLE, 5, SEED)
    for ws in seeds:
        b.reveal(ws)
    assert a.leaders() == b.leaders() and len(a.leaders()) == 60
    assert all(a.ranking(x) == b.ranking(x) for x in a.slots)
    # Window j's leaders depend only on the seeds of windows 0..j.
    c = WindowedSchedule(CONFIG, TABLE, 5, SEED, [*seeds[:2], bytes(32)])
    assert c.leaders()[:40] == a.leaders()[:40] and c.leaders()[40:] != a.leaders()[40:]
    assert Counter(c.leaders()) == Counter(a.leaders())  # the count is fixed by the epoch seed
    assert all(c.ranking(x) == a.ranking(x) for x in range(300, 340))
    # A different epoch seed changes the counts' offset stream and the draws.
    d = WindowedSchedule(CONFIG, TABLE, 5, bytes(32), seeds)
    assert d.leaders() != a.leaders()


def test_rankings_and_queries() -> None:
    s = WindowedSchedule(CONFIG, TABLE, 5, SEED, _wseeds(2, b"q"))
    assert s.first_slot == 300 and s.windows == 3 and s.window == 20 and s.depth == 3
    assert s.window_slots(1) == range(320, 340) and s.window_of(339) == 1 and s.window_of(340) == 2
    for x in range(300, 340):
        r = s.ranking(x)
        assert r[0] == s.leader(x) == s.at_rank(x, 0) and len(r) == 4 and len(set(r)) == 4
        assert all(s.at_rank(x, k) == r[k] and s.rank_of(x, r[k]) == k for k in range(4))
        assert s.is_revealed(x)
    assert s.slot_input(310).endswith((310).to_bytes(8, "big"))
    for x in (340, 359):
        assert s.contains(x) and not s.is_revealed(x)
        with pytest.raises(WindowNotRevealed):
            s.leader(x)
        with pytest.raises(InvalidSlot):  # WindowNotRevealed is an InvalidSlot
            s.ranking(x)
    for bad in (299, 360, -1, True):
        assert not s.contains(bad)  # type: ignore[arg-type]
        with pytest.raises(InvalidSlot):
            s.leader(bad)  # type: ignore[arg-type]
    with pytest.raises(IndexError):
        s.at_rank(300, 4)
    s.reveal(bytes(32))
    with pytest.raises(InvalidConfig, match="all revealed"):
        s.reveal(bytes(32))
    with pytest.raises(InvalidConfig):
        WindowedSchedule(CONFIG, TABLE, 5, SEED, [b"short"])
    with pytest.raises(InvalidConfig):
        WindowedSchedule(ElectionConfig(b"x", epoch_length=60), TABLE, 5, SEED)
    with pytest.raises(InvalidConfig):
        WindowedSchedule(CONFIG, TABLE, 5, SEED, bytes(32))  # a bare seed, not a list of seeds


def test_primary_share_over_many_epochs_is_stake_proportional() -> None:
    # The counts are exact per epoch; the windows only reorder them.
    total = Counter[str]()
    for epoch in range(30):
        s = WindowedSchedule(CONFIG, TABLE, epoch, SEED, _wseeds(3, bytes([epoch])))
        total.update(s.leaders())
    for v in TABLE:
        share = Fraction(30 * 60 * v.stake, TABLE.total_stake)
        assert abs(total[v.id] - share) <= 30  # each epoch is within one slot of the share


def test_window_source() -> None:
    assert window_source(CONFIG, 0, 0) == range(0, 0) and window_source(CONFIG, 0, 1) == range(0, 0)
    assert window_source(CONFIG, 0, 2) == range(0, 20)
    assert window_source(CONFIG, 5, 0) == range(260, 280)  # window 1 of epoch 4
    assert window_source(CONFIG, 5, 1) == range(280, 300)  # window 2 of epoch 4
    assert window_source(CONFIG, 5, 2) == range(300, 320)
    for bad in (-1, 3, True):
        with pytest.raises(InvalidSlot):
            window_source(CONFIG, 5, bad)  # type: ignore[arg-type]


def _spec_window_seed(epoch: int, seed: bytes, window: int, prev: bytes, blocks: list[tuple[int, bytes]]) -> bytes:
    tag = b"\x15seqvrf/v1/window-seed"
    body = tag + bytes([len(CONFIG.chain_id)]) + CONFIG.chain_id + epoch.to_bytes(8, "big") + seed
    body += (20).to_bytes(4, "big") + window.to_bytes(4, "big") + prev
    for slot, beta in blocks:
        body += slot.to_bytes(8, "big") + beta
    return hashlib.sha512(body + len(blocks).to_bytes(8, "big")).digest()[:32]


def test_window_seed_bytes_and_chaining() -> None:
    betas = {x: hashlib.sha512(b"beta %d" % x).digest() for x in range(260, 340)}
    w0 = window_seed(CONFIG, 5, SEED, 0, None, [(x, betas[x]) for x in (261, 270, 279)])
    assert w0 == _spec_window_seed(5, SEED, 0, SEED, [(x, betas[x]) for x in (261, 270, 279)])
    w1 = window_seed(CONFIG, 5, SEED, 1, w0, [(x, betas[x]) for x in range(280, 300)])
    assert w1 == _spec_window_seed(5, SEED, 1, w0, [(x, betas[x]) for x in range(280, 300)])
    w2 = window_seed(CONFIG, 5, SEED, 2, w1, [])
    assert w2 == _spec_window_seed(5, SEED, 2, w1, [])
    # Chaining: the previous seed and every beta matter; withholding one block changes the seed.
    assert window_seed(CONFIG, 5, SEED, 2, w0, []) != w2
    assert window_seed(CONFIG, 5, SEED, 0, None, [(261, betas[261]), (270, betas[270])]) != w0
    s = WindowedSchedule(CONFIG, TABLE, 5, SEED)
    feeds = ([(x, betas[x]) for x in (261, 270, 279)], [(x, betas[x]) for x in range(280, 300)], [])
    for j, blocks in enumerate(feeds):
        nxt = s.next_window_accumulator()
        assert nxt.window == j and nxt.source == window_source(CONFIG, 5, j)
        for x, b in blocks:
            nxt.add(x, b)
        s.reveal(nxt.finish())
    assert s.window_seeds == (w0, w1, w2)
    with pytest.raises(InvalidConfig, match="all revealed"):
        s.next_window_accumulator()
    acc = WindowSeedAccumulator(CONFIG, 5, SEED, 2, w1)
    assert acc.finish() == w2 and acc.count == 0
    acc.add(300, betas[300])
    assert acc.count == 1 and acc.finish() != w2
    with pytest.raises(InvalidSlot, match="strictly increase"):
        acc.add(300, betas[300])
    with pytest.raises(InvalidSlot, match="source window"):
        acc.add(320, betas[320])
    with pytest.raises(MalformedData):
        acc.add(301, b"short")
    with pytest.raises(InvalidConfig):
        WindowSeedAccumulator(CONFIG, 5, SEED, 0, w0)  # window 0 chains from the epoch seed
    with pytest.raises(InvalidConfig):
        WindowSeedAccumulator(CONFIG, 5, SEED, 1, None)
    with pytest.raises(InvalidConfig):
        WindowSeedAccumulator(ElectionConfig(b"x", epoch_length=60), 5, SEED, 1, w0)
    with pytest.raises(InvalidSlot):
        window_seed(CONFIG, 0, SEED, 1, w0, [(0, betas[260])])  # epoch 0 window 1 has no source


def test_withholding_moves_slots_between_windows_but_not_counts() -> None:
    # An adversary that withholds any subset of source blocks gets one of 2^k window seeds;
    # every resulting schedule has the same per-epoch counts.
    betas = [(x, hashlib.sha512(b"b%d" % x).digest()) for x in range(300, 304)]
    w0 = window_seed(CONFIG, 5, SEED, 0, None, [])
    w1 = window_seed(CONFIG, 5, SEED, 1, w0, [])
    outcomes = set()
    for mask in range(16):
        kept = [b for i, b in enumerate(betas) if mask >> i & 1]
        w2 = window_seed(CONFIG, 5, SEED, 2, w1, kept)
        s = WindowedSchedule(CONFIG, TABLE, 5, SEED, [w0, w1, w2])
        outcomes.add(tuple(s.leaders()[40:]))
        assert Counter(s.leaders()) == Counter({k: c for k, c in s.counts().items() if c})
    assert len(outcomes) > 8  # the adversary does choose among many orders of the last window


def _position_laws(counts: list[int]) -> list[dict[int, Fraction]]:
    """Exact law of the leader at every position of the epoch, following CountTree.find over every u."""
    length = sum(counts)
    laws: list[dict[int, Fraction]] = [{} for _ in range(length)]

    def walk(left: list[int], pos: int, p: Fraction) -> None:
        if pos == length:
            return
        tree = CountTree(left)
        for u in range(tree.total):  # uniform(R): each u with probability 1/R
            i = tree.find(u)
            laws[pos][i] = laws[pos].get(i, Fraction(0)) + p / tree.total
            nxt = list(left)
            nxt[i] -= 1
            walk(nxt, pos + 1, p / tree.total)

    walk(list(counts), 0, Fraction(1))
    return laws


@pytest.mark.parametrize("counts", [[2, 1, 3], [3, 0, 2, 1], [1, 1, 1, 1, 1]])
def test_every_position_is_led_in_proportion_to_counts(counts: list[int]) -> None:
    # Draws without replacement are exchangeable: whatever the window and the offset in it,
    # the slot's leader is validator i with probability exactly count_i / L.
    length = sum(counts)
    for law in _position_laws(counts):
        assert law == {i: Fraction(c, length) for i, c in enumerate(counts) if c}
