"""Audit file formats: the genesis file (JSON) and the history file (JSON Lines).

A **genesis file** pins everything a chain's schedule depends on before its first
audited epoch: the election config, the seed of the first epoch and the stake table
of every epoch (a list of ``{"from_epoch", "table"}`` entries: each table applies from
its epoch until the next entry).  A **history file** has one produced block per line,
in slot order, with the block's leadership claim; empty slots are simply absent.

Parsing is strict: unknown or missing keys, wrong JSON types, non-canonical hex, blank
lines and trailing garbage are all errors, reported with their line number
(:class:`MalformedGenesis`, :class:`MalformedLine`).  Writers produce exactly what the
readers accept.  The normative description with examples is docs/formats.md.
"""

from __future__ import annotations

import json
import os
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import IO, Any

from ..rules._codec import JsonForm, check_hex, json_int, json_object, load_json
from ..rules.claims import PROOF_BYTES, LeaderClaim
from ..rules.config import MAX_BACKUPS, MAX_CHAIN_ID_BYTES, MAX_SLOT, ElectionConfig
from ..rules.errors import ElectionError, InvalidCertificate, InvalidClaim, MalformedData
from ..rules.headers import HASH_BYTES, SIGNATURE_BYTES, BlockHeader, SignedHeader
from ..rules.seeds import SEED_BYTES
from ..rules.stake import StakeTable
from ..rules.votes import TimeoutCertificate

__all__ = [
    "GENESIS_FORMAT", "FORMAT_VERSION", "MAX_HASH_BYTES", "MAX_LINE_BYTES", "max_line_bytes_for",
    "MalformedGenesis", "MalformedLine", "MalformedHistory", "MAX_REPORTED_LINES",
    "GenesisFile", "HistoryRecord", "HistoryWriter",
    "parse_history_line", "parse_history_item", "read_history", "open_lines", "LineError",
]

GENESIS_FORMAT = "seqvrf-genesis"
"""Value of the genesis file's ``format`` key."""
FORMAT_VERSION = 1
"""Version of both file formats."""
MAX_HASH_BYTES = 64
"""Longest ``block_hash`` / ``parent_hash`` in a history line."""
LINE_BYTES_PER_VOTE = 512
"""Room a certificate vote may take on a history line.  The longest vote in compact JSON
is 495 bytes plus a comma (a 64-byte voter id of 2-byte characters escaped as
``\\uXXXX`` is 192 characters, a 64-byte parent hash and the signature 128 hex digits
each, the key names 44); ``json.dumps``'s default separators add 6 more.  In
``claim_hex`` form a vote is at most 195 bytes, 390 hex digits."""
LINE_BYTES_BASE = 2048
"""Room for everything on a history line but the votes (at most about 1.3 KB, and about
1.8 KB with a version-2 header and a seed-bound certificate)."""
VOTES_MAX = 65_535
"""Most votes a certificate encoding can hold (a ``u16`` count, docs/spec.md section 9)."""


def max_line_bytes_for(validators: int) -> int:
    """The longest legitimate history line for a chain whose stake tables hold at most
    ``validators`` validators: a certificate of that many votes (a vote from anyone else
    cannot be valid), every field at its longest.  ``LINE_BYTES_BASE +
    LINE_BYTES_PER_VOTE * validators``: 53,248 bytes for 100 validators.

    Args:
        validators: the largest table size, 1 to 65,535.

    Returns:
        The limit in bytes, without the line's newline.
    """
    return LINE_BYTES_BASE + LINE_BYTES_PER_VOTE * validators


MAX_LINE_BYTES = max_line_bytes_for(VOTES_MAX)
"""Longest history line any chain can need (33,555,968 bytes, a 65,535-vote certificate):
the reader's default.  The audit's default is :func:`max_line_bytes_for` the genesis's
largest table."""

PathLike = str | os.PathLike[str]


class MalformedGenesis(MalformedData):
    """The genesis file cannot be used: bad JSON, keys, types, or an invalid config or table.

    Attributes:
        line: the 1-based line of a JSON syntax error, else None.
        path: the file's path when known, else None.
    """

    def __init__(self, message: str, line: int | None = None, path: str | None = None) -> None:
        where = (path or "genesis") + (f":{line}" if line is not None else "")
        super().__init__(f"{where}: {message}")
        self.line = line
        self.path = path
        self.reason = message


