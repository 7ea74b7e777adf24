"""The signing guard (election.node.guard): conflict rules, durability, locking, interchange.

Each conflict rule has a refusing case and a neighbouring allowed case; a hypothesis test
drives random request sequences against an independent pairwise model of the rules; a
child process signing in a loop is SIGKILLed and every signature it printed must be on disk.
"""

from __future__ import annotations

import copy
import doctest
import gc
import hashlib
import json
import os
import pickle
import random
import selectors
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nacl.signing import SigningKey

import election.node.guard as guard_module
from election import ElectionError
from election.node.guard import (
    KIND_HEADER,
    KIND_VOTE,
    GuardArgumentType,
    GuardBehind,
    GuardClosed,
    GuardCorrupt,
    InvalidGuardArgument,
    SigningConflict,
    SigningGuard,
)

ROOT = Path(__file__).resolve().parents[1]
CHAIN = b"guard-chain"
VID = "validator-1"
KEY = SigningKey(bytes(range(32)))
H, V = KIND_HEADER, KIND_VOTE


class CountingSigner:
    """An Ed25519 signer that counts its calls."""

    def __init__(self, key: SigningKey = KEY) -> None:
        self.key = key
        self.calls = 0

    def __call__(self, message: bytes) -> bytes:
        self.calls += 1
        return self.key.sign(message).signature


@pytest.fixture
def guard() -> Any:
    with SigningGuard(":memory:", chain_id=CHAIN, validator_id=VID) as g:
        yield g


@pytest.fixture
def signer() -> CountingSigner:
    return CountingSigner()


def conflict_code(g: SigningGuard, kind: str, epoch: int, slot: int, rank: int, message: bytes,
                  signer: CountingSigner) -> str:
    """Assert that both check() and sign() refuse, without calling the signer or writing; return the code."""
    before, calls = g.export_json(), signer.calls
    with pytest.raises(SigningConflict) as checked:
        g.check(kind, epoch, slot, rank, message)
    with pytest.raises(SigningConflict) as signed:
        g.sign(kind, epoch, slot, rank, message, signer)
    assert signer.calls == calls, "the signer was called for a refused request"
    assert g.export_json() == before, "a refused request wrote something"
    assert checked.value.code == signed.value.code
    return signed.value.code


def test_module_doctest() -> None:
    assert doctest.testmod(guard_module, raise_on_error=True).attempted >= 3


# -- rule 1: same (kind, slot, rank) --------------------------------------------------------
@pytest.mark.parametrize(("kind", "rank"), [(H, 0), (H, 3), (V, 1), (V, 255)])
def test_rule1_same_key_other_message_is_double_sign(guard: SigningGuard, signer: CountingSigner,
                                                     kind: str, rank: int) -> None:
    guard.sign(kind, 1, 10, rank, b"first", signer)
    assert conflict_code(guard, kind, 1, 10, rank, b"second", signer) == "double_sign"
    assert guard.signed(kind, 10, rank) == (b"first", KEY.sign(b"first").signature)


def test_rule1_identical_resign_returns_stored_signature_without_signer(guard: SigningGuard,
                                                                         signer: CountingSigner) -> None:
    first = guard.sign(H, 1, 10, 0, b"block", signer)
    assert signer.calls == 1 and first == KEY.sign(b"block").signature
    assert guard.check(H, 1, 10, 0, b"block") == first
    again = guard.sign(H, 1, 10, 0, b"block", lambda m: pytest.fail("signer called on an idempotent re-sign"))
    assert again == first and signer.calls == 1
    vote = guard.sign(V, 1, 11, 2, b"vote", signer)
    assert guard.sign(V, 1, 11, 2, bytearray(b"vote"), signer) == vote and signer.calls == 2


def test_rule1_allowed_neighbours(guard: SigningGuard, signer: CountingSigner) -> None:
    guard.sign(H, 1, 10, 0, b"a", signer)
    assert guard.check(H, 1, 11, 0, b"b") is None          # another slot
    guard.sign(H, 1, 11, 0, b"b", signer)
    guard.sign(V, 1, 12, 1, b"a", signer)
    guard.sign(V, 1, 12, 2, b"b", signer)                   # another rank of a vote
    assert signer.calls == 4


# -- rule 2: one header rank per slot -------------------------------------------------------
@pytest.mark.parametrize(("first", "second"), [(0, 1), (1, 0), (2, 5)])
def test_rule2_header_at_another_rank_is_double_sign(guard: SigningGuard, signer: CountingSigner,
                                                     first: int, second: int) -> None:
    guard.sign(H, 0, 7, first, b"h", signer)
    assert conflict_code(guard, H, 0, 7, second, b"h", signer) == "double_sign"
    assert conflict_code(guard, H, 0, 7, second, b"other", signer) == "double_sign"
    guard.sign(H, 0, 8, second, b"h", signer)               # the next slot is free


