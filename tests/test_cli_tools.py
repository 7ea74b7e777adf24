"""seqvrf keygen and seqvrf schedule."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

import vrf
from election import ElectionConfig, Schedule, StakeTable, Validator
from election.chain.formats import GenesisFile
from election.cli import main
from election.dev.keys import dev_table


def test_keygen_writes_private_distinct_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "keys"
    assert main(["keygen", "--out", str(out), "--id", "alice", "--stake", "7"]) == 0
    entry = json.loads(capsys.readouterr().out)
    vrf_sk = vrf.SecretKey.from_pem((out / "vrf-key.pem").read_bytes())
    vote_sk = vrf.SecretKey.from_pem((out / "vote-key.pem").read_bytes())
    assert entry == {
        "id": "alice",
        "stake": 7,
        "vrf_key": bytes(vrf_sk.public_key).hex(),
        "vote_key": bytes(vote_sk.public_key).hex(),
    }
    assert entry["vrf_key"] != entry["vote_key"]
    for name in ("vrf-key.pem", "vote-key.pem"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600
    # The printed entry is a valid stake-table validator; no secret was printed.
    Validator(entry["id"], bytes.fromhex(entry["vrf_key"]), bytes.fromhex(entry["vote_key"]), entry["stake"])
    assert vrf_sk.to_bytes().hex() not in json.dumps(entry)


def test_keygen_refuses_to_overwrite_and_bad_stake(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keygen", "--out", str(tmp_path), "--id", "a"]) == 0
    before = (tmp_path / "vrf-key.pem").read_bytes()
    assert main(["keygen", "--out", str(tmp_path), "--id", "a"]) == 2
    assert "exists" in capsys.readouterr().err
    assert (tmp_path / "vrf-key.pem").read_bytes() == before
    with pytest.raises(SystemExit) as exc:
        main(["keygen", "--out", str(tmp_path / "x"), "--id", "a", "--stake", "0"])
    assert exc.value.code == 2
    assert "positive integer" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    assert main(["keygen", "--out", str(tmp_path), "--id", "a", "--force"]) == 0
    assert (tmp_path / "vrf-key.pem").read_bytes() != before


@pytest.fixture
def genesis(tmp_path: Path) -> tuple[Path, GenesisFile, StakeTable]:
    table, _ = dev_table([5, 10, 20, 40])
    g = GenesisFile.single(ElectionConfig(b"demo", epoch_length=60, backups=2), bytes(range(32)), table)
    path = tmp_path / "genesis.json"
    g.save(path)
    return path, g, table


def test_schedule_json_matches_library(genesis: tuple[Path, GenesisFile, StakeTable],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path, g, table = genesis
    assert main(["schedule", str(path), "--from-slot", "10", "--count", "5", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    sched = Schedule(g.config, table, 0, g.initial_seed)
    assert got["slots"] == [{"slot": s, "ranking": sched.ranking(s)} for s in range(10, 15)]
    seed = "cd" * 32
    assert main(["schedule", str(path), "--epoch", "1", "--seed", seed, "--count", "3", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    sched1 = Schedule(g.config, table, 1, bytes.fromhex(seed))
    assert [r["ranking"] for r in got["slots"]] == [sched1.ranking(s) for s in range(60, 63)]


def test_schedule_table_output(genesis: tuple[Path, GenesisFile, StakeTable],
                               capsys: pytest.CaptureFixture[str]) -> None:
    path, g, table = genesis
    assert main(["schedule", str(path), "--count", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    sched = Schedule(g.config, table, 0, g.initial_seed)
    assert out[2].split()[:2] == ["0", sched.leader(0)]
    assert len(out) == 5


@pytest.mark.parametrize(
    "extra",
    [["--epoch", "1"], ["--seed", "zz"], ["--from-slot", "500"]],
    ids=["needs-seed", "bad-seed", "slot-outside-epoch"],
)
def test_schedule_bad_usage_exits_2(extra: list[str], genesis: tuple[Path, GenesisFile, StakeTable],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", str(genesis[0]), *extra]) == 2
    assert capsys.readouterr().err.startswith("seqvrf schedule: ")


@pytest.mark.parametrize("count", ["0", "-3", "many"])
def test_schedule_bad_count_is_a_usage_error(count: str, genesis: tuple[Path, GenesisFile, StakeTable],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["schedule", str(genesis[0]), "--count", count])
    assert exc.value.code == 2
    assert "--count" in capsys.readouterr().err


def test_schedule_missing_or_broken_genesis(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", str(tmp_path / "missing.json")]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["schedule", str(bad)]) == 2


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for command in ("keygen", "schedule", "audit"):
        assert command in out
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2
