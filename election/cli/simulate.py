"""``seqvrf simulate``: a whole sequencer network elected, failed over, attacked and audited.

Runs :mod:`election.sim` and writes genesis.json, history.jsonl (audit formats),
summary.json (and rejected.jsonl when byzantine nodes sent invalid claims) into
``--out``; then audits the history itself.  A line per epoch goes to stderr (unless
``--quiet``), a short human summary (or, with ``--json``, the summary JSON) to stdout.
Exit codes: 0 the run's history passes the audit, 1 it does not, 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from . import (
    EXIT_OK,
    EXIT_USAGE,
    EXIT_VIOLATION,
    nonnegative_float,
    positive_float,
    positive_int,
    unit_fraction,
)

__all__ = ["register", "run", "FAULTS_HELP"]

FAULTS_HELP = """\
fault specification (--faults, repeatable; items also separated by ';'):
  crash[:rate=F,mttr=S]        independent crash/recover of honest validators:
                               F = fraction of time down (0.03), S = mean time to repair (60 s)
  down[:stake=F]               validators holding F of the stake down for the whole run (0.1)
  outage[:stake=F,at=T,for=S]  correlated outage of F of the stake (0.2) at T s (mid-run) for S s (60)
  withhold[:stake=F]           byzantine seed grinding: withhold blocks before the seed cutoff (0.1)
  falsevote[:stake=F]          byzantine: vote timeouts against live leaders every slot (0.1)
  invalid[:stake=F,rate=P]     byzantine: invalid claims and forged votes, per slot with prob. P (0.05, 0.05)
  equivocate[:stake=F]         byzantine: two blocks for every slot led (0.05)
  target[:budget=B,lead=N]     targeted attacker: per slot, isolates the first B ranked validators it
                               could predict N slots ahead (1, 0); rotation: the whole epoch,
                               windowed: the current window, secret: nothing
  (withhold, falsevote, invalid, equivocate, stall and restart run with --mode rotation only)
  none                         no faults (clears earlier items)
