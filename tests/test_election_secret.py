"""Secret mode: exact race comparisons and eligibility against a high-precision reference,
stake-proportional shares (chi-square), empty-slot rate, and the deterministic total order."""

from __future__ import annotations

import functools
import math
import random
from decimal import Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from election import InvalidConfig, InvalidStakeTable, MalformedData
from election.rules.secret import (
    RaceEntry,
    RaceScore,
    better_claim,
    compare_entries,
    compare_scores,
    is_eligible,
    ln2_bounds,
    neg_ln_bounds,
    race_ranking,
    score,
)

SEED = 20261203
PREC = 360  # decimal digits of the reference (~1,200 bits): the ties built below differ near bit 513
TWO513 = Decimal(2**513)  # exact (an int converts exactly; a power at the default precision would round)


def _neg_ln_u(m: int) -> Decimal:
    return -(Decimal(m) / TWO513).ln()


def ref_compare(a: RaceScore, b: RaceScore) -> int:
    """Reference: sign of s_b * (-ln u_a) - s_a * (-ln u_b), in 360-digit decimal arithmetic."""
    with localcontext() as ctx:
        ctx.prec = PREC
        d = b.stake * _neg_ln_u(a.m) - a.stake * _neg_ln_u(b.m)
        assert d == 0 or abs(d) > Decimal(10) ** (-PREC + 60), "reference not precise enough"
        return (d > 0) - (d < 0)


def ref_eligible(m: int, stake: int, total: int, k: int) -> bool:
    with localcontext() as ctx:
        ctx.prec = PREC
        d = total * _neg_ln_u(m) - k * stake
        assert abs(d) > Decimal(10) ** (-PREC + 60)
        return d < 0


def _beta(m: int) -> bytes:
    return (m >> 1).to_bytes(64, "big")


def _odd_near(x: Decimal) -> int:
    """The odd integer nearest to x, clamped to [1, 2^513 - 1]."""
    m = int(x.to_integral_value())
    m |= 1
    return min(max(m, 1), 2**513 - 1)


def test_bounds_enclose_the_logarithms() -> None:
    rng = random.Random(SEED)
    with localcontext() as ctx:
        ctx.prec = 300
        for q in (1, 8, 64, 128, 300):
            lo, hi = ln2_bounds(q)
            assert lo <= Decimal(2).ln() * 2**q <= hi and hi - lo <= q + 8
        for _ in range(60):
            m = 2 * rng.getrandbits(rng.choice([512, 511, 400, 64, 3, 1])) + 1
            for q in (64, 129, 256):
                lo, hi = neg_ln_bounds(m, q)
                true = _neg_ln_u(m) * 2**q
                assert lo <= true <= hi and hi - lo <= 4
        # The extremes: u just above 0 and just below 1.
        for m in (1, 3, 2**513 - 1, 2**513 - 3, 2**512 + 1, 2**512 - 1):
            lo, hi = neg_ln_bounds(m, 64)
            assert lo <= _neg_ln_u(m) * 2**64 <= hi
    for bad in (0, 2, 2**513, 2**513 + 1, -1):
        with pytest.raises(ValueError):
            neg_ln_bounds(bad, 64)


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=64, max_size=64), st.binary(min_size=64, max_size=64),
       st.integers(1, 2**64 - 1), st.integers(1, 2**64 - 1))
def test_compare_agrees_with_reference_random(b1: bytes, b2: bytes, s1: int, s2: int) -> None:
    a, b = score(b1, s1), score(b2, s2)
    assert compare_scores(a, b) == ref_compare(a, b) == -compare_scores(b, a)


