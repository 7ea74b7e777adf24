"""RFC 9381 Appendix B vectors, byte for byte, for the C core and the reference."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import load_rfc_vectors

import vrf
from vrf import reference as R
from vrf._native import ffi, lib

VECTORS = load_rfc_vectors()
IDS = [f"{v['suite'].rsplit('-', 1)[1]}-ex{v['example']}" for v in VECTORS]


def suite_of(v: dict[str, Any]) -> vrf.Suite:
    return vrf.Suite.EDWARDS25519_SHA512_TAI if v["suite"].endswith("TAI") else vrf.Suite.EDWARDS25519_SHA512_ELL2


def hx(v: dict[str, Any], k: str) -> bytes:
    return bytes.fromhex(v[k])


def test_all_edwards_vectors_present() -> None:
    assert sorted((v["suite"], v["example"]) for v in VECTORS) == sorted(
        [("ECVRF-EDWARDS25519-SHA512-TAI", n) for n in (16, 17, 18)]
        + [("ECVRF-EDWARDS25519-SHA512-ELL2", n) for n in (19, 20, 21)]
    )


def test_in_repo_copy_matches_shared() -> None:
    shared = Path(__file__).resolve().parents[2] / "shared" / "vectors" / "rfc9381.json"
    if not shared.exists():
        pytest.skip("../shared/vectors not beside this checkout")
    full = json.loads(shared.read_text())
    assert [v for v in full if "EDWARDS" in v["suite"]] == VECTORS


@pytest.mark.parametrize("v", VECTORS, ids=IDS)
def test_c_core_matches_vector(v: dict[str, Any]) -> None:
    suite = suite_of(v)
    sk = vrf.SecretKey(hx(v, "sk"))
    assert bytes(sk.public_key) == hx(v, "pk")
    pi = sk.prove(hx(v, "alpha"), suite)
    assert pi == hx(v, "pi")
    assert pi[:32] == hx(v, "gamma") and pi[32:48] == hx(v, "c") and pi[48:] == hx(v, "s")
    assert vrf.PublicKey(hx(v, "pk")).verify(hx(v, "alpha"), pi, suite) == hx(v, "beta")
    assert vrf.proof_to_hash(pi, suite) == hx(v, "beta")
    h = ffi.new("uint8_t[32]")
    alpha = hx(v, "alpha")
    assert lib.seqvrf_debug_hash_to_curve(h, hx(v, "pk"), alpha, len(alpha), int(suite)) == 0
    assert bytes(h) == hx(v, "H")


@pytest.mark.parametrize("v", VECTORS, ids=IDS)
def test_reference_matches_vector_and_intermediates(v: dict[str, Any]) -> None:
    suite = int(suite_of(v))
    sk, pk, alpha = hx(v, "sk"), hx(v, "pk"), hx(v, "alpha")
    x, _ = R.expand_secret(sk)
    assert x.to_bytes(32, "little") == hx(v, "x")
    assert R.public_key(sk) == pk
    if suite == R.SUITE_TAI:
        h, ctr = R.encode_to_curve_tai(pk, alpha)
        assert ctr == v["ctr"]
    else:
        assert R.expand_message_xmd(pk + alpha, R.ELL2_DST, 48) == hx(v, "uniform_bytes")
        (u,) = R.hash_to_field(pk + alpha)
        assert u.to_bytes(32, "little") == hx(v, "u")
        h = R.encode_to_curve_ell2(pk, alpha)
    h_string = R.point_to_string(h)
    assert h_string == hx(v, "H")
    k = R.nonce_generation(sk, h_string)
    assert k.to_bytes(32, "little") == hx(v, "k")
    assert R.point_to_string(R.scalar_mult(k, R.B)) == hx(v, "U")
    assert R.point_to_string(R.scalar_mult(k, h)) == hx(v, "V")
    pi = R.prove(sk, alpha, suite)
    assert pi == hx(v, "pi")
    assert R.proof_to_hash(pi, suite) == hx(v, "beta")
    assert R.verify(pk, alpha, pi, suite) == hx(v, "beta")
