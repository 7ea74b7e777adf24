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
