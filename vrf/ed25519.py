"""Ed25519 signature verification, one signature or a batch, with ONE acceptance rule.

The rule (ZIP-215, cofactored), the same for ``ed25519_verify`` and ``ed25519_verify_batch``
so that a batch never disagrees with one-by-one checks:

* the public key A and the signature's R are decoded WITHOUT RFC 8032's canonicity checks:
  a y-coordinate >= p is reduced mod p, and x = 0 with the sign bit set is accepted; an
  encoding that is not on the curve is rejected;
* small-order A and R are accepted (they are multiplied away below);
* S (the signature's second half) must be canonical, S < L;
* k = SHA-512(R || A || M) mod L over the 32-byte encodings exactly as given;
* valid iff [8](S*B - R - k*A) is the identity.

libsodium (PyNaCl) is stricter: it rejects small-order A and R, non-canonical A and R
encodings, and checks the equation without the factor 8 (so some signatures with a
small-order component in R fail there and pass here).  Every signature libsodium accepts,
this module accepts; the converse is not true.  ``tests/test_vrf_ed25519.py`` shows each
difference on a concrete signature.

A batch is checked with one random linear combination (128-bit coefficients from the OS
CSPRNG) evaluated by a multi-scalar multiplication in C; if it fails, it is bisected and
single signatures are decided by the one-by-one rule.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from vrf import _lowlevel as ll
from vrf.errors import InvalidInputType

# Signatures per C call (the per-signature cost falls with the batch size).
BATCH_CHUNK = 1024


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Check one Ed25519 signature under the ZIP-215 rule (module docstring).

    Args:
        public_key: the 32-byte encoded key A.
        message: the signed bytes.
        signature: the 64-byte signature R || S.

    Returns:
        True if valid; False otherwise, including for a key or signature of the wrong length.

    Raises:
        InvalidInputType: an argument is not bytes-like.
    """
    return ll.ed25519_verify(public_key, message, signature)


def ed25519_verify_batch(items: Iterable[tuple[bytes, bytes, bytes]]) -> list[bool]:
    """Check many ``(public_key_32_bytes, message_bytes, signature_64_bytes)`` items at once.

    Returns exactly what ``[ed25519_verify(*item) for item in items]`` would (except with
    probability < 2^-116 per call of 1,024, a bad signature hidden by the random combination),
    several times faster for large batches.

    Returns:
        One bool per item, in order.

    Raises:
        InvalidInputType: an item is not a triple of bytes-like values.
    """
    pks: list[bytes] = []
    msgs: list[bytes] = []
    sigs: list[bytes] = []
    for i, item in enumerate(items):
        try:
            pk, msg, sig = item
        except (TypeError, ValueError):
            raise InvalidInputType(f"item {i} must be a (public key, message, signature) tuple") from None
        pks.append(ll.as_bytes(pk, f"item {i} public key"))
        msgs.append(ll.as_bytes(msg, f"item {i} message"))
        sigs.append(ll.as_bytes(sig, f"item {i} signature"))
    out: list[bool] = []
    for start in range(0, len(pks), BATCH_CHUNK):
        end = start + BATCH_CHUNK
        coeffs = secrets.token_bytes(16 * len(pks[start:end]))
        out += ll.ed25519_verify_batch(pks[start:end], msgs[start:end], sigs[start:end], coeffs)
    return out
