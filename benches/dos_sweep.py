"""Targeted denial of service against each election mode: slots filled and takeover latency.

``python benches/dos_sweep.py [--epochs E] [--epoch-length L] [--lead N] [--window W]
[--proposers K] [--budgets 0,1,2,5,10] [--modes rotation,windowed,secret]``

50 validators with equal stakes (so that the attacker's budget, not a whale, decides what a
certificate can reach), 2 s slots, 500 ms failover timeout, 3 backups, no other fault.  The
``target:budget=B,lead=N`` attacker isolates, during each slot, the first ``B`` ranked
validators of that slot when it could predict them ``N`` slots ahead (docs/simulate.md):
the rotation's epoch is predictable from the previous cutoff, a windowed window ``W`` to
``2W - 1`` slots ahead, the secret race never.  Defaults: 2 epochs of 60 slots, lead 10
slots (20 s to take a validator down), ``W = 5`` (the lookahead is 10 to 18 s: shorter than
the lead, so the windowed attacker predicts nothing) and ``k = 5`` (an empty slot with
probability ``e^-5 = 0.67 %`` even with everyone up).  About 2.5 minutes on 2 cores.

Columns: slots filled; takeovers (backup blocks); takeover latency (slot start to the
backup's block, mean and p99, from the simulator's summary); slots the attacker hit (slots
during which it isolated someone).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from election.sim import SimParams, parse_faults, simulate, summarize  # noqa: E402


def ms(x: float | None) -> str:
    return "-" if x is None else f"{1000 * x:.0f} ms"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--epoch-length", type=int, default=60)
    ap.add_argument("--lead", type=int, default=10)
    ap.add_argument("--window", type=int, default=5)
    ap.add_argument("--proposers", type=int, default=5)
    ap.add_argument("--budgets", default="0,1,2,5,10")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--modes", default="rotation,windowed,secret")
    args = ap.parse_args()
    budgets = [int(b) for b in args.budgets.split(",")]
    print(f"50 validators (equal stake), {args.epochs} epochs x {args.epoch_length} slots, lead {args.lead} slots, "
          f"W = {args.window}, k = {args.proposers}, seed {args.seed}")
    print()
    print("| mode | budget | slots filled | takeovers | takeover mean | takeover p99 | slots hit |")
    print("|---|---|---|---|---|---|---|")
    started = time.perf_counter()
    for mode in args.modes.split(","):
        for budget in budgets:
            faults = parse_faults(f"target:budget={budget},lead={args.lead}" if budget else "none")
            extra: dict[str, int] = {}
            if mode == "windowed":
                extra["window"] = args.window
            elif mode == "secret":
                extra["proposers"] = args.proposers
            params = SimParams(validators=50, epochs=args.epochs, epoch_length=args.epoch_length, stake="equal",
                               faults=faults, seed=args.seed, mode=mode, **extra)  # type: ignore[arg-type]
            run = simulate(params)
            s = summarize(run)
            slots = s["slots"]["total"]
            lat = s["takeover_latency_s"]
            print(f"| {mode} | {budget} | {100 * s['slots']['filled'] / slots:.1f} % | {s['takeovers']['total']} "
                  f"| {ms(lat['mean'])} | {ms(lat['p99'])} | {run.counters['dos_slots']} |",
                  flush=True)
    print()
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
