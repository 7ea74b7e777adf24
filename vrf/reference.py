"""Executable specification: RFC 9381 ECVRF-EDWARDS25519-SHA512-{TAI,ELL2} in plain Python.

This module is slow on purpose. It follows the RFC's numbered steps with the
RFC's names, uses Python integers for all arithmetic and has no dependency on
the C core, so an auditor can read it next to RFC 9381, RFC 9380 and RFC 8032
and the test-suite can hold the C core against it. It is not constant-time and
must never handle a secret key outside tests.

Sections referenced below are RFC 9381 unless stated otherwise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

# ---------------------------------------------------------------------------
# edwards25519 (RFC 8032 section 5.1)
# ---------------------------------------------------------------------------

P = 2**255 - 19
Q = 2**252 + 27742317777372353535851937790883648493  # the prime group order
D = (-121665 * pow(121666, P - 2, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)

Point = tuple[int, int, int, int]  # extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, xy = T/Z

IDENTITY: Point = (0, 1, 1, 0)


def _inv(a: int) -> int:
    return pow(a, P - 2, P)


def point_add(p1: Point, p2: Point) -> Point:
    """Complete addition on the twisted Edwards curve -x^2 + y^2 = 1 + d x^2 y^2."""
    x1, y1, z1, t1 = p1
    x2, y2, z2, t2 = p2
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * t1 * t2 * D % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def point_neg(p: Point) -> Point:
    x, y, z, t = p
    return (-x % P, y, z, -t % P)


def scalar_mult(n: int, p: Point) -> Point:
    """n*P by double-and-add (variable time: reference only)."""
    result = IDENTITY
    addend = p
    while n > 0:
        if n & 1:
            result = point_add(result, addend)
        addend = point_add(addend, addend)
        n >>= 1
    return result


def point_equal(p1: Point, p2: Point) -> bool:
    x1, y1, z1, _ = p1
    x2, y2, z2, _ = p2
    return (x1 * z2 - x2 * z1) % P == 0 and (y1 * z2 - y2 * z1) % P == 0


def _recover_x(y: int, sign: int) -> int | None:
    """RFC 8032 5.1.3 steps 2-4: x from y and the sign bit, or None."""
    if y >= P:
        return None
    x2 = (y * y - 1) * _inv(D * y * y + 1) % P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


def string_to_point(s: bytes) -> Point | None:
    """RFC 8032 5.1.3 decoding; None when s is not a canonical encoding of a curve point."""
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % P)


def point_to_string(p: Point) -> bytes:
    """RFC 8032 5.1.2 encoding."""
    x, y, z, _ = p
    zi = _inv(z)
    x, y = x * zi % P, y * zi % P
    return int.to_bytes(y | ((x & 1) << 255), 32, "little")


_GY = 4 * _inv(5) % P
B: Point = (_recover_x(_GY, 0) or 0, _GY, 1, (_recover_x(_GY, 0) or 0) * _GY % P)

# ---------------------------------------------------------------------------
# Suites
# ---------------------------------------------------------------------------

SUITE_TAI = 0x03
SUITE_ELL2 = 0x04
C_LEN = 16  # cLen
PT_LEN = 32  # ptLen
Q_LEN = 32  # qLen
COFACTOR = 8


def _h(data: bytes) -> bytes:
    return hashlib.sha512(data).digest()


def expand_secret(sk: bytes) -> tuple[int, bytes]:
    """RFC 8032 5.1.5 steps 1-3: the secret scalar x and the nonce prefix."""
    digest = _h(sk)
    a = bytearray(digest[:32])
    a[0] &= 248
    a[31] &= 127
    a[31] |= 64
    return int.from_bytes(a, "little"), digest[32:]


def public_key(sk: bytes) -> bytes:
    """Y = x*B, encoded: equal to the Ed25519 public key for the same 32-byte seed."""
    x, _ = expand_secret(sk)
    return point_to_string(scalar_mult(x, B))


# ---------------------------------------------------------------------------
# 5.4.1.1 ECVRF_encode_to_curve_try_and_increment
# ---------------------------------------------------------------------------


def encode_to_curve_tai(encode_to_curve_salt: bytes, alpha: bytes) -> tuple[Point, int]:
    """Returns H and the counter value that produced it.

    Step 5: "While H is INVALID or H is the identity element of the elliptic curve
    group": a hash string that decodes to a small-order point gives cofactor * H = the
    identity, and the loop goes on with the next counter (probability 8/2^255 per try).
    """
    front, back = b"\x01", b"\x00"
    return _tai_loop(lambda ctr: _h(bytes([SUITE_TAI]) + front + encode_to_curve_salt + alpha + bytes([ctr]) + back))


def _tai_loop(hash_for_ctr: Callable[[int], bytes]) -> tuple[Point, int]:
    """5.4.1.1 steps 4-6 given step 5B's hash_string as a function of ctr."""
    for ctr in range(256):  # step 5 A-E
        h = string_to_point(hash_for_ctr(ctr)[:PT_LEN])  # C: interpret_hash_value_as_a_point
        if h is None:
            continue
        h = scalar_mult(COFACTOR, h)  # D
        if not point_equal(h, IDENTITY):
            return h, ctr
    raise ValueError("try-and-increment found no point in 256 tries")  # probability ~2^-256


