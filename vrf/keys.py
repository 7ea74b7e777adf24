"""ECVRF-EDWARDS25519 key objects.

An ECVRF-EDWARDS25519 secret key is an RFC 8032 Ed25519 seed (32 bytes) and
its public key is the Ed25519 public key of that seed.

.. warning::
   **A VRF key must never also sign.**  RFC 9381's nonce for these suites is
   ``SHA-512(prefix || H)`` with the same secret ``prefix`` that Ed25519 uses
   for ``SHA-512(prefix || message)``.  One Ed25519 signature by this key over
   the 32 bytes of some ``H`` shares its nonce with the VRF proof for the input
   that hashes to ``H``; the two responses then reveal the secret scalar.
   Use :meth:`SecretKey.derive` to make a separate VRF key from a node's
   identity seed, and keep the identity key for signing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from vrf import _lowlevel as ll
from vrf import _lowlevel_p256 as ll_p256
from vrf.errors import InvalidInputType, InvalidKey, InvalidProof
from vrf.suites import BATCH_COMPATIBLE_SUITES, DEFAULT_SUITE, P256_SUITES, Suite

# Domain tag for SecretKey.derive; changing it changes every derived key.
_DERIVE_TAG = b"seqvrf/v1/vrf-key-from-identity-seed"


class PublicKey:
    """An ECVRF public key, decoded once and kept in decoded form.

    Args:
        data: the 32-byte encoded point.
        validate: check RFC 9381 section 5.4.5 at construction (default). With
            ``validate=False`` a key that merely decodes is accepted; ``verify``
            then validates it on first use unless told not to.

    Raises:
        InvalidKey: wrong length, not a canonical point encoding, or (when
            validating) a point of small order.
        InvalidInputType: ``data`` is not bytes-like.
    """

    __slots__ = ("_bytes", "_parsed", "_valid")

    def __init__(self, data: bytes, *, validate: bool = True) -> None:
        raw = ll.as_bytes(data, "public key")
        self._bytes = raw
        self._parsed: Any = ll.parse_public_key(raw, validate)
        self._valid: bool | None = True if validate else None

    def __bytes__(self) -> bytes:
        return self._bytes

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PublicKey):
            return NotImplemented
        return self._bytes == other._bytes

    def __hash__(self) -> int:
        return hash(self._bytes)

    def __repr__(self) -> str:
        return f"vrf.PublicKey({self._bytes.hex()!r})"

    def to_bytes(self) -> bytes:
        """The 32-byte encoding."""
        return self._bytes

    def validate(self) -> None:
        """Check RFC 9381 section 5.4.5: the key is not of small order.

        Raises:
            InvalidKey: the key is of small order.
        """
        if self._valid is None:
            self._valid = ll.validate_key(self._bytes)
        if not self._valid:
            raise InvalidKey(f"public key {self._bytes.hex()} is of small order")

    def verify(
        self, alpha: bytes, proof: bytes, suite: Suite = DEFAULT_SUITE, *, validate_key: bool = True
    ) -> bytes:
        """RFC 9381 section 5.3: check ``proof`` for ``alpha`` under this key.

        Args:
            alpha: the VRF input.
            proof: the 80-byte proof, or for ``Suite.EDWARDS25519_SHA512_ELL2`` also the
                128-byte batch-compatible form (the length tells them apart).
            suite: the cipher suite the proof was made for.
            validate_key: run key validation (section 5.4.5) first; default on.

        Returns:
            beta, the 64-byte VRF output.

        Raises:
            InvalidProof: the proof has the wrong length, does not decode, or does not verify.
            InvalidKey: ``validate_key`` is on and the key is of small order.
            InvalidInputType: an argument is not bytes or ``suite`` is not a Suite.
        """
        alpha_b = ll.as_bytes(alpha, "alpha")
        proof_b = ll.as_bytes(proof, "proof")
        suite_n = ll.check_suite(suite)
        if validate_key and self._valid is not True:
            self.validate()
        if len(proof_b) == ll.BATCHCOMPAT_PROOF_BYTES and suite_n in BATCH_COMPATIBLE_SUITES:
            beta = ll.verify_batchcompat_parsed(self._parsed, alpha_b, proof_b, suite_n)
            if beta is None:
                raise InvalidProof("proof is not valid for this public key, input and suite")
            return beta
        if len(proof_b) != ll.PROOF_BYTES:
            also = f" (or {ll.BATCHCOMPAT_PROOF_BYTES})" if suite_n in BATCH_COMPATIBLE_SUITES else ""
            raise InvalidProof(f"proof must be {ll.PROOF_BYTES}{also} bytes, got {len(proof_b)}")
        beta = ll.verify_parsed(self._parsed, alpha_b, proof_b, suite_n)
        if beta is None:
            raise InvalidProof("proof is not valid for this public key, input and suite")
        return beta

    @classmethod
    def from_pem(cls, data: bytes) -> PublicKey:
        """Load a SubjectPublicKeyInfo PEM holding an Ed25519 public key.

        Raises:
            InvalidKey: the PEM does not hold an Ed25519 public key (including an
                algorithm ``cryptography`` does not support, e.g. an unknown key OID).
        """
        pem = ll.as_bytes(data, "PEM data")
        try:
            key = serialization.load_pem_public_key(pem)
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise InvalidKey(f"not a PEM public key: {exc}") from None
        if not isinstance(key, ed25519.Ed25519PublicKey):
            raise InvalidKey(f"PEM holds a {type(key).__name__}, expected an Ed25519 public key")
        return cls(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))

    def to_pem(self) -> bytes:
        """The key as a SubjectPublicKeyInfo PEM (an Ed25519 public key)."""
        key = ed25519.Ed25519PublicKey.from_public_bytes(self._bytes)
        return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


class SecretKey:
    """An ECVRF secret key: a 32-byte RFC 8032 seed.

    See the module warning: never sign Ed25519 messages with the same seed.

    Args:
        seed: 32 bytes of uniform secret randomness.

    Raises:
        InvalidKey: the seed is not 32 bytes.
        InvalidInputType: the seed is not bytes-like.
    """

    __slots__ = ("_seed", "_expanded", "_public_key")

    def __init__(self, seed: bytes) -> None:
        raw = ll.as_bytes(seed, "secret seed")
        if len(raw) != ll.SEED_BYTES:
            raise InvalidKey(f"secret seed must be {ll.SEED_BYTES} bytes, got {len(raw)}")
        self._seed = raw
        # Expanded once (x, nonce prefix, public key); wiped by C when collected.
        self._expanded: Any = ll.expand_secret(raw)
        self._public_key = PublicKey(ll.secret_public_key(self._expanded))

    @classmethod
    def generate(cls) -> SecretKey:
        """A new key from the operating system's CSPRNG."""
        return cls(secrets.token_bytes(ll.SEED_BYTES))

    @classmethod
    def derive(cls, identity_seed: bytes, context: bytes) -> SecretKey:
        """A VRF key derived from a node's existing identity seed, domain-separated.

        ``seed = HMAC-SHA-512(key=identity_seed, msg=TAG || len(context) as 2 bytes BE || context)[:32]``
        with ``TAG = b"seqvrf/v1/vrf-key-from-identity-seed"``. Different contexts give
        independent keys, and the identity key's own nonces never meet the VRF key's.

        Args:
            identity_seed: the node's identity secret (at least 32 bytes).
            context: what this key is for, e.g. ``b"chain-7/sequencer"`` (at most 65535 bytes).

        Raises:
            InvalidKey: ``identity_seed`` is shorter than 32 bytes or ``context`` is too long.
        """
        ident = ll.as_bytes(identity_seed, "identity seed")
        ctx = ll.as_bytes(context, "context")
        if len(ident) < 32:
            raise InvalidKey(f"identity seed must be at least 32 bytes, got {len(ident)}")
        if len(ctx) > 0xFFFF:
            raise InvalidKey(f"context must be at most 65535 bytes, got {len(ctx)}")
        msg = _DERIVE_TAG + len(ctx).to_bytes(2, "big") + ctx
        return cls(hmac.new(ident, msg, hashlib.sha512).digest()[: ll.SEED_BYTES])

    @property
    def public_key(self) -> PublicKey:
        """The matching public key (validated)."""
        return self._public_key

    def to_bytes(self) -> bytes:
        """The 32-byte seed.  Handle it as a secret."""
        return self._seed

    def prove(self, alpha: bytes, suite: Suite = DEFAULT_SUITE, *, batch_compatible: bool = False) -> bytes:
        """RFC 9381 section 5.1 (draft-03 5.1 for the DRAFT03 suites): a proof for ``alpha``.

        Args:
            alpha: the VRF input.
            suite: the cipher suite.
            batch_compatible: return the 128-byte form Gamma || U || V || s (IOHK/Cardano's
                batch-compatible encoding, same beta) instead of Gamma || c || s; only for
                ``Suite.EDWARDS25519_SHA512_ELL2``.  Such proofs can be batch-verified (with
                ``vrf.verify_batch``).  Converting an 80-byte proof needs no secret, but it
                needs more than the proof: U = s*B - c*Y and V = s*H - c*Gamma depend on the
                public key Y and on H = encode_to_curve(Y, alpha), and computing them is two
                scalar multiplications, i.e. the whole cost of verifying the proof once.  So a
                verifier gains nothing by converting 80-byte proofs to batch them (and the
                proof bytes alone, without Y and alpha, cannot be converted at all); only the
                prover, who has U = k*B and V = k*H for free, should emit this form.

        Returns:
            80 bytes, or 128 with ``batch_compatible``.

        Raises:
            InvalidInputType: ``alpha`` is not bytes, ``suite`` is not a Suite, or
                ``batch_compatible`` is asked for a suite that has no such form.
        """
        alpha_b = ll.as_bytes(alpha, "alpha")
        suite_n = ll.check_suite(suite)
        if batch_compatible is True:
            if suite_n not in BATCH_COMPATIBLE_SUITES:
                raise InvalidInputType(f"batch-compatible proofs exist only for {Suite.EDWARDS25519_SHA512_ELL2!r}")
            return ll.prove_batchcompat_expanded(self._expanded, alpha_b, suite_n)
        if batch_compatible is not False:
            raise InvalidInputType(f"batch_compatible must be a bool, got {batch_compatible!r}")
        return ll.prove_expanded(self._expanded, alpha_b, suite_n)

    def __repr__(self) -> str:
        # Never print the seed: only the public half identifies the key.
        return f"vrf.SecretKey(public_key={self._public_key.to_bytes().hex()!r})"

    def __reduce__(self) -> Any:
        raise TypeError("SecretKey is not picklable; save it with to_pem() on purpose")

    def to_pem(self, password: bytes | None = None) -> bytes:
        """The seed as a PKCS#8 PEM (an Ed25519 private key), encrypted if ``password`` is given.

        Args:
            password: ``None`` for an unencrypted PEM, or non-empty bytes to encrypt it.

        Raises:
            InvalidInputType: ``password`` is neither ``None`` nor bytes-like (e.g. a ``str``:
                encode it yourself, so the bytes that protect the key are the ones you chose).
            InvalidKey: ``password`` is empty (an empty password would silently give an
                unencrypted key).
        """
        enc: serialization.KeySerializationEncryption
        if password is None:
            enc = serialization.NoEncryption()
        else:
            pw = ll.as_bytes(password, "password")
            if not pw:
                raise InvalidKey("password must be non-empty bytes; pass None for an unencrypted PEM")
            enc = serialization.BestAvailableEncryption(pw)
        key = ed25519.Ed25519PrivateKey.from_private_bytes(self._seed)
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)

    @classmethod
    def from_pem(cls, data: bytes, password: bytes | None = None) -> SecretKey:
        """Load a PKCS#8 PEM holding an Ed25519 private key.

        Raises:
            InvalidKey: not a PEM private key, wrong or missing password, an algorithm
                ``cryptography`` does not support (unknown key OID), or not Ed25519.
            InvalidInputType: ``data`` or ``password`` is not bytes-like.
        """
        pem = ll.as_bytes(data, "PEM data")
        pw = None if password is None else ll.as_bytes(password, "password")
        try:
            key = serialization.load_pem_private_key(pem, pw)
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise InvalidKey(f"cannot load PEM private key: {exc}") from None
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise InvalidKey(f"PEM holds a {type(key).__name__}, expected an Ed25519 private key")
        raw = key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        return cls(raw)


def proof_to_hash(proof: bytes, suite: Suite = DEFAULT_SUITE) -> bytes:
    """RFC 9381 section 5.2: beta from a proof, WITHOUT verifying it.

    Only use this on a proof that has been verified (``PublicKey.verify`` already
    returns beta).

    Args:
        proof: an 80-byte proof, or a 128-byte batch-compatible one for the ELL2 suite.
        suite: the proof's suite.

    Raises:
        InvalidProof: wrong length, Gamma (or U, V) does not decode, or s >= q.

    For the P-256 suites the proof is 81 bytes and beta 32 bytes (``vrf.keys_p256``).
    """
    proof_b = ll.as_bytes(proof, "proof")
    if isinstance(suite, int) and not isinstance(suite, bool) and suite in P256_SUITES:
        return ll_p256.proof_to_hash(proof_b, ll_p256.check_suite(suite))
    suite_n = ll.check_suite(suite)
    if len(proof_b) == ll.BATCHCOMPAT_PROOF_BYTES and suite_n in BATCH_COMPATIBLE_SUITES:
        return ll.proof_to_hash_batchcompat(proof_b, suite_n)
    return ll.proof_to_hash(proof_b, suite_n)