_MAX_MESSAGE = 400


class MalformedLine(MalformedData):
    """One history line does not parse as a history record.

    Attributes:
        line: the 1-based line number.
        path: the file's path when known, else None.
        reason: the message without the location prefix.
    """

    def __init__(self, line: int, message: str, path: str | None = None) -> None:
        if len(message) > _MAX_MESSAGE:  # a message quoting a huge value stays small
            message = message[:_MAX_MESSAGE] + "..."
        super().__init__(f"{path or 'history'}:{line}: {message}")
        self.line = line
        self.path = path
        self.reason = message


# -- genesis ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GenesisFile(JsonForm):
    """The audit's starting point: config, first seed and stake tables by epoch.

    Args:
        config: the chain's election parameters.
        initial_seed: the 32-byte seed of ``start_epoch``.
        tables: ``(from_epoch, table)`` pairs with strictly increasing ``from_epoch``,
            the first equal to ``start_epoch``; each table applies from its epoch until
            the next pair's.
        start_epoch: the first audited epoch (default 0); the history starts at its
            first slot.

    Raises:
        MalformedGenesis: a field of the wrong type, no tables, or tables out of order.
    """

    config: ElectionConfig
    initial_seed: bytes
    tables: tuple[tuple[int, StakeTable], ...]
    start_epoch: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.config, ElectionConfig):
            raise MalformedGenesis(f"config: expected an ElectionConfig, got {type(self.config).__name__}")
        if not isinstance(self.initial_seed, (bytes, bytearray)) or len(self.initial_seed) != SEED_BYTES:
            raise MalformedGenesis(f"initial_seed: expected {SEED_BYTES} bytes, got {self.initial_seed!r}")
        object.__setattr__(self, "initial_seed", bytes(self.initial_seed))
        if type(self.start_epoch) is not int or not 0 <= self.start_epoch <= MAX_SLOT:
            raise MalformedGenesis(f"start_epoch: expected an int in [0, 2**64-1], got {self.start_epoch!r}")
        try:
            self.config.first_slot(self.start_epoch)
        except ElectionError as exc:
            raise MalformedGenesis(f"start_epoch: {exc}") from None
        tables = tuple(self.tables)
        if not tables:
            raise MalformedGenesis("stake_tables: expected at least one {from_epoch, table} entry, got none")
        prev: int | None = None
        for i, item in enumerate(tables):
            if not (isinstance(item, tuple) and len(item) == 2 and type(item[0]) is int
                    and isinstance(item[1], StakeTable)):
                raise MalformedGenesis(f"stake_tables[{i}]: expected a (from_epoch, StakeTable) pair, got {item!r}")
            epoch = item[0]
            if prev is None and epoch != self.start_epoch:
                raise MalformedGenesis(
                    f"stake_tables[0].from_epoch: expected the start epoch {self.start_epoch}, got {epoch}")
            if prev is not None and epoch <= prev:
                raise MalformedGenesis(
                    f"stake_tables[{i}].from_epoch: expected strictly increasing epochs, got {epoch} after {prev}")
            prev = epoch
        object.__setattr__(self, "tables", tables)

    @classmethod
    def single(cls, config: ElectionConfig, initial_seed: bytes, table: StakeTable,
               start_epoch: int = 0) -> GenesisFile:
        """A genesis with one stake table for every epoch.

        Raises:
            MalformedGenesis: as the constructor.
        """
        return cls(config, initial_seed, ((start_epoch, table),), start_epoch)

    def table_for(self, epoch: int) -> StakeTable:
        """The stake table of ``epoch``: the last entry with ``from_epoch <= epoch``.

        Raises:
            MalformedGenesis: ``epoch`` precedes the start epoch.
        """
        if epoch < self.start_epoch:
            raise MalformedGenesis(f"epoch {epoch} precedes the genesis start epoch {self.start_epoch}")
        return self.tables[bisect_right(self._from_epochs, epoch) - 1][1]  # O(log tables), per epoch walked

    @cached_property
    def _from_epochs(self) -> tuple[int, ...]:
        return tuple(e for e, _ in self.tables)

    # -- encodings --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON form (see docs/formats.md)."""
        return {
            "format": GENESIS_FORMAT,
            "version": FORMAT_VERSION,
            "config": self.config.to_dict(),
            "start_epoch": self.start_epoch,
            "initial_seed": self.initial_seed.hex(),
            "stake_tables": [{"from_epoch": e, "table": t.to_dict()} for e, t in self.tables],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """JSON text with sorted keys (indented by default, for people to read)."""
        if indent is None:
            return super().to_json()
        return json.dumps(self.to_dict(), sort_keys=True, indent=indent) + "\n"

    @classmethod
    def from_dict(cls, obj: object) -> GenesisFile:
        """Parse the JSON form strictly.

        Raises:
            MalformedGenesis: wrong format name or version, wrong keys or types, an
                invalid config or stake table, or tables out of order.
        """
        try:
            d = json_object(obj, "genesis", frozenset(
                {"format", "version", "config", "start_epoch", "initial_seed", "stake_tables"}))
            if d["format"] != GENESIS_FORMAT:
                raise MalformedGenesis(f"format: expected {GENESIS_FORMAT!r}, got {d['format']!r}")
            if d["version"] != FORMAT_VERSION or type(d["version"]) is not int:
                raise MalformedGenesis(f"version: expected {FORMAT_VERSION}, got {d['version']!r}")
            config = ElectionConfig.from_dict(d["config"])
            start = json_int(d["start_epoch"], "start_epoch", 0, MAX_SLOT)
            seed = check_hex(d["initial_seed"], "initial_seed", SEED_BYTES)
            entries = d["stake_tables"]
            if not isinstance(entries, list):
                raise MalformedGenesis(f"stake_tables: expected a list, got {type(entries).__name__}")
            tables = []
            for i, entry in enumerate(entries):
                e = json_object(entry, f"stake_tables[{i}]", frozenset({"from_epoch", "table"}))
                tables.append((json_int(e["from_epoch"], f"stake_tables[{i}].from_epoch", 0, MAX_SLOT),
                               StakeTable.from_dict(e["table"])))
        except MalformedGenesis:
            raise
        except (ElectionError, ValueError) as exc:
            raise MalformedGenesis(str(exc)) from None
        return cls(config, seed, tuple(tables), start)

    @classmethod
    def from_json(cls, text: str | bytes) -> GenesisFile:
        """Parse genesis JSON text strictly (duplicate keys, NaN and Infinity rejected).

        Raises:
            MalformedGenesis: invalid JSON (with its line) or an invalid JSON form.
        """
        try:
            strict = load_json(text, "genesis")
        except MalformedData as exc:
            line = None
            try:  # the strict parser drops positions; the plain one gives the line of a syntax error
                json.loads(text)
            except json.JSONDecodeError as jexc:
                line = jexc.lineno
            except (TypeError, ValueError, RecursionError):
                pass
            raise MalformedGenesis(str(exc), line) from None
        return cls.from_dict(strict)

    @classmethod
    def load(cls, path: PathLike) -> GenesisFile:
        """Read and parse a genesis file.

        Raises:
            MalformedGenesis: the file is not a valid genesis file (path and line in the message).
            OSError: the file cannot be read.
        """
        with open(path, "rb") as f:
            data = f.read()
        try:
            return cls.from_json(data)
        except MalformedGenesis as exc:
            raise MalformedGenesis(exc.reason, exc.line, os.fspath(path)) from None

    def save(self, path: PathLike) -> None:
        """Write :meth:`to_json` to ``path`` (UTF-8)."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.to_json())


# -- history ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRecord:
    """One produced block of a history file.

    Args:
        slot: the block's slot as written on the line (the audit checks it equals
            ``claim.slot``).
        claim: the block's leadership claim.
        block_hash: the block's hash (1 to 64 bytes) or None.
        parent_hash: its parent's hash (1 to 64 bytes) or None.
        line: the 1-based line it was read from (0 when built in memory).
        header: the producer's signed header (history format version 2); then
            ``block_hash`` and ``parent_hash`` are the header's.
    """

    slot: int
    claim: LeaderClaim
    block_hash: bytes | None = None
    parent_hash: bytes | None = None
    line: int = 0
    header: SignedHeader | None = None

    @classmethod
    def signed(cls, claim: LeaderClaim, header: SignedHeader, line: int = 0) -> HistoryRecord:
        """A version-2 record: the block hash and parent hash come from ``header``."""
        return cls(claim.slot, claim, header.block_hash(), header.header.parent_hash, line, header)

    def to_dict(self, claim_encoding: str = "json") -> dict[str, Any]:
        """The line's JSON object.

        Args:
            claim_encoding: ``"json"`` for the claim's JSON form under ``claim``,
                ``"hex"`` for its canonical bytes in hex under ``claim_hex``.

        Raises:
            ValueError: unknown ``claim_encoding``.
        """
        out: dict[str, Any] = {"slot": self.slot}
        if claim_encoding == "json":
            out["claim"] = self.claim.to_dict()
        elif claim_encoding == "hex":
            out["claim_hex"] = self.claim.to_bytes().hex()
        else:
            raise ValueError(f"claim_encoding: expected 'json' or 'hex', got {claim_encoding!r}")
        if self.header is not None:
            h = self.header.header
            out["header"] = {"parent_hash": h.parent_hash.hex(), "payload_digest": h.payload_digest.hex(),
                             "signature": self.header.signature.hex()}
            out["block_hash"] = self.header.block_hash().hex()
            return out
        if self.block_hash is not None:
            out["block_hash"] = self.block_hash.hex()
        if self.parent_hash is not None:
            out["parent_hash"] = self.parent_hash.hex()
        return out

    def to_line(self, claim_encoding: str = "json") -> str:
        """The record as one line of compact JSON, with its newline."""
        return json.dumps(self.to_dict(claim_encoding), separators=(",", ":")) + "\n"


_LINE_KEYS = frozenset({"slot", "claim", "claim_hex", "block_hash", "parent_hash", "header"})
_HEADER_KEYS = frozenset({"parent_hash", "payload_digest", "signature"})
_CLAIM_KEYS = frozenset({"chain_id", "epoch", "slot", "rank", "validator_id", "proof", "certificate"})


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    d = dict(pairs)
    if len(d) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise MalformedData(f"duplicate JSON key {key!r}")
            seen.add(key)
    return d


def _constant(name: str) -> Any:
    raise MalformedData(f"non-standard JSON constant {name}")


# One strict decoder for every line (json.loads would build a new one per call).
_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant)
# The decoder's scanner (C): set by JSONDecoder.__init__, missing from typeshed's stub.
_SCAN: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]


def _decode(text: str) -> Any:
    """``_DECODER.decode(text)``.  A line is one JSON value with no surrounding spaces,
    so the (C) scanner is called on it directly, skipping ``decode``'s two whitespace
    regex matches; any other line goes through ``decode`` itself, for its exact error."""
    try:
        obj, end = _SCAN(text, 0)
    except StopIteration:
        end = -1
    if end == len(text):
        return obj
    return _DECODER.decode(text)


def _hex(value: object, field: str, lo: int, hi: int) -> bytes:
    """Fast strict hex: lowercase, even length, decoded length in [lo, hi]."""
    if type(value) is not str:
        raise MalformedData(f"{field}: expected a hex string, got {type(value).__name__}")
    try:
        out = bytes.fromhex(value)
    except ValueError:
        out = None
    if out is None or out.hex() != value:
        raise MalformedData(f"{field}: expected lowercase even-length hex, got {value[:80]!r}")
    if not lo <= len(out) <= hi:
        raise MalformedData(f"{field}: expected {lo} to {hi} bytes, got {len(out)}")
    return out


def _int(value: object, field: str, hi: int) -> int:
    if type(value) is not int or not 0 <= value <= hi:
        raise MalformedData(f"{field}: expected an integer in [0, {hi}], got {value!r}")
    return value


# Hot-path memos for the history parser.  A chain's lines repeat the same chain id, the
# same few validator ids, and each line's parent_hash is the previous line's block_hash:
# remembering what already passed a check lets it run once instead of once per line.
# Only values that passed the full check are remembered; a memo is a plain tuple or set,
# so concurrent callers can at worst miss it.
_UNSEEN = object()  # equal to no JSON value
_last_chain_id: tuple[object, bytes] = (_UNSEEN, b"")
_last_block_hash: tuple[object, bytes] = (_UNSEEN, b"")
_good_ids: set[str] = set()
_MAX_GOOD_IDS = 1 << 16  # bounded: a forged history with endless distinct ids cannot grow it


def _chain_id(value: object) -> bytes:
    """``_hex`` of the claim's chain id, remembered (every line names the same chain)."""
    global _last_chain_id
    if value == _last_chain_id[0]:
        return _last_chain_id[1]
    out = _hex(value, "claim.chain_id", 0, 1 << 16)
    if 1 <= len(out) <= MAX_CHAIN_ID_BYTES:  # only the length LeaderClaim accepts
        _last_chain_id = (value, out)
    return out


