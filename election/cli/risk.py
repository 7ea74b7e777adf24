"""``seqvrf risk GENESIS [HISTORY]``: the probability that slots stay empty and the chain stalls.

Availabilities come from HISTORY (audited; each validator's ``(produced + m * A) /
(primary + m)``, its primary slots shrunk toward the network's availability ``A`` with a
prior worth ``m = --prior-slots`` slots) and/or ``--availability``
FILE (which wins where both give a value); correlated groups from ``--groups`` FILE.
The analysed epoch is the one after the history's last epoch (its seed is then known),
else the genesis start epoch.  See docs/risk.md for the model.
Exit codes: 0 done, 1 the history has invalid blocks (figures still printed), 2 bad usage
or unusable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from . import EXIT_OK, EXIT_USAGE, EXIT_VIOLATION, nonnegative_float, positive_float, positive_int

__all__ = ["register", "run", "load_availability", "load_groups"]

FILES_HELP = """\
--availability FILE (JSON): {"validators": {"ID": A, ...}, "default": A, "mttr": SECONDS}
    or a plain {"ID": A, ...}; A = fraction of time the validator is up by itself.
    "default" covers validators not listed; "mttr" is the mean length of a validator's
    down period for the persistent-failure Monte Carlo (60 s if not given).
--groups FILE (JSON): [{"name": "eu-1", "members": ["ID", ...], "down": P, "mttr": SECONDS}, ...]
    or {"groups": [...]}; P = probability the whole group is down (shared host or region).
