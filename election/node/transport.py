"""Message transport between sequencer nodes: an interface, UDP on loopback, and in memory.

A :class:`Transport` sends opaque datagrams (encoded by :mod:`election.node.wire`) to a
named peer or to every peer and hands received ones to its owner with :meth:`recv`.
Datagrams may be lost, duplicated or reordered: the node tolerates that (blocks and votes
are self-authenticating and idempotent, heartbeats carry sequence numbers).

Both implementations bound everything: the inbound queue (excess dropped and counted),
a token-bucket rate limit per source (excess dropped), and the datagrams in flight
under delay injection.  Faults for test networks (:class:`Faults`): a loss probability
and a delay with jitter on every outgoing datagram, drawn from the transport's own seeded
``random.Random``.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["Transport", "Faults", "RateLimiter", "UdpTransport", "MemoryHub", "MemoryTransport", "UNKNOWN_PEER"]

UNKNOWN_PEER = "?"
"""Source name of a datagram from an address that belongs to no configured peer."""


@dataclass
class Faults:
    """Fault injection on outgoing datagrams.

    Attributes:
        loss: probability that a datagram is dropped.
        delay: added one-way delay, seconds.
        jitter: extra delay drawn uniformly from ``[0, jitter]``, seconds.
    """

    loss: float = 0.0
    delay: float = 0.0
    jitter: float = 0.0


class RateLimiter:
    """Token buckets per key: ``rate`` tokens a second, at most ``burst`` saved.

    The number of keys is bounded (``max_keys``); the table is reset when full (the
    sources are peers, so it is small in practice).
    """

    def __init__(self, rate: float, burst: float, max_keys: int = 1024,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, key: str) -> bool:
        """Take one token for ``key``; False if none is left."""
        now = self._clock()
        tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return False
        if key not in self._buckets and len(self._buckets) >= self.max_keys:
            self._buckets.clear()
        self._buckets[key] = (tokens - 1.0, now)
        return True


class Transport(Protocol):
    """What a node needs of its network."""

    peers: tuple[str, ...]
    stats: dict[str, int]

    async def start(self) -> None:
        """Open sockets (idempotent)."""

    async def send(self, peer: str, data: bytes) -> None:
        """Send one datagram to ``peer`` (never blocks on the network; may drop)."""

    async def broadcast(self, data: bytes) -> None:
        """Send one datagram to every peer."""

    async def recv(self) -> tuple[str, bytes]:
        """The next received datagram as ``(source peer name or UNKNOWN_PEER, data)``."""
        ...

    def recv_nowait(self) -> tuple[str, bytes] | None:
        """The next received datagram if one is already queued, else None."""
        ...

    async def close(self) -> None:
        """Close sockets and cancel delayed sends (idempotent)."""


class _Base:
    """Shared inbound queue, rate limits, fault injection and counters."""

    def __init__(self, peers: tuple[str, ...], faults: Faults | None, seed: int | None,
                 queue_size: int, rate: float, burst: float, max_in_flight: int) -> None:
        self.peers = peers
        self.faults = faults or Faults()
        self._rng = random.Random(seed)
        self._inbox: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue(queue_size)
        self._limiter = RateLimiter(rate, burst)
        self._in_flight: set[asyncio.TimerHandle] = set()
        self._max_in_flight = max_in_flight
        self._closed = False
        self.stats: dict[str, int] = {"sent": 0, "received": 0, "dropped_loss": 0, "dropped_rate": 0,
                                      "dropped_queue": 0, "dropped_in_flight": 0}

    def _deliver_in(self, source: str, data: bytes) -> None:
        if self._closed:
            return
        if not self._limiter.allow(source):
            self.stats["dropped_rate"] += 1
            return
        try:
            self._inbox.put_nowait((source, data))
            self.stats["received"] += 1
        except asyncio.QueueFull:
            self.stats["dropped_queue"] += 1

    def _out(self, send_now: Callable[[], None]) -> None:
        """Apply the faults to one outgoing datagram."""
        if self._closed:
            return
        f = self.faults
        if f.loss and self._rng.random() < f.loss:
            self.stats["dropped_loss"] += 1
            return
        delay = f.delay + (self._rng.uniform(0.0, f.jitter) if f.jitter else 0.0)
        self.stats["sent"] += 1
        if delay <= 0:
            send_now()
            return
        if len(self._in_flight) >= self._max_in_flight:
            self.stats["dropped_in_flight"] += 1
            return
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle

        def fire() -> None:
            self._in_flight.discard(handle)
            if not self._closed:
                send_now()
        handle = loop.call_later(delay, fire)
        self._in_flight.add(handle)

    async def recv(self) -> tuple[str, bytes]:
        return await self._inbox.get()

    def recv_nowait(self) -> tuple[str, bytes] | None:
        """The next received datagram if one is queued, else None."""
        try:
            return self._inbox.get_nowait()
        except asyncio.QueueEmpty:
            return None

    def _close_base(self) -> None:
        self._closed = True
        for h in self._in_flight:
            h.cancel()
        self._in_flight.clear()


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, on_datagram: Callable[[bytes, tuple[str, int]], None]) -> None:
        self._on = on_datagram

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self._on(data, (str(addr[0]), int(addr[1])))

    def error_received(self, exc: Exception) -> None:
        pass  # ICMP port unreachable from a stopped peer: a lost datagram


class UdpTransport(_Base):
    """UDP datagrams on loopback.

    Args:
        listen: ``(host, port)`` to bind (host must be a loopback address).
        peers: peer name -> ``(host, port)``.
        faults: fault injection on sends.
        seed: seed of the fault generator.
        queue_size: inbound queue bound.
        rate, burst: per-source token bucket (datagrams per second, burst size).
        max_in_flight: bound on delayed datagrams.

    Raises:
        ValueError: a non-loopback address.
    """

    def __init__(self, listen: tuple[str, int], peers: dict[str, tuple[str, int]], *,
                 faults: Faults | None = None, seed: int | None = None, queue_size: int = 4096,
                 rate: float = 2000.0, burst: float = 500.0, max_in_flight: int = 8192) -> None:
        for host, _ in [listen, *peers.values()]:
            if not host.startswith("127."):
                raise ValueError(f"only loopback addresses are allowed, got {host!r}")
        super().__init__(tuple(peers), faults, seed, queue_size, rate, burst, max_in_flight)
        self.listen = listen
        self._addrs = dict(peers)
        self._names = {addr: name for name, addr in peers.items()}
        self._transport: asyncio.DatagramTransport | None = None

    @property
    def address(self) -> tuple[str, int]:
        """The bound address (after :meth:`start`)."""
        if self._transport is None:
            return self.listen
        host, port = self._transport.get_extra_info("sockname")[:2]
        return (str(host), int(port))

    async def start(self) -> None:
        if self._transport is not None:
            return
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Protocol(self._on_datagram), local_addr=self.listen)
        self._transport = transport

    def _on_datagram(self, data: bytes, addr: tuple[str, int]) -> None:
        self._deliver_in(self._names.get((addr[0], addr[1]), UNKNOWN_PEER), data)

    def _send_to(self, addr: tuple[str, int], data: bytes) -> None:
        t = self._transport
        if t is None or t.is_closing():
            return
        if t.get_write_buffer_size() > 1 << 20:  # type: ignore[attr-defined]  # the socket is not draining: drop
            self.stats["dropped_queue"] += 1
            return
        t.sendto(data, addr)

    async def send(self, peer: str, data: bytes) -> None:
        addr = self._addrs.get(peer)
        if addr is not None:
            self._out(lambda: self._send_to(addr, data))

    async def broadcast(self, data: bytes) -> None:
        for addr in self._addrs.values():
            self._out(lambda a=addr: self._send_to(a, data))  # type: ignore[misc]

    async def close(self) -> None:
        self._close_base()
        if self._transport is not None:
            self._transport.close()
            self._transport = None


class MemoryHub:
    """An in-memory network of :class:`MemoryTransport` s (tests).

    Attributes:
        down: names whose datagrams are dropped both ways (a crashed or isolated node).
    """

    def __init__(self) -> None:
        self._nodes: dict[str, MemoryTransport] = {}
        self.down: set[str] = set()

    def connect(self, name: str, *, faults: Faults | None = None, seed: int | None = None,
                queue_size: int = 4096, rate: float = 1e9, burst: float = 1e9) -> MemoryTransport:
        """A transport named ``name`` whose peers are every other name connected so far or later."""
        t = MemoryTransport(self, name, faults, seed, queue_size, rate, burst)
        self._nodes[name] = t
        return t

    def names(self) -> tuple[str, ...]:
        return tuple(self._nodes)

    def _deliver(self, src: str, dst: str, data: bytes) -> None:
        node = self._nodes.get(dst)
        if node is None or src in self.down or dst in self.down:
            return
        node._deliver_in(src, data)


class MemoryTransport(_Base):
    """One node's end of a :class:`MemoryHub` (see :class:`Transport`)."""

    def __init__(self, hub: MemoryHub, name: str, faults: Faults | None, seed: int | None,
                 queue_size: int, rate: float, burst: float) -> None:
        super().__init__((), faults, seed, queue_size, rate, burst, 8192)
        self.hub = hub
        self.name = name

    @property
    def peers(self) -> tuple[str, ...]:
        return tuple(n for n in self.hub.names() if n != self.name)

    @peers.setter
    def peers(self, value: tuple[str, ...]) -> None:
        pass  # derived from the hub

    async def start(self) -> None:
        return None

    async def send(self, peer: str, data: bytes) -> None:
        self._out(lambda: self.hub._deliver(self.name, peer, data))

    async def broadcast(self, data: bytes) -> None:
        for p in self.peers:
            self._out(lambda q=p: self.hub._deliver(self.name, q, data))  # type: ignore[misc]

    async def close(self) -> None:
        self._close_base()