def _new_claim(chain_id: bytes, epoch: int, slot: int, rank: int, vid: str, proof: bytes,
               cert: TimeoutCertificate | None) -> LeaderClaim:
    """``LeaderClaim(...)``, without re-running the constructor's checks when the parser
    has already made them: epoch, slot, rank and proof by ``_int``/``_hex`` with the same
    bounds, the certificate by ``TimeoutCertificate.from_dict``; the chain id's length and
    the validator id are checked here, the id only the first time it is seen."""
    if vid in _good_ids and 1 <= len(chain_id) <= MAX_CHAIN_ID_BYTES:
        return LeaderClaim._prechecked(chain_id, epoch, slot, rank, vid, proof, cert)
    claim = LeaderClaim(chain_id, epoch, slot, rank, vid, proof, cert)  # raises InvalidClaim
    if len(_good_ids) >= _MAX_GOOD_IDS:
        _good_ids.clear()
    _good_ids.add(vid)
    return claim


def _claim_from_dict(d: object) -> LeaderClaim:
    """:meth:`LeaderClaim.from_dict` with the same strictness, faster on the hot path."""
    if type(d) is not dict:
        raise MalformedData(f"claim: expected a JSON object, got {type(d).__name__}")
    if d.keys() != _CLAIM_KEYS:
        return LeaderClaim.from_dict(d)  # for its precise missing/unknown key message
    vid = d["validator_id"]
    if type(vid) is not str:
        raise MalformedData(f"claim.validator_id: expected a string, got {type(vid).__name__}")
    cert_obj = d["certificate"]
    try:
        cert = None if cert_obj is None else TimeoutCertificate.from_dict(cert_obj)
        return _new_claim(
            _chain_id(d["chain_id"]),
            _int(d["epoch"], "claim.epoch", MAX_SLOT),
            _int(d["slot"], "claim.slot", MAX_SLOT),
            _int(d["rank"], "claim.rank", MAX_BACKUPS),
            vid,
            _hex(d["proof"], "claim.proof", PROOF_BYTES, PROOF_BYTES),
            cert,
        )
    except (InvalidClaim, InvalidCertificate) as exc:
        raise MalformedData(f"claim: {exc}") from None