def test_rule2_is_reported_before_rule3(guard: SigningGuard, signer: CountingSigner) -> None:
    guard.sign(V, 0, 7, 3, b"v", signer)
    guard.sign(H, 0, 7, 3, b"h", signer)                    # consistent: voted ranks 0-2 out, produced at 3
    assert conflict_code(guard, H, 0, 7, 1, b"h", signer) == "double_sign"   # breaks rules 2 and 3


# -- rule 3: no header after voting its rank out --------------------------------------------
@pytest.mark.parametrize(("vote_rank", "header_rank"), [(1, 0), (2, 1), (3, 0), (255, 254)])
def test_rule3_produce_after_vote(guard: SigningGuard, signer: CountingSigner, vote_rank: int,
                                  header_rank: int) -> None:
    guard.sign(V, 0, 7, vote_rank, b"v", signer)
    assert conflict_code(guard, H, 0, 7, header_rank, b"h", signer) == "produce_after_vote"


@pytest.mark.parametrize(("vote_rank", "header_rank"), [(1, 1), (1, 2), (2, 2), (2, 5)])
def test_rule3_header_at_or_above_the_voted_rank_is_allowed(guard: SigningGuard, signer: CountingSigner,
                                                            vote_rank: int, header_rank: int) -> None:
    guard.sign(V, 0, 7, vote_rank, b"v", signer)
    assert guard.check(H, 0, 7, header_rank, b"h") is None
    guard.sign(H, 0, 7, header_rank, b"h", signer)


# -- rule 4: no vote against one's own block ------------------------------------------------
@pytest.mark.parametrize(("header_rank", "vote_rank"), [(0, 1), (1, 2), (0, 255)])
def test_rule4_vote_after_produce(guard: SigningGuard, signer: CountingSigner, header_rank: int,
                                  vote_rank: int) -> None:
    guard.sign(H, 0, 7, header_rank, b"h", signer)
    assert conflict_code(guard, V, 0, 7, vote_rank, b"v", signer) == "vote_after_produce"


@pytest.mark.parametrize(("header_rank", "vote_rank"), [(1, 1), (2, 1), (3, 3)])
def test_rule4_vote_at_or_below_the_header_rank_is_allowed(guard: SigningGuard, signer: CountingSigner,
                                                           header_rank: int, vote_rank: int) -> None:
    guard.sign(H, 0, 7, header_rank, b"h", signer)
    guard.sign(V, 0, 7, vote_rank, b"v", signer)


# -- rule 5: low-water mark -----------------------------------------------------------------
def test_rule5_below_low_water_and_prune(guard: SigningGuard, signer: CountingSigner) -> None:
    for slot in range(5, 15):
        guard.sign(H, 0, slot, 0, b"h%d" % slot, signer)
    assert guard.low_water() == 0 and guard.high_water() == 14
    assert guard.prune(10) == 5
    assert guard.low_water() == 10 and guard.signed(H, 9, 0) is None and guard.signed(H, 10, 0) is not None
    assert conflict_code(guard, H, 0, 9, 0, b"h9", signer) == "below_low_water"
    assert conflict_code(guard, V, 0, 3, 1, b"v", signer) == "below_low_water"
    assert guard.prune(4) == 0 and guard.low_water() == 10          # never lowers
    assert guard.prune(10) == 0
    assert guard.check(H, 0, 10, 0, b"h10") is not None              # the mark itself is allowed
    assert guard.check(V, 0, 16, 1, b"v") is None
    guard.sign(H, 0, 20, 0, b"h20", signer)
    assert guard.prune(2**64 - 1) == 6 and guard.high_water() is None
    assert conflict_code(guard, H, 0, 2**64 - 2, 0, b"x", signer) == "below_low_water"
    guard.sign(H, 0, 2**64 - 1, 0, b"last", signer)
    assert guard.high_water() == 2**64 - 1


# -- rule 6: one epoch per slot -------------------------------------------------------------
def test_rule6_epoch_mismatch(guard: SigningGuard, signer: CountingSigner) -> None:
    guard.sign(V, 3, 100, 1, b"v", signer)
    assert conflict_code(guard, V, 4, 100, 2, b"v2", signer) == "epoch_mismatch"
    assert conflict_code(guard, V, 4, 100, 1, b"v", signer) == "epoch_mismatch"  # identical but the epoch
    assert conflict_code(guard, H, 2, 100, 1, b"h", signer) == "epoch_mismatch"
    guard.sign(V, 3, 100, 2, b"v2", signer)
    guard.sign(H, 4, 101, 0, b"h", signer)                  # another slot, another epoch: fine
    guard.sign(H, 2**64 - 1, 2**64 - 1, 255, b"", signer)


