"""The hash stream: construction, exact rejection sampling, shuffle."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from election import HashStream
from election.rules.hashstream import stream_key


def test_stream_construction_matches_spec() -> None:
    key = stream_key(b"purpose", b"ctx")
    assert key == hashlib.sha512(b"\x10seqvrf/v1/stream" + b"\x07purpose" + b"ctx").digest()
    s = HashStream(key)
    expect = b"".join(hashlib.sha512(key + i.to_bytes(8, "big")).digest() for i in range(100))
    got = s.read(1) + s.read(5000) + s.read(1399)
    assert got == expect


def test_bad_key_length() -> None:
    with pytest.raises(ValueError):
        HashStream(b"short")


def test_uniform_is_rejection_sampling() -> None:
    key = stream_key(b"t", b"")
    ref = HashStream(key)
    s = HashStream(key)
    for n in (1, 2, 3, 5, 255, 256, 257, 1000, 2**40 + 3, 2**64 - 1):
        bits = (n - 1).bit_length()
        width = (bits + 7) // 8
        while True:
            x = int.from_bytes(ref.read(width), "big") & ((1 << bits) - 1) if n > 1 else 0
            if x < n:
                break
        assert s.uniform(n) == x
    with pytest.raises(ValueError):
        s.uniform(0)


def test_uniform_small_range_is_unbiased() -> None:
    # n = 3 takes 2 bits and rejects 3: every value appears about 1/3 of the time.
    s = HashStream(stream_key(b"bias", b""))
    counts = [0, 0, 0]
    for _ in range(30000):
        counts[s.uniform(3)] += 1
    assert all(abs(c - 10000) < 400 for c in counts)  # > 4 sigma


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 300), st.binary(max_size=8))
def test_shuffle_is_fisher_yates_over_uniform(n: int, ctx: bytes) -> None:
    a = list(range(n))
    b = list(range(n))
    s1 = HashStream(stream_key(b"shuffle", ctx))
    s2 = HashStream(stream_key(b"shuffle", ctx))
    s1.shuffle(a)
    for k in range(n - 1, 0, -1):
        j = s2.uniform(k + 1)
        b[k], b[j] = b[j], b[k]
    assert a == b
    assert s1.read(33) == s2.read(33)  # same number of bytes consumed


def test_weighted() -> None:
    s = HashStream(stream_key(b"w", b""))
    counts = [0, 0, 0]
    for _ in range(6000):
        counts[s.weighted([1, 3, 6])] += 1
    assert abs(counts[0] - 1000) < 150 and abs(counts[1] - 2000) < 200 and abs(counts[2] - 3000) < 220