def _hashes(obj: dict[str, Any]) -> tuple[bytes | None, bytes | None]:
    """``block_hash`` and ``parent_hash`` (optional: absent, never null), checked in that
    order.  A parent_hash is usually the previous line's block_hash: that one is remembered."""
    global _last_block_hash
    prev_hex, prev = _last_block_hash
    bh = ph = None
    if "block_hash" in obj:
        value = obj["block_hash"]
        bh = _hex(value, "block_hash", 1, MAX_HASH_BYTES)
        _last_block_hash = (value, bh)
    if "parent_hash" in obj:
        value = obj["parent_hash"]
        ph = prev if value == prev_hex else _hex(value, "parent_hash", 1, MAX_HASH_BYTES)
    return bh, ph


def _record_from_obj(obj: object, line: int) -> HistoryRecord:
    if type(obj) is not dict:
        raise MalformedData(f"expected a JSON object, got {type(obj).__name__}")
    keys = obj.keys()
    if not keys <= _LINE_KEYS:
        raise MalformedData(f"unknown key(s) {sorted(keys - _LINE_KEYS, key=repr)}")
    if "slot" not in obj:
        raise MalformedData("missing key 'slot'")
    slot = _int(obj["slot"], "slot", MAX_SLOT)
    if "claim" in obj:
        if "claim_hex" in obj:
            raise MalformedData("expected exactly one of 'claim' and 'claim_hex', got both")
        claim = _claim_from_dict(obj["claim"])
    elif "claim_hex" in obj:
        raw = _hex(obj["claim_hex"], "claim_hex", 1, 1 << 24)
        claim = LeaderClaim.from_bytes(raw)
    else:
        raise MalformedData("expected exactly one of 'claim' and 'claim_hex', got neither")
    if "header" in obj:
        return _signed_record(obj, slot, claim, line)
    bh, ph = _hashes(obj)
    return HistoryRecord(slot, claim, bh, ph, line)


