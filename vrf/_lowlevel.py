"""Byte-in, byte-out bindings over the compiled C core (``vrf._native``).

Every function here checks types and lengths before C sees anything and turns
the C status codes into exceptions.  Public classes live in ``vrf.keys``; this
layer knows nothing about them.  cffi releases the GIL around each C call, so
these functions may run in parallel threads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vrf._native import ffi, lib
from vrf.errors import InvalidInputType, InvalidKey, InvalidProof, VRFError
from vrf.suites import P256_SUITES, Suite

SEED_BYTES = 32
PUBLIC_KEY_BYTES = 32
PROOF_BYTES = 80
OUTPUT_BYTES = 64

_OK = lib.SEQVRF_OK
_ERR_ARG = lib.SEQVRF_ERR_ARG
_ERR_KEY = lib.SEQVRF_ERR_KEY
_ERR_PROOF = lib.SEQVRF_ERR_PROOF

ParsedKey = Any  # a cffi ``seqvrf_pubkey *``; kept out of public signatures
ExpandedSecret = Any  # a cffi ``seqvrf_secret *`` owned by ffi.gc; kept out of public signatures


def as_bytes(value: object, what: str) -> bytes:
    """Return ``value`` as an exact, immutable ``bytes``, or raise InvalidInputType naming ``what``.

    Only an object whose type is exactly ``bytes`` is passed through.  A subclass of bytes
    or bytearray is copied through the base type's own slicing, and a memoryview through
    the buffer protocol, so every later length check sees the length of the buffer C will
    read: an overridden ``__len__``, ``__bytes__``, ``__getitem__`` or ``__buffer__`` cannot
    report one length while cffi passes a longer or shorter buffer.  A released memoryview
    raises InvalidInputType.
    """
    if type(value) is bytes:
        return value
    if isinstance(value, bytes):
        return bytes.__getitem__(value, slice(None))
    if isinstance(value, bytearray):
        return bytes(bytearray.__getitem__(value, slice(None)))
    if isinstance(value, memoryview):
        try:
            with memoryview(value) as view:
                return view.tobytes()
        except ValueError as exc:  # a released view
            raise InvalidInputType(f"{what}: unusable memoryview ({exc})") from None
    raise InvalidInputType(f"{what} must be bytes, got {type(value).__name__}")


def check_suite(suite: object) -> int:
    """Return the suite byte, or raise InvalidInputType for anything but an edwards25519 Suite member."""
    if isinstance(suite, int) and not isinstance(suite, bool) and suite in P256_SUITES:
        raise InvalidInputType(f"suite {Suite(suite).name} is a P-256 suite: use vrf.P256SecretKey / vrf.P256PublicKey")
    if isinstance(suite, Suite):
        return int(suite)
    if isinstance(suite, int) and not isinstance(suite, bool) and suite in Suite._value2member_map_:
        return suite
    raise InvalidInputType(f"suite must be a vrf.Suite, got {suite!r}")


def _check_len(data: bytes, n: int, what: str, exc: type[VRFError]) -> None:
    if len(data) != n:
        raise exc(f"{what} must be {n} bytes, got {len(data)}")


def _unexpected(rc: int, where: str) -> VRFError:
    # The Python layer checked the arguments, so ERR_ARG here is a bug, not bad input.
    return VRFError(f"{where}: C core returned unexpected status {rc}")


def expand_secret(seed: bytes) -> ExpandedSecret:
    """Expand a seed once (x, nonce prefix, public key) for repeated proofs.

    The handle owns C memory holding secrets; ``seqvrf_secret_wipe`` zeroes it
    when the handle is garbage-collected (``ffi.gc`` runs the destructor before
    cffi frees the memory; ``ffi.release`` runs it at once).
    """
    seed = as_bytes(seed, "secret seed")
    _check_len(seed, SEED_BYTES, "secret seed", InvalidKey)
    raw = ffi.new("seqvrf_secret *")
    handle = ffi.gc(raw, lib.seqvrf_secret_wipe)
    rc = lib.seqvrf_secret_expand(handle, seed)
    if rc != _OK:
        raise _unexpected(rc, "secret_expand")
    return handle


def secret_public_key(handle: ExpandedSecret) -> bytes:
    """The encoded public key stored in an expanded secret."""
    out = ffi.new("uint8_t[32]")
    rc = lib.seqvrf_secret_public_key(out, handle)
    if rc != _OK:
        raise _unexpected(rc, "secret_public_key")
    return bytes(out)


def prove_expanded(handle: ExpandedSecret, alpha: bytes, suite: int) -> bytes:
    """RFC 9381 5.1 with an expanded secret: an 80-byte proof."""
    alpha = as_bytes(alpha, "alpha")
    out = ffi.new("uint8_t[80]")
    rc = lib.seqvrf_prove_expanded(out, handle, alpha, len(alpha), suite)
    if rc != _OK:
        raise _unexpected(rc, "prove_expanded")
    return bytes(out)


def validate_key(pk: bytes) -> bool:
    """RFC 9381 5.4.5: the key decodes and is not of small order."""
    pk = as_bytes(pk, "public key")
    _check_len(pk, PUBLIC_KEY_BYTES, "public key", InvalidKey)
    rc = lib.seqvrf_validate_key(pk)
    if rc == _OK:
        return True
    if rc == _ERR_KEY:
        return False
    raise _unexpected(rc, "validate_key")


def parse_public_key(pk: bytes, validate: bool) -> ParsedKey:
    """Decode a key once (optionally validating it) for repeated verifies."""
    pk = as_bytes(pk, "public key")
    _check_len(pk, PUBLIC_KEY_BYTES, "public key", InvalidKey)
    parsed = ffi.new("seqvrf_pubkey *")
    rc = lib.seqvrf_pubkey_parse(parsed, pk, 1 if validate else 0)
    if rc == _ERR_KEY:
        reason = "is of small order" if validate and lib.seqvrf_pubkey_parse(parsed, pk, 0) == _OK else (
            "is not a canonical edwards25519 point encoding"
        )
        raise InvalidKey(f"public key {pk.hex()} {reason}")
    if rc != _OK:
        raise _unexpected(rc, "pubkey_parse")
    return parsed


def verify_parsed(parsed: ParsedKey, alpha: bytes, proof: bytes, suite: int) -> bytes | None:
    """RFC 9381 5.3 with a parsed key: beta, or None when the proof is invalid."""
    alpha = as_bytes(alpha, "alpha")
    proof = as_bytes(proof, "proof")
    if len(proof) != PROOF_BYTES:
        return None
    beta = ffi.new("uint8_t[64]")
    rc = lib.seqvrf_verify_parsed(beta, parsed, proof, alpha, len(alpha), suite)
    if rc == _OK:
        return bytes(beta)
    if rc == _ERR_PROOF:
        return None
    raise _unexpected(rc, "verify")


_ZERO_PROOF = bytes(PROOF_BYTES)


def verify_parsed_batch(
    parsed_keys: Sequence[ParsedKey | None], alphas: Sequence[bytes], proofs: Sequence[bytes], suite: int
) -> list[bytes | None]:
    """RFC 9381 5.3 for many items in one C call (the GIL is re-taken once, not per proof).

    Item ``i`` is (``parsed_keys[i]``, ``alphas[i]``, ``proofs[i]``); the three
    sequences must have the same length.  A ``None`` key or a proof that is not
    80 bytes gives ``None`` without being verified (C gets a NULL key or a zero
    proof in its place); so does an invalid proof.  Otherwise the same result
    as ``verify_parsed`` item by item, in order.
    """
    n = len(parsed_keys)
    if len(alphas) != n or len(proofs) != n:
        raise InvalidInputType(f"verify_parsed_batch: {n} keys, {len(alphas)} alphas, {len(proofs)} proofs")
    if n == 0:
        return []
    alphas = [as_bytes(a, f"alpha {i}") for i, a in enumerate(alphas)]
    proofs = [as_bytes(p, f"proof {i}") for i, p in enumerate(proofs)]
    skip = [key is None or len(proof) != PROOF_BYTES for key, proof in zip(parsed_keys, proofs, strict=True)]
    keys = ffi.new("seqvrf_pubkey *[]", [ffi.NULL if key is None else key for key in parsed_keys])
    proof_buf = b"".join(_ZERO_PROOF if bad else proof for bad, proof in zip(skip, proofs, strict=True))
    offsets = [0] * (n + 1)
    total = 0
    for i, alpha in enumerate(alphas):
        total += len(alpha)
        offsets[i + 1] = total
    betas = ffi.new("uint8_t[]", n * OUTPUT_BYTES)
    statuses = ffi.new("int[]", n)
    rc = lib.seqvrf_verify_batch(betas, statuses, keys, proof_buf, b"".join(alphas), ffi.new("size_t[]", offsets),
                                 n, suite)
    if rc != _OK:
        raise _unexpected(rc, "verify_batch")
    out = ffi.buffer(betas)[:]
    results: list[bytes | None] = []
    for i in range(n):
        st = statuses[i]
        if skip[i]:
            results.append(None)
        elif st == _OK:
            results.append(out[i * OUTPUT_BYTES : (i + 1) * OUTPUT_BYTES])
        elif st == _ERR_PROOF:
            results.append(None)
        else:
            raise _unexpected(st, "verify_batch")
    return results


def proof_to_hash(proof: bytes, suite: int) -> bytes:
    """RFC 9381 5.2 (does not verify): beta from the proof's Gamma."""
    proof = as_bytes(proof, "proof")
    _check_len(proof, PROOF_BYTES, "proof", InvalidProof)
    beta = ffi.new("uint8_t[64]")
    rc = lib.seqvrf_proof_to_hash(beta, proof, suite)
    if rc == _ERR_PROOF:
        raise InvalidProof("proof does not decode (Gamma is not a point or s >= q)")
    if rc != _OK:
        raise _unexpected(rc, "proof_to_hash")
    return bytes(beta)


