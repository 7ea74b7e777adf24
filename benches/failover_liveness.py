"""Failover liveness on the in-memory network (a measurement script, not a pytest suite).

1. Takeover latency: in each trial one slot's leader crashes at a random moment during
   the preceding slot; we record when the first backup's block for that slot is
   published, from the crash and from the slot's start, against the configured
   failover timeout T.
2. Slots filled with 0 %, 10 %, 20 % and 33 % of the stake crashed (a random set of
   validators, crashed after the detectors warmed up), over many slots.

Real keys, proofs and signatures; virtual clock and network (election.dev.testing).
Deterministic for given arguments.

Run: ``python benches/failover_liveness.py [--trials 200] [--slots 100] [--json]``
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from typing import Any

from election import ElectionConfig, verify_claim
from election.dev.testing import FailoverCluster
from election.node.health import PhiAccrualDetector

SLOT_MS = 2000
TIMEOUT_MS = 500


def pct(values: list[float], q: float) -> float:
    """The q-quantile by nearest rank (q in [0, 1])."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(q * len(s) + 0.999999) - 1))]


def stakes_for(n: int, rng: random.Random) -> list[int]:
    """Pareto-like integer stakes (alpha 1.5), at least 1."""
    return [max(1, int(1000 * rng.paretovariate(1.5))) for _ in range(n)]


def takeover_latency(trials: int, validators: int, seed: int) -> dict[str, Any]:
    """Crash one slot's leader per trial and time the backup's block."""
    rng = random.Random(seed)
    config = ElectionConfig(b"bench-failover", epoch_length=1000, slot_duration_ms=SLOT_MS,
                            failover_timeout_ms=TIMEOUT_MS, backups=3)
    slot_s, t_s = SLOT_MS / 1000, TIMEOUT_MS / 1000
    from_crash: list[float] = []
    from_start: list[float] = []
    ranks: dict[int, int] = {}
    empty = 0
    for trial in range(trials):
        stakes = [10] * validators
        slot = rng.randrange(5, 900)
        start = slot * slot_s
        crash_at = start - rng.uniform(0.0, slot_s)
        c = FailoverCluster(stakes, config, key_seed=b"bench", net_seed=trial, latency=0.005, jitter=0.01,
                            start=crash_at - 2.0)
        sched = c.schedule(0)
        c.crash(sched.leader(slot), crash_at)
        c.run(start + slot_s)
        b = c.best_block(slot)
        if b is None:
            empty += 1
            continue
        verify_claim(b.claim, sched)
        ranks[b.claim.rank] = ranks.get(b.claim.rank, 0) + 1
        from_crash.append(b.time - crash_at)
        from_start.append(b.time - start)
    return {
        "trials": trials, "validators": validators, "timeout_s": t_s, "empty": empty, "ranks": ranks,
        "from_slot_start": {"mean": statistics.fmean(from_start), "p50": pct(from_start, 0.5),
                            "p99": pct(from_start, 0.99), "max": max(from_start)},
        "from_crash": {"mean": statistics.fmean(from_crash), "p50": pct(from_crash, 0.5),
                       "p99": pct(from_crash, 0.99), "max": max(from_crash)},
    }