def _signed_record(obj: dict[str, Any], slot: int, claim: LeaderClaim, line: int) -> HistoryRecord:
    """A version-2 line: the header's fields beyond the claim's, and its signature.  A
    ``block_hash`` key, if present, must be the header's hash; ``parent_hash`` must be
    absent (the header holds it)."""
    global _last_block_hash
    h = obj["header"]
    if type(h) is not dict or h.keys() != _HEADER_KEYS:
        json_object(h, "header", _HEADER_KEYS)  # for its precise message
    if "parent_hash" in obj:
        raise MalformedData("parent_hash: a version-2 line keeps it in its header, not beside it")
    # The claim passed LeaderClaim's checks (the header's own), the hashes _hex's: the
    # header is built without checking them again.
    header = SignedHeader(
        BlockHeader._for_checked_claim(
            claim, _hex(h["parent_hash"], "header.parent_hash", HASH_BYTES, HASH_BYTES),
            _hex(h["payload_digest"], "header.payload_digest", HASH_BYTES, HASH_BYTES)),
        _hex(h["signature"], "header.signature", SIGNATURE_BYTES, SIGNATURE_BYTES))
    block_hash = header.block_hash()
    if "block_hash" in obj:
        value = obj["block_hash"]
        if _hex(value, "block_hash", 1, MAX_HASH_BYTES) != block_hash:
            raise MalformedData(f"block_hash: {value[:80]} is not the header's hash {block_hash.hex()}")
        _last_block_hash = (value, block_hash)
    return HistoryRecord(slot, claim, block_hash, header.header.parent_hash, line, header)


