"""Verify many proofs on several threads.

The C core releases the GIL for each call, so a few threads, each looping over
a contiguous chunk of the items, scale close to linearly on idle cores.  Items
are split into chunks up front: one future per item would cost more in
scheduling than a verification costs in C.  Each thread hands its chunk to C
in sub-chunks of ``SUB_CHUNK`` proofs (``seqvrf_verify_batch``): re-taking the
GIL after every proof stalls a worker whenever another thread is busy in Python.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

from vrf import _lowlevel as ll
from vrf.errors import InvalidInputType, InvalidKey
from vrf.keys import PublicKey
from vrf.suites import BATCH_COMPATIBLE_SUITES, DEFAULT_SUITE, Suite

Item = tuple[PublicKey | bytes, bytes, bytes]


def _prepare(items: Iterable[Item]) -> list[tuple[PublicKey | bytes, bytes, bytes]]:
    out: list[tuple[PublicKey | bytes, bytes, bytes]] = []
    for i, item in enumerate(items):
        try:
            key, alpha, proof = item
        except (TypeError, ValueError):
            raise InvalidInputType(f"item {i} must be a (public key, alpha, proof) tuple") from None
        if not isinstance(key, PublicKey):
            key = ll.as_bytes(key, f"item {i} public key")
        out.append((key, ll.as_bytes(alpha, f"item {i} alpha"), ll.as_bytes(proof, f"item {i} proof")))
    return out


# Proofs per C call: enough that re-taking the GIL (which may mean waiting a switch
# interval for a busy main thread) is rare, small enough that the arrays stay small.
SUB_CHUNK = 128


def _verify_chunk(chunk: Sequence[tuple[PublicKey | bytes, bytes, bytes]], suite: int) -> list[bytes | None]:
    keys: list[object] = []
    parsed_cache: dict[bytes, object] = {}
    for key, _, _ in chunk:
        if isinstance(key, PublicKey):
            try:
                key.validate()
            except InvalidKey:
                keys.append(None)
                continue
            keys.append(key._parsed)
        else:
            parsed = parsed_cache.get(key)
            if parsed is None:
                try:
                    parsed = ll.parse_public_key(key, validate=True)
                except InvalidKey:
                    parsed = False
                parsed_cache[key] = parsed
            keys.append(None if parsed is False else parsed)
    alphas = [alpha for _, alpha, _ in chunk]
    proofs = [proof for _, _, proof in chunk]
    if suite in BATCH_COMPATIBLE_SUITES and any(len(p) == ll.BATCHCOMPAT_PROOF_BYTES for p in proofs):
        return _verify_chunk_rlc(keys, alphas, proofs, suite)
    results: list[bytes | None] = []
    for i in range(0, len(chunk), SUB_CHUNK):
        j = i + SUB_CHUNK
        results += ll.verify_parsed_batch(keys[i:j], alphas[i:j], proofs[i:j], suite)
    return results


def verify_many(
    items: Iterable[Item], suite: Suite = DEFAULT_SUITE, workers: int | None = None
) -> list[bytes | None]:
    """Verify (public key, alpha, proof) triples, in parallel threads.

    Keys are validated (RFC 9381 section 5.4.5). A bad key, a proof of the wrong
    length or an invalid proof gives ``None`` for that item; nothing is raised
    for them.  For ``Suite.EDWARDS25519_SHA512_ELL2``, 128-byte batch-compatible
    proofs are checked per worker chunk by random linear combination (as in
    ``verify_batch``; same results as one-by-one).

    Args:
        items: triples of (``PublicKey`` or 32 key bytes, alpha, proof: 80 bytes, or
            128 for the ELL2 suite's batch-compatible form).
        suite: the suite of every proof.
        workers: threads to use; default ``os.cpu_count()``. ``1`` runs in the caller's thread.

    Returns:
        One entry per item, in order: beta (64 bytes) or ``None``.

    Raises:
        InvalidInputType: an item is not a triple of bytes-like values, or
            ``suite`` is not a Suite, or ``workers`` is not a positive int.
    """
    suite_n = ll.check_suite(suite)
    if workers is None:
        workers = os.cpu_count() or 1
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InvalidInputType(f"workers must be a positive int, got {workers!r}")
    prepared = _prepare(items)
    n = len(prepared)
    workers = min(workers, max(1, n // 16))  # tiny batches are not worth a thread
    if workers == 1:
        return _verify_chunk(prepared, suite_n)
    size = -(-n // workers)
    chunks = [prepared[i : i + size] for i in range(0, n, size)]
    with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
        parts = list(pool.map(_verify_chunk, chunks, [suite_n] * len(chunks)))
    return [beta for part in parts for beta in part]


# ---- batch verification of batch-compatible proofs (random linear combination) ----------

# Proofs per C call of the random-linear-combination check: the cost per proof falls with
# the batch size (Pippenger), and a call releases the GIL for its whole length.
RLC_CHUNK = 1024


def _verify_chunk_rlc(keys: Sequence[object], alphas: Sequence[bytes], proofs: Sequence[bytes],
                      suite: int) -> list[bytes | None]:
    """128-byte proofs by random linear combination; any 80-byte ones one by one."""
    results: list[bytes | None] = [None] * len(proofs)
    bc = [i for i, p in enumerate(proofs) if len(p) == ll.BATCHCOMPAT_PROOF_BYTES]
    plain = [i for i, p in enumerate(proofs) if len(p) != ll.BATCHCOMPAT_PROOF_BYTES]
    for start in range(0, len(bc), RLC_CHUNK):
        idx = bc[start : start + RLC_CHUNK]
        # fresh coefficients per call: 2 x 128 bits per proof from the OS CSPRNG
        coeffs = secrets.token_bytes(32 * len(idx))
        part = ll.verify_batchcompat_batch([keys[i] for i in idx], [alphas[i] for i in idx],
                                           [proofs[i] for i in idx], suite, coeffs)
        for i, beta in zip(idx, part, strict=True):
            results[i] = beta
    for start in range(0, len(plain), SUB_CHUNK):
        idx = plain[start : start + SUB_CHUNK]
        part = ll.verify_parsed_batch([keys[i] for i in idx], [alphas[i] for i in idx], [proofs[i] for i in idx],
                                      suite)
        for i, beta in zip(idx, part, strict=True):
            results[i] = beta
    return results


def verify_batch(items: Iterable[Item], suite: Suite) -> list[bytes | None]:
    """Batch-verify (public key, alpha, proof) triples in the calling thread.

    128-byte batch-compatible proofs (``Suite.EDWARDS25519_SHA512_ELL2``) are checked
    together: one random linear combination of all their verification equations, with fresh
    128-bit coefficients from the OS CSPRNG, evaluated by a multi-scalar multiplication in C,
    cofactored: ``[8] sum_i z_i (s_i B - c_i Y_i - U_i) + w_i (s_i H_i - c_i Gamma_i - V_i) = O``.
    If it fails, the batch is bisected down to single proofs, which are decided by the same
    rule as ``PublicKey.verify``.  The result therefore equals one-by-one verification (a bad
    proof slips through only if the random combination cancels it: probability < 2^-116 per
    call).  Other proofs (80 bytes, any suite) are verified one by one.  Keys are validated
    (RFC 9381 section 5.4.5).

    Args:
        items: triples of (``PublicKey`` or 32 key bytes, alpha, proof).
        suite: the suite of every proof.

    Returns:
        One entry per item, in order: beta (64 bytes) or ``None`` (bad key, bad length,
        invalid proof), like ``verify_many``.

    Raises:
        InvalidInputType: an item is not a triple of bytes-like values, or ``suite`` is not a Suite.
    """
    suite_n = ll.check_suite(suite)
    return _verify_chunk(_prepare(items), suite_n)
