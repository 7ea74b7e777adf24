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

``--modes windowed,secret`` runs both scenarios in each listed election mode (default: the
rotation only); in secret mode there are no ranks, so the latency columns are empty and the
table shows the slots the next-best eligible proposer won instead.

Run: ``python benches/devnet_bench.py [--duration 120] [--crash-duration 60] [--modes LIST] [--out DIR] [--json]``
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from election.dev.devnet import Devnet, parse_faults


def run(name: str, nodes: int, duration: float, spec: str, out: Path, slot_ms: int = 400,
        mode: str = "rotation") -> dict[str, Any]:
    net = Devnet(nodes, duration, out / f"{name}-{mode}", parse_faults(spec, duration), slot_ms=slot_ms, mode=mode)
    s = net.run()
    lat = s["takeover_latency_ms"]
    rj = [r["rejoin_time_s"] for r in s["restarts"] if r["rejoin_time_s"] is not None]
    return {"scenario": name, "mode": mode, "faults": spec,
            "won_by_next_best": (s.get("secret") or {}).get("won_by_next_best"),
            "nodes": nodes, "duration_s": duration, "slot_ms": slot_ms,
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
    head = ("| scenario | mode | nodes, run | slots filled | takeovers | rank-1 takeover latency p50 / p99 "
            "| all ranks p50 / p99 / mean | bound S+T+delay (rank 1) | slots with 2 blocks | equivocations "
            "| disagreements | rejoin | audit |")
    lines = [head, "|" + "---|" * 13]
    for r in rows:
        lines.append(
            f"| {r['scenario']} (`{r['faults']}`) | {r['mode']}"
            + (f" (next-best won {r['won_by_next_best']})" if r["won_by_next_best"] is not None else "")
            + f" | {r['nodes']} nodes, {r['duration_s']:.0f} s, "
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
    ap.add_argument("--modes", default="rotation", help="election modes to run, comma-separated (rotation)")
    ap.add_argument("--out", type=Path, default=None, help="keep the devnet directories here")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="seqvrf-devnet-bench-"))
    d, c = args.duration, args.crash_duration
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    bad = [m for m in modes if m not in ("rotation", "windowed", "secret")]
    if bad or not modes:
        ap.error(f"--modes: expected rotation, windowed or secret, got {args.modes!r}")
    rows = []
    for mode in modes:
        rows.append(run("crash", 5, c, f"crash@{c / 3:.0f}+{c / 6:.0f}", out, mode=mode))
        rows.append(run("faults", 5, d, f"crash@{d / 4:.0f}+{d / 8:.0f},loss=0.1,skew=100,garbage", out,
                        slot_ms=600, mode=mode))
    print(json.dumps(rows, indent=2) if args.json else table(rows))
    print(f"(devnet directories in {out})")


if __name__ == "__main__":
    main()