_JSON_SPACE = " \t\r\n"


def parse_history_line(text: str | bytes, line: int, path: str | None = None) -> HistoryRecord:
    """Parse one history line.

    Args:
        text: the line, with or without its trailing newline.
        line: its 1-based line number (for errors and :attr:`HistoryRecord.line`).
        path: the file's path for error messages.

    Returns:
        The record.

    Raises:
        MalformedLine: blank line, a ``\r`` before the line end, whitespace before or
            after the JSON object, invalid JSON (duplicate keys, NaN and Infinity
            included), wrong keys or types, non-canonical hex, or an invalid claim.
    """
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        if text.endswith("\n"):
            text = text[:-1]
        if text.endswith("\r"):
            raise MalformedData("CR before the line end (lines end with \\n alone, not \\r\\n)")
        if not text or text.isspace():  # = not text.strip(), without copying the line
            raise MalformedData("blank line (every line must hold one block)")
        if text[0] in _JSON_SPACE or text[-1] in _JSON_SPACE:
            raise MalformedData("leading or trailing whitespace (a line is one JSON object and nothing else)")
        try:
            obj = _decode(text)
        except (ValueError, RecursionError) as exc:
            if isinstance(exc, MalformedData):
                raise
            raise MalformedData(f"invalid JSON: {exc}") from None
        return _record_from_obj(obj, line)
    except UnicodeDecodeError as exc:
        raise MalformedLine(line, f"not UTF-8: {exc.reason} at byte {exc.start}", path) from None
    except MalformedData as exc:
        raise MalformedLine(line, str(exc), path) from None


