"""Durable signing guard: an honest validator never signs two conflicting things.

A validator signs two kinds of things with its Ed25519 vote key: **block headers** ("I
produced slot s at rank r", r >= 0) and **timeout votes** ("ranks below r missed slot s",
r >= 1).  Every signature goes through :meth:`SigningGuard.sign`, which records it in a
SQLite database (WAL, ``synchronous=FULL``) and commits, with an fsync, *before* the
signature is returned: a signature that left the process is on disk, whatever crashes
after.  This is CometBFT's privval last-sign state and Ethereum's EIP-3076 slashing
protection, for seqvrf's two kinds.

Conflict rules (a request is refused with :class:`SigningConflict`, whose ``code`` names
the rule; nothing is signed or written then).  A request is ``(kind, epoch, slot, rank,
message)``; records of other slots never conflict with it, except through rule 5:

1. ``double_sign``: a record with the same ``(kind, slot, rank)`` and a different message
   exists.  The same message again is not a conflict: the stored signature is returned
   and the signer is not called (idempotent re-sign, the CometBFT rule).
2. ``double_sign``: a header for ``(s, r)`` when a header for slot ``s`` at any other
   rank exists (a validator holds one rank per slot).
3. ``produce_after_vote``: a header for ``(s, r)`` when a vote for ``(s, r')`` with
   ``r' > r`` exists (the validator already said rank ``r`` missed ``s``).
4. ``vote_after_produce``: a vote for ``(s, r')`` when a header for ``(s, r)`` with
   ``r < r'`` exists (it would vote out its own block).
5. ``below_low_water``: ``s`` is below the low-water mark (:meth:`SigningGuard.prune`
   raised it; records below it are gone, so nothing below it can be checked).
6. ``epoch_mismatch``: a record for slot ``s`` carries another epoch.

Rules are checked in the order 5, 6, 1 (or the idempotent return), then 2 then 3 for a
header, 4 for a vote; the first broken rule names the code.  A header and a vote that are
consistent may both exist: a vote for ``(s, r')`` and a header for ``(s, r)`` with
``r' <= r`` (it voted the ranks below ``r'`` out, then produced at its own rank), and votes
for several ranks of one slot.

Storage and processes.  One guard file belongs to one process: the guard takes an
exclusive ``flock`` on ``<path>.lock`` and runs SQLite in ``locking_mode=EXCLUSIVE``; a
second opener, in this process or another, gets :class:`GuardCorrupt` ("in use").  The
lock file is left in place on close (removing it would race with a new opener).  Within
the process, one connection serves every thread behind a lock; a signer must not call back
into the guard (refused with :class:`InvalidGuardArgument`).  Do not use a guard across
``fork``.  The guard never sees a secret key: ``sign`` takes a ``signer`` callable and
stores only messages, their SHA-256 and signatures.

Slots and epochs are 64-bit unsigned, stored as 8-byte big-endian blobs (SQLite integers
are signed 64-bit; blobs compare bytewise, so big-endian keeps the order).

The interchange format (:meth:`SigningGuard.export_json`, :meth:`SigningGuard.import_json`)
is specified in docs/formats.md ("Signing history interchange"); the rules in docs/spec.md
("Signing guard").

>>> from nacl.signing import SigningKey
>>> key = SigningKey(bytes(32))
>>> with SigningGuard(":memory:", chain_id=b"my-rollup", validator_id="v1") as guard:  # doctest: +ELLIPSIS
...     sig = guard.sign(KIND_HEADER, 0, 7, 0, b"header bytes", lambda m: key.sign(m).signature)
...     again = guard.sign(KIND_HEADER, 0, 7, 0, b"header bytes", lambda m: b"never called")
...     assert again == sig
...     guard.sign(KIND_VOTE, 0, 7, 1, b"vote bytes", lambda m: key.sign(m).signature)
Traceback (most recent call last):
...
election.node.guard.SigningConflict: vote for slot 7 rank 1: a header for slot 7 at rank 0 was signed ...
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final, Self

from ..rules._codec import check_hex, json_int, json_object, json_str, load_json
from ..rules.config import MAX_CHAIN_ID_BYTES
from ..rules.errors import ElectionError, InvalidStakeTable, MalformedData
from ..rules.stake import check_validator_id

__all__ = [
    "KIND_HEADER",
    "KIND_VOTE",
    "KINDS",
    "MAX_U64",
    "MAX_RANK",
    "MAX_MESSAGE_BYTES",
    "SIGNATURE_BYTES",
    "MAX_IMPORT_RECORDS",
    "SCHEMA_VERSION",
    "INTERCHANGE_FORMAT",
    "INTERCHANGE_VERSION",
    "SigningConflict",
    "GuardBehind",
    "GuardCorrupt",
    "GuardClosed",
    "InvalidGuardArgument",
    "GuardArgumentType",
    "SigningGuard",
]

KIND_HEADER: Final = "header"
KIND_VOTE: Final = "vote"
KINDS: Final = (KIND_HEADER, KIND_VOTE)
MAX_U64: Final = 2**64 - 1
MAX_RANK: Final = 255
MAX_MESSAGE_BYTES: Final = 4096
SIGNATURE_BYTES: Final = 64
MAX_IMPORT_RECORDS: Final = 10_000_000
SCHEMA_VERSION: Final = 1
INTERCHANGE_FORMAT: Final = "seqvrf-signing-history"
INTERCHANGE_VERSION: Final = 1


# -- errors ----------------------------------------------------------------------------
class SigningConflict(ElectionError):
    """Signing would conflict with a record; nothing was signed or written.

    Attributes:
        code: the broken rule, stable and machine-readable: ``double_sign``,
            ``produce_after_vote``, ``vote_after_produce``, ``below_low_water`` or
            ``epoch_mismatch``.  The message is for people and may change.
    """

    def __init__(self, message: str, code: str = "double_sign") -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (str(self), self.code))


class GuardBehind(ElectionError):
    """The network shows a signature by this validator newer than the guard's records.

    The guard's history is missing something (a restore from an old backup, a move to
    new hardware without the history): signing now could double-sign.  A node must not
    start; import the history first (:meth:`SigningGuard.import_json`).
    """


class GuardCorrupt(ElectionError):
    """The guard cannot trust its storage or its input.

    Raised for an unreadable or foreign database, a database of another chain or
    validator or schema version, a database in use by another opener, a storage error
    (I/O, disk full) and a malformed, foreign or self-contradicting import file.
    """


class GuardClosed(ElectionError):
    """The guard was closed; open a new one."""


class InvalidGuardArgument(ElectionError, ValueError):
    """An argument is out of range (the message says what was expected and what came)."""


class GuardArgumentType(InvalidGuardArgument, TypeError):
    """An argument has the wrong type (also a :class:`TypeError`)."""


# -- records and the rules (pure) ------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Record:
    kind: str
    epoch: int
    slot: int
    rank: int
    message: bytes
    signature: bytes = b""

    def label(self) -> str:
        return f"{self.kind} for slot {self.slot} rank {self.rank}"


def _u64(value: object, name: str) -> int:
    if type(value) is not int:
        raise GuardArgumentType(f"{name}: expected an int, got {type(value).__name__}")
    if not 0 <= value <= MAX_U64:
        raise InvalidGuardArgument(f"{name}: expected an integer in [0, 2^64-1], got {value}")
    return value


def _kind(kind: object) -> str:
    if not isinstance(kind, str):
        raise GuardArgumentType(f"kind: expected {KIND_HEADER!r} or {KIND_VOTE!r}, got {type(kind).__name__}")
    if kind not in KINDS:
        raise InvalidGuardArgument(f"kind: expected {KIND_HEADER!r} or {KIND_VOTE!r}, got {kind[:40]!r}")
    return kind


def _rank(kind: str, rank: object) -> int:
    if type(rank) is not int:
        raise GuardArgumentType(f"rank: expected an int, got {type(rank).__name__}")
    lo = 0 if kind == KIND_HEADER else 1
    if not lo <= rank <= MAX_RANK:
        raise InvalidGuardArgument(f"rank: expected an integer in [{lo}, {MAX_RANK}] for a {kind}, got {rank}")
    return rank


def _message(message: object) -> bytes:
    if not isinstance(message, (bytes, bytearray, memoryview)):
        raise GuardArgumentType(f"message: expected bytes, got {type(message).__name__}")
    out = bytes(message)
    if len(out) > MAX_MESSAGE_BYTES:
        raise InvalidGuardArgument(f"message: expected at most {MAX_MESSAGE_BYTES} bytes, got {len(out)}")
    return out


def _signature(signature: object) -> bytes:
    if not isinstance(signature, (bytes, bytearray)):
        raise GuardArgumentType(f"signer: expected it to return bytes, got {type(signature).__name__}")
    if len(signature) != SIGNATURE_BYTES:
        raise InvalidGuardArgument(f"signer: expected a {SIGNATURE_BYTES}-byte signature, got {len(signature)} bytes")
    return bytes(signature)


def _request(kind: object, epoch: object, slot: object, rank: object, message: object) -> _Record:
    k = _kind(kind)
    return _Record(k, _u64(epoch, "epoch"), _u64(slot, "slot"), _rank(k, rank), _message(message))


def _judge(existing: Iterable[_Record], req: _Record) -> _Record | None:
    """Apply rules 6, 1, 2, 3, 4 to ``req`` against the records of its slot.

    Returns:
        The identical record (same kind, slot, rank, epoch and message) if there is one,
        else None: the request is allowed.

    Raises:
        SigningConflict: the request conflicts with a record.
    """
    records = list(existing)
    who = req.label()
    for rec in records:
        if rec.epoch != req.epoch:
            raise SigningConflict(
                f"{who}: slot {req.slot} was signed in epoch {rec.epoch}, not {req.epoch}", "epoch_mismatch")
    for rec in records:
        if rec.kind == req.kind and rec.rank == req.rank:
            if rec.message == req.message:
                return rec
            raise SigningConflict(f"{who}: a different message was already signed for it", "double_sign")
    headers = [rec for rec in records if rec.kind == KIND_HEADER]
    votes = [rec for rec in records if rec.kind == KIND_VOTE]
    if req.kind == KIND_HEADER:
        if headers:  # a stored header of this slot has another rank (the same rank returned above)
            raise SigningConflict(
                f"{who}: a header for slot {req.slot} at rank {headers[0].rank} was signed "
                "(a validator holds one rank per slot)", "double_sign")
        for rec in votes:
            if rec.rank > req.rank:
                raise SigningConflict(
                    f"{who}: a vote that ranks below {rec.rank} missed slot {req.slot} was signed "
                    f"(it said rank {req.rank} missed)", "produce_after_vote")
    else:
        for rec in headers:
            if rec.rank < req.rank:
                raise SigningConflict(
                    f"{who}: a header for slot {req.slot} at rank {rec.rank} was signed "
                    "(it would vote out its own block)", "vote_after_produce")
    return None


# -- storage ---------------------------------------------------------------------------
_SCHEMA = (
    """CREATE TABLE guard_meta (
        id INTEGER PRIMARY KEY CHECK (id = 0),
        schema_version INTEGER NOT NULL,
        chain_id BLOB NOT NULL,
        validator_id TEXT NOT NULL,
        low_water BLOB NOT NULL CHECK (typeof(low_water) = 'blob' AND length(low_water) = 8)
    )""",
    """CREATE TABLE guard_records (
        slot BLOB NOT NULL CHECK (typeof(slot) = 'blob' AND length(slot) = 8),
        kind TEXT NOT NULL CHECK (kind IN ('header', 'vote')),
        rank INTEGER NOT NULL CHECK (typeof(rank) = 'integer' AND rank BETWEEN 0 AND 255),
        epoch BLOB NOT NULL CHECK (typeof(epoch) = 'blob' AND length(epoch) = 8),
        digest BLOB NOT NULL CHECK (typeof(digest) = 'blob' AND length(digest) = 32),
        message BLOB NOT NULL CHECK (typeof(message) = 'blob' AND length(message) <= 4096),
        signature BLOB NOT NULL CHECK (typeof(signature) = 'blob' AND length(signature) = 64),
        PRIMARY KEY (slot, kind, rank)
    ) WITHOUT ROWID""",
)
_TABLES = frozenset({"guard_meta", "guard_records"})
_COLUMNS = "kind, epoch, slot, rank, digest, message, signature"


def _fsync_dir(directory: str) -> None:
    """Make the directory entries of a new database, its WAL and lock file durable too."""
    fd = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _be(value: int) -> bytes:
    return value.to_bytes(8, "big")


def _from_row(row: tuple[Any, ...]) -> _Record:
    kind, epoch, slot, rank, digest, message, signature = row
    if (kind not in KINDS or not all(isinstance(b, bytes) for b in (epoch, slot, digest, message, signature))
            or len(epoch) != 8 or len(slot) != 8 or type(rank) is not int or len(signature) != SIGNATURE_BYTES):
        raise GuardCorrupt(f"a stored record has an invalid shape: {kind!r}, rank {rank!r}")
    if hashlib.sha256(message).digest() != digest:
        raise GuardCorrupt(f"stored {kind} for slot {int.from_bytes(slot, 'big')} rank {rank}: "
                           "its message does not match its SHA-256")
    return _Record(kind, int.from_bytes(epoch, "big"), int.from_bytes(slot, "big"), rank, message, signature)


class SigningGuard:
    """The durable record of everything a validator signed, and the gate every signature passes.

    Args:
        path: the SQLite database file (created if absent), or ``":memory:"`` for tests.
        chain_id: the chain (1 to 64 bytes); pinned in the database at creation.
        validator_id: this validator's id; pinned in the database at creation.

    Raises:
        GuardCorrupt: the file is not a guard database, belongs to another chain,
            validator or schema version, is in use by another opener, or cannot be opened.
        InvalidGuardArgument: an argument is out of range or of the wrong type.
    """

    def __init__(self, path: str | os.PathLike[str], *, chain_id: bytes, validator_id: str) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise GuardArgumentType(f"path: expected a str or os.PathLike, got {type(path).__name__}")
        fspath = os.fspath(path)
        if not isinstance(fspath, str) or not fspath:
            raise InvalidGuardArgument(f"path: expected a file path or ':memory:', got {fspath!r}")
        if not isinstance(chain_id, (bytes, bytearray)):
            raise GuardArgumentType(f"chain_id: expected bytes, got {type(chain_id).__name__}")
        if not 1 <= len(chain_id) <= MAX_CHAIN_ID_BYTES:
            raise InvalidGuardArgument(f"chain_id: expected 1 to {MAX_CHAIN_ID_BYTES} bytes, got {len(chain_id)}")
        try:
            check_validator_id(validator_id, "validator_id")
        except InvalidStakeTable as exc:
            cls = GuardArgumentType if not isinstance(validator_id, str) else InvalidGuardArgument
            raise cls(str(exc)) from None
        self._path = fspath
        self._chain_id = bytes(chain_id)
        self._validator_id = validator_id
        self._lock = threading.RLock()  # reentrant only so that a re-entering signer is refused, not deadlocked
        self._depth = 0
        self._lock_fd: int | None = None
        self._conn: sqlite3.Connection | None = None
        memory = fspath == ":memory:"
        try:
            if not memory:
                self._lock_fd = self._take_lock(fspath + ".lock")
            self._conn = sqlite3.connect(fspath, isolation_level=None, check_same_thread=False, timeout=0)
            self._low_water = self._setup(self._conn, memory)
            if not memory:
                _fsync_dir(os.path.dirname(os.path.abspath(fspath)))
        except (sqlite3.Error, OSError) as exc:
            self._release()
            raise GuardCorrupt(f"{fspath}: cannot open as a signing guard database: {exc}") from None
        except BaseException:
            self._release()
            raise

    @staticmethod
    def _take_lock(lock_path: str) -> int:
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise GuardCorrupt(f"{lock_path}: cannot open the lock file: {exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            raise GuardCorrupt(f"{lock_path}: the signing guard is in use by another opener ({exc})") from None
        return fd

    def _setup(self, conn: sqlite3.Connection, memory: bool) -> int:
        if not memory:
            # EXCLUSIVE before WAL: the wal-index then lives in process memory (no -shm file)
            # and SQLite itself holds the database lock for as long as the connection lives.
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise GuardCorrupt(f"{self._path}: SQLite refused WAL mode (journal_mode is {mode!r})")
        conn.execute("PRAGMA synchronous=FULL")
        if conn.execute("PRAGMA synchronous").fetchone()[0] != 2:
            raise GuardCorrupt(f"{self._path}: SQLite refused synchronous=FULL")
        with self._write(conn):
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables:
                for statement in _SCHEMA:
                    conn.execute(statement)
                conn.execute("INSERT INTO guard_meta VALUES (0, ?, ?, ?, ?)",
                             (SCHEMA_VERSION, self._chain_id, self._validator_id, _be(0)))
                return 0
            if tables != _TABLES:
                raise GuardCorrupt(f"{self._path}: not a signing guard database (tables {sorted(tables)})")
            rows = conn.execute("SELECT schema_version, chain_id, validator_id, low_water FROM guard_meta").fetchall()
            if len(rows) != 1:
                raise GuardCorrupt(f"{self._path}: expected one meta row, found {len(rows)}")
            version, chain_id, validator_id, low_water = rows[0]
            if version != SCHEMA_VERSION:
                raise GuardCorrupt(f"{self._path}: schema version {version!r}, this code reads {SCHEMA_VERSION}")
            if chain_id != self._chain_id:
                shown = chain_id.hex() if isinstance(chain_id, bytes) else repr(chain_id)
                raise GuardCorrupt(f"{self._path}: the guard is for chain {shown}, not {self._chain_id.hex()}")
            if validator_id != self._validator_id:
                raise GuardCorrupt(
                    f"{self._path}: the guard is for validator {validator_id!r}, not {self._validator_id!r}")
            if not isinstance(low_water, bytes) or len(low_water) != 8:
                raise GuardCorrupt(f"{self._path}: invalid low-water mark {low_water!r}")
            return int.from_bytes(low_water, "big")

    @staticmethod
    @contextmanager
    def _write(conn: sqlite3.Connection) -> Iterator[None]:
        """One ``BEGIN IMMEDIATE ... COMMIT`` transaction; rolled back on any exception."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise

    @contextmanager
    def _session(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and map storage errors to :class:`GuardCorrupt`."""
        with self._lock:
            if self._depth:
                raise InvalidGuardArgument("signer: expected a plain signing function, got one that calls back "
                                           "into the signing guard")
            if self._conn is None:
                raise GuardClosed(f"{self._path}: the signing guard is closed")
            self._depth += 1
            try:
                yield self._conn
            except sqlite3.Error as exc:
                raise GuardCorrupt(f"{self._path}: storage error: {exc}") from None
            finally:
                self._depth -= 1

    def _release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
        if self._lock_fd is not None:
            try:
                os.close(self._lock_fd)  # releases the flock
            finally:
                self._lock_fd = None

    # -- properties ------------------------------------------------------------------
    @property
    def path(self) -> str:
        """The database path as given (or ``":memory:"``)."""
        return self._path

    @property
    def chain_id(self) -> bytes:
        """The chain this guard is pinned to."""
        return self._chain_id

    @property
    def validator_id(self) -> str:
        """The validator this guard is pinned to."""
        return self._validator_id

    # -- signing ---------------------------------------------------------------------
    def _slot_records(self, conn: sqlite3.Connection, slot: int) -> list[_Record]:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM guard_records WHERE slot = ?", (_be(slot),)).fetchall()
        return [_from_row(row) for row in rows]

    def _judge_stored(self, conn: sqlite3.Connection, req: _Record) -> _Record | None:
        if req.slot < self._low_water:
            raise SigningConflict(f"{req.label()}: below the low-water mark {self._low_water}", "below_low_water")
        return _judge(self._slot_records(conn, req.slot), req)

    @staticmethod
    def _insert(conn: sqlite3.Connection, rec: _Record) -> None:
        conn.execute(f"INSERT INTO guard_records ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (rec.kind, _be(rec.epoch), _be(rec.slot), rec.rank, hashlib.sha256(rec.message).digest(),
                      rec.message, rec.signature))

    def sign(self, kind: str, epoch: int, slot: int, rank: int, message: bytes,
             signer: Callable[[bytes], bytes]) -> bytes:
        """Sign ``message`` with ``signer`` unless that would conflict; record it durably first.

        In one ``BEGIN IMMEDIATE`` transaction: check the rules; if an identical record
        exists return its signature without calling ``signer``; otherwise call
        ``signer(message)``, insert the record and commit (fsync) before returning.

        Args:
            kind: :data:`KIND_HEADER` or :data:`KIND_VOTE`.
            epoch: the slot's epoch, in [0, 2^64-1].
            slot: the slot, in [0, 2^64-1].
            rank: in [0, 255] for a header, [1, 255] for a vote.
            message: the exact bytes to sign, at most 4096.
            signer: returns the 64-byte signature of its argument (e.g.
                ``lambda m: signing_key.sign(m).signature``).

        Returns:
            The 64-byte signature, recorded and committed.

        Raises:
            SigningConflict: the request breaks a conflict rule (``signer`` not called).
            InvalidGuardArgument: an argument, or the signer's result, is out of range or
                of the wrong type (:class:`GuardArgumentType`); nothing written.
            GuardCorrupt: a storage error; nothing written, nothing returned.
            GuardClosed: the guard is closed.
            Exception: whatever ``signer`` raises; nothing written.
        """
        req = _request(kind, epoch, slot, rank, message)
        if not callable(signer):
            raise GuardArgumentType(f"signer: expected a callable, got {type(signer).__name__}")
        with self._session() as conn, self._write(conn):
            same = self._judge_stored(conn, req)
            if same is not None:
                return same.signature
            signature = _signature(signer(req.message))
            self._insert(conn, _Record(req.kind, req.epoch, req.slot, req.rank, req.message, signature))
        return signature

    def check(self, kind: str, epoch: int, slot: int, rank: int, message: bytes) -> bytes | None:
        """Dry run of :meth:`sign`: what it would do, without signing or writing.

        Returns:
            The stored signature if an identical record exists, None if signing is allowed.

        Raises:
            SigningConflict, InvalidGuardArgument, GuardCorrupt, GuardClosed: as :meth:`sign`.
        """
        req = _request(kind, epoch, slot, rank, message)
        with self._session() as conn:
            same = self._judge_stored(conn, req)
        return None if same is None else same.signature

    def signed(self, kind: str, slot: int, rank: int) -> tuple[bytes, bytes] | None:
        """The recorded ``(message, signature)`` for ``(kind, slot, rank)``, or None."""
        k = _kind(kind)
        s, r = _u64(slot, "slot"), _rank(k, rank)
        with self._session() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM guard_records WHERE slot = ? AND kind = ? AND rank = ?",
                               (_be(s), k, r)).fetchone()
        if row is None:
            return None
        rec = _from_row(row)
        return rec.message, rec.signature

    # -- water marks -----------------------------------------------------------------
    def high_water(self) -> int | None:
        """The highest slot with any record, or None when there is none."""
        with self._session() as conn:
            top = conn.execute("SELECT max(slot) FROM guard_records").fetchone()[0]
        return None if top is None else int.from_bytes(top, "big")

    def low_water(self) -> int:
        """Requests for slots below this are refused (``below_low_water``); 0 until a prune."""
        with self._session():
            return self._low_water

    def prune(self, before_slot: int) -> int:
        """Delete the records of slots below ``before_slot`` and raise the low-water mark to it.

        The mark never goes down: a ``before_slot`` at or below it deletes nothing.

        Returns:
            The number of records deleted.
        """
        target = _u64(before_slot, "before_slot")
        with self._session() as conn:
            if target <= self._low_water:
                return 0
            with self._write(conn):
                deleted = conn.execute("DELETE FROM guard_records WHERE slot < ?", (_be(target),)).rowcount
                conn.execute("UPDATE guard_meta SET low_water = ? WHERE id = 0", (_be(target),))
            self._low_water = target
        return int(deleted)

    def assert_not_behind(self, network_high_slot: int | None) -> None:
        """Refuse to go on if the network knows a newer signature of ours than the guard does.

        Args:
            network_high_slot: the highest slot at which the network shows a header or a
                vote signed by this validator, or None if it shows none.

        Raises:
            GuardBehind: ``network_high_slot`` is above :meth:`high_water` (or the guard
                has no record at all) and not below the low-water mark.  A node must not
                start signing then.
        """
        if network_high_slot is None:
            return
        shown = _u64(network_high_slot, "network_high_slot")
        top = self.high_water()
        if shown < self.low_water() or (top is not None and shown <= top):
            return
        have = "no record" if top is None else f"records up to slot {top}"
        raise GuardBehind(
            f"the network shows a signature by {self._validator_id!r} at slot {shown}, but this guard has {have}: "
            "restore the signing history (import_json) before signing")

    # -- interchange -----------------------------------------------------------------
    def export_json(self) -> dict[str, Any]:
        """The whole signing history in the interchange form (docs/formats.md).

        Records are in canonical order: ascending slot, then kind (``header`` before
        ``vote``), then rank.
        """
        with self._session() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM guard_records ORDER BY slot, kind, rank").fetchall()
            low = self._low_water
        records = [_from_row(row) for row in rows]
        return {
            "format": INTERCHANGE_FORMAT,
            "version": INTERCHANGE_VERSION,
            "chain_id": self._chain_id.hex(),
            "validator_id": self._validator_id,
            "low_water": low,
            "records": [{"kind": r.kind, "epoch": r.epoch, "slot": r.slot, "rank": r.rank,
                         "message": r.message.hex(), "signature": r.signature.hex()} for r in records],
        }

    def import_json(self, obj: object) -> int:
        """Merge a signing history (interchange form, or its JSON text) into the guard.

        The whole file is parsed and checked first; then, in one transaction, each record
        at or above the new low-water mark (the larger of the guard's and the file's) is
        checked against the guard's records: identical records are no-ops, new ones are
        inserted.  Records below the new mark are dropped, from the file and the guard.

        Returns:
            The number of records inserted.

        Raises:
            GuardCorrupt: malformed input, another chain or validator, more than
                :data:`MAX_IMPORT_RECORDS` records, records out of canonical order or
                contradicting each other, or a record identical to a stored one but for
                its signature.  Nothing written.
            SigningConflict: an imported record conflicts with a stored one.  Nothing written.
        """
        low, records = self._parse_history(obj)
        with self._session() as conn:
            new_low = max(low, self._low_water)
            inserted = 0
            with self._write(conn):
                for rec in records:
                    if rec.slot < new_low:
                        continue
                    try:
                        same = _judge(self._slot_records(conn, rec.slot), rec)
                    except SigningConflict as exc:
                        raise SigningConflict(f"imported {exc}", exc.code) from None
                    if same is None:
                        self._insert(conn, rec)
                        inserted += 1
                    elif same.signature != rec.signature:
                        raise GuardCorrupt(
                            f"imported {rec.label()}: same message as the stored record but another signature "
                            "(not this validator's history?)")
                if new_low > self._low_water:
                    conn.execute("DELETE FROM guard_records WHERE slot < ?", (_be(new_low),))
                    conn.execute("UPDATE guard_meta SET low_water = ? WHERE id = 0", (_be(new_low),))
            self._low_water = new_low
        return inserted

    def _parse_history(self, obj: object) -> tuple[int, list[_Record]]:
        try:
            return self._parse_history_strict(obj)
        except MalformedData as exc:
            raise GuardCorrupt(f"signing history: {exc}") from None

    def _parse_history_strict(self, obj: object) -> tuple[int, list[_Record]]:
        if isinstance(obj, (str, bytes, bytearray)):
            obj = load_json(obj if isinstance(obj, str) else bytes(obj), "signing history")
        top = json_object(obj, "signing history",
                          frozenset({"format", "version", "chain_id", "validator_id", "low_water", "records"}))
        if top["format"] != INTERCHANGE_FORMAT:
            raise MalformedData(f"format: expected {INTERCHANGE_FORMAT!r}, got {str(top['format'])[:80]!r}")
        json_int(top["version"], "version", INTERCHANGE_VERSION, INTERCHANGE_VERSION)
        chain_id = check_hex(top["chain_id"], "chain_id")
        if chain_id != self._chain_id:
            raise GuardCorrupt(f"signing history: for chain {chain_id.hex()[:128]}, not {self._chain_id.hex()}")
        validator_id = json_str(top["validator_id"], "validator_id")
        if validator_id != self._validator_id:
            raise GuardCorrupt(
                f"signing history: for validator {validator_id[:80]!r}, not {self._validator_id!r}")
        low = json_int(top["low_water"], "low_water", 0, MAX_U64)
        items = top["records"]
        if not isinstance(items, list):
            raise MalformedData(f"records: expected a JSON array, got {type(items).__name__}")
        records: list[_Record] = []
        group: list[_Record] = []
        previous: tuple[int, str, int] | None = None
        for index, item in enumerate(items):
            if index >= MAX_IMPORT_RECORDS:
                raise MalformedData(f"records: expected at most {MAX_IMPORT_RECORDS} records, got more")
            rec = _parse_record(item, f"records[{index}]")
            key = (rec.slot, rec.kind, rec.rank)
            if previous is not None and key <= previous:
                raise MalformedData(
                    f"records[{index}]: not in canonical order (ascending slot, kind, rank, no duplicates)")
            if rec.slot < low:
                raise MalformedData(f"records[{index}]: slot {rec.slot} is below the file's low_water {low}")
            if previous is None or previous[0] != rec.slot:
                group = []
            try:
                _judge(group, rec)
            except SigningConflict as exc:
                raise MalformedData(f"records[{index}]: the file contradicts itself: {exc}") from None
            group.append(rec)
            records.append(rec)
            previous = key
        return low, records

    # -- lifetime --------------------------------------------------------------------
    def close(self) -> None:
        """Close the database and release the lock file; further calls raise :class:`GuardClosed`."""
        with self._lock:
            self._release()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __del__(self) -> None:
        # A guard dropped without close() must not keep its lock file locked for the
        # rest of the process.
        if getattr(self, "_depth", 1) == 0:
            try:
                self._release()
            except Exception:  # nothing to report to at collection time
                pass

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else "open"
        return f"SigningGuard({self._path!r}, validator_id={self._validator_id!r}, {state})"


def _parse_record(item: object, where: str) -> _Record:
    rec = json_object(item, where, frozenset({"kind", "epoch", "slot", "rank", "message", "signature"}))
    kind = rec["kind"]
    if kind not in KINDS:
        raise MalformedData(f"{where}.kind: expected {KIND_HEADER!r} or {KIND_VOTE!r}, got {str(kind)[:40]!r}")
    lo = 0 if kind == KIND_HEADER else 1
    epoch = json_int(rec["epoch"], f"{where}.epoch", 0, MAX_U64)
    slot = json_int(rec["slot"], f"{where}.slot", 0, MAX_U64)
    rank = json_int(rec["rank"], f"{where}.rank", lo, MAX_RANK)
    text = rec["message"]
    if isinstance(text, str) and len(text) > 2 * MAX_MESSAGE_BYTES:
        raise MalformedData(f"{where}.message: expected at most {MAX_MESSAGE_BYTES} bytes, got {len(text) // 2}")
    message = check_hex(text, f"{where}.message")
    signature = check_hex(rec["signature"], f"{where}.signature", SIGNATURE_BYTES)
    return _Record(str(kind), epoch, slot, rank, message, signature)