"""


def register(subparsers: Any) -> None:
    """Add the ``risk`` subcommand to the ``seqvrf`` parser."""
    p = subparsers.add_parser(
        "risk",
        help="probability of empty slots and of a stall longer than X seconds",
        description="Downtime-risk model: per-slot probability of staying empty (exact, over the schedule's "
                    "ranks and group states), the longest empty run per epoch and the probability of a stall "
                    "longer than --stall seconds within --horizon seconds, with slots independent (exact) and "
                    "with persistent failures (Monte Carlo with error bars). See docs/risk.md.",
        epilog=FILES_HELP + "\nExit codes: 0 done, 1 the history has invalid blocks, 2 bad usage or input.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("genesis", metavar="GENESIS", help="genesis file (JSON)")
    p.add_argument("history", metavar="HISTORY", nargs="?", default=None,
                   help="history file (JSON Lines): availabilities are estimated from it")
    p.add_argument("--availability", metavar="FILE", default=None, help="availabilities (JSON, see below)")
    p.add_argument("--groups", metavar="FILE", default=None, help="correlated groups (JSON, see below)")
    p.add_argument("--horizon", type=positive_float, default=7 * 86400.0, metavar="SECONDS",
                   help="time span of the stall probability (one week)")
    p.add_argument("--stall", type=positive_float, default=10.0, metavar="SECONDS",
                   help="a stall is longer than this many seconds without a block (10)")
    p.add_argument("--mttr", type=positive_float, default=None, metavar="SECONDS",
                   help="mean down period of a validator for the Monte Carlo (60, or the availability file's)")
    p.add_argument("--prior-slots", type=nonnegative_float, default=20.0, metavar="M",
                   help="weight, in slots, of the network's availability in each validator's estimate (20)")
    p.add_argument("--runs", type=positive_int, default=1000, metavar="N", help="Monte Carlo epochs (1000)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="Monte Carlo seed (1)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--plot", metavar="PNG", nargs="?", const="risk.png", default=None,
                   help="also write a PNG of the longest-run distributions (needs the 'plot' extra)")
    p.set_defaults(func=run)


def load_availability(path: str) -> tuple[dict[str, float], float | None, float | None]:
    """Read an availability file: ``(per validator, default, mttr)``.

    Raises:
        ValueError: not the documented JSON shape or a value out of range.
        OSError: the file cannot be read.
    """
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    if "validators" in data or "default" in data or "mttr" in data:
        per = data.get("validators", {})
        default, mttr = data.get("default"), data.get("mttr")
    else:
        per, default, mttr = data, None, None
    if not isinstance(per, dict):
        raise ValueError(f"{path}: 'validators' must be an object of id -> availability")
    out: dict[str, float] = {}
    for k, v in per.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
            raise ValueError(f"{path}: availability of {k!r}: expected a number in [0, 1], got {v!r}")
        out[str(k)] = float(v)
    for name, x, top in (("default", default, 1.0), ("mttr", mttr, None)):
        if x is None:
            continue
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not (0 <= x <= top if top else x > 0):
            raise ValueError(f"{path}: {name}: bad value {x!r}")
    return out, None if default is None else float(default), None if mttr is None else float(mttr)


def load_groups(path: str) -> list[Any]:
    """Read a groups file into :class:`~election.risk.model.Group` objects.

    Raises:
        ValueError: not the documented JSON shape or a value out of range.
        OSError: the file cannot be read.
    """
    from ..risk.model import Group

    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    items = data.get("groups") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValueError(f"{path}: expected a list of groups (or {{\"groups\": [...]}})")
    out = []
    for n, g in enumerate(items):
        if not isinstance(g, dict) or not isinstance(g.get("members"), list) or "down" not in g:
            raise ValueError(f"{path}: group {n}: expected {{\"name\", \"members\": [...], \"down\", \"mttr\"}}")
        down, mttr = g["down"], g.get("mttr", 600.0)
        if isinstance(down, bool) or not isinstance(down, (int, float)):
            raise ValueError(f"{path}: group {n}: down must be a number")
        if isinstance(mttr, bool) or not isinstance(mttr, (int, float)):
            raise ValueError(f"{path}: group {n}: mttr must be a number")
        out.append(Group(str(g.get("name", f"group{n}")), tuple(str(m) for m in g["members"]), float(down),
                         float(mttr)))
    return out


def run(args: argparse.Namespace) -> int:
    """Run the ``risk`` subcommand; returns the exit code."""
    from ..chain.audit import audit
    from ..chain.formats import GenesisFile, MalformedGenesis, MalformedHistory
    from ..risk.model import (
        RiskModelError,
        longest_run_distribution,
        monte_carlo,
        slot_risks,
        stall_probability,
        stall_slots,
    )
    from ..rules.errors import ElectionError
    from ..rules.schedule import Schedule

    err = sys.stderr
    history_ok = True
    try:
        genesis = GenesisFile.load(args.genesis)
        epoch, seed = genesis.start_epoch, genesis.initial_seed
        availability: dict[str, float] = {}
        source = "file"
        if args.history is not None:
            report = audit(genesis, args.history)
            history_ok = report.ok
            if report.epochs and report.epochs[-1].next_seed_final:
                epoch, seed = report.epochs[-1].epoch + 1, report.epochs[-1].next_seed
            if report.health is not None and report.health.primary_slots:
                # shrink each estimate toward the network's availability with a prior worth
                # --prior-slots slots (a validator seen in 1 slot is not 0 % or 100 % available)
                net = 1.0 - (report.health.missed + 0.5) / (report.health.primary_slots + 1)
                m = args.prior_slots
                for v in report.health.validators:
                    availability[v.id] = (v.produced + m * net) / (v.primary + m)
                for vid in genesis.table_for(epoch).ids:
                    availability.setdefault(vid, net)
            source = "history"
        mttr = 60.0
        if args.availability is not None:
            per, default, file_mttr = load_availability(args.availability)
            if default is not None:
                for vid in genesis.table_for(epoch).ids:
                    availability.setdefault(vid, default)
            availability.update(per)
            mttr = file_mttr if file_mttr is not None else mttr
            source = "history+file" if args.history is not None else "file"
        if args.mttr is not None:
            mttr = args.mttr
        if args.history is None and args.availability is None:
            print("seqvrf risk: no availabilities: give a HISTORY or --availability FILE", file=err)
            return EXIT_USAGE
        groups = load_groups(args.groups) if args.groups is not None else []
        sched = Schedule(genesis.config, genesis.table_for(epoch), epoch, seed)
        risks = slot_risks(sched, availability, groups)
    except MalformedHistory as exc:
        for e in exc.errors:
            print(f"seqvrf risk: malformed history: {e}", file=err)
        return EXIT_USAGE
    except (MalformedGenesis, RiskModelError, ElectionError, ValueError, OSError) as exc:
        print(f"seqvrf risk: {exc}", file=err)
        return EXIT_USAGE
    slot_s = genesis.config.slot_duration_ms / 1000
    probs = [r.empty for r in risks]
    run_len = stall_slots(args.stall, slot_s)
    horizon_slots = int(args.horizon // slot_s)
    kmax = max(run_len + 3, 8)
    longest = longest_run_distribution(probs, kmax)
    independent: dict[str, Any] = {
        "empty_per_epoch": sum(probs),
        "longest_run": longest,
        "stall_epoch": stall_probability(probs, len(probs), run_len),
        "stall_horizon": stall_probability(probs, horizon_slots, run_len),
    }
    mc = monte_carlo(sched, availability, groups, mttr=mttr, runs=args.runs, seed=args.seed, stall_run=run_len)
    frac, lo, hi = mc.stall_fraction()
    epochs_in_horizon = args.horizon / (slot_s * len(probs))
    persistent_horizon = [1 - (1 - x) ** epochs_in_horizon for x in (frac, lo, hi)]
    out: dict[str, Any] = {
        "format": "seqvrf-risk", "version": 1, "epoch": epoch, "slots": len(probs), "slot_seconds": slot_s,
        "validators": len(sched.table), "availability_source": source, "mttr_seconds": mttr,
        "groups": [{"name": g.name, "members": list(g.members), "down": g.down, "mttr": g.mttr} for g in groups],
        "stall": {"seconds": args.stall, "empty_slots_in_a_row": run_len, "horizon_seconds": args.horizon,
                  "horizon_slots": horizon_slots},
        "per_slot": [{"slot": r.slot, "empty": r.empty, "error": r.error, "all_down": r.all_down,
                      "no_quorum": r.no_quorum} for r in risks],
        "max_error": max((r.error for r in risks), default=0.0),
        "independent_slots": independent,
        "persistent_failures": {**mc.to_dict(),
                                "stall_horizon": {"estimate": persistent_horizon[0], "low": persistent_horizon[1],
                                                  "high": persistent_horizon[2], "level": 0.95}},
    }
    if args.plot is not None:
        try:
            _plot(args.plot, longest, mc.longest, mc.runs, run_len)
        except ImportError:
            print("seqvrf risk: --plot needs matplotlib (pip install 'seqvrf[plot]')", file=err)
            return EXIT_USAGE
        except OSError as exc:
            print(f"seqvrf risk: cannot write {args.plot}: {exc}", file=err)
            return EXIT_USAGE
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(_text(out, risks))
    return EXIT_OK if history_ok else EXIT_VIOLATION


def _text(out: dict[str, Any], risks: list[Any]) -> str:
    ind, per = out["independent_slots"], out["persistent_failures"]
    st = out["stall"]
    worst = sorted(risks, key=lambda r: -r.empty)[:5]
    lines = [
        f"seqvrf risk: epoch {out['epoch']}, {out['slots']} slots of {out['slot_seconds']:g} s, "
        f"{out['validators']} validators, availabilities from {out['availability_source']}, "
        f"{len(out['groups'])} group(s)",
        f"  expected empty slots per epoch  {ind['empty_per_epoch']:.4g} (exact; max error per slot "
        f"{out['max_error']:.1g})",
        "  riskiest slots                  " + ", ".join(f"{r.slot}: {r.empty:.3g}" for r in worst),
        f"  stall = more than {st['seconds']:g} s without a block = {st['empty_slots_in_a_row']}+ empty slots in a row",
        f"  independent slots (exact):      P(stall in an epoch) {ind['stall_epoch']:.4g}, "
        f"in {st['horizon_seconds']:g} s {ind['stall_horizon']:.4g}",
        f"  persistent failures (MC, {per['runs']} epochs, mttr {out['mttr_seconds']:g} s): empty per epoch "
        f"{per['empty_mean']:.4g} +- {per['empty_se']:.2g}; P(stall in an epoch) "
        f"{per['stall_epoch_fraction']['estimate']:.4g} [{per['stall_epoch_fraction']['low']:.3g}, "
        f"{per['stall_epoch_fraction']['high']:.3g}], in {st['horizon_seconds']:g} s "
        f"{per['stall_horizon']['estimate']:.4g} [{per['stall_horizon']['low']:.3g}, "
        f"{per['stall_horizon']['high']:.3g}] (95 %)",
        "  longest empty run per epoch (independent | persistent MC):",
    ]
    dist = ind["longest_run"]
    counts = per["longest_run_counts"]
    for k, p in enumerate(dist):
        last = k == len(dist) - 1
        mc = (sum(n for kk, n in counts.items() if int(kk) >= k) if last else counts.get(str(k), 0)) / per["runs"]
        lines.append(f"    {k}{'+' if last else ' '}  {p:.4g} | {mc:.4g}")
    return "\n".join(lines)


def _plot(path: str, dist: list[float], counts: dict[int, int], runs: int, run_len: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ks = list(range(len(dist)))
    mc = [(sum(n for k, n in counts.items() if k >= kk) if kk == ks[-1] else counts.get(kk, 0)) / runs for kk in ks]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.bar([k - 0.2 for k in ks], dist, width=0.4, label="independent slots (exact)")
    ax.bar([k + 0.2 for k in ks], mc, width=0.4, label="persistent failures (Monte Carlo)")
    ax.axvline(run_len - 0.5, color="k", linestyle=":", label="stall")
    ax.set_xlabel("longest run of empty slots in an epoch (last bar: or more)")
    ax.set_ylabel("probability")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
