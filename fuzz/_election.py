"""Checks shared by the election parser harnesses.

``bytes_target`` and ``json_target`` feed the fuzzer's bytes to a parser.  A parser may
only raise ``election.ElectionError`` (which includes every ``MalformedData``); on
success the parsed object must round-trip: its canonical encoding parses back to an
equal object, and a strict binary parser must only accept its own canonical encoding.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from _common import check, json_variants

import election

ALLOWED = (election.ElectionError,)


def bytes_target(parse: Callable[[bytes], Any]) -> Callable[[bytes], None]:
    def test(data: bytes) -> None:
        try:
            obj = parse(data)
        except ALLOWED:
            return
        enc = obj.to_bytes()
        check(enc == data, f"{parse.__qualname__} accepted a non-canonical encoding: {data.hex()}")
        check(parse(enc) == obj, f"{parse.__qualname__} round trip changed the object")

    return test


def json_target(parse: Callable[[Any], Any], reparse_bytes: Callable[[bytes], Any] | None = None,
                to_json: Callable[[Any], str] | None = None) -> Callable[[bytes], None]:
    dump = to_json or (lambda o: o.to_json())

    def one(text: str | bytes) -> None:
        try:
            obj = parse(text)
        except ALLOWED:
            return
        again = parse(dump(obj))
        check(again == obj, f"{parse.__qualname__}: JSON round trip changed the object")
        check(dump(again) == dump(obj), f"{parse.__qualname__}: canonical JSON is not stable")
        if reparse_bytes is not None:
            check(reparse_bytes(obj.to_bytes()) == obj, f"{parse.__qualname__}: bytes round trip changed it")

    def test(data: bytes) -> None:
        one(data)
        try:
            one(data.decode("utf-8"))
        except UnicodeDecodeError:
            pass
        for variant in json_variants(data):
            one(variant)

    return test


def run(test: Callable[[bytes], None]) -> None:
    from _common import main

    main(test)