# ---- batch-compatible proofs, batch verification, Ed25519 --------------------------------

BATCHCOMPAT_PROOF_BYTES = 128
ED25519_PUBLIC_KEY_BYTES = 32
ED25519_SIGNATURE_BYTES = 64
_OFF_CURVE = (2).to_bytes(32, "little")  # y = 2 has no x on edwards25519


def prove_batchcompat_expanded(handle: ExpandedSecret, alpha: bytes, suite: int) -> bytes:
    """The 128-byte batch-compatible proof Gamma || U || V || s (RFC 9381 ELL2 suite only)."""
    alpha = as_bytes(alpha, "alpha")
    out = ffi.new("uint8_t[128]")
    rc = lib.seqvrf_prove_batchcompat_expanded(out, handle, alpha, len(alpha), suite)
    if rc != _OK:
        raise _unexpected(rc, "prove_batchcompat_expanded")
    return bytes(out)


def verify_batchcompat_parsed(parsed: ParsedKey, alpha: bytes, proof: bytes, suite: int) -> bytes | None:
    """Verify a 128-byte batch-compatible proof with a parsed key: beta, or None."""
    alpha = as_bytes(alpha, "alpha")
    proof = as_bytes(proof, "proof")
    if len(proof) != BATCHCOMPAT_PROOF_BYTES:
        return None
    beta = ffi.new("uint8_t[64]")
    rc = lib.seqvrf_verify_batchcompat_parsed(beta, parsed, proof, alpha, len(alpha), suite)
    if rc == _OK:
        return bytes(beta)
    if rc == _ERR_PROOF:
        return None
    raise _unexpected(rc, "verify_batchcompat")