HistorySource = PathLike | IO[bytes] | IO[str] | Iterable[Any]
"""A history: a path, an open file, or an iterable of lines (or records, for the audit)."""


class LineError:
    """What :func:`open_lines` yields in place of a file line it will not hand over: one
    longer than the limit (read past, never kept) or a last line without its newline.

    Attributes:
        reason: the problem, in words.
        size: the line's length in bytes (characters for a text stream).
    """

    __slots__ = ("reason", "size")

    def __init__(self, reason: str, size: int) -> None:
        self.reason = reason
        self.size = size

    def __len__(self) -> int:
        return self.size


_SKIP_PIECE = 1 << 16  # an over-long line is read past in pieces of this size (64 KiB)


def _capped_lines(f: IO[Any], cap: int) -> Iterator[Any]:
    """The lines of ``f``, each read with at most ``cap + 1`` bytes in memory."""
    nl = b"\n" if isinstance(f.read(0), bytes) else "\n"
    while True:
        line = f.readline(cap + 1)
        if not line:
            return
        if line[-1:] == nl:
            yield line
            continue
        if len(line) <= cap:  # readline stopped short of the limit: the end of the file
            yield LineError("missing newline at the end of the file (every line ends with \\n)", len(line))
            return
        size = len(line)
        del line
        while True:  # read past the rest of the line without keeping it
            more = f.readline(_SKIP_PIECE)
            size += len(more)
            if not more or more[-1:] == nl:
                break
        yield LineError(f"line of {size} bytes, longer than the limit of {cap} (max_line_bytes)", size)


def open_lines(source: HistorySource, max_line_bytes: int = MAX_LINE_BYTES) -> tuple[Iterator[Any], str | None]:
    """Lines of a history source and its path (if it is one).

    Args:
        source: a path, an open file (binary or text) or any iterable of lines.
        max_line_bytes: for a path or an open file, the longest line handed over
            (without its newline); a longer one is read past in 64 KiB pieces and
            replaced by a :class:`LineError`, as is a last line without its newline.

    Returns:
        ``(lines, path_or_None)``; for a path the file is opened in binary mode and
        closed when the iterator is exhausted or garbage-collected.

    Raises:
        OSError: the path cannot be opened.
    """
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        f = open(path, "rb")  # noqa: SIM115 - closed by the generator

        def gen() -> Iterator[Any]:
            with f:
                yield from _capped_lines(f, max_line_bytes)

        return gen(), path
    name = getattr(source, "name", None) if not isinstance(source, Sequence) else None
    if hasattr(source, "readline") and hasattr(source, "read"):
        return _capped_lines(source, max_line_bytes), name  # type: ignore[arg-type]
    return iter(source), name


def parse_history_item(item: object, line: int, path: str | None = None,
                       max_line_bytes: int = MAX_LINE_BYTES) -> HistoryRecord:
    """Parse one item of :func:`open_lines`: a line (str or bytes) or a :class:`LineError`.

    Args:
        item: the item.
        line: its 1-based line number.
        path: the file's path for error messages.
        max_line_bytes: the longest line accepted.

    Returns:
        The record.

    Raises:
        MalformedLine: the item is a :class:`LineError`, a line longer than
            ``max_line_bytes`` (without its newline; characters for a str), or a line
            :func:`parse_history_line` rejects.
    """
    if isinstance(item, LineError):
        raise MalformedLine(line, item.reason, path)
    if type(item) is not bytes and type(item) is not str:
        if not isinstance(item, (str, bytes, bytearray)):
            raise MalformedLine(line, f"expected a line (str or bytes), got {type(item).__name__}", path)
        item = bytes(item) if isinstance(item, bytearray) else item
    size = len(item)
    if size > max_line_bytes:  # (the newline does not count)
        size -= 1 if item[-1:] in ("\n", b"\n") else 0
        if size > max_line_bytes:
            raise MalformedLine(line, f"line of {size} bytes, longer than the limit of {max_line_bytes} "
                                      "(max_line_bytes)", path)
    return parse_history_line(item, line, path)


