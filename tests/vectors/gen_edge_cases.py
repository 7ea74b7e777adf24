#!/usr/bin/env python3
"""Generate tests/vectors/edge_cases.json: hostile inputs for the ECVRF with expected results.

Usage: python3 tests/vectors/gen_edge_cases.py [--check]

Only the pure-Python reference (vrf.reference) is used here, never the C core, and every
case carries a hand-written expectation (``result``) that the generator asserts the
reference agrees with before writing it.  tests/test_vrf_edge_cases.py then holds both
the C core and the reference to the file.  Format: tests/vectors/README.md.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from vrf import reference as R  # noqa: E402

OUT = Path(__file__).resolve().parent / "edge_cases.json"
P, Q = R.P, R.Q
SUITES = (R.SUITE_TAI, R.SUITE_ELL2)
LONG_ALPHA = {"repeat": "61", "count": 1 << 20}  # 1 MiB of "a"


def alpha_bytes(a: str | dict[str, Any]) -> bytes:
    if isinstance(a, str):
        return bytes.fromhex(a)
    return bytes.fromhex(a["repeat"]) * a["count"]


def enc_y(y: int, sign: int = 0) -> bytes:
    return (y | (sign << 255)).to_bytes(32, "little")


def small_order_points() -> list[tuple[bytes, int]]:
    """The 8 torsion points, canonically encoded, with their orders."""
    y8 = 0x7A03AC9277FDC74EC6CC392CFA53202A0F67100D760B3CBA4FD84D3D706A17C7
    t = R.string_to_point(y8.to_bytes(32, "little"))
    assert t is not None
    out, acc = [], R.IDENTITY
    for i in range(8):
        order = 8 // __import__("math").gcd(i, 8)
        out.append((R.point_to_string(acc), order))
        acc = R.point_add(acc, t)
    return out


def seed(label: str) -> bytes:
    return hashlib.sha512(label.encode()).digest()[:32]


class Builder:
    def __init__(self) -> None:
        self.cases: list[dict[str, Any]] = []

    def add(self, name: str, op: str, result: str, note: str, **kw: Any) -> None:
        case: dict[str, Any] = {"name": name, "op": op}
        for k in ("suite", "sk", "pk", "pi", "alpha", "validate"):
            if k in kw:
                v = kw[k]
                case[k] = v.hex() if isinstance(v, bytes) else v
        got = self.reference(case)
        beta = None
        if isinstance(got, bytes):
            beta, got = got, "valid"
        elif got is True:
            got = "valid"
        elif got is False or got is None:
            got = "invalid"
        if got != result:
            raise SystemExit(f"reference disagrees with the expectation for {name}: {got} != {result}")
        case["result"] = result
        if beta is not None and op in ("proof_to_hash", "verify"):
            case["beta"] = beta.hex()
        if op == "verify" and "sk" in kw:
            pi = R.prove(kw["sk"], alpha_bytes(case["alpha"]), kw["suite"])
            assert pi.hex() == case["pi"], name
        case["note"] = note
        self.cases.append(case)

    @staticmethod
    def reference(case: dict[str, Any]) -> Any:
        op = case["op"]
        if op == "decode_key":
            return R.string_to_point(bytes.fromhex(case["pk"])) is not None
        if op == "validate_key":
            return R.validate_key(bytes.fromhex(case["pk"]))
        if op == "proof_to_hash":
            return R.proof_to_hash(bytes.fromhex(case["pi"]), case["suite"])
        if op == "verify":
            return R.verify(bytes.fromhex(case["pk"]), alpha_bytes(case["alpha"]), bytes.fromhex(case["pi"]),
                            case["suite"], case["validate"])
        raise ValueError(op)


def forge_with_torsion(suite: int, x: int, torsion: bytes, alpha: bytes) -> tuple[bytes, bytes]:
    """A proof for key Y' = x*B + T (T of small order) that verifies, by grinding the nonce
    until c*T = identity.  With x = 0 the key is T itself (small order)."""
    t = R.string_to_point(torsion)
    assert t is not None
    y_point = R.point_add(R.scalar_mult(x, R.B), t)
    pk = R.point_to_string(y_point)
    h = R.encode_to_curve(suite, pk, alpha)
    gamma = R.scalar_mult(x, h)
    for i in range(1000):
        k = int.from_bytes(hashlib.sha512(b"edge-nonce" + pk + bytes([suite]) + i.to_bytes(4, "little")).digest(),
                           "little") % Q
        c = R.challenge_generation(suite, [y_point, h, gamma, R.scalar_mult(k, R.B), R.scalar_mult(k, h)])
        if R.point_equal(R.scalar_mult(c, t), R.IDENTITY):
            s = (k + c * x) % Q
            return pk, R.point_to_string(gamma) + c.to_bytes(16, "little") + s.to_bytes(32, "little")
    raise AssertionError("no nonce found")


def build() -> dict[str, Any]:
    b = Builder()
    small = small_order_points()

    # -- keys: small order, non-canonical, mixed order --------------------------------
    for i, (pt, order) in enumerate(small):
        b.add(f"small_order_key_{i}_decode", "decode_key", "valid",
              f"torsion point of order {order}: a canonical encoding, so it decodes", pk=pt)
        b.add(f"small_order_key_{i}_validate", "validate_key", "invalid",
              f"torsion point of order {order}: rejected by RFC 9381 5.4.5", pk=pt)
    for d in range(19):  # y = p + d for d in 0..18: every y >= p that fits in 255 bits
        for sign in (0, 1):
            would = R.string_to_point(enc_y(d, sign)) is not None
            b.add(f"noncanonical_y_p_plus_{d}_sign{sign}", "decode_key", "invalid",
                  f"y = p + {d} is not reduced mod p (y mod p = {d} {'is' if would else 'is not'} "
                  f"a point with this sign)", pk=enc_y(P + d, sign))
    b.add("noncanonical_y_max_sign1", "decode_key", "invalid", "y = 2^255 - 1 with the sign bit", pk=b"\xff" * 32)
    b.add("x0_sign1_identity", "decode_key", "invalid", "y = 1 (x = 0) with the sign bit set: -0 is not canonical",
          pk=enc_y(1, 1))
    b.add("x0_sign1_order2", "decode_key", "invalid", "y = -1 (x = 0) with the sign bit set", pk=enc_y(P - 1, 1))
    b.add("y2_not_on_curve", "decode_key", "invalid", "y = 2: (y^2-1)/(d y^2+1) is not a square", pk=enc_y(2))

    x_main, _ = R.expand_secret(seed("edge/mixed-order"))
    y_main = R.scalar_mult(x_main, R.B)
    for i, (pt, order) in enumerate(small[1:], 1):
        mixed = R.point_to_string(R.point_add(y_main, R.string_to_point(pt)))  # type: ignore[arg-type]
        b.add(f"mixed_order_key_{i}_validate", "validate_key", "valid",
              f"prime-order point + torsion of order {order}: not of small order, so 5.4.5 accepts it", pk=mixed)

    # -- honest baselines, empty and very long alpha -----------------------------------
    sk = seed("edge/honest")
    pk = R.public_key(sk)
    honest: dict[int, tuple[bytes, bytes]] = {}
    for suite in SUITES:
        for aname, alpha in (("empty", ""), ("short", b"edge".hex()), ("long_1MiB", LONG_ALPHA)):
            a = alpha_bytes(alpha)
            pi = R.prove(sk, a, suite)
            if aname == "short":
                honest[suite] = (pi, a)
            b.add(f"honest_{aname}_alpha_suite{suite}", "verify", "valid", f"honest proof, {aname} alpha",
                  suite=suite, sk=sk, pk=pk, pi=pi, alpha=alpha, validate=True)

    for suite in SUITES:
        pi, a = honest[suite]
        gamma, c, s = R.decode_proof(pi)  # type: ignore[misc]
        alpha = a.hex()

        def proof(g: bytes = pi[:32], c_b: bytes = pi[32:48], s_b: bytes = pi[48:]) -> bytes:
            return g + c_b + s_b

        # scalars
        for sname, sval, res in (("q", Q, "invalid"), ("q_plus_1", Q + 1, "invalid"),
                                 ("2^256-1", 2**256 - 1, "invalid"), ("q_minus_1", Q - 1, "valid")):
            bad = proof(s_b=sval.to_bytes(32, "little"))
            b.add(f"s_{sname}_proof_to_hash_suite{suite}", "proof_to_hash", res,
                  f"s = {sname}: decode_proof requires s < q", suite=suite, pi=bad)
            b.add(f"s_{sname}_verify_suite{suite}", "verify", "invalid", f"s = {sname}", suite=suite, pk=pk,
                  pi=bad, alpha=alpha, validate=True)
        b.add(f"s_plus_q_verify_suite{suite}", "verify", "invalid",
              "s + q: the same scalar mod q, but not canonical", suite=suite, pk=pk,
              pi=proof(s_b=(s + Q).to_bytes(32, "little")), alpha=alpha, validate=True)
        ones = proof(c_b=b"\xff" * 16)
        b.add(f"c_all_ones_proof_to_hash_suite{suite}", "proof_to_hash", "valid",
              "c = 2^128 - 1 decodes (c is not range-checked); beta depends on Gamma only", suite=suite, pi=ones)
        b.add(f"c_all_ones_verify_suite{suite}", "verify", "invalid", "c = 2^128 - 1", suite=suite, pk=pk,
              pi=ones, alpha=alpha, validate=True)
        # Gamma: small order, identity, shifted by torsion, non-canonical
        for i, (pt, order) in enumerate(small):
            what = "the identity" if i == 0 else f"a torsion point of order {order}"
            b.add(f"gamma_small_order_{i}_proof_to_hash_suite{suite}", "proof_to_hash", "valid",
                  f"Gamma = {what}: decodes; 8*Gamma is the identity", suite=suite, pi=proof(g=pt))
            b.add(f"gamma_small_order_{i}_verify_suite{suite}", "verify", "invalid", f"Gamma = {what}",
                  suite=suite, pk=pk, pi=proof(g=pt), alpha=alpha, validate=True)
            if i:
                shifted = R.point_to_string(R.point_add(gamma, R.string_to_point(pt)))  # type: ignore[arg-type]
                b.add(f"gamma_plus_torsion_{i}_proof_to_hash_suite{suite}", "proof_to_hash", "valid",
                      "Gamma + T: same beta as the honest proof (the cofactor clears T)", suite=suite,
                      pi=proof(g=shifted))
                b.add(f"gamma_plus_torsion_{i}_verify_suite{suite}", "verify", "invalid",
                      "Gamma + T with the honest c, s: V changes, so c does not match", suite=suite, pk=pk,
                      pi=proof(g=shifted), alpha=alpha, validate=True)
        b.add(f"gamma_noncanonical_suite{suite}", "proof_to_hash", "invalid", "Gamma = y = p + 1 (identity, unreduced)",
              suite=suite, pi=proof(g=enc_y(P + 1)))
        b.add(f"gamma_x0_sign1_suite{suite}", "proof_to_hash", "invalid", "Gamma = identity with the sign bit",
              suite=suite, pi=proof(g=enc_y(1, 1)))

        # forged proofs for small-order and mixed-order keys
        for i, (pt, order) in enumerate(small):
            fpk, fpi = forge_with_torsion(suite, 0, pt, a)
            for validate, res in ((False, "valid"), (True, "invalid")):
                b.add(f"forged_small_order_key_{i}_validate{int(validate)}_suite{suite}", "verify", res,
                      f"key = torsion point of order {order}, proof made without any secret: accepted "
                      f"only when key validation is off", suite=suite, pk=fpk, pi=fpi, alpha=alpha, validate=validate)
        for i in (1, 2, 4):
            pt, order = small[i]
            fpk, fpi = forge_with_torsion(suite, x_main, pt, a)
            b.add(f"mixed_order_key_{i}_proof_suite{suite}", "verify", "valid",
                  f"key = x*B + T (T of order {order}), proof by the holder of x with c*T = 0: valid under "
                  "RFC 9381 even with key validation", suite=suite, pk=fpk, pi=fpi, alpha=alpha, validate=True)
            b.add(f"mixed_order_key_{i}_honest_proof_suite{suite}", "verify", "invalid",
                  "the honest proof for x*B does not verify under x*B + T", suite=suite, pk=fpk, pi=pi,
                  alpha=alpha, validate=True)

    return {
        "description": "Hostile ECVRF-EDWARDS25519-SHA512 inputs with expected results, generated by "
                       "tests/vectors/gen_edge_cases.py from vrf.reference; format in tests/vectors/README.md.",
        "cases": b.cases,
    }


def render() -> str:
    return json.dumps(build(), indent=1) + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv[1:]:
        if OUT.read_text() != text:
            print(f"{OUT} does not match the generator", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT} ({len(json.loads(text)['cases'])} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
