"""Sweep: slots filled and takeover latency p99 against the share of stake crashed.

Usage: python benches/sim_sweep.py [--validators N] [--epochs E] [--epoch-length L]
Prints a Markdown table (the one in docs/simulate.md).
"""

from __future__ import annotations

import argparse

from election.sim import SimParams, parse_faults, simulate, summarize


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--validators", type=int, default=50)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--epoch-length", type=int, default=150)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    print("| crashed stake | slots filled | takeovers | takeover mean | p50 | p99 | empty slots |")
    print("|---|---|---|---|---|---|---|")
    # 0.32 and 0.33 straddle one third with 50 equal validators (16 vs 17 down): the quorum edge.
    for share in (0.0, 0.10, 0.20, 0.32, 0.33, 0.40):
        faults = parse_faults(f"down:stake={share}" if share else "none")
        s = summarize(simulate(SimParams(validators=a.validators, epochs=a.epochs, epoch_length=a.epoch_length,
                                         stake="equal", faults=faults, seed=a.seed)))
        lat = s["takeover_latency_s"]
        down = sum(1 for v in s["validators"] if v["downtime_s"] > 0)
        def ms(x: float | None) -> str:
            return "-" if x is None else f"{1000 * x:.0f} ms"
        print(f"| {share:.0%} ({down} of {a.validators}) | {100 * s['slots']['fraction_filled']:.1f} % | "
              f"{s['takeovers']['total']} | {ms(lat['mean'])} | {ms(lat['p50'])} | {ms(lat['p99'])} | "
              f"{s['slots']['empty']} |", flush=True)


if __name__ == "__main__":
    main()
