"""Ed25519 signatures verified in bulk, on worker threads.

The audit's main thread only collects ``(public key, message, signature)`` triples
(:class:`~election.rules.deferred.Deferred`); this module verifies a whole batch of them
the way :func:`vrf.verify_many` verifies VRF proofs: split in chunks, one thread per
chunk, each chunk one C batch verification (:func:`vrf.ed25519_verify_batch`, which
releases the GIL), so the threads run in parallel with each other and with the thread
that parses the next batch.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import vrf

from ..rules.deferred import SignatureItem, verify_signature

__all__ = ["verify_signatures", "MIN_CHUNK"]

MIN_CHUNK = 64
"""Fewest signatures worth a thread of their own (one check is about 50 µs)."""


def _verify_each(items: Sequence[SignatureItem]) -> list[bool]:
    return [verify_signature(item) for item in items]


def _verify_batch(items: Sequence[SignatureItem]) -> list[bool]:
    return vrf.ed25519_verify_batch(items)


_verify_chunk: Callable[[Sequence[SignatureItem]], list[bool]] = _verify_batch
"""The verifier of one chunk: the C batch verifier (one random linear combination over a
multi-scalar multiplication; the same ZIP-215 rule as :func:`verify_signature`, so a batch
never disagrees with one-by-one checks).  ``_verify_each`` checks one at a time."""


def verify_signatures(items: Sequence[SignatureItem], workers: int | None = None) -> list[bool]:
    """Verify Ed25519 signatures, in parallel threads.

    Args:
        items: ``(public key (32 bytes), message, signature (64 bytes))`` triples.
        workers: threads to use; default ``os.cpu_count()``; ``1`` runs in the caller's
            thread.

    Returns:
        One verdict per item, in order: exactly :func:`~election.rules.deferred.verify_signature`'s.

    Raises:
        ValueError: ``workers`` is not None or a positive int.
    """
    if workers is None:
        workers = os.cpu_count() or 1
    if type(workers) is not int or workers < 1:
        raise ValueError(f"workers: expected None or a positive int, got {workers!r}")
    n = len(items)
    workers = min(workers, max(1, n // MIN_CHUNK))
    if workers == 1:
        return _verify_chunk(items)
    size = -(-n // workers)
    chunks = [items[i:i + size] for i in range(0, n, size)]
    with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
        parts = list(pool.map(_verify_chunk, chunks))
    return [ok for part in parts for ok in part]
