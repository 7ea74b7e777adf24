"""seqvrf's VRF: RFC 9381 ECVRF over edwards25519 with SHA-512, C core through cffi.

Suites ECVRF-EDWARDS25519-SHA512-TAI (default) and ECVRF-EDWARDS25519-SHA512-ELL2;
ECVRF-P256-SHA256-TAI and -SSWU with ``P256SecretKey`` / ``P256PublicKey``.

>>> import vrf
>>> sk = vrf.SecretKey(bytes(32))
>>> proof = sk.prove(b"slot 7")
>>> beta = sk.public_key.verify(b"slot 7", proof)
>>> beta == vrf.proof_to_hash(proof)
True

Never sign Ed25519 messages with a VRF key (see ``vrf.keys``). Proof bytes are
malleable (a prover can add a small-order point to Gamma); only beta is unique,
so never use a proof as an identifier.
"""

from vrf.batch import verify_many
from vrf.errors import InvalidInputType, InvalidKey, InvalidProof, VRFError
from vrf.keys import PublicKey, SecretKey, proof_to_hash
from vrf.keys_p256 import P256PublicKey, P256SecretKey
from vrf.suites import DEFAULT_P256_SUITE, DEFAULT_SUITE, Suite

PROOF_BYTES = 80
OUTPUT_BYTES = 64
PUBLIC_KEY_BYTES = 32
SEED_BYTES = 32
# P-256 suites (Suite.P256_SHA256_TAI / _SSWU): SEC1 compressed keys, 81-byte proofs, 32-byte beta
P256_PROOF_BYTES = 81
P256_OUTPUT_BYTES = 32
P256_PUBLIC_KEY_BYTES = 33
P256_SECRET_KEY_BYTES = 32

__all__ = [
    "DEFAULT_P256_SUITE",
    "DEFAULT_SUITE",
    "InvalidInputType",
    "InvalidKey",
    "InvalidProof",
    "OUTPUT_BYTES",
    "P256_OUTPUT_BYTES",
    "P256_PROOF_BYTES",
    "P256_PUBLIC_KEY_BYTES",
    "P256_SECRET_KEY_BYTES",
    "P256PublicKey",
    "P256SecretKey",
    "PROOF_BYTES",
    "PUBLIC_KEY_BYTES",
    "PublicKey",
    "SEED_BYTES",
    "SecretKey",
    "Suite",
    "VRFError",
    "proof_to_hash",
    "verify_many",
]

# draft-03 suites, batch-compatible proofs, batch verification, Ed25519 (appended block)
from vrf.batch import verify_batch  # noqa: E402
from vrf.ed25519 import ed25519_verify, ed25519_verify_batch  # noqa: E402
from vrf.suites import BATCH_COMPATIBLE_SUITES  # noqa: E402

BATCHCOMPAT_PROOF_BYTES = 128

__all__ += [
    "BATCHCOMPAT_PROOF_BYTES",
    "BATCH_COMPATIBLE_SUITES",
    "ed25519_verify",
    "ed25519_verify_batch",
    "verify_batch",
]
