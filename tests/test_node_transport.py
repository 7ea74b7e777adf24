"""Transports: UDP on loopback and in memory; loss, delay, rate limits and queue bounds."""

from __future__ import annotations

import asyncio
import socket

from election.node.transport import UNKNOWN_PEER, Faults, MemoryHub, RateLimiter, UdpTransport


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_udp_round_trip_and_unknown_sources() -> None:
    async def go() -> None:
        pa, pb = _free_port(), _free_port()
        a = UdpTransport(("127.0.0.1", pa), {"b": ("127.0.0.1", pb)})
        b = UdpTransport(("127.0.0.1", pb), {"a": ("127.0.0.1", pa)})
        await a.start()
        await b.start()
        try:
            await a.send("b", b"hello")
            await a.broadcast(b"all")
            got = [await asyncio.wait_for(b.recv(), 5) for _ in range(2)]
            assert got == [("a", b"hello"), ("a", b"all")]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.sendto(b"stranger", ("127.0.0.1", pb))
                assert await asyncio.wait_for(b.recv(), 5) == (UNKNOWN_PEER, b"stranger")
        finally:
            await a.close()
            await b.close()
    asyncio.run(go())


def test_udp_refuses_non_loopback() -> None:
    try:
        UdpTransport(("0.0.0.0", 0), {})
    except ValueError:
        return
    raise AssertionError("a non-loopback address was accepted")


def test_memory_loss_delay_and_down() -> None:
    async def go() -> None:
        hub = MemoryHub()
        a = hub.connect("a", faults=Faults(loss=0.5), seed=1)
        b = hub.connect("b")
        c = hub.connect("c", faults=Faults(delay=0.01))
        for i in range(200):
            await a.send("b", bytes([i]))
        assert 50 < a.stats["dropped_loss"] < 150
        assert b._inbox.qsize() == 200 - a.stats["dropped_loss"]
        await c.send("b", b"late")
        assert b._inbox.qsize() == 200 - a.stats["dropped_loss"]  # not yet delivered
        await asyncio.sleep(0.05)
        assert b._inbox.qsize() == 201 - a.stats["dropped_loss"]
        hub.down.add("c")
        await c.broadcast(b"lost")
        await asyncio.sleep(0.05)
        assert b._inbox.qsize() == 201 - a.stats["dropped_loss"]
        await c.close()
    asyncio.run(go())


def test_queue_bound_and_rate_limit() -> None:
    async def go() -> None:
        hub = MemoryHub()
        a = hub.connect("a")
        b = hub.connect("b", queue_size=10)
        for _ in range(30):
            await a.send("b", b"x")
        assert b._inbox.qsize() == 10 and b.stats["dropped_queue"] == 20
    asyncio.run(go())
    now = [0.0]
    lim = RateLimiter(rate=10, burst=5, clock=lambda: now[0])
    assert [lim.allow("p") for _ in range(7)] == [True] * 5 + [False] * 2
    now[0] = 0.2
    assert [lim.allow("p") for _ in range(3)] == [True, True, False]
    assert lim.allow("q")
