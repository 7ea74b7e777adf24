"""Domain-separated deterministic randomness: a SHA-512 counter-mode byte stream.

Every random choice of the election is read from a :class:`HashStream`; there is no
global PRNG.  The stream for a purpose and a context is::

    K       = SHA-512( tag("seqvrf/v1/stream") || lp8(purpose) || context )
    block_i = SHA-512( K || u64(i) )            for i = 0, 1, 2, ...
    stream  = block_0 || block_1 || block_2 || ...

Integers are drawn by exact rejection sampling (no modulo bias):
:meth:`HashStream.uniform` reads ``ceil(b / 8)`` bytes as a big-endian integer, where
``b`` is the bit length of ``n - 1``, keeps its low ``b`` bits and accepts the value
if it is below ``n``; otherwise it reads the next bytes.  ``uniform(1)`` reads
nothing.  See docs/spec.md, "Hash stream".
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import MutableSequence, Sequence
from typing import TypeVar

from ._codec import lp8, tag

__all__ = ["HashStream", "StreamFamily", "stream_key"]

_STREAM_TAG = tag("seqvrf/v1/stream")
_FIRST_CHUNK = 1  # blocks hashed by the first refill; doubled on each refill ...
_MAX_CHUNK = 64  # ... up to 64 blocks (4 KiB).  The output does not depend on chunking.

T = TypeVar("T")


def stream_key(purpose: bytes, context: bytes) -> bytes:
    """The 64-byte key ``K`` of the stream for ``purpose`` and ``context``.

    Args:
        purpose: a short ASCII label (at most 255 bytes), e.g. ``b"primary"``.
        context: the caller's canonical encoding of what the draw depends on.

    Returns:
        ``SHA-512(tag("seqvrf/v1/stream") || lp8(purpose) || context)``.
    """
    return hashlib.sha512(_STREAM_TAG + lp8(purpose) + context).digest()


class StreamFamily:
    """The streams of one purpose whose contexts share a prefix (e.g. one per slot).

    ``family.stream(suffix)`` is ``HashStream(stream_key(purpose, prefix || suffix))``;
    the shared prefix is hashed once.

    Args:
        purpose: a short ASCII label (at most 255 bytes).
        prefix: the shared start of every context.
    """

    __slots__ = ("_hasher",)

    def __init__(self, purpose: bytes, prefix: bytes) -> None:
        self._hasher = hashlib.sha512(_STREAM_TAG + lp8(purpose) + prefix)

    def stream(self, suffix: bytes) -> HashStream:
        """The stream whose context is ``prefix || suffix``."""
        h = self._hasher.copy()
        h.update(suffix)
        return HashStream(h.digest())


class HashStream:
    """A deterministic stream of bytes and exact integer draws.

    Args:
        key: the 64-byte stream key, usually from :func:`stream_key`.

    Raises:
        ValueError: ``key`` is not 64 bytes.
    """

    __slots__ = ("_prefix", "_counter", "_buf", "_pos", "_chunk")

    def __init__(self, key: bytes) -> None:
        if len(key) != 64:
            raise ValueError(f"stream key must be 64 bytes, got {len(key)}")
        self._prefix = hashlib.sha512(key)
        self._counter = 0
        self._buf = b""
        self._pos = 0
        self._chunk = _FIRST_CHUNK

    def _refill(self, need: int) -> None:
        blocks = []
        prefix = self._prefix
        n = max(self._chunk, (need + 63) // 64)
        self._chunk = min(_MAX_CHUNK, 2 * self._chunk)
        for i in range(self._counter, self._counter + n):
            h = prefix.copy()
            h.update(i.to_bytes(8, "big"))
            blocks.append(h.digest())
        self._counter += n
        self._buf = self._buf[self._pos :] + b"".join(blocks)
        self._pos = 0

    def read(self, n: int) -> bytes:
        """Return the next ``n`` bytes of the stream."""
        if self._pos + n > len(self._buf):
            self._refill(n)
        out = self._buf[self._pos : self._pos + n]
        self._pos += n
        return out

    def uniform(self, n: int) -> int:
        """An exactly uniform integer in ``[0, n)`` by rejection sampling.

        Args:
            n: a positive int.

        Returns:
            The draw.

        Raises:
            ValueError: ``n < 1``.
        """
        if n < 1:
            raise ValueError(f"uniform(n) needs n >= 1, got {n}")
        if n == 1:
            return 0
        bits = (n - 1).bit_length()
        width = (bits + 7) // 8
        mask = (1 << bits) - 1
        while True:
            x = int.from_bytes(self.read(width), "big") & mask
            if x < n:
                return x

    def weighted(self, cumulative: Sequence[int]) -> int:
        """Draw an index with probability proportional to its weight.

        Args:
            cumulative: strictly increasing running sums of positive integer weights
                (``cumulative[-1]`` is the total).

        Returns:
            The index ``i`` such that ``cumulative[i-1] <= u < cumulative[i]`` for
            ``u = uniform(cumulative[-1])`` (with ``cumulative[-1]`` read as 0 for i=0).
        """
        return bisect_right(cumulative, self.uniform(cumulative[-1]))

    def shuffle(self, items: MutableSequence[T]) -> None:
        """Fisher-Yates shuffle in place, exactly uniform.

        For ``k`` from ``len(items) - 1`` down to 1: ``j = uniform(k + 1)``, then swap
        ``items[k]`` and ``items[j]``.

        Args:
            items: the sequence to permute.
        """
        # Inlined uniform() for speed; the bytes consumed are exactly those of
        # calling self.uniform(k + 1) for each k in turn.
        k = len(items) - 1
        while k >= 1:
            n = k + 1
            bits = k.bit_length()
            width = (bits + 7) // 8
            mask = (1 << bits) - 1
            # All draws with the same width and mask: loop until bits changes.
            low = 1 << (bits - 1)  # smallest k with this bit length
            buf = self._buf
            pos = self._pos
            frombytes = int.from_bytes
            while k >= low:
                if pos + width > len(buf):
                    self._pos = pos
                    self._refill(width)
                    buf = self._buf
                    pos = self._pos
                x = frombytes(buf[pos : pos + width], "big") & mask
                pos += width
                if x < n:
                    items[k], items[x] = items[x], items[k]
                    k -= 1
                    n = k + 1
            self._pos = pos