def test_signing_conflict_is_typed_and_pickles() -> None:
    exc = SigningConflict("msg", "produce_after_vote")
    assert isinstance(exc, ElectionError)
    again = pickle.loads(pickle.dumps(exc))
    assert type(again) is SigningConflict and again.code == "produce_after_vote" and str(again) == "msg"
    assert SigningConflict("x").code == "double_sign"


# -- arguments and the signer ---------------------------------------------------------------
@pytest.mark.parametrize(("args", "exc"), [
    ((b"header", 0, 1, 0, b"m"), GuardArgumentType),
    (("block", 0, 1, 0, b"m"), InvalidGuardArgument),
    ((H, -1, 1, 0, b"m"), InvalidGuardArgument),
    ((H, 2**64, 1, 0, b"m"), InvalidGuardArgument),
    ((H, 0, -1, 0, b"m"), InvalidGuardArgument),
    ((H, 0, 2**64, 0, b"m"), InvalidGuardArgument),
    ((H, 0, True, 0, b"m"), GuardArgumentType),
    ((H, 0, 1.0, 0, b"m"), GuardArgumentType),
    ((H, "0", 1, 0, b"m"), GuardArgumentType),
    ((H, 0, 1, -1, b"m"), InvalidGuardArgument),
    ((H, 0, 1, 256, b"m"), InvalidGuardArgument),
    ((V, 0, 1, 0, b"m"), InvalidGuardArgument),
    ((V, 0, 1, 256, b"m"), InvalidGuardArgument),
    ((H, 0, 1, None, b"m"), GuardArgumentType),
    ((H, 0, 1, 0, "m"), GuardArgumentType),
    ((H, 0, 1, 0, b"m" * 4097), InvalidGuardArgument),
])
def test_bad_arguments_are_typed(guard: SigningGuard, signer: CountingSigner, args: tuple[Any, ...],
                                 exc: type[Exception]) -> None:
    with pytest.raises(exc) as info:
        guard.sign(*args, signer)
    assert isinstance(info.value, ElectionError)
    assert isinstance(info.value, TypeError if exc is GuardArgumentType else ValueError)
    assert "expected" in str(info.value) and "got" in str(info.value)
    with pytest.raises(exc):
        guard.check(*args)
    assert signer.calls == 0 and guard.export_json()["records"] == []


def test_message_bounds(guard: SigningGuard, signer: CountingSigner) -> None:
    guard.sign(H, 0, 1, 0, b"m" * 4096, signer)
    guard.sign(H, 0, 2, 0, b"", signer)
    guard.sign(H, 0, 3, 0, memoryview(b"mv"), signer)
    assert guard.signed(H, 3, 0) == (b"mv", KEY.sign(b"mv").signature)


@pytest.mark.parametrize(("result", "exc"), [
    (b"x" * 63, InvalidGuardArgument), (b"x" * 65, InvalidGuardArgument), ("x" * 64, GuardArgumentType),
    (None, GuardArgumentType),
])
def test_bad_signer_output_writes_nothing(guard: SigningGuard, result: object, exc: type[Exception]) -> None:
    with pytest.raises(exc):
        guard.sign(H, 0, 1, 0, b"m", lambda m: result)  # type: ignore[arg-type,return-value]
    assert guard.signed(H, 1, 0) is None
    guard.sign(H, 0, 1, 0, b"other", CountingSigner())      # the slot is still free


def test_signer_exception_propagates_and_writes_nothing(guard: SigningGuard) -> None:
    def broken(message: bytes) -> bytes:
        raise RuntimeError("hsm offline")

    with pytest.raises(RuntimeError, match="hsm offline"):
        guard.sign(H, 0, 1, 0, b"m", broken)
    assert guard.signed(H, 1, 0) is None and guard.high_water() is None
    with pytest.raises(GuardArgumentType):
        guard.sign(H, 0, 1, 0, b"m", b"not callable")  # type: ignore[arg-type]