def _near_ties(rng: random.Random) -> list[tuple[RaceScore, RaceScore]]:
    """Pairs whose scores differ in about the 500th bit, or are equal."""
    out = []
    with localcontext() as ctx:
        ctx.prec = PREC
        for _ in range(24):
            mb = 2 * rng.getrandbits(512) + 1
            sb = rng.choice([1, 2, 3, 7, 2**32 + 1, 2**64 - 1, rng.randrange(1, 2**64)])
            sa = rng.choice([sb, 2 * sb, sb + 1, 3, rng.randrange(1, 2**64)])
            sa = min(sa, 2**64 - 1)
            # u_a = u_b^(s_a / s_b) makes the scores equal; take the nearest odd numerators around it.
            target = (Decimal(mb) / TWO513).ln() * sa / sb
            centre = _odd_near(target.exp() * TWO513)
            for delta in (-4, -2, 0, 2, 4):
                ma = centre + delta
                if 1 <= ma < 2**513:
                    out.append((RaceScore(ma, sa), RaceScore(mb, sb)))
        # Adjacent numerators with the same stake, and exact ties.
        for _ in range(20):
            m = 2 * rng.getrandbits(512) + 1
            s = rng.randrange(1, 2**64)
            out += [(RaceScore(m, s), RaceScore(m, s)), (RaceScore(m, s), RaceScore(min(m + 2, 2**513 - 1), s))]
            out.append((RaceScore(m, s), RaceScore(m, s + 1 if s < 2**64 - 1 else s - 1)))
    return out


def test_compare_agrees_with_reference_on_near_ties() -> None:
    rng = random.Random(SEED + 1)
    pairs = _near_ties(rng)
    results = [compare_scores(a, b) for a, b in pairs]
    assert results == [ref_compare(a, b) for a, b in pairs]
    assert results == [-compare_scores(b, a) for a, b in pairs]
    assert 0 in results and 1 in results and -1 in results
    # Most pairs are closer than the first precision separates: the refinement is exercised.
    unresolved = 0
    for a, b in pairs:
        (a_lo, a_hi), (b_lo, b_hi) = a.bounds(64), b.bounds(64)
        unresolved += not (b.stake * a_hi < a.stake * b_lo or a.stake * b_hi < b.stake * a_lo)
    assert unresolved > len(pairs) // 2
    # Exact equality happens only for identical (m, stake).
    assert all((r == 0) == (a == b) for r, (a, b) in zip(results, pairs, strict=True))


def test_eligibility_agrees_with_reference() -> None:
    rng = random.Random(SEED + 2)
    cases = []
    for _ in range(150):  # random
        total = rng.randrange(1, 2**64)
        stake = rng.randrange(1, total + 1)
        cases.append((2 * rng.getrandbits(512) + 1, stake, total, rng.randrange(1, 256)))
    with localcontext() as ctx:  # adversarial: u within a few units of exp(-k s / S) at 2^-513
        ctx.prec = PREC
        for _ in range(30):
            total = rng.choice([1, 10, 2**64 - 1, rng.randrange(1, 2**64)])
            stake = rng.randrange(1, total + 1)
            k = rng.randrange(1, 256)
            centre = _odd_near((-Decimal(k * stake) / total).exp() * TWO513)
            for delta in (-6, -2, 0, 2, 6):
                m = centre + delta
                if 1 <= m < 2**513:
                    cases.append((m, stake, total, k))
    got = [is_eligible(_beta(m), s, t, k) for m, s, t, k in cases]
    # The adversarial half sits closer to the threshold than 64 fraction bits resolve.
    near = [neg_ln_bounds(m, 64) for m, *_ in cases[150:]]
    assert all(t * lo <= (k * s) << 64 <= t * hi for (lo, hi), (_, s, t, k) in zip(near, cases[150:], strict=True))
    assert got == [ref_eligible(m, s, t, k) for m, s, t, k in cases]
    assert True in got and False in got


def test_chi_square_shares_follow_stake() -> None:
    """The race winner (ignoring eligibility) is validator i with probability s_i / S."""
    rng = random.Random(SEED + 3)
    stakes = [1, 2, 3, 4, 10]
    total, slots = sum(stakes), 4000
    wins = [0] * len(stakes)
    for _ in range(slots):
        entries = [RaceEntry(f"v{i}", rng.randbytes(64), s) for i, s in enumerate(stakes)]
        best = functools.reduce(better_claim, entries)
        wins[entries.index(best)] += 1
    expected = [slots * s / total for s in stakes]
    chi2 = sum((w - e) ** 2 / e for w, e in zip(wins, expected, strict=True))
    print(f"secret race chi-square (4 dof, {slots} slots, seed {SEED + 3}): {chi2:.2f}, wins {wins}")
    assert chi2 < 18.47  # the 0.999 quantile of chi-square with 4 degrees of freedom


