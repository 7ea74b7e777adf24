"""RFC 9381 Appendix B.1 / B.2 (ECVRF-P256-SHA256-TAI and -SSWU), every example, byte for byte.

The C core through the public API (prove, verify, proof_to_hash, public key), the C debug
primitives for the intermediates (H, k, U, V), and the pure-Python reference for every
intermediate the RFC prints (ctr; uniform_bytes, u, x1, gx1_is_square).  The examples are
embedded below verbatim (hex) from RFC 9381; they equal the P-256 entries of the shared
vector file ``rfc9381.json`` (checked when that file is present).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import vrf
from vrf import reference as ref
from vrf._native import ffi, lib

VECTORS: list[dict[str, Any]] = [
    {
        "suite": "ECVRF-P256-SHA256-TAI",
        "example": 10,
        "sk": "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
        "pk": "0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
        "alpha": "73616d706c65",
        "pi": (
            "035b5c726e8c0e2c488a107c600578ee75cb702343c153cb1eb8dec77f4b5071b4a53f0a46f018bc2c56e58d383f2305"
            "e0975972c26feea0eb122fe7893c15af376b33edf7de17c6ea056d4d82de6bc02f"
        ),
        "beta": "a3ad7b0ef73d8fc6655053ea22f9bede8c743f08bbed3d38821f0e16474b505e",
        "gamma": "035b5c726e8c0e2c488a107c600578ee75cb702343c153cb1eb8dec77f4b5071b4",
        "c": "a53f0a46f018bc2c56e58d383f2305e0",
        "s": "975972c26feea0eb122fe7893c15af376b33edf7de17c6ea056d4d82de6bc02f",
        "x": "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
        "ctr": 1,
        "H": "0272a877532e9ac193aff4401234266f59900a4a9e3fc3cfc6a4b7e467a15d06d4",
        "k": "0d90591273453d2dc67312d39914e3a93e194ab47a58cd598886897076986f77",
        "U": "02bb6a034f67643c6183c10f8b41dc4babf88bff154b674e377d90bde009c21672",
        "V": "02893ebee7af9a0faa6da810da8a91f9d50e1dc071240c9706726820ff919e8394",
    },
    {
        "suite": "ECVRF-P256-SHA256-TAI",
        "example": 11,
        "sk": "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
        "pk": "0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
        "alpha": "74657374",
        "pi": (
            "034dac60aba508ba0c01aa9be80377ebd7562c4a52d74722e0abae7dc3080ddb56c19e067b15a8a8174905b136178045"
            "34214f935b94c2287f797e393eb0816969d864f37625b443f30f1a5a33f2b3c854"
        ),
        "beta": "a284f94ceec2ff4b3794629da7cbafa49121972671b466cab4ce170aa365f26d",
        "gamma": "034dac60aba508ba0c01aa9be80377ebd7562c4a52d74722e0abae7dc3080ddb56",
        "c": "c19e067b15a8a8174905b13617804534",
        "s": "214f935b94c2287f797e393eb0816969d864f37625b443f30f1a5a33f2b3c854",
        "x": "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
        "ctr": 3,
        "H": "02173119b4fff5e6f8afed4868a29fe8920f1b54c2cf89cc7b301d0d473de6b974",
        "k": "5852353a868bdce26938cde1826723e58bf8cb06dd2fed475213ea6f3b12e961",
        "U": "022779a2cafcb65414c4a04a4b4d2adf4c50395f57995e89e6de823250d91bc48e",
        "V": "033b4a14731672e82339f03b45ff6b5b13dee7ada38c9bf1d6f8f61e2ce5921119",
    },
    {
        "suite": "ECVRF-P256-SHA256-TAI",
        "example": 12,
        "sk": "2ca1411a41b17b24cc8c3b089cfd033f1920202a6c0de8abb97df1498d50d2c8",
        "pk": "03596375e6ce57e0f20294fc46bdfcfd19a39f8161b58695b3ec5b3d16427c274d",
        "alpha": (
            "4578616d706c65207573696e67204543445341206b65792066726f6d20417070656e646978204c2e342e32206f662041"
            "4e53492e58392d36322d32303035"
        ),
        "pi": (
            "03d03398bf53aa23831d7d1b2937e005fb0062cbefa06796579f2a1fc7e7b8c667d091c00b0f5c3619d10ecea44363b5"
            "a599cadc5b2957e223fec62e81f7b4825fc799a771a3d7334b9186bdbee87316b1"
        ),
        "beta": "90871e06da5caa39a3c61578ebb844de8635e27ac0b13e829997d0d95dd98c19",
        "gamma": "03d03398bf53aa23831d7d1b2937e005fb0062cbefa06796579f2a1fc7e7b8c667",
        "c": "d091c00b0f5c3619d10ecea44363b5a5",
        "s": "99cadc5b2957e223fec62e81f7b4825fc799a771a3d7334b9186bdbee87316b1",
        "x": "2ca1411a41b17b24cc8c3b089cfd033f1920202a6c0de8abb97df1498d50d2c8",
        "ctr": 1,
        "H": "0258055c26c4b01d01c00fb57567955f7d39cd6f6e85fd37c58f696cc6b7aa761d",
        "k": "5689e2e08e1110b4dda293ac21667eac6db5de4a46a519c73d533f69be2f4da3",
        "U": "020f465cd0ec74d2e23af0abde4c07e866ae4e5138bded5dd1196b8843f380db84",
        "V": "036cb6f811428fc4904370b86c488f60c280fa5b496d2f34ff8772f60ed24b2d1d",
    },
    {
        "suite": "ECVRF-P256-SHA256-SSWU",
        "example": 13,
        "sk": "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
        "pk": "0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
        "alpha": "73616d706c65",
        "pi": (
            "0331d984ca8fece9cbb9a144c0d53df3c4c7a33080c1e02ddb1a96a365394c7888782fffde7b842c38c20c08de6ec6c2"
            "e7027a97000f2c9fa4425d5c03e639fb48fde58114d755985498d7eb234cf4aed9"
        ),
        "beta": "21e66dc9747430f17ed9efeda054cf4a264b097b9e8956a1787526ed00dc664b",
        "gamma": "0331d984ca8fece9cbb9a144c0d53df3c4c7a33080c1e02ddb1a96a365394c7888",
        "c": "782fffde7b842c38c20c08de6ec6c2e7",
        "s": "027a97000f2c9fa4425d5c03e639fb48fde58114d755985498d7eb234cf4aed9",
        "x": "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
        "uniform_bytes": (
            "5024e98d6067dec313af09ff0cbe78218324a645c2a4b0aae2453f6fe91aa3bd9471f7b4a5fbf128e4b53f0c59603f7e"
        ),
        "u": "df565615a2372e8b31b8771f7503bafc144e48b05688b97958cc27ce29a8d810",
        "x1": "e7e39eb8a4c982426fcff629e55a3e13516cfeb62c02c369b1e750316f5e94eb",
        "gx1_is_square": False,
        "H": "02b31973e872d4a097e2cfae9f37af9f9d73428fde74ac537dda93b5f18dbc5842",
        "k": "e92820035a0a8afe132826c6312662b6ea733fc1a0d33737945016de54d02dd8",
        "U": "031490f49d0355ffcdf66e40df788bee93861917ee713acff79be40d20cc91a30a",
        "V": "03701df0228138fa3d16612c0d720389326b3265151bc7ac696ea4d0591cd053e3",
    },
    {
        "suite": "ECVRF-P256-SHA256-SSWU",
        "example": 14,
        "sk": "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
        "pk": "0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
        "alpha": "74657374",
        "pi": (
            "03f814c0455d32dbc75ad3aea08c7e2db31748e12802db23640203aebf1fa8db2743aad348a3006dc1caad7da2868732"
            "0740bf7dd78fe13c298867321ce3b36b79ec3093b7083ac5e4daf3465f9f43c627"
        ),
        "beta": "8e7185d2b420e4f4681f44ce313a26d05613323837da09a69f00491a83ad25dd",
        "gamma": "03f814c0455d32dbc75ad3aea08c7e2db31748e12802db23640203aebf1fa8db27",
        "c": "43aad348a3006dc1caad7da286873207",
        "s": "40bf7dd78fe13c298867321ce3b36b79ec3093b7083ac5e4daf3465f9f43c627",
        "x": "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
        "uniform_bytes": (
            "910cc66d84a57985a1d15843dad83fd9138a109afb243b7fa5d64d766ec9ca3894fdcf46ebeb21a3972eb452a4232fd3"
        ),
        "u": "d8b0107f7e7aa36390240d834852f8703a6dc407019d6196bda5861b8fc00181",
        "x1": "ccc747fa7318b9486ce4044adbbecaa084c27be6eda88eb7b7f3d688fd0968c7",
        "gx1_is_square": True,
        "H": "03ccc747fa7318b9486ce4044adbbecaa084c27be6eda88eb7b7f3d688fd0968c7",
        "k": "febc3451ea7639fde2cf41ffd03f463124ecb3b5a79913db1ed069147c8a7dea",
        "U": "031200f9900e96f811d1247d353573f47e0d9da601fc992566234fc1a5b37749ae",
        "V": "02d3715dcfee136c7ae50e95ffca76f4ca6c29ddfb92a39c31a0d48e75c6605cd1",
    },
    {
        "suite": "ECVRF-P256-SHA256-SSWU",
        "example": 15,
        "sk": "2ca1411a41b17b24cc8c3b089cfd033f1920202a6c0de8abb97df1498d50d2c8",
        "pk": "03596375e6ce57e0f20294fc46bdfcfd19a39f8161b58695b3ec5b3d16427c274d",
        "alpha": (
            "4578616d706c65207573696e67204543445341206b65792066726f6d20417070656e646978204c2e342e32206f662041"
            "4e53492e58392d36322d32303035"
        ),
        "pi": (
            "039f8d9cdc162c89be2871cbcb1435144739431db7fab437ab7bc4e2651a9e99d5488405a11a6c7fc8defddd9e1573a5"
            "63b7333aab4effe73ae9803274174c659269fd39b53e133dcd9e0d24f01288de9a"
        ),
        "beta": "4fbadf33b42a5f42f23a6f89952d2e634a6e3810f15878b46ef1bb85a04fe95a",
        "gamma": "039f8d9cdc162c89be2871cbcb1435144739431db7fab437ab7bc4e2651a9e99d5",
        "c": "488405a11a6c7fc8defddd9e1573a563",
        "s": "b7333aab4effe73ae9803274174c659269fd39b53e133dcd9e0d24f01288de9a",
        "x": "2ca1411a41b17b24cc8c3b089cfd033f1920202a6c0de8abb97df1498d50d2c8",
        "uniform_bytes": (
            "9b81d55a242d3e8438d3bcfb1bee985a87fd144802c9268cf9adeee160e6e9ff765569797a0f701cb4316018de2e7dd4"
        ),
        "u": "e43c98c2ae06d13839fedb0303e5ee815896beda39be83fb11325b97976efdce",
        "x1": "be9e195a50f175d3563aed8dc2d9f513a5536c1e9aee1757d86c08d32d582a86",
        "gx1_is_square": False,
        "H": "022dd5150e5a2a24c66feab2f68532be1486e28e07f1b9a055cf38ccc16f6595ff",
        "k": "8e29221f33564f3f66f858ba2b0c14766e1057adbd422c3e7d0d99d5e142b613",
        "U": "03a8823ff9fd16bf879261c740b9c7792b77fee0830f21314117e441784667958d",
        "V": "02d48fbb45921c755b73b25be2f23379e3ce69294f6cee9279815f57f4b422659d",
    },
]

SHARED = Path(__file__).resolve().parents[2] / "shared" / "vectors" / "rfc9381.json"  # beside the checkout
IDS = [f"example{v['example']}" for v in VECTORS]
Q = ref.P256_Q


def _suite(v: dict[str, Any]) -> vrf.Suite:
    return {"ECVRF-P256-SHA256-TAI": vrf.Suite.P256_SHA256_TAI, "ECVRF-P256-SHA256-SSWU": vrf.Suite.P256_SHA256_SSWU}[
        v["suite"]
    ]


def _b(v: dict[str, Any], key: str) -> bytes:
    return bytes.fromhex(v[key])


def test_all_examples_present() -> None:
    assert sorted(v["example"] for v in VECTORS) == list(range(10, 16))
    assert {v["suite"] for v in VECTORS} == {"ECVRF-P256-SHA256-TAI", "ECVRF-P256-SHA256-SSWU"}


def test_embedded_vectors_equal_shared_file() -> None:
    if not SHARED.is_file():
        pytest.skip("../shared/vectors not beside this checkout")
    shared = [v for v in json.loads(SHARED.read_text()) if v["suite"].startswith("ECVRF-P256-")]
    assert shared == VECTORS


@pytest.mark.parametrize("v", VECTORS, ids=IDS)
def test_prove_verify_proof_to_hash(v: dict[str, Any]) -> None:
    suite = _suite(v)
    sk = vrf.P256SecretKey(_b(v, "sk"))
    assert sk.public_key.to_bytes() == _b(v, "pk")
    pi = sk.prove(_b(v, "alpha"), suite)
    assert pi == _b(v, "pi")
    assert pi == _b(v, "gamma") + _b(v, "c") + _b(v, "s")
    assert vrf.P256PublicKey(_b(v, "pk")).verify(_b(v, "alpha"), _b(v, "pi"), suite) == _b(v, "beta")
    assert vrf.proof_to_hash(_b(v, "pi"), suite) == _b(v, "beta")
    assert _b(v, "x") == _b(v, "sk")  # the secret key is the scalar itself


@pytest.mark.parametrize("v", VECTORS, ids=IDS)
def test_c_intermediates(v: dict[str, Any]) -> None:
    suite = int(_suite(v))
    pk, alpha = _b(v, "pk"), _b(v, "alpha")
    h = ffi.new("uint8_t[33]")
    assert lib.seqvrf_p256_debug_hash_to_curve(h, pk, alpha, len(alpha), suite) == lib.SEQVRF_OK
    assert bytes(h) == _b(v, "H")
    k = ffi.new("uint8_t[32]")
    assert lib.seqvrf_p256_debug_nonce(k, _b(v, "sk"), _b(v, "H")) == lib.SEQVRF_OK
    assert bytes(k) == _b(v, "k")
    # U = s*B - c*Y and V = s*H - c*Gamma with the verifier's variable-time double multiplication
    s = _b(v, "s")
    minus_c = (Q - int(v["c"], 16)).to_bytes(32, "big")
    g = ref.p256_point_to_string(ref.P256_G)
    out = ffi.new("uint8_t[33]")
    assert lib.seqvrf_p256_debug_double_scalarmult_vartime(out, s, g, minus_c, pk) == lib.SEQVRF_OK
    assert bytes(out) == _b(v, "U")
    assert lib.seqvrf_p256_debug_double_scalarmult_vartime(out, s, _b(v, "H"), minus_c, _b(v, "gamma")) == 0
    assert bytes(out) == _b(v, "V")
    # k*B and k*H with the constant-time multiplications (the prover's U and V)
    assert lib.seqvrf_p256_debug_scalarmult_base(out, bytes(k)) == 0 and bytes(out) == _b(v, "U")
    assert lib.seqvrf_p256_debug_scalarmult(out, bytes(k), _b(v, "H")) == 0 and bytes(out) == _b(v, "V")


@pytest.mark.parametrize("v", VECTORS, ids=IDS)
def test_reference_every_intermediate(v: dict[str, Any]) -> None:
    suite = int(_suite(v))
    sk, pk, alpha = _b(v, "sk"), _b(v, "pk"), _b(v, "alpha")
    assert ref.p256_public_key(sk) == pk
    h = ref.p256_encode_to_curve(suite, pk, alpha)
    assert ref.p256_point_to_string(h) == _b(v, "H")
    if suite == ref.P256_SUITE_TAI:
        assert ref.p256_encode_to_curve_tai(pk, alpha)[1] == v["ctr"]
    else:
        assert ref.p256_expand_message_xmd(pk + alpha, ref.P256_SSWU_DST, 48) == _b(v, "uniform_bytes")
        (u,) = ref.p256_hash_to_field(pk + alpha)
        assert u == int(v["u"], 16)
        _, _, x1, square = ref.p256_map_to_curve_sswu(u)
        assert x1 == int(v["x1"], 16) and square is v["gx1_is_square"]
    k = ref.p256_nonce_generation(sk, _b(v, "H"))
    assert k == int(v["k"], 16)
    assert ref.p256_point_to_string(ref.p256_mul(k, ref.P256_G)) == _b(v, "U")
    assert ref.p256_point_to_string(ref.p256_mul(k, h)) == _b(v, "V")
    assert ref.p256_prove(sk, alpha, suite) == _b(v, "pi")
    assert ref.p256_verify(pk, alpha, _b(v, "pi"), suite) == _b(v, "beta")
    assert ref.p256_proof_to_hash(_b(v, "pi"), suite) == _b(v, "beta")


@pytest.mark.parametrize("v", VECTORS, ids=IDS)
def test_vector_proof_fails_under_the_other_suite(v: dict[str, Any]) -> None:
    other = vrf.Suite.P256_SHA256_SSWU if _suite(v) == vrf.Suite.P256_SHA256_TAI else vrf.Suite.P256_SHA256_TAI
    with pytest.raises(vrf.InvalidProof):
        vrf.P256PublicKey(_b(v, "pk")).verify(_b(v, "alpha"), _b(v, "pi"), other)
    # proof_to_hash hashes the suite byte: a different beta, not an error
    assert vrf.proof_to_hash(_b(v, "pi"), other) != _b(v, "beta")