@pytest.mark.parametrize("kwargs", [
    {"chain_id": "c", "validator_id": VID}, {"chain_id": b"", "validator_id": VID},
    {"chain_id": b"c" * 65, "validator_id": VID}, {"chain_id": CHAIN, "validator_id": b"v"},
    {"chain_id": CHAIN, "validator_id": ""}, {"chain_id": CHAIN, "validator_id": "a\nb"},
])
def test_bad_constructor_arguments(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidGuardArgument):
        SigningGuard(":memory:", **kwargs)
    with pytest.raises(InvalidGuardArgument):
        SigningGuard("", chain_id=CHAIN, validator_id=VID)
    with pytest.raises(GuardArgumentType):
        SigningGuard(3, chain_id=CHAIN, validator_id=VID)  # type: ignore[arg-type]


def test_signed_and_check_arguments(guard: SigningGuard) -> None:
    assert guard.signed(H, 0, 0) is None
    with pytest.raises(InvalidGuardArgument):
        guard.signed(V, 0, 0)
    with pytest.raises(InvalidGuardArgument):
        guard.prune(-1)
    with pytest.raises(GuardArgumentType):
        guard.assert_not_behind("5")  # type: ignore[arg-type]


# -- persistence, identity, locking ---------------------------------------------------------
def test_persistence_across_reopen(tmp_path: Path, signer: CountingSigner) -> None:
    path = tmp_path / "guard.db"
    with SigningGuard(path, chain_id=CHAIN, validator_id=VID) as g:
        sig = g.sign(H, 2, 50, 1, b"header", signer)
        g.sign(V, 2, 51, 1, b"vote", signer)
        g.prune(40)
        exported = g.export_json()
    with SigningGuard(str(path), chain_id=CHAIN, validator_id=VID) as g:
        assert g.export_json() == exported
        assert g.signed(H, 50, 1) == (b"header", sig) and g.low_water() == 40 and g.high_water() == 51
        assert g.sign(H, 2, 50, 1, b"header", signer) == sig and signer.calls == 2
        assert conflict_code(g, H, 2, 50, 1, b"other", signer) == "double_sign"
        assert conflict_code(g, V, 2, 50, 2, b"v", signer) == "vote_after_produce"
        assert conflict_code(g, H, 2, 39, 0, b"h", signer) == "below_low_water"
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize("kwargs", [{"chain_id": b"other-chain", "validator_id": VID},
                                    {"chain_id": CHAIN, "validator_id": "validator-2"}])
def test_reopen_with_wrong_identity_is_refused(tmp_path: Path, kwargs: dict[str, Any]) -> None:
    path = tmp_path / "guard.db"
    SigningGuard(path, chain_id=CHAIN, validator_id=VID).close()
    with pytest.raises(GuardCorrupt, match="chain|validator"):
        SigningGuard(path, **kwargs)
    SigningGuard(path, chain_id=CHAIN, validator_id=VID).close()     # the refusal released the lock


