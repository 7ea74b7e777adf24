"""ECVRF-P256 key objects (RFC 9381 suites 0x01 ECVRF-P256-SHA256-TAI and 0x02 -SSWU).

A P-256 VRF secret key is the scalar x itself (32 bytes, big-endian, 1 <= x < q) and
its public key is Y = x*B in SEC1 compressed form (33 bytes), the same point
``cryptography``'s EC P-256 key for x has.  Keys convert to and from PEM/DER through
``cryptography``.

.. warning::
   **A VRF key should not also sign ECDSA.**  The VRF nonce is RFC 6979 over
   ``SHA-256(h_string)``; deterministic ECDSA with the same key derives its nonce the
   same way from ``SHA-256(message)``, so an ECDSA signature over the 33 bytes of some
   ``h_string`` shares its nonce with the proof for the input that hashes to that point,
   and the two responses reveal x.  Keep separate keys.
"""

from __future__ import annotations

import secrets
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from vrf import _lowlevel_p256 as ll
from vrf.errors import InvalidKey, InvalidProof
from vrf.suites import DEFAULT_P256_SUITE, Suite


def _load_public(key: object) -> bytes:
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise InvalidKey(f"key is a {type(key).__name__} ({getattr(key, 'curve', None)!r}), expected EC P-256")
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)


def _load_private(key: object) -> bytes:
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise InvalidKey(f"key is a {type(key).__name__}, expected an EC P-256 private key")
    return key.private_numbers().private_value.to_bytes(ll.SECRET_BYTES, "big")


class P256PublicKey:
    """An ECVRF-P256 public key: a SEC1 compressed point, decoded once and kept decoded.

    Decoding is the whole of RFC 9381 section 5.4.5 key validation for these suites (the
    cofactor is 1 and the identity has no 33-byte encoding), so every instance is valid.

    Args:
        data: the 33-byte SEC1 compressed point (prefix 0x02 or 0x03, x < p, on the curve).

    Raises:
        InvalidKey: wrong length or not such a point.
        InvalidInputType: ``data`` is not bytes-like.
    """

    __slots__ = ("_bytes", "_parsed")

    def __init__(self, data: bytes) -> None:
        raw = ll.as_bytes(data, "public key")
        self._parsed: Any = ll.parse_public_key(raw)
        self._bytes = raw

    def __bytes__(self) -> bytes:
        return self._bytes

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, P256PublicKey):
            return NotImplemented
        return self._bytes == other._bytes

    def __hash__(self) -> int:
        return hash(self._bytes)

    def __repr__(self) -> str:
        return f"vrf.P256PublicKey({self._bytes.hex()!r})"

    def to_bytes(self) -> bytes:
        """The 33-byte SEC1 compressed encoding."""
        return self._bytes

    def validate(self) -> None:
        """RFC 9381 section 5.4.5.  Nothing left to check: construction decoded the point, and
        for these suites that is the whole validation (kept for parity with ``PublicKey``)."""

    def verify(self, alpha: bytes, proof: bytes, suite: Suite = DEFAULT_P256_SUITE) -> bytes:
        """RFC 9381 section 5.3: check ``proof`` for ``alpha`` under this key.

        Args:
            alpha: the VRF input.
            proof: the 81-byte proof.
            suite: ``Suite.P256_SHA256_TAI`` (default) or ``Suite.P256_SHA256_SSWU``.

        Returns:
            beta, the 32-byte VRF output.

        Raises:
            InvalidProof: wrong length, Gamma does not decode, s >= q, or the proof does not verify.
            InvalidInputType: an argument is not bytes, or ``suite`` is not a P-256 suite.
        """
        alpha_b = ll.as_bytes(alpha, "alpha")
        proof_b = ll.as_bytes(proof, "proof")
        suite_n = ll.check_suite(suite)
        if len(proof_b) != ll.PROOF_BYTES:
            raise InvalidProof(f"proof must be {ll.PROOF_BYTES} bytes, got {len(proof_b)}")
        beta = ll.verify_parsed(self._parsed, alpha_b, proof_b, suite_n)
        if beta is None:
            raise InvalidProof("proof is not valid for this public key, input and suite")
        return beta

    def to_cryptography(self) -> ec.EllipticCurvePublicKey:
        """The same key as a ``cryptography`` EC P-256 public key."""
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), self._bytes)

    @classmethod
    def from_cryptography(cls, key: ec.EllipticCurvePublicKey) -> P256PublicKey:
        """From a ``cryptography`` EC public key on P-256.

        Raises:
            InvalidKey: not an EC P-256 public key.
        """
        return cls(_load_public(key))

    def to_pem(self) -> bytes:
        """SubjectPublicKeyInfo PEM (id-ecPublicKey, prime256v1)."""
        return self.to_cryptography().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def to_der(self) -> bytes:
        """SubjectPublicKeyInfo DER."""
        return self.to_cryptography().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @classmethod
    def from_pem(cls, data: bytes) -> P256PublicKey:
        """Load a SubjectPublicKeyInfo PEM holding an EC P-256 public key.

        Raises:
            InvalidKey: not a PEM public key, or not EC P-256.
        """
        try:
            key = serialization.load_pem_public_key(ll.as_bytes(data, "PEM data"))
        except ValueError as exc:
            raise InvalidKey(f"not a PEM public key: {exc}") from None
        return cls(_load_public(key))

    @classmethod
    def from_der(cls, data: bytes) -> P256PublicKey:
        """Load a SubjectPublicKeyInfo DER holding an EC P-256 public key.

        Raises:
            InvalidKey: not a DER public key, or not EC P-256.
        """
        try:
            key = serialization.load_der_public_key(ll.as_bytes(data, "DER data"))
        except ValueError as exc:
            raise InvalidKey(f"not a DER public key: {exc}") from None
        return cls(_load_public(key))