# ---------------------------------------------------------------------------
# 5.4.1.2 ECVRF_encode_to_curve_h2c_suite: RFC 9380 edwards25519_XMD:SHA-512_ELL2_NU_
# ---------------------------------------------------------------------------

ELL2_DST = b"ECVRF_edwards25519_XMD:SHA-512_ELL2_NU_" + bytes([SUITE_ELL2])
_MONT_A = 486662
_ELL2_Z = 2


def expand_message_xmd(msg: bytes, dst: bytes, len_in_bytes: int) -> bytes:
    """RFC 9380 5.3.1 with SHA-512 (b_in_bytes = 64, s_in_bytes = 128)."""
    b_in_bytes, s_in_bytes = 64, 128
    ell = -(-len_in_bytes // b_in_bytes)
    if ell > 255 or len_in_bytes > 65535 or len(dst) > 255:
        raise ValueError("expand_message_xmd: parameters out of range")
    dst_prime = dst + bytes([len(dst)])
    z_pad = bytes(s_in_bytes)
    l_i_b_str = len_in_bytes.to_bytes(2, "big")
    msg_prime = z_pad + msg + l_i_b_str + b"\x00" + dst_prime
    b0 = _h(msg_prime)
    b = [_h(b0 + b"\x01" + dst_prime)]
    for i in range(2, ell + 1):
        b.append(_h(bytes(x ^ y for x, y in zip(b0, b[-1], strict=True)) + bytes([i]) + dst_prime))
    return b"".join(b)[:len_in_bytes]


def hash_to_field(msg: bytes, count: int = 1) -> list[int]:
    """RFC 9380 5.2 with m = 1, L = 48."""
    length = 48
    uniform = expand_message_xmd(msg, ELL2_DST, count * length)
    return [int.from_bytes(uniform[i * length : (i + 1) * length], "big") % P for i in range(count)]


def _is_square(a: int) -> bool:
    return a % P == 0 or pow(a, (P - 1) // 2, P) == 1


def _sqrt(a: int) -> int:
    """A square root of a square a (RFC 9380 I.2, either root)."""
    x = pow(a, (P + 3) // 8, P)
    if (x * x - a) % P != 0:
        x = x * SQRT_M1 % P
    assert (x * x - a) % P == 0
    return x


def _sgn0(a: int) -> int:
    return a % P & 1


def map_to_curve_elligator2_curve25519(u: int) -> tuple[int, int]:
    """RFC 9380 6.7.1 (Elligator 2) on curve25519; returns Montgomery (s, t)."""
    a, z = _MONT_A, _ELL2_Z
    tv1 = z * u * u % P
    x1 = (-a * _inv(1 + tv1)) % P if (1 + tv1) % P != 0 else (-a) % P  # inv0(0) = 0
    gx1 = (x1 * x1 * x1 + a * x1 * x1 + x1) % P
    x2 = (-x1 - a) % P
    gx2 = (x2 * x2 * x2 + a * x2 * x2 + x2) % P
    if _is_square(gx1):
        x, y = x1, _sqrt(gx1)
        if _sgn0(y) != 1:
            y = (-y) % P
    else:
        x, y = x2, _sqrt(gx2)
        if _sgn0(y) != 0:
            y = (-y) % P
    return x, y


def _rational_map_to_edwards(s: int, t: int) -> tuple[int, int]:
    """RFC 9380 6.8.2 curve25519 -> edwards25519: v = sqrt(-486664) * s / t, w = (s - 1) / (s + 1).

    The exceptional cases t == 0 and s == -1 map to the identity (0, 1).
    """
    if t % P == 0 or (s + 1) % P == 0:
        return 0, 1
    c1 = _sqrt((-486664) % P)
    if _sgn0(c1) == 1:  # the constant is the root with sgn0 = 0
        c1 = P - c1
    return c1 * s * _inv(t) % P, (s - 1) * _inv(s + 1) % P


def map_to_curve_elligator2_edwards25519(u: int) -> Point:
    s, t = map_to_curve_elligator2_curve25519(u)
    x, y = _rational_map_to_edwards(s, t)
    return (x, y, 1, x * y % P)


def encode_to_curve_ell2(encode_to_curve_salt: bytes, alpha: bytes) -> Point:
    """RFC 9380 3 encode_to_curve (NU): hash_to_field, map_to_curve, clear_cofactor."""
    (u,) = hash_to_field(encode_to_curve_salt + alpha, 1)
    return scalar_mult(COFACTOR, map_to_curve_elligator2_edwards25519(u))


def encode_to_curve(suite: int, pk: bytes, alpha: bytes) -> Point:
    """5.4.1: H = ECVRF_encode_to_curve(encode_to_curve_salt = PK_string, alpha)."""
    if suite == SUITE_TAI:
        return encode_to_curve_tai(pk, alpha)[0]
    if suite == SUITE_ELL2:
        return encode_to_curve_ell2(pk, alpha)
    raise ValueError(f"unknown suite {suite:#04x}")


# ---------------------------------------------------------------------------
# 5.4.2.2 nonce, 5.4.3 challenge, 5.4.4 decode_proof
# ---------------------------------------------------------------------------


def nonce_generation(sk: bytes, h_string: bytes) -> int:
    """5.4.2.2 (RFC 8032 style): k = SHA-512(prefix || H_string) mod q."""
    _, prefix = expand_secret(sk)
    return int.from_bytes(_h(prefix + h_string), "little") % Q


def challenge_generation(suite: int, points: list[Point]) -> int:
    """5.4.3: c = first cLen bytes of Hash(suite || 0x02 || P1 || ... || P5 || 0x00)."""
    s = bytes([suite]) + b"\x02" + b"".join(point_to_string(p) for p in points) + b"\x00"
    return int.from_bytes(_h(s)[:C_LEN], "little")


def decode_proof(pi: bytes) -> tuple[Point, int, int] | None:
    """5.4.4: (Gamma, c, s) or None for INVALID (bad length, Gamma not a point, s >= q)."""
    if len(pi) != PT_LEN + C_LEN + Q_LEN:
        return None
    gamma = string_to_point(pi[:PT_LEN])
    if gamma is None:
        return None
    c = int.from_bytes(pi[PT_LEN : PT_LEN + C_LEN], "little")
    s = int.from_bytes(pi[PT_LEN + C_LEN :], "little")
    if s >= Q:
        return None
    return gamma, c, s


# ---------------------------------------------------------------------------
# 5.1 prove, 5.2 proof_to_hash, 5.3 verify, 5.4.5 validate_key
# ---------------------------------------------------------------------------


def prove(sk: bytes, alpha: bytes, suite: int = SUITE_TAI) -> bytes:
    x, _ = expand_secret(sk)  # step 1
    y_point = scalar_mult(x, B)
    pk = point_to_string(y_point)
    h = encode_to_curve(suite, pk, alpha)  # step 2
    h_string = point_to_string(h)  # step 3
    gamma = scalar_mult(x, h)  # step 4
    k = nonce_generation(sk, h_string)  # step 5
    c = challenge_generation(suite, [y_point, h, gamma, scalar_mult(k, B), scalar_mult(k, h)])  # step 6
    s = (k + c * x) % Q  # step 7
    return point_to_string(gamma) + c.to_bytes(C_LEN, "little") + s.to_bytes(Q_LEN, "little")  # step 8


def proof_to_hash(pi: bytes, suite: int = SUITE_TAI) -> bytes | None:
    decoded = decode_proof(pi)
    if decoded is None:
        return None
    gamma = decoded[0]
    return _h(bytes([suite]) + b"\x03" + point_to_string(scalar_mult(COFACTOR, gamma)) + b"\x00")


def validate_key(pk: bytes) -> bool:
    """5.4.5: Y decodes and is not of small order (cofactor * Y != identity)."""
    y_point = string_to_point(pk)
    return y_point is not None and not point_equal(scalar_mult(COFACTOR, y_point), IDENTITY)


def verify(pk: bytes, alpha: bytes, pi: bytes, suite: int = SUITE_TAI, validate: bool = True) -> bytes | None:
    """5.3: beta if VALID, None if INVALID."""
    y_point = string_to_point(pk)  # step 1
    if y_point is None:  # step 2
        return None
    if validate and not validate_key(pk):  # step 3
        return None
    decoded = decode_proof(pi)  # step 4
    if decoded is None:  # step 5
        return None
    gamma, c, s = decoded
    h = encode_to_curve(suite, pk, alpha)  # step 6
    u = point_add(scalar_mult(s, B), point_neg(scalar_mult(c, y_point)))  # step 7
    v = point_add(scalar_mult(s, h), point_neg(scalar_mult(c, gamma)))  # step 8
    c_prime = challenge_generation(suite, [y_point, h, gamma, u, v])  # step 9
    if c != c_prime:  # step 10
        return None
    return proof_to_hash(pi, suite)


# ---------------------------------------------------------------------------
# draft-irtf-cfrg-vrf-03: ECVRF-ED25519-SHA512-TAI and -Elligator2 (section 5.5)
# The suites of Algorand's and IOHK/Cardano's libsodium forks.  Differences from RFC 9381:
#   * hash to curve: TAI hashes suite || 0x01 || PK || alpha || ctr (no trailing 0x00);
#     Elligator2 is the draft's own map (5.4.1.2), not RFC 9380's;
#   * challenge: ECVRF_hash_points(H, Gamma, U, V) -- no Y, no trailing 0x00 (5.4.2);
#   * proof_to_hash: Hash(suite || 0x03 || cofactor * Gamma) -- no trailing 0x00 (5.2);
#   * suite_string octets 0x03 (TAI) and 0x04 (Elligator2).  In this package their Suite
#     values are 0x103 and 0x104 (0x100 | octet) so they cannot collide with RFC 9381's.
# ---------------------------------------------------------------------------

SUITE_DRAFT03_TAI = 0x103
SUITE_DRAFT03_ELL2 = 0x104
_MONT_A_D3 = 486662


def draft03_hash_to_curve_tai(suite_octet: int, pk: bytes, alpha: bytes) -> tuple[Point, int]:
    """draft-03 5.4.1.1 (with a one-octet ctr_string, as the vectors and both forks use it)."""
    return _tai_loop(lambda ctr: _h(bytes([suite_octet, 0x01]) + pk + alpha + bytes([ctr])))


def draft03_elligator2_r(suite_octet: int, pk: bytes, alpha: bytes) -> int:
    """Steps 1-9: r, the hash with the high bit of octet 31 cleared."""
    truncated_h_string = bytearray(_h(bytes([suite_octet, 0x01]) + pk + alpha)[:32])  # steps 3-4
    truncated_h_string[31] &= 0x7F  # step 8 (the saved x0 of step 7 is not used: see below)
    return int.from_bytes(truncated_h_string, "little")  # step 9


def draft03_hash_to_curve_elligator2(suite_octet: int, pk: bytes, alpha: bytes) -> Point:
    """draft-03 5.4.1.2 ECVRF_hash_to_curve_elligator2_25519.

    Step 15B would OR the saved bit x0 into the encoding (choosing the sign of x).  draft-03's
    published vectors (A.4) and both libsodium forks encode the point with sign bit 0; the
    vectors are the interoperability target, so x0 is dropped here as there.
    """
    r = draft03_elligator2_r(suite_octet, pk, alpha)
    a = _MONT_A_D3
    u = (-a * _inv(1 + 2 * r * r)) % P  # step 10
    w = u * (u * u + a * u + 1) % P  # step 11
    e = pow(w, (P - 1) // 2, P)  # step 12 (Legendre symbol: 1, p - 1, or 0 if w == 0)
    final_u = u if e == 1 else (-a - u) % P  # step 13
    y_coordinate = (final_u - 1) * _inv(final_u + 1) % P  # step 14
    h = string_to_point(int.to_bytes(y_coordinate, 32, "little"))  # steps 15-16, sign bit 0
    if h is None:  # impossible: y comes from a curve25519 point
        raise ValueError("draft-03 Elligator2: y does not decode")
    return scalar_mult(COFACTOR, h)  # step 17


def draft03_hash_to_curve(suite: int, pk: bytes, alpha: bytes) -> Point:
    if suite == SUITE_DRAFT03_TAI:
        return draft03_hash_to_curve_tai(suite & 0xFF, pk, alpha)[0]
    if suite == SUITE_DRAFT03_ELL2:
        return draft03_hash_to_curve_elligator2(suite & 0xFF, pk, alpha)
    raise ValueError(f"unknown draft-03 suite {suite:#x}")


def draft03_hash_points(suite: int, points: list[Point]) -> int:
    """draft-03 5.4.2: first n = 16 octets of Hash(suite || 0x02 || P1 || ... || Pm)."""
    s = bytes([suite & 0xFF, 0x02]) + b"".join(point_to_string(p) for p in points)
    return int.from_bytes(_h(s)[:C_LEN], "little")


def draft03_prove(sk: bytes, alpha: bytes, suite: int = SUITE_DRAFT03_ELL2) -> bytes:
    """draft-03 5.1."""
    x, _ = expand_secret(sk)
    pk = point_to_string(scalar_mult(x, B))
    h = draft03_hash_to_curve(suite, pk, alpha)  # step 1
    h_string = point_to_string(h)  # step 2
    gamma = scalar_mult(x, h)  # step 3
    k = nonce_generation(sk, h_string)  # step 4 (RFC 8032 style, as RFC 9381 5.4.2.2)
    c = draft03_hash_points(suite, [h, gamma, scalar_mult(k, B), scalar_mult(k, h)])  # step 5
    s = (k + c * x) % Q  # step 6
    return point_to_string(gamma) + c.to_bytes(C_LEN, "little") + s.to_bytes(Q_LEN, "little")  # step 7


def draft03_proof_to_hash(pi: bytes, suite: int = SUITE_DRAFT03_ELL2) -> bytes | None:
    """draft-03 5.2 (this package also rejects s >= q in decode_proof; the draft does not check s)."""
    decoded = decode_proof(pi)
    if decoded is None:
        return None
    return _h(bytes([suite & 0xFF, 0x03]) + point_to_string(scalar_mult(COFACTOR, decoded[0])))


def draft03_verify(pk: bytes, alpha: bytes, pi: bytes, suite: int = SUITE_DRAFT03_ELL2,
                   validate: bool = True) -> bytes | None:
    """draft-03 5.3, with 5.6.1 key validation first when ``validate``."""
    y_point = string_to_point(pk)
    if y_point is None or (validate and not validate_key(pk)):
        return None
    decoded = decode_proof(pi)  # steps 1-3
    if decoded is None:
        return None
    gamma, c, s = decoded
    u = point_add(scalar_mult(s, B), point_neg(scalar_mult(c, y_point)))  # step 4
    h = draft03_hash_to_curve(suite, pk, alpha)  # step 5
    v = point_add(scalar_mult(s, h), point_neg(scalar_mult(c, gamma)))  # step 6
    if c != draft03_hash_points(suite, [h, gamma, u, v]):  # steps 7-8
        return None
    return draft03_proof_to_hash(pi, suite)


# ---------------------------------------------------------------------------
# Batch-compatible proofs (IOHK/Cardano) for RFC 9381 ECVRF-EDWARDS25519-SHA512-ELL2:
# pi = Gamma || U || V || s, U = k*B, V = k*H; c is recomputed from (Y, H, Gamma, U, V).
# This package checks both equations cofactored ([8](s*B - c*Y - U) = O and
# [8](s*H - c*Gamma - V) = O) so that batch and single verification agree.
# ---------------------------------------------------------------------------


def batchcompat_prove(sk: bytes, alpha: bytes) -> bytes:
    x, _ = expand_secret(sk)
    y_point = scalar_mult(x, B)
    pk = point_to_string(y_point)
    h = encode_to_curve(SUITE_ELL2, pk, alpha)
    gamma = scalar_mult(x, h)
    k = nonce_generation(sk, point_to_string(h))
    u, v = scalar_mult(k, B), scalar_mult(k, h)
    c = challenge_generation(SUITE_ELL2, [y_point, h, gamma, u, v])
    s = (k + c * x) % Q
    return point_to_string(gamma) + point_to_string(u) + point_to_string(v) + s.to_bytes(Q_LEN, "little")


def batchcompat_verify(pk: bytes, alpha: bytes, pi: bytes, validate: bool = True) -> bytes | None:
    y_point = string_to_point(pk)
    if y_point is None or (validate and not validate_key(pk)) or len(pi) != 128:
        return None
    gamma, u, v = (string_to_point(pi[i : i + 32]) for i in (0, 32, 64))
    s = int.from_bytes(pi[96:], "little")
    if gamma is None or u is None or v is None or s >= Q:
        return None
    h = encode_to_curve(SUITE_ELL2, pk, alpha)
    c = challenge_generation(SUITE_ELL2, [y_point, h, gamma, u, v])
    d_u = point_add(point_add(scalar_mult(s, B), point_neg(scalar_mult(c, y_point))), point_neg(u))
    d_v = point_add(point_add(scalar_mult(s, h), point_neg(scalar_mult(c, gamma))), point_neg(v))
    for d in (d_u, d_v):
        if not point_equal(scalar_mult(COFACTOR, d), IDENTITY):
            return None
    return _h(bytes([SUITE_ELL2]) + b"\x03" + point_to_string(scalar_mult(COFACTOR, gamma)) + b"\x00")


# ---------------------------------------------------------------------------
# Ed25519 verification, ZIP-215 rule (see vrf.ed25519)
# ---------------------------------------------------------------------------


def zip215_decode(s: bytes) -> Point | None:
    """RFC 8032 5.1.3 without the canonicity checks: y mod p, x = 0 with sign 1 accepted."""
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y = (y & ((1 << 255) - 1)) % P
    x2 = (y * y - 1) * _inv(D * y * y + 1) % P
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = (P - x) % P
    return (x, y, 1, x * y % P)


def ed25519_verify_zip215(pk: bytes, msg: bytes, sig: bytes) -> bool:
    if len(pk) != 32 or len(sig) != 64:
        return False
    a, r = zip215_decode(pk), zip215_decode(sig[:32])
    s = int.from_bytes(sig[32:], "little")
    if a is None or r is None or s >= Q:
        return False
    k = int.from_bytes(_h(sig[:32] + pk + msg), "little") % Q
    d = point_add(point_add(scalar_mult(s, B), point_neg(r)), point_neg(scalar_mult(k, a)))
    return point_equal(scalar_mult(COFACTOR, d), IDENTITY)


# ===========================================================================
# ECVRF-P256-SHA256-TAI (0x01) and ECVRF-P256-SHA256-SSWU (0x02), RFC 9381 section 5.5
# ---------------------------------------------------------------------------
# NIST P-256 (FIPS 186-4 D.1.2.3 / SEC 2): y^2 = x^3 - 3x + b over GF(p), prime order q,
# cofactor 1.  Integers are big-endian, points are SEC1 compressed (33 bytes), Hash is
# SHA-256, cLen = 16, qLen = 32, ptLen = 33; the nonce is RFC 6979 (5.4.2.1).  Names are
# prefixed p256_ so that the edwards25519 names above keep their meaning.
# ===========================================================================

import hmac  # noqa: E402

P256_P = 2**256 - 2**224 + 2**192 + 2**96 - 1
P256_Q = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P256_A = P256_P - 3
P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
P256_GX = 0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296
P256_GY = 0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5

P256_SUITE_TAI = 0x01
P256_SUITE_SSWU = 0x02
P256_C_LEN = 16
P256_Q_LEN = 32
P256_PT_LEN = 33

P256Point = tuple[int, int] | None  # affine (x, y); None is the point at infinity
P256_G: P256Point = (P256_GX, P256_GY)


def p256_on_curve(pt: P256Point) -> bool:
    if pt is None:
        return True
    x, y = pt
    return (y * y - (x * x * x + P256_A * x + P256_B)) % P256_P == 0


def p256_add(p1: P256Point, p2: P256Point) -> P256Point:
    """Affine addition with the textbook case split (reference only; the C core uses complete formulas)."""
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    x1, y1 = p1
    x2, y2 = p2
    if x1 == x2 and (y1 + y2) % P256_P == 0:
        return None
    if p1 == p2:
        lam = (3 * x1 * x1 + P256_A) * pow(2 * y1, -1, P256_P) % P256_P
    else:
        lam = (y2 - y1) * pow(x2 - x1, -1, P256_P) % P256_P
    x3 = (lam * lam - x1 - x2) % P256_P
    return (x3, (lam * (x1 - x3) - y1) % P256_P)


def p256_neg(pt: P256Point) -> P256Point:
    return None if pt is None else (pt[0], (-pt[1]) % P256_P)


def p256_mul(n: int, pt: P256Point) -> P256Point:
    """n*P by double-and-add (variable time: reference only)."""
    result: P256Point = None
    addend = pt
    while n > 0:
        if n & 1:
            result = p256_add(result, addend)
        addend = p256_add(addend, addend)
        n >>= 1
    return result


def p256_point_to_string(pt: P256Point) -> bytes:
    """SEC1 2.3.3 with point compression; the identity is the single byte 0x00."""
    if pt is None:
        return b"\x00"
    x, y = pt
    return bytes([2 | (y & 1)]) + x.to_bytes(32, "big")


def p256_string_to_point(s: bytes) -> P256Point:
    """SEC1 2.3.4, compressed form only; None for INVALID (there is no valid encoding of infinity here)."""
    if len(s) != P256_PT_LEN or s[0] not in (2, 3):
        return None
    x = int.from_bytes(s[1:], "big")
    if x >= P256_P:
        return None
    rhs = (x * x * x + P256_A * x + P256_B) % P256_P
    y = pow(rhs, (P256_P + 1) // 4, P256_P)  # p = 3 mod 4
    if y * y % P256_P != rhs:
        return None
    if (y & 1) != (s[0] & 1):
        y = P256_P - y
    return (x, y)


def p256_public_key(sk: bytes) -> bytes:
    """Y = x*B, SEC1 compressed; the secret key is the scalar x (32 bytes big-endian, 1 <= x < q)."""
    x = int.from_bytes(sk, "big")
    if len(sk) != 32 or not 1 <= x < P256_Q:
        raise ValueError("P-256 secret key must be 32 bytes encoding 1 <= x < q")
    return p256_point_to_string(p256_mul(x, P256_G))


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


# 5.4.1.1 try-and-increment; interpret_hash_value_as_a_point(s) = string_to_point(0x02 || s)


def p256_encode_to_curve_tai(encode_to_curve_salt: bytes, alpha: bytes) -> tuple[P256Point, int]:
    """Returns H and the counter value that produced it (cofactor 1: no multiplication)."""
    for ctr in range(256):
        hash_string = _sha256(bytes([P256_SUITE_TAI, 0x01]) + encode_to_curve_salt + alpha + bytes([ctr, 0x00]))
        h = p256_string_to_point(b"\x02" + hash_string)
        if h is not None:
            return h, ctr
    raise ValueError("try-and-increment found no point in 256 tries")  # probability ~2^-256


# 5.4.1.2 with RFC 9380 P256_XMD:SHA-256_SSWU_NU_

P256_SSWU_DST = b"ECVRF_P256_XMD:SHA-256_SSWU_NU_" + bytes([P256_SUITE_SSWU])
P256_SSWU_Z = P256_P - 10


def p256_expand_message_xmd(msg: bytes, dst: bytes, len_in_bytes: int) -> bytes:
    """RFC 9380 5.3.1 with SHA-256 (b_in_bytes = 32, s_in_bytes = 64)."""
    b_in_bytes, s_in_bytes = 32, 64
    ell = -(-len_in_bytes // b_in_bytes)
    if ell > 255 or len_in_bytes > 65535 or len(dst) > 255:
        raise ValueError("expand_message_xmd: parameters out of range")
    dst_prime = dst + bytes([len(dst)])
    msg_prime = bytes(s_in_bytes) + msg + len_in_bytes.to_bytes(2, "big") + b"\x00" + dst_prime
    b0 = _sha256(msg_prime)
    b = [_sha256(b0 + b"\x01" + dst_prime)]
    for i in range(2, ell + 1):
        b.append(_sha256(bytes(x ^ y for x, y in zip(b0, b[-1], strict=True)) + bytes([i]) + dst_prime))
    return b"".join(b)[:len_in_bytes]


def p256_hash_to_field(msg: bytes, count: int = 1) -> list[int]:
    """RFC 9380 5.2 with m = 1, L = 48."""
    length = 48
    uniform = p256_expand_message_xmd(msg, P256_SSWU_DST, count * length)
    return [int.from_bytes(uniform[i * length : (i + 1) * length], "big") % P256_P for i in range(count)]


def _p256_is_square(a: int) -> bool:
    return a % P256_P == 0 or pow(a, (P256_P - 1) // 2, P256_P) == 1


def _p256_inv0(a: int) -> int:
    return pow(a, P256_P - 2, P256_P)  # inv0(0) = 0


def p256_map_to_curve_sswu(u: int) -> tuple[int, int, int, bool]:
    """RFC 9380 6.6.2 simplified SWU for A = -3, B = b, Z = -10; returns (x, y, x1, gx1 is square)."""
    p, a, b, z = P256_P, P256_A, P256_B, P256_SSWU_Z
    tv1 = _p256_inv0((z * z * pow(u, 4, p) + z * u * u) % p)  # 1
    x1 = (-b * _p256_inv0(a)) % p * (1 + tv1) % p  # 2
    if tv1 == 0:  # 3
        x1 = b * _p256_inv0(z * a % p) % p
    gx1 = (x1 * x1 * x1 + a * x1 + b) % p  # 4
    x2 = z * u * u * x1 % p  # 5
    gx2 = (x2 * x2 * x2 + a * x2 + b) % p  # 6
    square = _p256_is_square(gx1)
    if square:  # 7
        x, y = x1, pow(gx1, (p + 1) // 4, p)
    else:  # 8
        x, y = x2, pow(gx2, (p + 1) // 4, p)
    if (u % p) & 1 != y & 1:  # 9: sgn0(u) != sgn0(y)
        y = p - y
    return x, y, x1, square


def p256_encode_to_curve_sswu(encode_to_curve_salt: bytes, alpha: bytes) -> P256Point:
    """RFC 9380 3 encode_to_curve (NU): hash_to_field, map_to_curve, clear_cofactor (h_eff = 1)."""
    (u,) = p256_hash_to_field(encode_to_curve_salt + alpha, 1)
    x, y, _, _ = p256_map_to_curve_sswu(u)
    return (x, y)


def p256_encode_to_curve(suite: int, pk: bytes, alpha: bytes) -> P256Point:
    """5.4.1: H = ECVRF_encode_to_curve(encode_to_curve_salt = PK_string, alpha)."""
    if suite == P256_SUITE_TAI:
        return p256_encode_to_curve_tai(pk, alpha)[0]
    if suite == P256_SUITE_SSWU:
        return p256_encode_to_curve_sswu(pk, alpha)
    raise ValueError(f"unknown P-256 suite {suite:#04x}")


def p256_nonce_generation(sk: bytes, h_string: bytes) -> int:
    """5.4.2.1: RFC 6979 section 3.2 with HMAC-SHA-256, m = h_string (so h1 = SHA-256(h_string))."""
    x = int.from_bytes(sk, "big")
    h1 = _sha256(h_string)  # a
    bh = (int.from_bytes(h1, "big") % P256_Q).to_bytes(32, "big")  # bits2octets(h1): qlen = hlen = 256
    xo = x.to_bytes(32, "big")  # int2octets(x)
    v = b"\x01" * 32  # b
    k = b"\x00" * 32  # c

    def mac(key: bytes, data: bytes) -> bytes:
        return hmac.new(key, data, hashlib.sha256).digest()

    k = mac(k, v + b"\x00" + xo + bh)  # d
    v = mac(k, v)  # e
    k = mac(k, v + b"\x01" + xo + bh)  # f
    v = mac(k, v)  # g
    while True:  # h
        v = mac(k, v)
        cand = int.from_bytes(v, "big")  # bits2int(T), tlen = qlen
        if 1 <= cand < P256_Q:
            return cand
        k = mac(k, v + b"\x00")
        v = mac(k, v)


def p256_challenge_generation(suite: int, points: list[P256Point]) -> int:
    """5.4.3: c = first cLen bytes of SHA-256(suite || 0x02 || P1 || ... || P5 || 0x00), big-endian."""
    s = bytes([suite]) + b"\x02" + b"".join(p256_point_to_string(p) for p in points) + b"\x00"
    return int.from_bytes(_sha256(s)[:P256_C_LEN], "big")


def p256_decode_proof(pi: bytes) -> tuple[P256Point, int, int] | None:
    """5.4.4: (Gamma, c, s) or None for INVALID (bad length, Gamma not a point, s >= q)."""
    if len(pi) != P256_PT_LEN + P256_C_LEN + P256_Q_LEN:
        return None
    gamma = p256_string_to_point(pi[:P256_PT_LEN])
    if gamma is None:
        return None
    c = int.from_bytes(pi[P256_PT_LEN : P256_PT_LEN + P256_C_LEN], "big")
    s = int.from_bytes(pi[P256_PT_LEN + P256_C_LEN :], "big")
    if s >= P256_Q:
        return None
    return gamma, c, s


def p256_prove(sk: bytes, alpha: bytes, suite: int = P256_SUITE_TAI) -> bytes:
    x = int.from_bytes(sk, "big")
    pk = p256_public_key(sk)  # step 1 (checks 1 <= x < q)
    y_point = p256_string_to_point(pk)
    h = p256_encode_to_curve(suite, pk, alpha)  # step 2
    h_string = p256_point_to_string(h)  # step 3
    gamma = p256_mul(x, h)  # step 4
    k = p256_nonce_generation(sk, h_string)  # step 5
    c = p256_challenge_generation(suite, [y_point, h, gamma, p256_mul(k, P256_G), p256_mul(k, h)])  # step 6
    s = (k + c * x) % P256_Q  # step 7
    return p256_point_to_string(gamma) + c.to_bytes(P256_C_LEN, "big") + s.to_bytes(P256_Q_LEN, "big")  # step 8


def p256_proof_to_hash(pi: bytes, suite: int = P256_SUITE_TAI) -> bytes | None:
    """5.2: beta = SHA-256(suite || 0x03 || point_to_string(cofactor * Gamma) || 0x00), cofactor 1."""
    decoded = p256_decode_proof(pi)
    if decoded is None:
        return None
    return _sha256(bytes([suite]) + b"\x03" + p256_point_to_string(decoded[0]) + b"\x00")


def p256_validate_key(pk: bytes) -> bool:
    """5.4.5: Y decodes and cofactor*Y = Y is not the identity (which has no 33-byte encoding)."""
    y_point = p256_string_to_point(pk)
    return y_point is not None and p256_on_curve(y_point)


def p256_verify(pk: bytes, alpha: bytes, pi: bytes, suite: int = P256_SUITE_TAI) -> bytes | None:
    """5.3: beta if VALID, None if INVALID."""
    y_point = p256_string_to_point(pk)  # step 1
    if y_point is None or not p256_validate_key(pk):  # steps 2-3
        return None
    decoded = p256_decode_proof(pi)  # step 4
    if decoded is None:  # step 5
        return None
    gamma, c, s = decoded
    h = p256_encode_to_curve(suite, pk, alpha)  # step 6
    u = p256_add(p256_mul(s, P256_G), p256_neg(p256_mul(c, y_point)))  # step 7
    v = p256_add(p256_mul(s, h), p256_neg(p256_mul(c, gamma)))  # step 8
    c_prime = p256_challenge_generation(suite, [y_point, h, gamma, u, v])  # step 9
    if c != c_prime:  # step 10
        return None
    return p256_proof_to_hash(pi, suite)
