"""``seqvrf devnet``: N real ``seqvrf node`` processes on 127.0.0.1 with faults, then
merge, audit and summarise (election.dev.devnet; docs/node.md)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from . import EXIT_OK, EXIT_USAGE, EXIT_VIOLATION, positive_float, positive_int


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "devnet",
        help="run a local network of sequencer nodes with faults",
        description="Start N `seqvrf node` processes on 127.0.0.1 with fresh keys and genesis, inject faults, "
        "merge the canonical chain, audit it and write DIR/summary.json, genesis.json, history.jsonl. "
        "Faults: comma-separated crash@T+D, stall@T+D, loss=P, delay=MS, jitter=MS, skew=MS, garbage, none "
        "(T seconds after slot 0; default: crash the leader once at a third of the run, restart it).",
    )
    p.add_argument("--nodes", type=positive_int, default=4, help="validators (default 4)")
    p.add_argument("--duration", type=positive_float, default=30.0, help="seconds after slot 0 (default 30)")
    p.add_argument("--out", required=True, type=Path, help="output directory (empty or absent)")
    p.add_argument("--faults", default=None, help="fault specification (see above)")
    p.add_argument("--slot-ms", type=positive_int, default=400, help="slot length (default 400)")
    p.add_argument("--timeout-ms", type=positive_int, default=120, help="failover timeout T (default 120)")
    p.add_argument("--epoch-length", type=positive_int, default=32, help="slots per epoch (default 32)")
    p.add_argument("--cutoff", type=positive_int, default=16, help="seed cutoff (default 16)")
    p.add_argument("--mode", choices=("rotation", "windowed", "secret"), default="rotation",
                   help="election mode (default rotation; docs/node.md, 'Election modes')")
    p.add_argument("--window", type=positive_int, default=None,
                   help="windowed: slots per window (default: the smallest divisor of the epoch with room for "
                   "the window-seed sync)")
    p.add_argument("--proposers", type=positive_int, default=None,
                   help="secret: k, the expected eligible proposers per slot (default 5)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--plot", action="store_true", help="write PNG charts (matplotlib)")
    p.set_defaults(func=run_devnet)


def run_devnet(args: argparse.Namespace) -> int:
    """Run the devnet; exit 1 if the audit fails or a slot has conflicting canonical blocks."""
    from ..dev.devnet import Devnet, DevnetError, parse_faults
    from ..rules.errors import ElectionError

    try:
        plan = parse_faults(args.faults, args.duration)
        net = Devnet(args.nodes, args.duration, args.out, plan, slot_ms=args.slot_ms, timeout_ms=args.timeout_ms,
                     epoch_length=args.epoch_length, cutoff=args.cutoff, mode=args.mode, window=args.window,
                     proposers=args.proposers)
        summary = net.run()
    except (DevnetError, ElectionError, OSError) as exc:
        print(f"seqvrf devnet: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.plot:
        net.plot()
    if args.json:
        print(json.dumps({k: v for k, v in summary.items() if k != "events"}, indent=2, default=str))
    else:
        lat = summary["takeover_latency_ms"]
        print(f"mode {summary['mode']}: slots filled {summary['slots_filled']}/{summary['slots']} "
              f"({summary['filled_fraction']:.1%}), "
              f"takeovers {summary['takeovers']}, takeover latency p50 {lat['p50']} ms p99 {lat['p99']} ms "
              f"(bound S+T+delay = {lat['documented_bound_ms']} ms), slots with two blocks "
              f"{summary['slots_with_two_blocks']}, equivocations {summary['equivocations']}, "
              f"canonical disagreements {summary['canonical_disagreements']}, audit "
              f"{'ok' if summary['audit']['ok'] else 'FAILED'}")
        race = summary.get("secret")
        if race is not None:
            print(f"secret mode (k = {race['proposers']}): {race['slots_without_eligible']} slots without any "
                  f"eligible proposer (expected {race['expected_empty_fraction']:.1%} of the slots), "
                  f"{race['won_by_next_best']} won by the next-best proposer")
        for r in summary["restarts"]:
            print(f"restart of {r['node']} at {r['restarted_at_s']} s: ready after {r['rejoin_time_s']} s, "
                  f"first own block at slot {r['first_block_after_restart_slot']}")
    ok = summary["audit"]["ok"] and summary["canonical_disagreements"] == 0
    return EXIT_OK if ok else EXIT_VIOLATION