class P256SecretKey:
    """An ECVRF-P256 secret key: the scalar x, 32 bytes big-endian, 1 <= x < q.

    See the module warning: do not also sign ECDSA with the same scalar.

    Args:
        scalar: the 32-byte big-endian secret scalar.

    Raises:
        InvalidKey: not 32 bytes, or 0, or >= q.
        InvalidInputType: not bytes-like.
    """

    __slots__ = ("_scalar", "_expanded", "_public_key")

    def __init__(self, scalar: bytes) -> None:
        raw = ll.as_bytes(scalar, "secret scalar")
        self._expanded: Any = ll.expand_secret(raw)  # checks length and range; wiped by C when collected
        self._scalar = raw
        self._public_key = P256PublicKey(ll.secret_public_key(self._expanded))

    @classmethod
    def generate(cls) -> P256SecretKey:
        """A new key from the operating system's CSPRNG (uniform in [1, q-1] by rejection)."""
        while True:
            candidate = secrets.token_bytes(ll.SECRET_BYTES)
            try:
                return cls(candidate)
            except InvalidKey:  # 0 or >= q: probability about 2^-32
                continue

    @property
    def public_key(self) -> P256PublicKey:
        """The matching public key."""
        return self._public_key

    def to_bytes(self) -> bytes:
        """The 32-byte scalar.  Handle it as a secret."""
        return self._scalar

    def prove(self, alpha: bytes, suite: Suite = DEFAULT_P256_SUITE) -> bytes:
        """RFC 9381 section 5.1: an 81-byte proof for ``alpha``.

        Raises:
            InvalidInputType: ``alpha`` is not bytes or ``suite`` is not a P-256 suite.
        """
        return ll.prove_expanded(self._expanded, ll.as_bytes(alpha, "alpha"), ll.check_suite(suite))

    def __repr__(self) -> str:
        return f"vrf.P256SecretKey(public_key={self._public_key.to_bytes().hex()!r})"

    def __reduce__(self) -> Any:
        raise TypeError("P256SecretKey is not picklable; save it with to_pem() on purpose")

    def to_cryptography(self) -> ec.EllipticCurvePrivateKey:
        """The same key as a ``cryptography`` EC P-256 private key."""
        return ec.derive_private_key(int.from_bytes(self._scalar, "big"), ec.SECP256R1())

    @classmethod
    def from_cryptography(cls, key: ec.EllipticCurvePrivateKey) -> P256SecretKey:
        """From a ``cryptography`` EC private key on P-256.

        Raises:
            InvalidKey: not an EC P-256 private key.
        """
        return cls(_load_private(key))

    def _private_bytes(self, encoding: serialization.Encoding, password: bytes | None) -> bytes:
        enc: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
        )
        return self.to_cryptography().private_bytes(encoding, serialization.PrivateFormat.PKCS8, enc)

    def to_pem(self, password: bytes | None = None) -> bytes:
        """PKCS#8 PEM (an EC P-256 private key), encrypted if ``password`` is given."""
        return self._private_bytes(serialization.Encoding.PEM, password)

    def to_der(self, password: bytes | None = None) -> bytes:
        """PKCS#8 DER, encrypted if ``password`` is given."""
        return self._private_bytes(serialization.Encoding.DER, password)

    @classmethod
    def from_pem(cls, data: bytes, password: bytes | None = None) -> P256SecretKey:
        """Load a PEM (PKCS#8 or SEC1 "EC PRIVATE KEY") holding an EC P-256 private key.

        Raises:
            InvalidKey: not a PEM private key, wrong password, or not EC P-256.
        """
        try:
            key = serialization.load_pem_private_key(ll.as_bytes(data, "PEM data"), password)
        except (ValueError, TypeError) as exc:
            raise InvalidKey(f"cannot load PEM private key: {exc}") from None
        return cls(_load_private(key))

    @classmethod
    def from_der(cls, data: bytes, password: bytes | None = None) -> P256SecretKey:
        """Load a DER private key (PKCS#8 or SEC1) holding an EC P-256 private key.

        Raises:
            InvalidKey: not a DER private key, wrong password, or not EC P-256.
        """
        try:
            key = serialization.load_der_private_key(ll.as_bytes(data, "DER data"), password)
        except (ValueError, TypeError) as exc:
            raise InvalidKey(f"cannot load DER private key: {exc}") from None
        return cls(_load_private(key))
