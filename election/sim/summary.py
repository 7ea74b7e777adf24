"""Figures of a simulated run (summary.json) and the files it writes.

Every figure is computed from the canonical history (the block of the best rank in
each slot) and the run's counters; wall-clock times are left out so that the same
seed gives a byte-identical summary.json.
"""

from __future__ import annotations

import json
import os
from typing import Any

from ..chain.formats import HistoryRecord, HistoryWriter
from .engine import SimRun

__all__ = ["SUMMARY_FORMAT", "canonical_records", "summarize", "percentile", "write_outputs", "human_summary"]

SUMMARY_FORMAT = "seqvrf-sim-summary"


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile ``q`` (0-100) of an ascending list; None when empty."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * q // 100))
    return sorted_values[int(rank) - 1]


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def summarize(run: SimRun) -> dict[str, Any]:
    """Every figure of the run as a JSON-ready dict (see docs/simulate.md)."""
    p = run.params
    cfg = run.config
    L = cfg.epoch_length
    slots = p.epochs * L
    slot_s = cfg.slot_duration_ms / 1000
    canon = run.canonical
    by_rank: dict[str, int] = {}
    latencies: list[float] = []
    for s, b in canon.items():
        by_rank[str(b.claim.rank)] = by_rank.get(str(b.claim.rank), 0) + 1
        if b.claim.rank > 0:
            latencies.append(b.time - s * slot_s)
    latencies.sort()
    runs: dict[str, int] = {}
    longest = 0
    cur = 0
    for s in range(slots + 1):
        if s < slots and s not in canon:
            cur += 1
            continue
        if cur:
            runs[str(cur)] = runs.get(str(cur), 0) + 1
            longest = max(longest, cur)
        cur = 0
    per_epoch = []
    for e in range(p.epochs):
        filled = sum(1 for s in range(e * L, (e + 1) * L) if s in canon)
        takeovers = sum(1 for s in range(e * L, (e + 1) * L) if s in canon and canon[s].claim.rank > 0)
        per_epoch.append({"epoch": e, "slots": L, "filled": filled, "fraction": _r(filled / L),
                          "takeovers": takeovers, "seed": run.seeds[e].hex()})
    total = run.table.total_stake
    produced: dict[str, int] = {v: 0 for v in run.table.ids}
    for b in canon.values():
        produced[b.claim.validator_id] += 1
    filled_total = len(canon)
    validators = []
    for v in run.table.validators:
        share = v.stake / total
        validators.append({
            "id": v.id, "stake": v.stake, "stake_share": _r(share),
            "expected_slots": _r(share * slots), "produced": produced[v.id],
            "produced_share": _r(produced[v.id] / filled_total) if filled_total else None,
            "downtime_s": _r(run.downtime[v.id]),
        })
    failed = len(run.primary_failed)
    rescued = sum(1 for s in run.primary_failed if s in canon)
    c = run.counters
    withholders = run.roles.get("withhold", [])
    w_share = sum(run.table[v].stake for v in withholders) / total if withholders else 0.0
    grinding = None
    if withholders:
        window = min(16, cfg.cutoff)
        epochs_used = [g for g in run.grinding if "realized" in g]
        realized = [g["realized"] for g in epochs_used]
        honest = [g["objective_if_honest"] for g in epochs_used]
        grinding = {
            "attackers": withholders, "stake_share": _r(w_share),
            "objective": f"attacker primary slots among the last {window} slots before the next epoch's cutoff",
            "expected_honest": _r(w_share * window),
            "epochs": run.grinding,
            "mean_realized": _r(sum(realized) / len(realized)) if realized else None,
            "mean_if_published": _r(sum(honest) / len(honest)) if honest else None,
            "measured_bias": _r((sum(realized) - sum(honest)) / len(realized)) if realized else None,
            "documented_bound": "P[event] <= 2^k * P_honest[event] for k withholding opportunities (docs/spec.md §11)",
            "max_bound_factor": max((g["bound_factor"] for g in run.grinding), default=1),
            "withheld_blocks": c["withheld_blocks"],
        }
    out = {
        "format": SUMMARY_FORMAT, "version": 1,
        "params": p.to_dict(),
        "config": cfg.to_dict(),
        "roles": {k: v for k, v in sorted(run.roles.items()) if v},
        "slots": {"total": slots, "filled": filled_total, "fraction_filled": _r(filled_total / slots),
                  "empty": slots - filled_total},
        "epochs": per_epoch,
        "takeovers": {"total": sum(n for r, n in by_rank.items() if r != "0"),
                      "by_rank": dict(sorted(by_rank.items(), key=lambda kv: int(kv[0])))},
        "primary_failures": {"slots": failed, "filled_by_backup": rescued,
                             "empty": failed - rescued},
        "takeover_latency_s": {"count": len(latencies),
                               "mean": _r(sum(latencies) / len(latencies)) if latencies else None,
                               "p50": _r(percentile(latencies, 50)), "p99": _r(percentile(latencies, 99)),
                               "max": _r(latencies[-1]) if latencies else None,
                               "values": [_r(x) for x in latencies]},
        "empty_runs": {"histogram": dict(sorted(runs.items(), key=lambda kv: int(kv[0]))), "longest": longest},
        "validators": validators,
        "byzantine": {k: c[k] for k in (
            "invalid_claims_sent", "invalid_claim_deliveries", "invalid_claims_rejected",
            "invalid_votes_sent", "invalid_vote_deliveries", "invalid_votes_rejected",
            "false_votes_sent", "takeovers_against_live_leader", "equivocations", "equivocation_evidence")},
        "grinding": grinding,
        "slot_safety": {
            "slots_with_multiple_blocks": c["multi_block_slots"],
            "slots_with_multiple_honest_blocks": c["multi_block_slots_honest"],
            "honest_validator_double_blocks": c["honest_double_blocks"],
            "equivocations_detected": c["honest_evidence"],
            "stalls": c["stalls"], "restarts": c["restarts"],
            "refused": {"past_deadline": c["refused_past_deadline"], "superseded": c["refused_superseded"],
                        "guard": c["refused_by_guard"]},
        },
        "network": {"messages": c["messages"], "dropped": c["dropped"], "votes": c["votes"],
                    "crashes": c["crashes"], "recoveries": c["recoveries"], "alerts": c["alerts"]},
        "seed_chain": [s.hex() for s in run.seeds],
    }
    if p.recovery:  # only then: a run without it keeps its summary byte for byte
        out["recovery"] = {
            "rule": "docs/spec.md section 19 (inactivity and recovery)",
            "threshold_percent": cfg.inactivity_threshold, "divisor": cfg.inactivity_divisor,
            "finality": cfg.inactivity_finality,
            "reduced": [{"epoch": e, "count": len(ids), "stake_share": _r(sum(run.table[v].stake for v in ids) / total),
                         "ids": ids} for e, ids in sorted(run.reduced.items())],
        }
    return out


