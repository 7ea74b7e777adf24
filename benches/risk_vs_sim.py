"""The downtime-risk model against `seqvrf simulate`: a Markdown table for docs/risk.md.

Usage: python benches/risk_vs_sim.py [--runs 20] [--mc-runs 4000] [--rows 0,1]

For each configuration (equal stakes, crash faults), ``--runs`` simulated epochs (seeds 1..N)
give the mean number of empty slots per epoch with its standard error and the fraction of
epochs whose longest empty run reached 2 and 3 slots.  The model, on the same parameters,
gives the exact expected number of empty slots (per-slot availability of a process that
starts up at time 0, as the simulator's) and the longest-run fractions from the
persistent-failure Monte Carlo started up (``--mc-runs`` epochs in all, spread over the
simulated runs' schedules).  ``z`` is the difference in standard errors of the simulated
mean.
"""

from __future__ import annotations

import argparse
import math

from election.risk.model import monte_carlo, slot_risks, transient_availability
from election.rules.schedule import Schedule
from election.sim import SimParams, parse_faults, simulate

CONFIGS = [  # validators, slots, downtime fraction, MTTR seconds
    (6, 40, 0.25, 15.0),
    (8, 60, 0.25, 20.0),
    (10, 60, 0.15, 30.0),
    (20, 100, 0.10, 60.0),
]


def _frac(sim_longest: list[int], mc_longest: dict[int, int], mc_runs: int, k: int) -> str:
    n = len(sim_longest)
    sim_p = sum(b >= k for b in sim_longest) / n
    mc_p = sum(c for kk, c in mc_longest.items() if kk >= k) / mc_runs
    return f"{sim_p:.2f} (+-{math.sqrt(sim_p * (1 - sim_p) / n):.2f}) / {mc_p:.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--mc-runs", type=int, default=4000)
    ap.add_argument("--rows", default=None, help="comma-separated row numbers of CONFIGS to run (default all)")
    a = ap.parse_args()
    rows = CONFIGS if a.rows is None else [CONFIGS[int(i)] for i in a.rows.split(",")]
    print("| validators, slots, downtime, MTTR | simulated empty/epoch | model (exact) | z | "
          "P(run >= 2) sim / model | P(run >= 3) sim / model |")
    print("|---|---|---|---|---|---|")
    for v, length, rate, mttr in rows:
        empties, longest, model = [], [], 0.0
        mc_longest: dict[int, int] = {}
        mc_runs = 0
        for seed in range(1, a.runs + 1):
            run = simulate(SimParams(validators=v, epochs=1, epoch_length=length, stake="equal", seed=seed,
                                     faults=parse_faults(f"crash:rate={rate},mttr={mttr}")))
            cur = best = 0
            for s in range(length):
                cur = 0 if s in run.canonical else cur + 1
                best = max(best, cur)
            empties.append(length - len(run.canonical))
            longest.append(best)
            sched = Schedule(run.config, run.table, 0, run.seeds[0])
            mc = monte_carlo(sched, dict.fromkeys(sched.table.ids, 1 - rate), mttr=mttr, runs=a.mc_runs // a.runs,
                             seed=seed, start_up=True)
            for k, c in mc.longest.items():
                mc_longest[k] = mc_longest.get(k, 0) + c
            mc_runs += mc.runs
            slot_s = run.config.slot_duration_ms / 1000
            for s in range(length):
                at = dict.fromkeys(run.table.ids, transient_availability(1 - rate, mttr, slot_s * s))
                model += slot_risks(sched, at, slots=[s])[0].empty / a.runs
        n = a.runs
        mean = sum(empties) / n
        se = math.sqrt(sum((x - mean) ** 2 for x in empties) / (n - 1) / n)
        z = (mean - model) / se if se else float("nan")
        print(f"| {v}, {length}, {rate:.0%}, {mttr:g} s | {mean:.2f} +- {se:.2f} | {model:.2f} | {z:+.1f} | "
              f"{_frac(longest, mc_longest, mc_runs, 2)} | {_frac(longest, mc_longest, mc_runs, 3)} |", flush=True)


if __name__ == "__main__":
    main()
