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
    """Returns H and the counter value that produced it."""
    front, back = b"\x01", b"\x00"
    for ctr in range(256):
        hash_string = _h(bytes([SUITE_TAI]) + front + encode_to_curve_salt + alpha + bytes([ctr]) + back)
        h = string_to_point(hash_string[:PT_LEN])  # interpret_hash_value_as_a_point
        if h is not None:
            return scalar_mult(COFACTOR, h), ctr
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
