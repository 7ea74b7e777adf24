"""Run the atheris fuzz targets for a bounded time and print a summary.

    python fuzz/run.py                      # every target, 60 s each, 2 at a time
    python fuzz/run.py -t 600 vrf_verify    # one target, 10 minutes
    python fuzz/run.py --jobs 1 --time 5    # quick smoke run

Each target starts from a scratch copy of its committed seed corpus (fuzz/corpus/<t>/,
read but never written) so new inputs land in the work dir (--work, default a temp dir)
and crash reproducers in <work>/artifacts/.  Exit status 1 if any target crashed or
reported a finding, 0 otherwise.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGETS = sorted(p.stem.removeprefix("fuzz_") for p in HERE.glob("fuzz_*.py"))


def run_target(name: str, seconds: int, work: Path, extra: list[str]) -> dict[str, object]:
    wdir = work / name
    corpus = wdir / "corpus"
    art = wdir / "artifacts"
    shutil.rmtree(wdir, ignore_errors=True)
    corpus.mkdir(parents=True)
    art.mkdir()
    seeds = HERE / "corpus" / name
    cmd = [sys.executable, str(HERE / f"fuzz_{name}.py"), f"-max_total_time={seconds}", "-timeout=60",
           "-rss_limit_mb=4096", "-print_final_stats=1", f"-artifact_prefix={art}/", *extra, str(corpus)]
    if seeds.is_dir():
        cmd.append(str(seeds))
    t0 = time.monotonic()
    with open(wdir / "log.txt", "wb") as log:
        rc = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT)
    elapsed = time.monotonic() - t0
    text = (wdir / "log.txt").read_text(errors="replace")
    m = re.search(r"stat::number_of_executed_units:\s*(\d+)", text) or re.search(r"Done (\d+) runs", text)
    execs = int(m.group(1)) if m else -1
    crashes = sorted(p.name for p in art.iterdir())
    return {"name": name, "rc": rc, "execs": execs, "crashes": crashes, "seconds": elapsed,
            "corpus": sum(1 for _ in corpus.iterdir()), "log": wdir / "log.txt"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("targets", nargs="*", help=f"targets (default all): {', '.join(TARGETS)}")
    ap.add_argument("-t", "--time", type=int, default=60, help="seconds per target (default 60)")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="targets run in parallel (default 2)")
    ap.add_argument("--work", type=Path, help="work dir (kept); default a temp dir, removed if all passed")
    ap.add_argument("--libfuzzer", default="", help="extra libFuzzer flags, space-separated")
    args = ap.parse_args()
    names = args.targets or TARGETS
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        ap.error(f"unknown targets {unknown}; known: {TARGETS}")
    work = args.work or Path(tempfile.mkdtemp(prefix="seqvrf-fuzz-"))
    work.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda n: run_target(n, args.time, work, args.libfuzzer.split()), names))
    failed = False
    print(f"{'target':<18} {'inputs':>10} {'exec/s':>8} {'corpus':>7} {'crashes':>7}  status")
    for r in results:
        bad = r["rc"] != 0 or bool(r["crashes"]) or r["execs"] < 0
        failed |= bad
        rate = int(r["execs"] / r["seconds"]) if r["seconds"] else 0
        status = f"FAIL (rc={r['rc']}, log {r['log']})" if bad else "ok"
        print(f"{r['name']:<18} {r['execs']:>10} {rate:>8} {r['corpus']:>7} {len(r['crashes']):>7}  {status}")
        for c in r["crashes"]:
            print(f"    reproducer: {work / r['name'] / 'artifacts' / c}")
    if failed:
        for r in results:
            if r["rc"] != 0 or r["crashes"]:
                print(f"--- tail of {r['log']} ---")
                print("\n".join(Path(str(r["log"])).read_text(errors="replace").splitlines()[-40:]))
        print(f"work dir kept: {work}")
        return 1
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
