"""Byte-in, byte-out bindings over the compiled C core (``vrf._native``).

Every function here checks types and lengths before C sees anything and turns
the C status codes into exceptions.  Public classes live in ``vrf.keys``; this
layer knows nothing about them.  cffi releases the GIL around each C call, so
these functions may run in parallel threads.
"""

from __future__ import annotations

from typing import Any

from vrf._native import ffi, lib
from vrf.errors import InvalidInputType, InvalidKey, InvalidProof, VRFError
from vrf.suites import Suite

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
    """Return ``value`` as immutable bytes, or raise InvalidInputType naming ``what``."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise InvalidInputType(f"{what} must be bytes, got {type(value).__name__}")


def check_suite(suite: object) -> int:
    """Return the suite byte, or raise InvalidInputType for anything but a Suite member."""
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


def public_key(seed: bytes) -> bytes:
    """Y = x*B for an RFC 8032 seed (the Ed25519 public key)."""
    _check_len(seed, SEED_BYTES, "secret seed", InvalidKey)
    out = ffi.new("uint8_t[32]")
    rc = lib.seqvrf_public_key(out, seed)
    if rc != _OK:
        raise _unexpected(rc, "public_key")
    return bytes(out)


def prove(seed: bytes, alpha: bytes, suite: int) -> bytes:
    """RFC 9381 5.1: an 80-byte proof."""
    _check_len(seed, SEED_BYTES, "secret seed", InvalidKey)
    out = ffi.new("uint8_t[80]")
    rc = lib.seqvrf_prove(out, seed, alpha, len(alpha), suite)
    if rc != _OK:
        raise _unexpected(rc, "prove")
    return bytes(out)


def expand_secret(seed: bytes) -> ExpandedSecret:
    """Expand a seed once (x, nonce prefix, public key) for repeated proofs.

    The handle owns C memory holding secrets; ``seqvrf_secret_wipe`` zeroes it
    when the handle is garbage-collected (``ffi.gc`` runs the destructor before
    cffi frees the memory; ``ffi.release`` runs it at once).
    """
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
    out = ffi.new("uint8_t[80]")
    rc = lib.seqvrf_prove_expanded(out, handle, alpha, len(alpha), suite)
    if rc != _OK:
        raise _unexpected(rc, "prove_expanded")
    return bytes(out)


def validate_key(pk: bytes) -> bool:
    """RFC 9381 5.4.5: the key decodes and is not of small order."""
    _check_len(pk, PUBLIC_KEY_BYTES, "public key", InvalidKey)
    rc = lib.seqvrf_validate_key(pk)
    if rc == _OK:
        return True
    if rc == _ERR_KEY:
        return False
    raise _unexpected(rc, "validate_key")


def parse_public_key(pk: bytes, validate: bool) -> ParsedKey:
    """Decode a key once (optionally validating it) for repeated verifies."""
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
    if len(proof) != PROOF_BYTES:
        return None
    beta = ffi.new("uint8_t[64]")
    rc = lib.seqvrf_verify_parsed(beta, parsed, proof, alpha, len(alpha), suite)
    if rc == _OK:
        return bytes(beta)
    if rc == _ERR_PROOF:
        return None
    raise _unexpected(rc, "verify")


def proof_to_hash(proof: bytes, suite: int) -> bytes:
    """RFC 9381 5.2 (does not verify): beta from the proof's Gamma."""
    _check_len(proof, PROOF_BYTES, "proof", InvalidProof)
    beta = ffi.new("uint8_t[64]")
    rc = lib.seqvrf_proof_to_hash(beta, proof, suite)
    if rc == _ERR_PROOF:
        raise InvalidProof("proof does not decode (Gamma is not a point or s >= q)")
    if rc != _OK:
        raise _unexpected(rc, "proof_to_hash")
    return bytes(beta)