def filled(share: float, validators: int, slots: int, seed: int) -> dict[str, Any]:
    """Crash about ``share`` of the stake (never more) and count the filled slots."""
    rng = random.Random(seed)
    config = ElectionConfig(b"bench-filled", epoch_length=slots + 10, slot_duration_ms=SLOT_MS,
                            failover_timeout_ms=TIMEOUT_MS, backups=3)
    stakes = stakes_for(validators, rng)
    hb = 0.25
    c = FailoverCluster(stakes, config, key_seed=b"bench-filled", net_seed=seed, latency=0.005, jitter=0.01,
                        heartbeat_interval=hb, start=-3.0,
                        controller_kwargs={"detector_factory": lambda: PhiAccrualDetector(
                            min_std_deviation=0.05, first_heartbeat_estimate=hb)})
    total = c.table.total_stake
    order = list(c.ids)
    rng.shuffle(order)
    down: list[str] = []
    acc = 0
    for vid in order:
        s = c.table[vid].stake
        if 100 * (acc + s) <= share * 100 * total:
            down.append(vid)
            acc += s
    for vid in down:
        c.crash(vid, -1.0)
    c.run(slots * SLOT_MS / 1000)
    ranks: dict[int, int] = {}
    lat: list[float] = []
    for slot in range(slots):
        b = c.best_block(slot)
        if b is not None:
            ranks[b.claim.rank] = ranks.get(b.claim.rank, 0) + 1
            if b.claim.rank:
                lat.append(b.time - slot * SLOT_MS / 1000)
    n_filled = sum(ranks.values())
    return {
        "target_share": share, "crashed_share": acc / total, "crashed": len(down), "validators": validators,
        "slots": slots, "filled": n_filled / slots, "ranks": dict(sorted(ranks.items())), "latencies": lat,
    }


def merge(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Pool several :func:`filled` runs of one target share."""
    slots = sum(r["slots"] for r in runs)
    ranks: dict[int, int] = {}
    for r in runs:
        for k, v in r["ranks"].items():
            ranks[k] = ranks.get(k, 0) + v
    lat = [x for r in runs for x in r["latencies"]]
    return {
        "target_share": runs[0]["target_share"], "crashed_share": statistics.fmean(r["crashed_share"] for r in runs),
        "crashed": statistics.fmean(r["crashed"] for r in runs), "validators": runs[0]["validators"],
        "runs": len(runs), "slots": slots, "filled": sum(ranks.values()) / slots, "ranks": dict(sorted(ranks.items())),
        "takeover_mean": statistics.fmean(lat) if lat else None, "takeover_p99": pct(lat, 0.99) if lat else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--validators", type=int, default=16, help="validators in the latency trials")
    ap.add_argument("--filled-validators", type=int, default=30)
    ap.add_argument("--slots", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=3, help="stake draws and crash sets per crashed share")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    t0 = time.perf_counter()
    lat = takeover_latency(args.trials, args.validators, args.seed)
    fills = [merge([filled(s, args.filled_validators, args.slots, args.seed + 100 * k + i)
                    for k in range(args.repeats)])
             for i, s in enumerate((0.0, 0.10, 0.20, 0.33))]
    elapsed = time.perf_counter() - t0
    if args.json:
        print(json.dumps({"latency": lat, "filled": fills, "seconds": elapsed}, indent=2))
        return
    T = lat["timeout_s"]
    print(f"takeover after a leader crash: {lat['trials']} trials, {lat['validators']} equal validators, "
          f"T = {T:.3f} s, slot = {SLOT_MS / 1000:.1f} s, ranks {lat['ranks']}, empty {lat['empty']}")
    for key, label in (("from_slot_start", "slot start -> backup block"), ("from_crash", "crash -> backup block")):
        d = lat[key]
        print(f"  {label:28s} mean {d['mean']:.3f} s ({d['mean'] / T:.2f} T)  p50 {d['p50']:.3f} s  "
              f"p99 {d['p99']:.3f} s ({d['p99'] / T:.2f} T)  max {d['max']:.3f} s")
    print(f"slots filled ({args.filled_validators} Pareto-staked validators, {args.repeats} x {args.slots} slots, "
          "backups 3):")
    print("  crashed stake  validators  filled   by rank                          takeover mean / p99 (from S)")
    for f in fills:
        tk = "-" if f["takeover_mean"] is None else f"{f['takeover_mean']:.3f} s / {f['takeover_p99']:.3f} s"
        print(f"  {100 * f['crashed_share']:6.1f} %       {f['crashed']:5.1f}     {100 * f['filled']:6.1f} %  "
              f"{str(f['ranks']):32s} {tk}")
    print(f"({elapsed:.1f} s)")


if __name__ == "__main__":
    main()
