"""Takeover latency and liveness of real `seqvrf node` processes on 127.0.0.1 (a measurement
script, not a pytest suite).

Runs ``seqvrf devnet``'s engine (election.dev.devnet.Devnet) in two scenarios and prints a
table of takeover latency against the documented bound ``S + T + one delay``:

1. ``crash``: 5 nodes, the leader killed (kill -9) and restarted, no other fault;
2. ``faults``: 5 nodes for 2 minutes, a crash and a restart, 10 % datagram loss, clock skew
   of +-100 ms, and a garbage sender.

T = 120 ms, epochs of 32 slots (seed cutoff 16); slots of 400 ms (2 backups) in scenario 1 and
600 ms in scenario 2, so that ``(backups + 1) * T + 2 * skew <= slot`` (docs/node.md).  Latency is
measured by each backup on its own clock (skewed in scenario 2) from the slot start to the
moment its block is sent.

Run: ``python benches/devnet_bench.py [--duration 120] [--crash-duration 60] [--out DIR] [--json]``
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from election.dev.devnet import Devnet, parse_faults


def run(name: str, nodes: int, duration: float, spec: str, out: Path, slot_ms: int = 400) -> dict[str, Any]:
    net = Devnet(nodes, duration, out / name, parse_faults(spec, duration), slot_ms=slot_ms)
    s = net.run()
    lat = s["takeover_latency_ms"]
    rj = [r["rejoin_time_s"] for r in s["restarts"] if r["rejoin_time_s"] is not None]
    return {"scenario": name, "faults": spec, "nodes": nodes, "duration_s": duration, "slot_ms": slot_ms,
            "backups": s["config"]["backups"],
            "slots": s["slots"], "filled": s["filled_fraction"], "takeovers": s["takeovers"],
            "latency_n": lat["count"], "p50_ms": lat["p50"], "p99_ms": lat["p99"], "mean_ms": lat["mean"],
            "rank1": lat["by_rank"].get("1", {}), "bound_ms": lat["documented_bound_ms"],
            "two_blocks": s["slots_with_two_blocks"],
            "equivocations": s["equivocations"], "disagreements": s["canonical_disagreements"],
            "rejoin_s": rj, "rejoined_and_produced": all(r["first_block_after_restart_slot"] is not None
                                                         for r in s["restarts"]),
            "audit_ok": s["audit"]["ok"], "rejected": s["rejected_inputs"]}


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| scenario | nodes, run | slots filled | takeovers | rank-1 takeover latency p50 / p99 "
            "| all ranks p50 / p99 / mean | bound S+T+delay (rank 1) | slots with 2 blocks | equivocations "
            "| disagreements | rejoin | audit |")
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        lines.append(
            f"| {r['scenario']} (`{r['faults']}`) | {r['nodes']} nodes, {r['duration_s']:.0f} s, "
            f"{r['slot_ms']} ms slots, {r['backups']} backups | "
            f"{r['filled']:.1%} of {r['slots']} | {r['takeovers']} | "
            f"{r['rank1'].get('p50')} / {r['rank1'].get('p99')} ms (n={r['rank1'].get('count', 0)}) | "
            f"{r['p50_ms']} / {r['p99_ms']} / {r['mean_ms']} ms (n={r['latency_n']}) | {r['bound_ms']} ms + delay | "
            f"{r['two_blocks']} | {r['equivocations']} | {r['disagreements']} | "
            f"{', '.join(f'{x:.2f} s' for x in r['rejoin_s']) or '-'} | {'ok' if r['audit_ok'] else 'FAILED'} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=120.0, help="seconds of the faults scenario (default 120)")
    ap.add_argument("--crash-duration", type=float, default=60.0, help="seconds of the crash scenario (default 60)")
    ap.add_argument("--out", type=Path, default=None, help="keep the devnet directories here")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="seqvrf-devnet-bench-"))
    d, c = args.duration, args.crash_duration
    rows = [
        run("crash", 5, c, f"crash@{c / 3:.0f}+{c / 6:.0f}", out),
        run("faults", 5, d, f"crash@{d / 4:.0f}+{d / 8:.0f},loss=0.1,skew=100,garbage", out, slot_ms=600),
    ]
    print(json.dumps(rows, indent=2) if args.json else table(rows))
    print(f"(devnet directories in {out})")


if __name__ == "__main__":
    main()
