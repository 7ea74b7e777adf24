"""Sweep: slots filled and takeover latency p99 against the share of stake crashed.

Usage: python benches/sim_sweep.py [--validators N] [--epochs E] [--epoch-length L]
       python benches/sim_sweep.py --recovery [--epochs 6] ...
Prints a Markdown table (the ones in docs/simulate.md).  With ``--recovery`` the stake
crashes at the start of epoch 2 and stays down; each share runs with the inactivity rule
off and on (docs/spec.md section 19), and the table gives the slots filled per epoch.
"""

from __future__ import annotations

import argparse

from election import audit
from election.sim import SimParams, parse_faults, simulate, summarize
from election.sim.summary import canonical_records


def recovery_sweep(a: argparse.Namespace) -> None:
    """Stake crashed at the start of epoch 2 for good; slots filled per epoch, rule off and on."""
    epochs = max(a.epochs, 5)
    head = " | ".join(f"epoch {e}" for e in range(epochs))
    print(f"| crashed stake | rule | {head} | from epoch 4 | takeovers | audit |")
    print("|---|---|" + "---|" * epochs + "---|---|---|")
    at = 2 * a.epoch_length * 2  # epoch 2 starts at slot 2L, slots of 2 s
    for share in (0.34, 0.40, 0.50):
        for rec in (False, True):
            faults = parse_faults(f"outage:stake={share},at={at},for=1000000000")
            run = simulate(SimParams(validators=a.validators, epochs=epochs, epoch_length=a.epoch_length,
                                     stake="equal", faults=faults, seed=a.seed, recovery=rec))
            s = summarize(run)
            report = audit(run.genesis, canonical_records(run))
            down = len(run.roles.get("outage", []))
            cells = " | ".join(f"{100 * e['filled'] / e['slots']:.1f} %" for e in s["epochs"])
            late = s["epochs"][4:]
            frac = sum(e["filled"] for e in late) / sum(e["slots"] for e in late)
            print(f"| {share:.0%} ({down} of {a.validators}) | {'on' if rec else 'off'} | {cells} | "
                  f"{100 * frac:.1f} % | {s['takeovers']['total']} | {'pass' if report.ok else 'FAIL'} |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--validators", type=int, default=50)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--epoch-length", type=int, default=150)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--recovery", action="store_true", help="crash at epoch 2, rule off vs on")
    a = ap.parse_args()
    if a.recovery:
        recovery_sweep(a)
        return
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
