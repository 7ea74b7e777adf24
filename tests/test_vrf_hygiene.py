"""Secret hygiene of the Python API: a SecretKey's seed never reaches text output.

tests/test_vrf_api.py covers repr and pickling; this file covers str/format, logging
(messages, arguments, exceptions with tracebacks and captured locals) and the messages
of the errors the key's own methods raise.
"""

from __future__ import annotations

import io
import logging
import traceback

import pytest

import vrf

SEED = bytes(range(100, 132))


def _forms(seed: bytes) -> list[str]:
    """Every text form of the seed that would count as a leak."""
    return [seed.hex(), seed.hex().upper(), repr(seed)[2:-1], str(list(seed))[1:-1], seed.decode("latin-1")]


def _assert_clean(text: str, seed: bytes = SEED) -> None:
    for form in _forms(seed):
        assert form not in text, f"seed leaked into output: {text!r}"


@pytest.fixture
def sk() -> vrf.SecretKey:
    return vrf.SecretKey(SEED)


def test_text_conversions(sk: vrf.SecretKey) -> None:
    for text in (repr(sk), str(sk), f"{sk}", f"{sk!r}", "%s %r" % (sk, sk), format(sk), str([sk]), str({"k": sk})):  # noqa: UP031
        _assert_clean(text)
        assert sk.public_key.to_bytes().hex() in text or text.startswith("[") or text.startswith("{")


def test_no_instance_dict(sk: vrf.SecretKey) -> None:
    # __slots__ only: nothing like vars(sk) can dump the seed by accident
    with pytest.raises(TypeError):
        vars(sk)


def _capture() -> tuple[logging.Logger, io.StringIO, logging.Handler]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s %(args)s"))
    log = logging.getLogger("seqvrf.test.hygiene")
    log.setLevel(logging.DEBUG)
    log.addHandler(handler)
    log.propagate = False
    return log, stream, handler


def test_logging_messages_and_args(sk: vrf.SecretKey) -> None:
    log, stream, handler = _capture()
    try:
        log.debug("key %s", sk)
        log.info("key %r", sk)
        log.warning("keys %s", [sk, sk.public_key])
        log.error("key %(k)s", {"k": sk})
        log.info(sk)
        log.info("extra", extra={"key": sk})
        try:
            raise RuntimeError(sk)
        except RuntimeError:
            log.exception("failed with %s", sk)
    finally:
        log.removeHandler(handler)
    out = stream.getvalue()
    assert out.count("vrf.SecretKey(public_key=") >= 6
    _assert_clean(out)


def test_tracebacks_with_locals(sk: vrf.SecretKey) -> None:
    # Error paths of the key's own methods: a traceback that captures every frame's
    # locals (as Sentry-style reporters and pytest --showlocals do) must not hold the seed.
    for bad in (lambda: sk.prove("not bytes"), lambda: sk.prove(b"x", suite=99), lambda: sk.prove(None)):
        with pytest.raises(vrf.VRFError) as info:
            bad()
        te = traceback.TracebackException.from_exception(info.value, capture_locals=True)
        _assert_clean("".join(te.format()))


def test_error_messages_do_not_echo_seeds() -> None:
    for seed in (SEED[:31], SEED + b"\x00"):
        with pytest.raises(vrf.InvalidKey) as info:
            vrf.SecretKey(seed)
        _assert_clean(str(info.value), seed[:31])
    with pytest.raises(vrf.InvalidKey) as info:
        vrf.SecretKey.derive(SEED[:20], b"ctx")
    _assert_clean(str(info.value), SEED[:20])
    with pytest.raises(vrf.InvalidKey) as info:
        vrf.SecretKey.from_pem(vrf.SecretKey(SEED).to_pem(b"pw"), b"wrong")
    _assert_clean(str(info.value))


def test_pem_is_encrypted_when_asked(sk: vrf.SecretKey) -> None:
    pem = sk.to_pem(b"password")
    assert b"ENCRYPTED" in pem
    _assert_clean(pem.decode())
