"""Byte-in, byte-out bindings over the P-256 half of the C core (``vrf._native``).

The same layer as ``vrf._lowlevel``, for the RFC 9381 P-256 suites (0x01, 0x02): every
function checks types and lengths before C sees anything and turns the C status codes
into exceptions.  Public classes live in ``vrf.keys_p256``.
"""

from __future__ import annotations

from typing import Any

from vrf._lowlevel import as_bytes as as_bytes
from vrf._native import ffi, lib
from vrf.errors import InvalidInputType, InvalidKey, InvalidProof, VRFError
from vrf.suites import P256_SUITES, Suite

SECRET_BYTES = 32
PUBLIC_KEY_BYTES = 33
PROOF_BYTES = 81
OUTPUT_BYTES = 32

_OK = lib.SEQVRF_OK
_ERR_KEY = lib.SEQVRF_ERR_KEY
_ERR_PROOF = lib.SEQVRF_ERR_PROOF

ParsedKey = Any  # a cffi ``seqvrf_p256_pubkey *``; kept out of public signatures
ExpandedSecret = Any  # a cffi ``seqvrf_p256_secret *`` owned by ffi.gc



def check_suite(suite: object) -> int:
    """Return the suite byte, or raise InvalidInputType for anything but a P-256 Suite member."""
    if isinstance(suite, int) and not isinstance(suite, bool) and suite in P256_SUITES:
        return int(suite)
    if isinstance(suite, int) and not isinstance(suite, bool) and suite in Suite._value2member_map_:
        raise InvalidInputType(f"suite {Suite(suite).name} is not a P-256 suite: use vrf.SecretKey / vrf.PublicKey")
    raise InvalidInputType(f"suite must be a P-256 vrf.Suite, got {suite!r}")


def _unexpected(rc: int, where: str) -> VRFError:
    return VRFError(f"{where}: C core returned unexpected status {rc}")


def expand_secret(sk: bytes) -> ExpandedSecret:
    """Check the scalar (1 <= x < q) and compute its public key once; the handle is wiped
    by ``seqvrf_p256_secret_wipe`` when garbage-collected."""
    if len(sk) != SECRET_BYTES:
        raise InvalidKey(f"P-256 secret key must be {SECRET_BYTES} bytes, got {len(sk)}")
    handle = ffi.gc(ffi.new("seqvrf_p256_secret *"), lib.seqvrf_p256_secret_wipe)
    rc = lib.seqvrf_p256_secret_expand(handle, sk)
    if rc == _ERR_KEY:
        # never echo the secret: say only what was wrong
        raise InvalidKey("P-256 secret key must be an integer in [1, q-1] (big-endian), got 0 or >= q")
    if rc != _OK:
        raise _unexpected(rc, "p256_secret_expand")
    return handle


def secret_public_key(handle: ExpandedSecret) -> bytes:
    out = ffi.new("uint8_t[33]")
    rc = lib.seqvrf_p256_secret_public_key(out, handle)
    if rc != _OK:
        raise _unexpected(rc, "p256_secret_public_key")
    return bytes(out)


def prove_expanded(handle: ExpandedSecret, alpha: bytes, suite: int) -> bytes:
    out = ffi.new("uint8_t[81]")
    rc = lib.seqvrf_p256_prove_expanded(out, handle, alpha, len(alpha), suite)
    if rc != _OK:
        raise _unexpected(rc, "p256_prove_expanded")
    return bytes(out)


def parse_public_key(pk: bytes) -> ParsedKey:
    """Decode (and so validate, RFC 9381 5.4.5) a 33-byte SEC1 compressed key once."""
    if len(pk) != PUBLIC_KEY_BYTES:
        raise InvalidKey(f"P-256 public key must be {PUBLIC_KEY_BYTES} bytes (SEC1 compressed), got {len(pk)}")
    parsed = ffi.new("seqvrf_p256_pubkey *")
    rc = lib.seqvrf_p256_pubkey_parse(parsed, pk)
    if rc == _ERR_KEY:
        raise InvalidKey(
            f"public key {pk.hex()} is not a SEC1 compressed P-256 point (prefix 02/03, x < p, on the curve)"
        )
    if rc != _OK:
        raise _unexpected(rc, "p256_pubkey_parse")
    return parsed


def verify_parsed(parsed: ParsedKey, alpha: bytes, proof: bytes, suite: int) -> bytes | None:
    """RFC 9381 5.3 with a parsed key: beta, or None when the proof is invalid."""
    if len(proof) != PROOF_BYTES:
        return None
    beta = ffi.new("uint8_t[32]")
    rc = lib.seqvrf_p256_verify_parsed(beta, parsed, proof, alpha, len(alpha), suite)
    if rc == _OK:
        return bytes(beta)
    if rc == _ERR_PROOF:
        return None
    raise _unexpected(rc, "p256_verify")


def proof_to_hash(proof: bytes, suite: int) -> bytes:
    """RFC 9381 5.2 (does not verify): beta from the proof's Gamma."""
    if len(proof) != PROOF_BYTES:
        raise InvalidProof(f"proof must be {PROOF_BYTES} bytes, got {len(proof)}")
    beta = ffi.new("uint8_t[32]")
    rc = lib.seqvrf_p256_proof_to_hash(beta, proof, suite)
    if rc == _ERR_PROOF:
        raise InvalidProof("proof does not decode (Gamma is not a compressed P-256 point or s >= q)")
    if rc != _OK:
        raise _unexpected(rc, "p256_proof_to_hash")
    return bytes(beta)