def read_history(source: HistorySource, max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[HistoryRecord]:
    """Stream the records of a history file, strictly.

    Args:
        source: a path, an open file or an iterable of lines.
        max_line_bytes: the longest line accepted (default: a 65,535-vote certificate).

    Yields:
        One :class:`HistoryRecord` per line, in file order (no order checks: that is
        the audit's job).

    Raises:
        MalformedLine: the first malformed line, with its number.
        OSError: the path cannot be opened.
    """
    lines, path = open_lines(source, max_line_bytes)
    for number, text in enumerate(lines, 1):
        yield parse_history_item(text, number, path, max_line_bytes)


class HistoryWriter:
    """Append history records as JSON lines.

    Usable as a context manager; ``write`` flushes nothing by itself (call
    :meth:`flush` or close).

    Args:
        target: a path (opened for writing, or appending with ``append=True``) or an
            open text file.
        claim_encoding: ``"json"`` (readable claim objects, the default) or ``"hex"``
            (canonical claim bytes in hex, smaller).
        append: open a path in append mode.

    Raises:
        ValueError: unknown ``claim_encoding``.
    """

    def __init__(self, target: PathLike | IO[str], claim_encoding: str = "json", append: bool = False) -> None:
        if claim_encoding not in ("json", "hex"):
            raise ValueError(f"claim_encoding: expected 'json' or 'hex', got {claim_encoding!r}")
        self.claim_encoding = claim_encoding
        if isinstance(target, (str, os.PathLike)):
            self._file: IO[str] = open(target, "a" if append else "w", encoding="utf-8")  # noqa: SIM115
            self._owned = True
        else:
            self._file = target
            self._owned = False
        self.count = 0

    def write(self, claim: LeaderClaim, block_hash: bytes | None = None, parent_hash: bytes | None = None,
              header: SignedHeader | None = None) -> None:
        """Append one produced block.

        Args:
            claim: the block's leadership claim (its slot is the line's slot).
            block_hash: the block's hash, or None (version 1).
            parent_hash: its parent's hash, or None (version 1).
            header: the producer's signed header (version 2; the hashes come from it and
                ``block_hash``/``parent_hash`` must not be given).

        Raises:
            ValueError: hashes given together with a header.
        """
        if header is not None:
            if block_hash is not None or parent_hash is not None:
                raise ValueError("a version-2 record takes its hashes from the header")
            self.write_record(HistoryRecord.signed(claim, header))
            return
        self.write_record(HistoryRecord(claim.slot, claim, block_hash, parent_hash))

    def write_record(self, record: HistoryRecord) -> None:
        """Append one record as written (its ``slot`` field is kept as is)."""
        self._file.write(record.to_line(self.claim_encoding))
        self.count += 1

    def write_all(self, records: Iterable[HistoryRecord | LeaderClaim]) -> None:
        """Append many records or claims."""
        for r in records:
            if isinstance(r, LeaderClaim):
                self.write(r)
            else:
                self.write_record(r)

    def flush(self) -> None:
        """Flush the underlying file."""
        self._file.flush()

    def close(self) -> None:
        """Flush, and close the file if this writer opened it."""
        if self._owned:
            self._file.close()
        else:
            self._file.flush()

    def __enter__(self) -> HistoryWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class MalformedHistory(MalformedData):
    """A history file has malformed lines; the audit read on to list all of them.

    Attributes:
        errors: the first :data:`MAX_REPORTED_LINES` :class:`MalformedLine` errors, in
            line order.
        count: how many lines were malformed in all.
        line: the first malformed line's number.
        path: the file's path when known.
    """

    def __init__(self, errors: Sequence[MalformedLine], count: int, path: str | None = None) -> None:
        first = errors[0]
        more = f" (and {count - 1} more malformed line(s))" if count > 1 else ""
        super().__init__(f"{first}{more}")
        self.errors = list(errors)
        self.count = count
        self.line = first.line
        self.path = path


MAX_REPORTED_LINES = 100
"""How many malformed history lines :class:`MalformedHistory` keeps in full."""
