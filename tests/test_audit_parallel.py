"""election.chain.parallel: the sharded audit's report equals the sequential one, bit for bit."""

from __future__ import annotations

import copy
import json
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from audit_chain import CONFIG, GENESIS, KEYS, build_records, dump, producer, to_objs
from test_election_audit import TAMPERS, Objs, _index, _other_validator

from election import MalformedHistory, audit
from election.chain.formats import HistoryRecord
from election.chain.parallel import audit_sharded
from election.dev.chains import dev_history

OBJS = to_objs(build_records())
SIGNED = [r.to_dict() for r in dev_history(GENESIS, KEYS, 5 * 32 + 9, producer(), signed=True)]


class CountingExecutor(ThreadPoolExecutor):
    """A thread pool that counts the shards submitted to it."""

    def __init__(self) -> None:
        super().__init__(2)
        self.submitted = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


def _d(rep: Any) -> dict[str, Any]:
    d = rep.to_dict()
    d.pop("elapsed_seconds")
    return d


def _write(tmp_path: Path, objs: Objs, name: str = "h.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(dump(objs)))
    return path


def _same(tmp_path: Path, objs: Objs, **kwargs: Any) -> tuple[dict[str, Any], int]:
    """Sequential and sharded (one epoch per shard) reports, checked equal; returns the
    report and the number of shard runs beyond one per shard (re-audits)."""
    path = _write(tmp_path, objs)
    want = _d(audit(GENESIS, path, **kwargs))
    epochs_opened = max(1, len({o["slot"] // CONFIG.epoch_length for o in objs}))  # one shard at least
    with CountingExecutor() as ex:
        got = _d(audit_sharded(GENESIS, path, ex, shard_lines=1, **kwargs))
        redone = ex.submitted - epochs_opened
    assert got == want
    with ThreadPoolExecutor(2) as ex:  # the default shard size: one shard here
        assert _d(audit(GENESIS, path, executor=ex, **kwargs)) == want
    return want, redone


def test_valid_histories_both_versions(tmp_path: Path) -> None:
    for objs in (OBJS, SIGNED):
        rep, redone = _same(tmp_path, objs)
        assert rep["ok"] and rep["blocks"]["total"] == len(objs) and rep["takeovers"]["total"] > 0
        assert redone == 0  # a valid chain is predicted right: every shard runs once
        assert any(e["produced"] == 0 for e in rep["seed_chain"])  # an empty epoch between shards


@pytest.mark.parametrize("tamper,code", TAMPERS, ids=[t.__name__.strip("_") for t, _ in TAMPERS])
def test_tampered_histories(tmp_path: Path, tamper: Any, code: str) -> None:
    objs = copy.deepcopy(OBJS)
    tamper(objs)
    rep, _ = _same(tmp_path, objs)
    assert code in rep["invalid_by_code"]


def test_invalid_seed_block_is_re_audited(tmp_path: Path) -> None:
    """A block before the cutoff the first pass takes for valid: the next shard started
    from a wrong seed and is audited again; the report is still the sequential one."""
    objs = copy.deepcopy(OBJS)
    i = _index(lambda o: o["claim"]["epoch"] == 1 and o["slot"] % 32 < CONFIG.cutoff)
    objs[i]["claim"]["validator_id"] = _other_validator(objs[i]["claim"]["validator_id"])
    rep, redone = _same(tmp_path, objs)
    assert redone > 0 and rep["invalid_blocks"][0]["code"] == "wrong_leader"
    assert rep["invalid_blocks"][1]["slot"] // 32 == 3  # the next seed changed


def test_signed_history_with_a_bad_header_before_the_cutoff(tmp_path: Path) -> None:
    objs = copy.deepcopy(SIGNED)
    i = _index(lambda o: o["slot"] // 32 == 0 and o["slot"] % 32 < CONFIG.cutoff and o["slot"] > 3)
    objs[i]["header"]["signature"] = "00" * 64
    rep, redone = _same(tmp_path, objs)
    assert rep["invalid_blocks"][0]["code"] == "header_signature" and redone > 0


def test_wrong_genesis_seed_and_duplicates_across_cuts(tmp_path: Path) -> None:
    objs = copy.deepcopy(OBJS)
    first_of_1 = _index(lambda o: o["claim"]["epoch"] == 1)
    objs.insert(first_of_1 + 1, copy.deepcopy(objs[first_of_1 - 1]))  # an older slot right after a cut
    rep, _ = _same(tmp_path, objs)
    assert "out_of_order" in rep["invalid_by_code"]
    bad = copy.copy(GENESIS)
    object.__setattr__(bad, "initial_seed", bytes(32))
    path = _write(tmp_path, OBJS, "all-bad.jsonl")
    want = _d(audit(bad, path))
    with ThreadPoolExecutor(2) as ex:
        assert _d(audit_sharded(bad, path, ex, shard_lines=1)) == want
    assert not want["ok"]


def test_observed_blocks_merge(tmp_path: Path) -> None:
    obs = _write(tmp_path, SIGNED[5:8] + SIGNED[40:41], "observed.jsonl")
    rep, _ = _same(tmp_path, SIGNED, observed=obs)
    assert rep["observed"]["blocks"] == 4


def test_malformed_lines_same_error(tmp_path: Path) -> None:
    lines = dump(OBJS)
    lines[3] = "{not json\n"
    lines[70] = '{"slot": 1}\n'
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(lines))
    with pytest.raises(MalformedHistory) as seq:
        audit(GENESIS, path)
    with ThreadPoolExecutor(2) as ex, pytest.raises(MalformedHistory) as par:
        audit_sharded(GENESIS, path, ex, shard_lines=1)
    assert str(par.value) == str(seq.value) and par.value.count == seq.value.count == 2


def test_processes_and_the_executor_argument(tmp_path: Path) -> None:
    path = _write(tmp_path, SIGNED)
    want = _d(audit(GENESIS, path))
    with ProcessPoolExecutor(2) as ex:
        assert _d(audit_sharded(GENESIS, path, ex, shard_lines=1)) == want
    with pytest.raises(ValueError):
        audit(GENESIS, dump(OBJS), executor=ThreadPoolExecutor(1))


def test_record_lines_keep_numbers(tmp_path: Path) -> None:
    """Line numbers in the report are the file's, whichever shard read them."""
    objs = copy.deepcopy(OBJS)
    i = len(objs) - 3
    objs[i]["claim"]["proof"] = objs[i - 1]["claim"]["proof"]
    rep, _ = _same(tmp_path, objs)
    assert rep["invalid_blocks"][-1]["line"] == i + 1
    assert isinstance(HistoryRecord, type)


def test_cluster_audit_on_a_local_dask_cluster(tmp_path: Path) -> None:
    """Two dask workers audit the shards; the report is the sequential one.  The workers
    are threads (they start in a second; shards crossing process boundaries are tested
    with the ProcessPoolExecutor above).  dask is in the test extra: missing, this fails."""
    from distributed import LocalCluster

    from election.chain.cluster import cluster_executor

    objs = copy.deepcopy(SIGNED)
    i = _index(lambda o: o["slot"] // 32 == 1 and o["slot"] % 32 < CONFIG.cutoff)
    objs[i]["header"]["signature"] = "00" * 64  # a misprediction too: a shard is audited again
    path = _write(tmp_path, objs)
    want = _d(audit(GENESIS, path))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            cluster_executor(cluster) as ex:
        got = _d(audit_sharded(GENESIS, f"file://{path}", ex, shard_lines=1))
    assert got == want and not want["ok"]
    assert want["invalid_blocks"][0]["code"] == "header_signature"


def test_cli_processes_and_scheduler_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from election.cli import main

    gpath = tmp_path / "genesis.json"
    GENESIS.save(gpath)
    path = _write(tmp_path, SIGNED)
    assert main(["audit", str(gpath), str(path), "--json"]) == 0
    want = json.loads(capsys.readouterr().out)
    assert main(["audit", str(gpath), str(path), "--json", "--processes", "2"]) == 0
    got = json.loads(capsys.readouterr().out)
    want.pop("elapsed_seconds")
    got.pop("elapsed_seconds")
    assert got == want
    assert main(["audit", str(gpath), f"file://{path}", "--json"]) == 0  # a URL, read through fsspec
    assert json.loads(capsys.readouterr().out)["blocks"] == want["blocks"]
    with pytest.raises(SystemExit) as info:  # one place to run at a time
        main(["audit", str(gpath), str(path), "--scheduler", "tcp://127.0.0.1:1", "--processes", "2"])
    assert info.value.code == 2


def test_fsspec_url_history(tmp_path: Path) -> None:
    """A history behind an fsspec URL (``local://``: fsspec's own local file system, opened
    through fsspec as ``s3://`` would be) audits through the shards, which open the URL
    themselves, with the sequential report."""
    path = _write(tmp_path, SIGNED)
    want = _d(audit(GENESIS, path))
    with ThreadPoolExecutor(2) as ex:
        got = _d(audit_sharded(GENESIS, f"local://{path}", ex, shard_lines=1))
    assert got == want and want["ok"]


def test_empty_and_tiny_histories(tmp_path: Path) -> None:
    for objs in ([], OBJS[:1], [OBJS[0], OBJS[0]]):
        rep, redone = _same(tmp_path, objs)
        assert rep["blocks"]["total"] == len(objs) and redone == 0