def test_foreign_and_garbage_files_are_refused(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not an SQLite database" * 100)
    with pytest.raises(GuardCorrupt):
        SigningGuard(garbage, chain_id=CHAIN, validator_id=VID)
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(GuardCorrupt, match="not a signing guard"):
        SigningGuard(foreign, chain_id=CHAIN, validator_id=VID)
    with pytest.raises(GuardCorrupt):
        SigningGuard(tmp_path / "no-such-dir" / "g.db", chain_id=CHAIN, validator_id=VID)


def test_schema_version_and_tampered_rows_are_refused(tmp_path: Path, signer: CountingSigner) -> None:
    path = tmp_path / "guard.db"
    with SigningGuard(path, chain_id=CHAIN, validator_id=VID) as g:
        g.sign(H, 0, 5, 0, b"h", signer)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE guard_records SET message = x'00'")
    conn.close()
    with SigningGuard(path, chain_id=CHAIN, validator_id=VID) as g:
        with pytest.raises(GuardCorrupt, match="SHA-256"):
            g.sign(H, 0, 5, 0, b"h", signer)
        with pytest.raises(GuardCorrupt):
            g.export_json()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE guard_meta SET schema_version = 2")
    conn.close()
    with pytest.raises(GuardCorrupt, match="schema version"):
        SigningGuard(path, chain_id=CHAIN, validator_id=VID)


def test_second_opener_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "guard.db"
    with SigningGuard(path, chain_id=CHAIN, validator_id=VID):
        with pytest.raises(GuardCorrupt, match="in use"):
            SigningGuard(path, chain_id=CHAIN, validator_id=VID)
        code = ("import sys\nfrom election.node.guard import SigningGuard, GuardCorrupt\n"
                "try:\n    SigningGuard(sys.argv[1], chain_id=sys.argv[2].encode(), validator_id=sys.argv[3])\n"
                "except GuardCorrupt as exc:\n    print('refused', exc)\n")
        out = subprocess.run([sys.executable, "-c", code, str(path), CHAIN.decode(), VID], capture_output=True,
                             text=True, timeout=120, cwd=ROOT)
        assert out.stdout.startswith("refused") and "in use" in out.stdout, out.stdout + out.stderr
        # Without the lock file, SQLite's own exclusive lock still refuses the second connection.
        os.unlink(str(path) + ".lock")
        with pytest.raises(GuardCorrupt):
            SigningGuard(path, chain_id=CHAIN, validator_id=VID).sign(H, 0, 1, 0, b"m", CountingSigner())
    with SigningGuard(path, chain_id=CHAIN, validator_id=VID) as g:     # free again after close
        assert g.high_water() is None


def test_signer_calling_back_is_refused_not_deadlocked(guard: SigningGuard) -> None:
    def sneaky(message: bytes) -> bytes:
        guard.sign(V, 0, 2, 1, b"inner", CountingSigner())
        return KEY.sign(message).signature

    with pytest.raises(InvalidGuardArgument, match="calls back"):
        guard.sign(H, 0, 1, 0, b"outer", sneaky)
    assert guard.export_json()["records"] == []
    guard.sign(H, 0, 1, 0, b"outer", CountingSigner())      # the guard is usable afterwards


def test_dropped_guard_releases_its_lock(tmp_path: Path) -> None:
    path = tmp_path / "guard.db"
    g = SigningGuard(path, chain_id=CHAIN, validator_id=VID)
    g.sign(H, 0, 1, 0, b"m", CountingSigner())
    del g
    gc.collect()
    with SigningGuard(path, chain_id=CHAIN, validator_id=VID) as again:
        assert again.high_water() == 1


def test_closed_guard_refuses(signer: CountingSigner) -> None:
    g = SigningGuard(":memory:", chain_id=CHAIN, validator_id=VID)
    g.close()
    g.close()
    for call in (lambda: g.sign(H, 0, 1, 0, b"m", signer), lambda: g.check(H, 0, 1, 0, b"m"), g.high_water,
                 g.low_water, g.export_json, lambda: g.prune(3), lambda: g.signed(H, 1, 0)):
        with pytest.raises(GuardClosed):
            call()
    assert "closed" in repr(g)


def test_threads_share_one_guard(guard: SigningGuard) -> None:
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        sgn = CountingSigner()
        for slot in range(20):
            try:
                guard.sign(H, 0, slot, 0, b"w%d" % n, sgn)
                outcome = "signed"
            except SigningConflict as exc:
                outcome = exc.code
            with lock:
                results.append((slot, outcome))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    for slot in range(20):
        outcomes = sorted(o for s, o in results if s == slot)
        assert outcomes == ["double_sign"] * 3 + ["signed"], (slot, outcomes)


# -- high water and the start-up check -------------------------------------------------------
def test_assert_not_behind(guard: SigningGuard, signer: CountingSigner) -> None:
    guard.assert_not_behind(None)
    with pytest.raises(GuardBehind):
        guard.assert_not_behind(0)                          # empty guard, the network shows a signature
    guard.sign(V, 0, 10, 1, b"v", signer)
    guard.sign(H, 0, 4, 0, b"h", signer)
    assert guard.high_water() == 10
    guard.assert_not_behind(10)
    guard.assert_not_behind(3)
    with pytest.raises(GuardBehind, match="slot 11"):
        guard.assert_not_behind(11)
    guard.prune(30)                                         # every record gone, mark at 30
    assert guard.high_water() is None
    guard.assert_not_behind(29)                             # below the mark: refused anyway
    with pytest.raises(GuardBehind):
        guard.assert_not_behind(30)
    assert isinstance(GuardBehind("x"), ElectionError)


# -- crash: SIGKILL while signing -------------------------------------------------------------
CRASH_CHILD = """
import sys
from nacl.signing import SigningKey
from election.node.guard import SigningGuard
key = SigningKey(bytes(range(32)))
guard = SigningGuard(sys.argv[1], chain_id=b"guard-chain", validator_id="validator-1")
for slot in range(int(sys.argv[2])):
    guard.sign("header", 0, slot, 0, b"block %d" % slot, lambda m: key.sign(m).signature)
    print(slot, flush=True)
"""


def test_sigkill_never_loses_a_returned_signature(tmp_path: Path, rng: random.Random) -> None:
    path = tmp_path / "crash.db"
    kill_after, max_signs, deadline = rng.randrange(3, 60), 5000, time.monotonic() + 120
    proc = subprocess.Popen([sys.executable, "-c", CRASH_CHILD, str(path), str(max_signs)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    data = b""
    try:
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            while data.count(b"\n") < kill_after and time.monotonic() < deadline:
                if sel.select(timeout=1.0):
                    chunk = os.read(proc.stdout.fileno(), 65536)
                    if not chunk:
                        break
                    data += chunk
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        rest, err = proc.communicate(timeout=60)             # drains what was printed before the kill
    data += rest or b""
    assert proc.returncode == -signal.SIGKILL, err.decode(errors="replace")
    printed = [int(line) for line in data.split(b"\n")[:-1]]  # a torn last line is not a printed slot
    assert len(printed) >= kill_after and printed == list(range(len(printed)))
    with SigningGuard(path, chain_id=CHAIN, validator_id=VID) as g:
        for slot in printed:
            message, signature = g.signed(H, slot, 0) or pytest.fail(f"printed slot {slot} not recorded")
            assert message == b"block %d" % slot and signature == KEY.sign(message).signature
        top = g.high_water()
        assert top is not None and top in (printed[-1], printed[-1] + 1)   # at most one unprinted commit
        last = printed[-1]
        with pytest.raises(SigningConflict) as info:
            g.sign(H, 0, last, 0, b"another block", CountingSigner())
        assert info.value.code == "double_sign"
        assert g.sign(H, 0, last, 0, b"block %d" % last, CountingSigner()) == KEY.sign(b"block %d" % last).signature


# -- interchange ------------------------------------------------------------------------------
def populated(low: int = 0) -> SigningGuard:
    g = SigningGuard(":memory:", chain_id=CHAIN, validator_id=VID)
    sgn = CountingSigner()
    for slot in range(5, 12):
        g.sign(V, 1, slot, 1, b"vote %d" % slot, sgn)
        if slot % 2:
            g.sign(H, 1, slot, 2, b"header %d" % slot, sgn)
        if slot % 3 == 0:
            g.sign(V, 1, slot, 2, b"vote2 %d" % slot, sgn)
    g.prune(low)
    return g


def test_export_import_round_trip() -> None:
    with populated(6) as a, SigningGuard(":memory:", chain_id=CHAIN, validator_id=VID) as b:
        exported = a.export_json()
        assert exported["low_water"] == 6 and exported["format"] == "seqvrf-signing-history"
        keys = [(r["slot"], r["kind"], r["rank"]) for r in exported["records"]]
        assert keys == sorted(keys) and len(keys) == 11
        assert b.import_json(exported) == 11
        assert b.export_json() == exported
        assert b.import_json(exported) == 0                 # identical records are no-ops
        assert b.import_json(json.dumps(exported)) == 0     # JSON text too
        assert b.import_json(json.dumps(exported).encode()) == 0
        assert b.low_water() == 6
        stored = a.signed(H, 7, 2)
        assert stored is not None and b.sign(H, 1, 7, 2, b"header 7", lambda m: pytest.fail("re-signed")) == stored[1]


def test_import_merges_and_takes_the_larger_low_water(signer: CountingSigner) -> None:
    with populated(6) as a, SigningGuard(":memory:", chain_id=CHAIN, validator_id=VID) as b:
        b.sign(H, 1, 2, 0, b"old", signer)
        b.sign(H, 1, 30, 0, b"new", signer)
        assert b.import_json(a.export_json()) == 11
        assert b.low_water() == 6 and b.signed(H, 2, 0) is None and b.signed(H, 30, 0) is not None
        b.prune(10)
        doc = a.export_json()
        assert b.import_json(doc) == 0 and b.low_water() == 10   # records below the guard's mark are dropped
        assert [r["slot"] for r in b.export_json()["records"]][0] == 10


def test_import_conflict_writes_nothing(signer: CountingSigner) -> None:
    with populated() as a, SigningGuard(":memory:", chain_id=CHAIN, validator_id=VID) as b:
        b.sign(H, 1, 9, 0, b"my own header", signer)                # a has header 9 at rank 2
        before = b.export_json()
        with pytest.raises(SigningConflict) as info:
            b.import_json(a.export_json())
        assert info.value.code == "double_sign" and b.export_json() == before
    with populated() as a, SigningGuard(":memory:", chain_id=CHAIN, validator_id=VID) as b:
        b.sign(H, 1, 8, 0, b"header 8", signer)                     # a's vote would vote this block out
        with pytest.raises(SigningConflict) as info:
            b.import_json(a.export_json())
        assert info.value.code == "vote_after_produce" and len(b.export_json()["records"]) == 1
    with populated() as a, SigningGuard(":memory:", chain_id=CHAIN, validator_id=VID) as b:
        b.sign(V, 2, 5, 1, b"vote 5", signer)                       # another epoch for slot 5
        with pytest.raises(SigningConflict) as info:
            b.import_json(a.export_json())
        assert info.value.code == "epoch_mismatch"


def test_import_same_message_other_signature_is_corrupt() -> None:
    with populated() as a, SigningGuard(":memory:", chain_id=CHAIN, validator_id=VID) as b:
        b.sign(V, 1, 5, 1, b"vote 5", CountingSigner(SigningKey(bytes(32))))
        with pytest.raises(GuardCorrupt, match="another signature"):
            b.import_json(a.export_json())
        assert len(b.export_json()["records"]) == 1


def _doc() -> dict[str, Any]:
    with populated(5) as g:
        return g.export_json()


DOC = _doc()


def _mutated(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    doc = copy.deepcopy(DOC)
    change(doc)
    return doc


@pytest.mark.parametrize("doc", [
    _mutated(lambda d: d.update(extra=1)),
    _mutated(lambda d: d.pop("low_water")),
    _mutated(lambda d: d.update(format="eip-3076")),
    _mutated(lambda d: d.update(version=2)),
    _mutated(lambda d: d.update(version=True)),
    _mutated(lambda d: d.update(chain_id=b"other".hex())),
    _mutated(lambda d: d.update(chain_id=CHAIN.hex().upper())),
    _mutated(lambda d: d.update(validator_id="validator-2")),
    _mutated(lambda d: d.update(low_water=-1)),
    _mutated(lambda d: d.update(low_water=2**64)),
    _mutated(lambda d: d.update(low_water=6)),                                  # records below the file's mark
    _mutated(lambda d: d.update(records={})),
    _mutated(lambda d: d["records"][0].update(extra=1)),
    _mutated(lambda d: d["records"][0].pop("signature")),
    _mutated(lambda d: d["records"][0].update(kind="block")),
    _mutated(lambda d: d["records"][0].update(kind=["vote"])),
    _mutated(lambda d: d["records"][0].update(rank=0)),                         # a vote at rank 0
    _mutated(lambda d: d["records"][0].update(rank=1.0)),
    _mutated(lambda d: d["records"][0].update(slot=2**64)),
    _mutated(lambda d: d["records"][0].update(epoch=-1)),
    _mutated(lambda d: d["records"][0].update(signature="00" * 63)),
    _mutated(lambda d: d["records"][0].update(message="0")),
    _mutated(lambda d: d["records"][0].update(message="AB")),
    _mutated(lambda d: d["records"][0].update(message="00" * 4097)),
    _mutated(lambda d: d["records"].reverse()),                                 # not canonical order
    _mutated(lambda d: d["records"].append(d["records"][-1])),                  # duplicate
    _mutated(lambda d: d["records"][1].update(epoch=2)),                        # contradicts itself
    _mutated(lambda d: d["records"].insert(0, dict(d["records"][0], kind="header", rank=0))),
    "{not json", b"\xff\xfe", "[]", "null", '{"format": NaN}', None, 17, [DOC],
    json.dumps(DOC).replace('"version": 1', '"version": 1, "version": 1'),     # duplicate key
])
def test_malformed_import_is_corrupt(doc: object) -> None:
    with SigningGuard(":memory:", chain_id=CHAIN, validator_id=VID) as g:
        with pytest.raises(GuardCorrupt):
            g.import_json(doc)
        assert g.export_json()["records"] == [] and g.low_water() == 0


def test_import_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guard_module, "MAX_IMPORT_RECORDS", 3)
    with SigningGuard(":memory:", chain_id=CHAIN, validator_id=VID) as g:
        with pytest.raises(GuardCorrupt, match="at most 3"):
            g.import_json(DOC)
        assert g.import_json(dict(DOC, records=DOC["records"][:3])) == 3


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats(allow_nan=False)
    | st.text(max_size=20) | st.sampled_from(["header", "vote", "00" * 64, CHAIN.hex(), VID, "ff"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


def _nodes(obj: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _nodes(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _nodes(v, path + (i,))
    return out


@given(st.data())
def test_fuzzed_import_raises_only_guard_corrupt(data: st.DataObject) -> None:
    doc: Any = copy.deepcopy(DOC)
    for _ in range(data.draw(st.integers(0, 3), label="mutations")):
        nodes = _nodes(doc)
        path = data.draw(st.sampled_from(nodes), label="path")
        action = data.draw(st.sampled_from(["replace", "delete", "add"]), label="action")
        value = data.draw(_JSON, label="value")
        if not path:
            doc = value
            continue
        parent = doc
        for p in path[:-1]:
            parent = parent[p]
        if action == "replace" or not isinstance(parent, (dict, list)):
            parent[path[-1]] = value
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(st.text(max_size=8), label="key")] = value
        else:
            parent.insert(path[-1], value)
    form = data.draw(st.sampled_from(["object", "text", "bytes"]), label="form")
    payload: object = doc if form == "object" else json.dumps(doc) if form == "text" else json.dumps(doc).encode()
    with SigningGuard(":memory:", chain_id=CHAIN, validator_id=VID) as g:
        try:
            g.import_json(payload)
        except GuardCorrupt:
            assert g.export_json()["records"] == []
            return
        exported = g.export_json()
        with SigningGuard(":memory:", chain_id=CHAIN, validator_id=VID) as again:
            again.import_json(exported)
            assert again.export_json() == exported


@given(st.binary(max_size=200) | st.text(max_size=200))
def test_fuzzed_import_bytes_raise_only_guard_corrupt(raw: bytes | str) -> None:
    with SigningGuard(":memory:", chain_id=CHAIN, validator_id=VID) as g:
        with pytest.raises(GuardCorrupt):
            g.import_json(raw)


# -- random request sequences against an independent model -----------------------------------
def pair_conflict(a: tuple[str, int, int, int, bytes], b: tuple[str, int, int, int, bytes]) -> str | None:
    """Whether two distinct records (kind, epoch, slot, rank, message) may coexist, from the rules' text."""
    ka, ea, sa, ra, ma = a
    kb, eb, sb, rb, mb = b
    if sa != sb:
        return None
    if ea != eb:
        return "epoch_mismatch"
    if ka == kb and ra == rb:
        return None if ma == mb else "double_sign"
    if ka == kb == H:
        return "double_sign"
    header, vote = (ra, rb) if ka == H else (rb, ra)
    if ka != kb and vote > header:
        return "produce_after_vote" if kb == H else "vote_after_produce"  # b is the later request
    return None


_OPS = st.lists(
    st.tuples(st.sampled_from(["sign", "sign", "sign", "sign", "prune"]), st.sampled_from([H, V]),
              st.integers(0, 1), st.integers(0, 5), st.integers(0, 3), st.sampled_from([b"a", b"b"])),
    max_size=40,
)


@given(_OPS)
def test_random_requests_never_store_conflicting_records(ops: list[tuple[str, str, int, int, int, bytes]]) -> None:
    model: dict[tuple[str, int, int], tuple[int, bytes, bytes]] = {}
    low = 0
    with SigningGuard(":memory:", chain_id=CHAIN, validator_id=VID) as g:
        for op, kind, epoch, slot, rank, message in ops:
            if op == "prune":
                expect_deleted = sum(1 for (_, s, _) in model if s < slot) if slot > low else 0
                assert g.prune(slot) == expect_deleted
                low = max(low, slot)
                model = {k: v for k, v in model.items() if k[1] >= low}
                continue
            sgn = CountingSigner()
            req = (kind, epoch, slot, rank, message)
            if kind == V and rank == 0:
                with pytest.raises(InvalidGuardArgument):
                    g.sign(kind, epoch, slot, rank, message, sgn)
                continue
            codes = set()
            if slot < low:
                codes.add("below_low_water")
            for (k, s, r), (e, m, _) in model.items():
                code = pair_conflict((k, e, s, r, m), req)
                if code:
                    codes.add(code)
            same = model.get((kind, slot, rank))
            try:
                sig = g.sign(kind, epoch, slot, rank, message, sgn)
            except SigningConflict as exc:
                assert codes and exc.code in codes, (req, exc.code, codes)
                assert sgn.calls == 0
                continue
            assert not codes, (req, codes)
            if same is not None:
                assert sgn.calls == 0 and sig == same[2]
            else:
                assert sgn.calls == 1
                model[(kind, slot, rank)] = (epoch, message, sig)
        table = [(r["kind"], r["epoch"], r["slot"], r["rank"], bytes.fromhex(r["message"]))
                 for r in g.export_json()["records"]]
        assert {(k, s, r): (e, m) for k, e, s, r, m in table} == {k: v[:2] for k, v in model.items()}
        for i, a in enumerate(table):
            assert a[2] >= low
            for b in table[i + 1:]:
                assert pair_conflict(a, b) is None, (a, b)


def test_hash_of_message_is_stored(tmp_path: Path, signer: CountingSigner) -> None:
    path = tmp_path / "guard.db"
    with SigningGuard(path, chain_id=CHAIN, validator_id=VID) as g:
        g.sign(H, 0, 1, 0, b"abc", signer)
    with sqlite3.connect(path) as conn:
        (digest,) = conn.execute("SELECT digest FROM guard_records").fetchone()
    conn.close()
    assert digest == hashlib.sha256(b"abc").digest()
