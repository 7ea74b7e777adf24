"""Strict big-endian binary encoding helpers shared by the canonical encodings.

Internal module: the public encodings are specified in docs/spec.md.  Writers append
fixed-width big-endian integers and length-prefixed byte strings; :class:`Reader`
parses them back and raises :class:`~election.rules.errors.MalformedData` on truncation,
and :meth:`Reader.finish` rejects trailing bytes.
"""

from __future__ import annotations

import json
from typing import Any, Self

from .errors import MalformedData

__all__ = [
    "u8",
    "u16",
    "u32",
    "u64",
    "lp8",
    "tag",
    "Reader",
    "check_hex",
    "json_int",
    "json_str",
    "json_object",
    "load_json",
    "JsonForm",
]


def u8(value: int) -> bytes:
    """Encode ``value`` as one unsigned byte."""
    return value.to_bytes(1, "big")


def u16(value: int) -> bytes:
    """Encode ``value`` as a 2-byte big-endian unsigned integer."""
    return value.to_bytes(2, "big")


def u32(value: int) -> bytes:
    """Encode ``value`` as a 4-byte big-endian unsigned integer."""
    return value.to_bytes(4, "big")


def u64(value: int) -> bytes:
    """Encode ``value`` as an 8-byte big-endian unsigned integer."""
    return value.to_bytes(8, "big")


def lp8(data: bytes) -> bytes:
    """Encode ``data`` (at most 255 bytes) as ``u8(len(data)) || data``."""
    return u8(len(data)) + data


def tag(name: str) -> bytes:
    """Domain-separation prefix: ``u8(len(name)) || ascii(name)``."""
    return lp8(name.encode("ascii"))


class Reader:
    """A cursor over bytes that parses the strict canonical encodings.

    Args:
        data: the bytes to parse.
        what: a name for error messages (e.g. ``"LeaderClaim"``).
    """

    __slots__ = ("_data", "_pos", "_what")

    def __init__(self, data: bytes, what: str) -> None:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise MalformedData(f"{what}: expected bytes, got {type(data).__name__}")
        self._data = bytes(data)
        self._pos = 0
        self._what = what

    def take(self, n: int, field: str) -> bytes:
        """Return the next ``n`` bytes.

        Raises:
            MalformedData: fewer than ``n`` bytes remain.
        """
        end = self._pos + n
        if end > len(self._data):
            raise MalformedData(
                f"{self._what}: truncated at {field}: expected {n} bytes at offset "
                f"{self._pos}, only {len(self._data) - self._pos} remain"
            )
        out = self._data[self._pos : end]
        self._pos = end
        return out

    def peek(self, n: int) -> bytes:
        """The next ``n`` bytes (fewer at the end) without consuming them."""
        return self._data[self._pos : self._pos + n]

    def uint(self, width: int, field: str) -> int:
        """Read a big-endian unsigned integer of ``width`` bytes."""
        return int.from_bytes(self.take(width, field), "big")

    def lp8(self, field: str) -> bytes:
        """Read a ``u8`` length followed by that many bytes."""
        return self.take(self.uint(1, field), field)

    def finish(self) -> None:
        """Assert that every byte was consumed.

        Raises:
            MalformedData: trailing bytes remain.
        """
        if self._pos != len(self._data):
            raise MalformedData(
                f"{self._what}: expected end of data at offset {self._pos}, "
                f"got {len(self._data) - self._pos} trailing bytes"
            )


def check_hex(value: object, field: str, length: int | None = None) -> bytes:
    """Parse a lowercase even-length hex JSON string into bytes.

    Args:
        value: the JSON value.
        field: the field name for error messages.
        length: the required decoded length, or None for any length.

    Returns:
        The decoded bytes.

    Raises:
        MalformedData: not a lowercase hex string of the required length.
    """
    if not isinstance(value, str):
        raise MalformedData(f"{field}: expected a hex string, got {type(value).__name__}")
    try:
        out: bytes | None = bytes.fromhex(value)
    except ValueError:
        out = None
    # The round trip accepts exactly lowercase even-length hex (fromhex alone would also
    # take upper case and spaces), in C rather than one Python test per character.
    if out is None or out.hex() != value:
        raise MalformedData(f"{field}: expected lowercase even-length hex, got {value[:80]!r}")
    if length is not None and len(out) != length:
        raise MalformedData(f"{field}: expected {length} bytes, got {len(out)}")
    return out


def json_int(value: object, field: str, lo: int, hi: int) -> int:
    """Check a JSON integer (``bool`` rejected) lies in ``[lo, hi]``.

    Raises:
        MalformedData: not an int, a bool, or out of range.
    """
    if type(value) is not int:
        raise MalformedData(f"{field}: expected an integer, got {type(value).__name__}")
    if not lo <= value <= hi:
        raise MalformedData(f"{field}: expected an integer in [{lo}, {hi}], got {value}")
    return value


def json_str(value: object, field: str) -> str:
    """Check a JSON string.

    Raises:
        MalformedData: not a str.
    """
    if not isinstance(value, str):
        raise MalformedData(f"{field}: expected a string, got {type(value).__name__}")
    return value


def json_object(value: object, what: str, required: frozenset[str]) -> dict[str, Any]:
    """Check a JSON object has exactly the required keys.

    Raises:
        MalformedData: not an object, a key missing, or an unknown key present.
    """
    if not isinstance(value, dict):
        raise MalformedData(f"{what}: expected a JSON object, got {type(value).__name__}")
    keys = set(value)
    missing = required - keys
    if missing:
        raise MalformedData(f"{what}: missing key(s) {sorted(missing)}")
    unknown = keys - required
    if unknown:
        raise MalformedData(f"{what}: unknown key(s) {sorted(unknown, key=repr)}")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, val in pairs:
        if key in out:
            raise MalformedData(f"duplicate JSON key {key!r}")
        out[key] = val
    return out


def _no_constant(name: str) -> Any:
    raise MalformedData(f"non-standard JSON constant {name}")


def load_json(data: str | bytes, what: str) -> Any:
    """Parse strict JSON text: duplicate keys, NaN and Infinity are rejected.

    Raises:
        MalformedData: the text is not valid strict JSON.
    """
    if not isinstance(data, (str, bytes, bytearray)):
        raise MalformedData(f"{what}: expected JSON text (str or bytes), got {type(data).__name__}")
    try:
        return json.loads(data, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except MalformedData:
        raise
    except (ValueError, RecursionError) as exc:
        raise MalformedData(f"{what}: invalid JSON: {exc}") from None


class JsonForm:
    """Mixin: canonical JSON text from ``to_dict`` and strict parsing through ``from_dict``."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON form as a dict (implemented by each class)."""
        raise NotImplementedError

    @classmethod
    def from_dict(cls, obj: object) -> Self:
        """Parse the JSON form (implemented by each class)."""
        raise NotImplementedError

    def to_json(self) -> str:
        """Canonical JSON text: the JSON form with sorted keys and no whitespace."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        """Parse strict JSON text (duplicate keys, NaN and Infinity rejected) with ``from_dict``.

        Raises:
            MalformedData: invalid JSON or an invalid JSON form.
        """
        return cls.from_dict(load_json(text, cls.__name__))
