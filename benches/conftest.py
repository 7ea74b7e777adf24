"""Benchmarks report every operation as a ratio to an anchor measured in the same run.

Anchors are PyNaCl (libsodium) Ed25519 sign and verify. Each benchmark sets
``benchmark.extra_info["anchor"]`` to the name of the anchor benchmark it is
compared with; the table printed at the end divides medians. Run with:

    pytest benches/ --benchmark-enable
"""

from __future__ import annotations

from typing import Any

import pytest


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    session = getattr(config, "_benchmarksession", None)
    if session is None or not session.benchmarks:
        return
    by_name = {b.name: b for b in session.benchmarks}
    rows = []
    for b in session.benchmarks:
        anchor = b.extra_info.get("anchor")
        per = b.extra_info.get("per_call", 1)
        median = b.stats.median / per
        if anchor and anchor in by_name:
            a = by_name[anchor]
            ratio = median / (a.stats.median / a.extra_info.get("per_call", 1))
            rows.append((b.name, median, f"{ratio:6.2f}x {anchor}"))
        else:
            rows.append((b.name, median, "(anchor)" if "anchor" in b.name else ""))
    tr = terminalreporter
    tr.write_sep("=", "seqvrf: medians per operation and ratio to the same-run anchor")
    for name, median, note in rows:
        tr.write_line(f"{name:<48} {median * 1e6:12.2f} us   {note}")
    ranged = [b for b in session.benchmarks if "ratio_range" in b.extra_info]
    if ranged:
        tr.write_sep("=", "seqvrf: interleaved same-run ratios (batch per item / single per item), min-max")
        for b in ranged:
            lo, med, hi = b.extra_info["ratio_range"]
            tr.write_line(f"{b.name:<48} {lo:6.3f} - {hi:6.3f} (median {med:.3f}) vs {b.extra_info['baseline']}")