def test_eligibility_rates_and_empty_slots() -> None:
    """P(eligible_i) = 1 - exp(-k s_i / S); P(nobody eligible) = exp(-k); with stake down, exp(-k (1 - d))."""
    rng = random.Random(SEED + 4)
    stakes = [1, 2, 3, 4, 10]
    total, slots, k = sum(stakes), 3000, 2
    eligible = [0] * len(stakes)
    empty = empty_down = 0
    for _ in range(slots):
        betas = [rng.randbytes(64) for _ in stakes]
        flags = [is_eligible(b, s, total, k) for b, s in zip(betas, stakes, strict=True)]
        for i, f in enumerate(flags):
            eligible[i] += f
        empty += not any(flags)
        empty_down += not any(flags[:4])  # the validator with stake 10 (half the stake) is down
    chi2 = 0.0
    for e, s in zip(eligible, stakes, strict=True):
        p = 1 - math.exp(-k * s / total)
        assert abs(e - slots * p) < 4.5 * math.sqrt(slots * p * (1 - p))
        chi2 += (e - slots * p) ** 2 / (slots * p * (1 - p))
    for got, p in ((empty, math.exp(-k)), (empty_down, math.exp(-k * 10 / 20))):
        assert abs(got - slots * p) < 4.5 * math.sqrt(slots * p * (1 - p)), (got, slots * p)
    print(f"eligibility chi-square (5 dof): {chi2:.2f}; empty {empty}/{slots} (e^-2 = {math.exp(-2):.4f}); "
          f"half the stake down: {empty_down}/{slots} (e^-1 = {math.exp(-1):.4f})")
    assert chi2 < 20.52  # 0.999 quantile, 5 dof (independent binomials)


def test_total_order_and_ranking() -> None:
    rng = random.Random(SEED + 5)
    beta = rng.randbytes(64)
    a, b = RaceEntry("alice", beta, 5), RaceEntry("bob", beta, 5)
    assert compare_scores(a.score, b.score) == 0
    assert compare_entries(a, b) == -1 and compare_entries(b, a) == 1  # equal scores: smaller id first
    assert better_claim(a, b) is a and better_claim(b, a) is a
    assert compare_entries(a, RaceEntry("alice", beta, 5)) == 0 and better_claim(a, a) is a
    entries = [RaceEntry(f"v{i:02d}", rng.randbytes(64), rng.randrange(1, 100)) for i in range(30)]
    total = sum(e.stake for e in entries)
    ranked = race_ranking(reversed(entries), total, 3)
    assert ranked == race_ranking(entries, total, 3)  # input order does not matter
    assert all(e.eligible(total, 3) for e in ranked)
    assert {e.validator_id for e in entries if e.eligible(total, 3)} == {e.validator_id for e in ranked}
    assert all(compare_entries(x, y) < 0 for x, y in zip(ranked, ranked[1:], strict=False))
    # The best eligible is the best overall when anyone is eligible.
    if ranked:
        assert ranked[0] == functools.reduce(better_claim, entries)
    with pytest.raises(InvalidStakeTable, match="two entries"):
        race_ranking([entries[0], RaceEntry(entries[0].validator_id, rng.randbytes(64), 3)], total, 3)


def test_bad_inputs() -> None:
    beta = bytes(64)
    for bad_beta in (b"", bytes(63), bytes(65), "x" * 64):
        with pytest.raises(MalformedData):
            score(bad_beta, 1)  # type: ignore[arg-type]
    for bad_stake in (0, -1, 2**64, True, 1.0):
        with pytest.raises(InvalidStakeTable):
            score(beta, bad_stake)  # type: ignore[arg-type]
    with pytest.raises(InvalidStakeTable):
        is_eligible(beta, 5, 4, 1)  # total below the stake
    for bad_k in (0, 256, True):
        with pytest.raises(InvalidConfig):
            is_eligible(beta, 1, 10, bad_k)
    with pytest.raises(InvalidStakeTable):
        RaceEntry("", beta, 1)
    for bad_m in (0, 2, 2**513, 2**513 + 1, -1):
        with pytest.raises(MalformedData):
            RaceScore(bad_m, 1)
    with pytest.raises(InvalidStakeTable):
        RaceScore(1, 0)
    # beta = 0 gives u = 2^-513, the worst possible score; beta = all ones the best.
    worst, best = RaceEntry("a", bytes(64), 1), RaceEntry("b", b"\xff" * 64, 1)
    assert compare_entries(best, worst) == -1 and not worst.eligible(1, 255) and best.eligible(10**6, 1)
