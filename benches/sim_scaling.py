"""Simulator scaling: wall time and peak RSS against the number of validators.

Usage: python benches/sim_scaling.py [--validators 50,200,1000] [--epochs 1] [--epoch-length 300]
                                     [--per-pair] [--seed 1]

Each size runs in a fresh child process (``seqvrf`` defaults otherwise: pareto stake,
the default crash fault, no loss), so its peak RSS is its own (``os.wait4``).  Prints
a Markdown table (wall time of the simulation, CPU time of the whole child, which is
steadier on a shared machine) and the exponents ``b`` of least-squares fits
``CPU time ~ V^b`` and ``RSS ~ V^b`` on a log-log scale.  ``--per-pair`` forces one detector per (receiver,
sender) pair, the simulator's path before heartbeat feeds (and its path with loss > 0):
run it with small sizes only, it is quadratic.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys

_CHILD = """
import sys, time
from election.sim import SimParams, parse_faults
from election.sim.engine import Simulation
v, epochs, length, seed, shared = (int(x) for x in sys.argv[1:6])
params = SimParams(validators=v, epochs=epochs, epoch_length=length, seed=seed, faults=parse_faults("crash"))
t = time.perf_counter()
run = Simulation(params, shared_heartbeats=bool(shared)).run()
print(time.perf_counter() - t, len(run.canonical))
"""


def _fit(xs: list[float], ys: list[float]) -> float:
    """Slope of the least-squares line through (log x, log y)."""
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / sum((a - mx) ** 2 for a in lx)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--validators", default="50,200,1000")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--epoch-length", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-pair", action="store_true", help="one detector per pair (the old, quadratic path)")
    a = ap.parse_args()
    sizes = [int(x) for x in a.validators.split(",")]
    path = "per-pair detectors" if a.per_pair else "shared heartbeat feeds"
    print(f"{a.epochs} epoch(s) x {a.epoch_length} slots, seed {a.seed}, {path}")
    print("| validators | simulation wall time | child CPU time | peak RSS | slots filled |")
    print("|---|---|---|---|---|")
    times, rss = [], []
    for v in sizes:
        proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(v), str(a.epochs), str(a.epoch_length),
                                 str(a.seed), str(int(not a.per_pair))], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        if status != 0:
            sys.exit(f"child for V={v} failed (status {status})")
        secs, filled = out.split()
        times.append(usage.ru_utime + usage.ru_stime)
        rss.append(usage.ru_maxrss / 1024)  # KiB on Linux -> MiB
        print(f"| {v} | {float(secs):.1f} s | {times[-1]:.1f} s | {rss[-1]:.0f} MiB | "
              f"{filled}/{a.epochs * a.epoch_length} |", flush=True)
    if len(sizes) >= 2:
        print(f"fitted exponents: CPU time ~ V^{_fit(sizes, times):.2f}, peak RSS ~ V^{_fit(sizes, rss):.2f}")


if __name__ == "__main__":
    main()