def proof_to_hash_batchcompat(proof: bytes, suite: int) -> bytes:
    """beta from a 128-byte proof (does not verify)."""
    proof = as_bytes(proof, "proof")
    _check_len(proof, BATCHCOMPAT_PROOF_BYTES, "proof", InvalidProof)
    beta = ffi.new("uint8_t[64]")
    rc = lib.seqvrf_proof_to_hash_batchcompat(beta, proof, suite)
    if rc == _ERR_PROOF:
        raise InvalidProof("proof does not decode (Gamma, U or V is not a point, or s >= q)")
    if rc != _OK:
        raise _unexpected(rc, "proof_to_hash_batchcompat")
    return bytes(beta)


def _offsets(chunks: Sequence[bytes]) -> Any:
    offsets = [0] * (len(chunks) + 1)
    total = 0
    for i, chunk in enumerate(chunks):
        total += len(chunk)
        offsets[i + 1] = total
    return ffi.new("size_t[]", offsets)


def verify_batchcompat_batch(
    parsed_keys: Sequence[ParsedKey | None], alphas: Sequence[bytes], proofs: Sequence[bytes], suite: int,
    coeffs: bytes,
) -> list[bytes | None]:
    """Random-linear-combination batch verification of 128-byte proofs (one C call).

    ``coeffs`` is 32 bytes per item from the OS CSPRNG (two 128-bit coefficients).  A
    ``None`` key or a proof that is not 128 bytes gives ``None`` without entering the batch;
    so does an invalid proof (found by bisection, decided by the one-by-one rule).
    """
    n = len(parsed_keys)
    if len(alphas) != n or len(proofs) != n:
        raise InvalidInputType(f"verify_batchcompat_batch: {n} keys, {len(alphas)} alphas, {len(proofs)} proofs")
    coeffs = as_bytes(coeffs, "coefficients")
    if len(coeffs) != 32 * n:
        raise InvalidInputType(f"verify_batchcompat_batch: need {32 * n} coefficient bytes, got {len(coeffs)}")
    if n == 0:
        return []
    alphas = [as_bytes(a, f"alpha {i}") for i, a in enumerate(alphas)]
    proofs = [as_bytes(p, f"proof {i}") for i, p in enumerate(proofs)]
    skip = [key is None or len(p) != BATCHCOMPAT_PROOF_BYTES for key, p in zip(parsed_keys, proofs, strict=True)]
    keys = ffi.new("seqvrf_pubkey *[]", [ffi.NULL if bad else key for bad, key in zip(skip, parsed_keys, strict=True)])
    zero = bytes(BATCHCOMPAT_PROOF_BYTES)
    proof_buf = b"".join(zero if bad else p for bad, p in zip(skip, proofs, strict=True))
    betas = ffi.new("uint8_t[]", n * OUTPUT_BYTES)
    statuses = ffi.new("int[]", n)
    size = lib.seqvrf_verify_batchcompat_batch_scratch_bytes(n)
    if size == 0:
        raise InvalidInputType(f"verify_batchcompat_batch: batch of {n} is too large")
    scratch = ffi.new("uint8_t[]", size)
    rc = lib.seqvrf_verify_batchcompat_batch(betas, statuses, keys, proof_buf, b"".join(alphas), _offsets(alphas),
                                             n, suite, coeffs, scratch, size)
    if rc != _OK:
        raise _unexpected(rc, "verify_batchcompat_batch")
    out = ffi.buffer(betas)[:]
    results: list[bytes | None] = []
    for i in range(n):
        st = statuses[i]
        if skip[i] or st == _ERR_PROOF:
            results.append(None)
        elif st == _OK:
            results.append(out[i * OUTPUT_BYTES : (i + 1) * OUTPUT_BYTES])
        else:
            raise _unexpected(st, "verify_batchcompat_batch")
    return results