def canonical_records(run: SimRun) -> list[HistoryRecord]:
    """The canonical chain as history records (format version 2): one per filled slot, in
    slot order, each with its producer's signed header (block contents are simulated by a
    payload digest; the parent is the block its producer saw last)."""
    out = []
    for s in sorted(run.canonical):
        b = run.canonical[s]
        if b.header is None:  # not produced by the engine (kept for hand-built runs)
            out.append(HistoryRecord(s, b.claim))
        else:
            out.append(HistoryRecord.signed(b.claim, b.header))
    return out


def write_outputs(run: SimRun, out_dir: str, summary: dict[str, Any]) -> dict[str, str]:
    """Write genesis.json, history.jsonl, observed.jsonl and rejected.jsonl (if any) and summary.json.

    history.jsonl holds the canonical chain only (one block per filled slot, linked by
    block and parent hashes); valid blocks that lost the fork choice (superseded or
    equivocating) go to observed.jsonl, for ``seqvrf audit --observed``; blocks honest
    nodes rejected go to rejected.jsonl, which the audit flags line by line.

    Returns:
        File role -> path.

    Raises:
        OSError: the directory or a file cannot be written.
    """
    os.makedirs(out_dir, exist_ok=True)
    paths = {"genesis": os.path.join(out_dir, "genesis.json"),
             "history": os.path.join(out_dir, "history.jsonl"),
             "summary": os.path.join(out_dir, "summary.json")}
    run.genesis.save(paths["genesis"])
    with HistoryWriter(paths["history"]) as w:
        w.write_all(canonical_records(run))
    observed = os.path.join(out_dir, "observed.jsonl")
    if run.others:
        paths["observed"] = observed
        with HistoryWriter(observed) as w:
            for b in run.others:
                w.write_record(HistoryRecord.signed(b.claim, b.header) if b.header else HistoryRecord(b.claim.slot,
                                                                                                     b.claim))
    elif os.path.exists(observed):
        os.remove(observed)
    rejected = os.path.join(out_dir, "rejected.jsonl")
    if run.rejected:
        paths["rejected"] = rejected
        with HistoryWriter(rejected) as w:
            for claim in sorted(run.rejected, key=lambda c: (c.slot, c.validator_id)):
                w.write(claim)
    elif os.path.exists(rejected):
        os.remove(rejected)
    with open(paths["summary"], "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2, sort_keys=True)
        f.write("\n")
    return paths


def human_summary(summary: dict[str, Any]) -> str:
    """A short text summary for people."""
    s = summary
    lat = s["takeover_latency_s"]
    def ms(x: float | None) -> str:
        return "-" if x is None else f"{x * 1000:.0f} ms"
    p = s["params"]
    lines = [
        f"seqvrf simulate: {p['validators'] if p['stake'] != 'explicit' else len(s['validators'])} validators, "
        f"{p['epochs']} epochs x {p['epoch_length']} slots, seed {p['seed']}",
        f"  slots filled    {s['slots']['filled']}/{s['slots']['total']} ({100 * s['slots']['fraction_filled']:.2f} %),"
        f" longest empty run {s['empty_runs']['longest']}",
        f"  takeovers       {s['takeovers']['total']} by rank {s['takeovers']['by_rank']}",
        f"  primary failed  {s['primary_failures']['slots']} slots, {s['primary_failures']['filled_by_backup']} "
        f"filled by a backup",
        f"  takeover time   mean {ms(lat['mean'])}, p50 {ms(lat['p50'])}, p99 {ms(lat['p99'])}",
        f"  crashes         {s['network']['crashes']}, messages {s['network']['messages']}",
    ]
    ss = s["slot_safety"]
    lines.append(f"  slot safety     {ss['slots_with_multiple_honest_blocks']} slots with two honest blocks, "
                 f"{ss['honest_validator_double_blocks']} honest double blocks, "
                 f"{ss['equivocations_detected']} equivocations detected; stalls {ss['stalls']}, "
                 f"restarts {ss['restarts']}, refused {ss['refused']}")
    b = s["byzantine"]
    if b["invalid_claims_sent"] or b["false_votes_sent"] or b["equivocations"]:
        lines.append(f"  byzantine       invalid claims rejected {b['invalid_claims_rejected']}/"
                     f"{b['invalid_claim_deliveries']}, invalid votes rejected {b['invalid_votes_rejected']}/"
                     f"{b['invalid_vote_deliveries']}, false votes {b['false_votes_sent']} "
                     f"(takeovers against live leaders: {b['takeovers_against_live_leader']}), "
                     f"equivocations {b['equivocations']}")
    g = s["grinding"]
    if g:
        lines.append(f"  seed grinding   attackers {g['stake_share']:.1%} of stake: objective mean "
                     f"{g['mean_realized']} vs {g['mean_if_published']} if published "
                     f"(honest expectation {g['expected_honest']}), bias {g['measured_bias']}")
    rec = s.get("recovery")
    if rec is not None:
        filled = ", ".join(f"{100 * e['fraction']:.0f} %" for e in s["epochs"])
        reduced = ", ".join(f"epoch {r['epoch']}: {r['count']} ({r['stake_share']:.1%} of stake)"
                            for r in rec["reduced"]) or "none"
        lines.append(f"  recovery        inactivity rule on (threshold {rec['threshold_percent']} %, divisor "
                     f"{rec['divisor']}): reduced {reduced}; filled per epoch {filled}")
    return "\n".join(lines)