default: crash (--crash-rate sets its rate; --crash-rate 0 or --faults none disables it).
examples: --faults none    --faults 'down:stake=0.2'    --faults 'crash;withhold:stake=0.15;invalid'
"""


def register(subparsers: Any) -> None:
    """Add the ``simulate`` subcommand to the ``seqvrf`` parser."""
    p = subparsers.add_parser(
        "simulate",
        help="simulate a sequencer network (real keys, proofs, votes, failover) and write an auditable history",
        description="Simulate validators electing their leader per slot with the real library (keys, VRF "
                    "proofs, vote signatures, schedule, seed chain, FailoverController) on a virtual clock and "
                    "network, under crash and byzantine faults; write genesis.json, history.jsonl and "
                    "summary.json for `seqvrf audit`. See docs/simulate.md.",
        epilog=FAULTS_HELP + "\nExit codes: 0 the run's history passes the audit, 1 it does not, 2 bad usage.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--validators", type=positive_int, default=50, metavar="N", help="validators (50)")
    p.add_argument("--epochs", type=positive_int, default=4, metavar="E", help="epochs (4)")
    p.add_argument("--epoch-length", type=positive_int, default=300, metavar="L", help="slots per epoch (300)")
    p.add_argument("--stake", default="pareto", metavar="pareto|equal|FILE",
                   help="stake distribution, or a file with one integer stake per line or a JSON list (pareto)")
    p.add_argument("--slot-ms", type=positive_int, default=2000, metavar="MS", help="slot duration (2000)")
    p.add_argument("--timeout-ms", type=positive_int, default=500, metavar="MS", help="failover timeout (500)")
    p.add_argument("--backups", type=int, default=3, metavar="B", help="ranked backups per slot (3)")
    p.add_argument("--latency", type=nonnegative_float, default=0.05, metavar="S", help="one-way latency, s (0.05)")
    p.add_argument("--jitter", type=nonnegative_float, default=0.02, metavar="S", help="extra uniform delay, s (0.02)")
    p.add_argument("--loss", type=unit_fraction, default=0.0, metavar="P", help="message loss probability (0)")
    p.add_argument("--heartbeat", type=positive_float, default=0.5, metavar="S", help="heartbeat interval (0.5)")
    p.add_argument("--crash-rate", type=unit_fraction, default=None, metavar="F",
                   help="fraction of time each honest validator is down (default crash fault: 0.03)")
    p.add_argument("--faults", action="append", default=None, metavar="SPEC", help="fault models (see below)")
    p.add_argument("--mode", choices=("rotation", "windowed", "secret"), default="rotation",
                   help="election mode (rotation)")
    p.add_argument("--window", type=positive_int, default=None, metavar="W",
                   help="windowed mode: slots per window, a divisor of the epoch length "
                        "(default: the largest divisor up to L/10)")
    p.add_argument("--proposers", type=positive_int, default=None, metavar="K",
                   help="secret mode: expected eligible proposers per slot (5)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="run seed (1)")
    p.add_argument("--out", default="seqvrf-sim", metavar="DIR", help="output directory (./seqvrf-sim)")
    p.add_argument("--json", action="store_true", help="print summary.json on stdout instead of the text summary")
    p.add_argument("--plot", action="store_true", help="also write PNG plots (needs the 'plot' extra)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.add_argument("--recovery", action="store_true",
                   help="turn the inactivity rule on (docs/spec.md section 19): validators that missed at least "
                        "half their primary slots in epoch e lose weight in epoch e+2, so takeovers resume past "
                        "one third down (off: a run is unchanged)")
    p.set_defaults(func=run)


def _stakes(spec: str) -> tuple[str, tuple[int, ...] | None]:
    if spec in ("pareto", "equal"):
        return spec, None
    with open(spec, encoding="utf-8") as f:
        text = f.read()
    try:
        values = json.loads(text) if text.lstrip().startswith("[") else [int(x) for x in text.split()]
    except ValueError as exc:
        raise ValueError(f"{spec}: expected integer stakes (one per line or a JSON list): {exc}") from None
    if not isinstance(values, list) or any(type(v) is not int or v <= 0 for v in values):
        raise ValueError(f"{spec}: expected positive integer stakes")
    return "explicit", tuple(values)


def run(args: argparse.Namespace) -> int:
    """Run the ``simulate`` subcommand; returns the exit code."""
    from ..chain.audit import audit
    from ..sim import (
        FaultSpecError,
        SimError,
        SimParams,
        human_summary,
        parse_faults,
        simulate,
        summarize,
        write_outputs,
    )
    from ..sim.faults import FaultSpec
    from ..sim.summary import canonical_records

    try:
        stake, stakes = _stakes(args.stake)
        faults = parse_faults(args.faults) if args.faults is not None else parse_faults("crash")
        if args.crash_rate is not None:
            items = [i for i in faults.items if i.kind != "crash"]
            if args.crash_rate > 0:
                items += list(parse_faults(f"crash:rate={args.crash_rate}").items)
            faults = FaultSpec(tuple(items))
        params = SimParams(validators=args.validators, epochs=args.epochs, epoch_length=args.epoch_length,
                           stake=stake, stakes=stakes, slot_ms=args.slot_ms, timeout_ms=args.timeout_ms,
                           backups=args.backups, latency=args.latency, jitter=args.jitter, loss=args.loss,
                           heartbeat=args.heartbeat, faults=faults, seed=args.seed, recovery=args.recovery,
                           mode=args.mode, window=args.window, proposers=args.proposers)
        started = time.perf_counter()

        def progress(epoch: int, filled: int, slots: int) -> None:
            if not args.quiet:
                print(f"epoch {epoch + 1}/{params.epochs}: {filled}/{slots} slots filled "
                      f"({time.perf_counter() - started:.1f} s)", file=sys.stderr, flush=True)

        sim_run = simulate(params, progress)
    except (FaultSpecError, SimError, ValueError, OSError) as exc:
        print(f"seqvrf simulate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    summary = summarize(sim_run)
    report = audit(sim_run.genesis, canonical_records(sim_run))
    summary["audit"] = {"ok": report.ok, "blocks": report.blocks, "invalid": report.invalid,
                        "invalid_by_code": dict(sorted(report.invalid_by_code.items())),
                        "p_value": None if report.p_value is None else round(report.p_value, 6)}
    try:
        paths = write_outputs(sim_run, args.out, summary)
        plots = []
        if args.plot:
            from ..sim.plots import PlotUnavailable, write_plots
            try:
                plots = write_plots(summary, args.out)
            except PlotUnavailable as exc:
                print(f"seqvrf simulate: {exc}", file=sys.stderr)
                return EXIT_USAGE
    except OSError as exc:
        print(f"seqvrf simulate: cannot write {args.out}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    elapsed = time.perf_counter() - started
    if args.json:
        print(json.dumps(summary, indent=2, sort_keys=True))
    else:
        print(human_summary(summary))
        print(f"  self-audit      {'PASS' if report.ok else 'FAIL'} ({report.blocks} blocks)")
        print(f"  wrote           {', '.join(sorted(paths.values()) + plots)} in {elapsed:.1f} s")
        print(f"  check it:       seqvrf audit {paths['genesis']} {paths['history']}")
    return EXIT_OK if report.ok else EXIT_VIOLATION