def ed25519_verify(pk: bytes, msg: bytes, sig: bytes) -> bool:
    """The ZIP-215 rule (see seqvrf.h); wrong lengths are simply invalid."""
    pk = as_bytes(pk, "public key")
    msg = as_bytes(msg, "message")
    sig = as_bytes(sig, "signature")
    if len(pk) != ED25519_PUBLIC_KEY_BYTES or len(sig) != ED25519_SIGNATURE_BYTES:
        return False
    rc = lib.seqvrf_ed25519_verify(pk, msg, len(msg), sig)
    if rc == _OK:
        return True
    if rc in (_ERR_KEY, _ERR_PROOF):
        return False
    raise _unexpected(rc, "ed25519_verify")


def ed25519_verify_batch(
    pks: Sequence[bytes], msgs: Sequence[bytes], sigs: Sequence[bytes], coeffs: bytes
) -> list[bool]:
    """Batch form of ed25519_verify (one C call); ``coeffs``: 16 CSPRNG bytes per item."""
    n = len(pks)
    if len(msgs) != n or len(sigs) != n:
        raise InvalidInputType(f"ed25519_verify_batch: {n} keys, {len(msgs)} messages, {len(sigs)} signatures")
    coeffs = as_bytes(coeffs, "coefficients")
    if len(coeffs) != 16 * n:
        raise InvalidInputType(f"ed25519_verify_batch: need {16 * n} coefficient bytes, got {len(coeffs)}")
    if n == 0:
        return []
    pks = [as_bytes(p, f"item {i} public key") for i, p in enumerate(pks)]
    msgs = [as_bytes(m, f"item {i} message") for i, m in enumerate(msgs)]
    sigs = [as_bytes(s, f"item {i} signature") for i, s in enumerate(sigs)]
    skip = [
        len(p) != ED25519_PUBLIC_KEY_BYTES or len(s) != ED25519_SIGNATURE_BYTES for p, s in zip(pks, sigs, strict=True)
    ]
    # A malformed item enters C as a key that is not on the curve (y = 2), so C rejects it
    # at once; its result is False either way.  (Not zeros: y = 0 IS a curve point, of order 4.)
    pk_buf = b"".join(_OFF_CURVE if bad else p for bad, p in zip(skip, pks, strict=True))
    sig_buf = b"".join(_OFF_CURVE * 2 if bad else s for bad, s in zip(skip, sigs, strict=True))
    statuses = ffi.new("int[]", n)
    size = lib.seqvrf_ed25519_verify_batch_scratch_bytes(n)
    if size == 0:
        raise InvalidInputType(f"ed25519_verify_batch: batch of {n} is too large")
    scratch = ffi.new("uint8_t[]", size)
    rc = lib.seqvrf_ed25519_verify_batch(statuses, pk_buf, b"".join(msgs), _offsets(msgs), sig_buf, n, coeffs,
                                         scratch, size)
    if rc != _OK:
        raise _unexpected(rc, "ed25519_verify_batch")
    results: list[bool] = []
    for i in range(n):
        st = statuses[i]
        if st not in (_OK, _ERR_KEY, _ERR_PROOF):
            raise _unexpected(st, "ed25519_verify_batch")
        results.append(st == _OK and not skip[i])
    return results
