"""An in-memory D-channel between sans-I/O LAPD entities, on a simulated clock.

For tests and benchmarks: it delivers each transmitted frame after `delay`, fires the
timers the entities ask for, and can lose, duplicate or drop frames at a rate (a
bit-error model: a frame hit by a bit error fails its FCS and is dropped by HDLC,
so the data link layer only ever sees it missing). No sleeping: `run_for` advances
the clock from event to event.

Topologies: point-to-point (two endpoints, PRI or BRI PTP) and a passive bus (endpoint
0 is the network side and hears every terminal; every terminal hears the network side).
An endpoint is any object with `receive(octets, now)` and `expire(name, now)` that
return an `Output`.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cti_daemon.signalling.isdn.q921.frames import Side
from cti_daemon.signalling.sansio import Output
from cti_daemon.signalling.trace.pcap import Direction, PcapWriter


@dataclass
class Impairments:
    """What happens to frames on the way. Counting is per transmitted frame over the
    whole link (1-based): `drop_every=5` drops frames 5, 10, 15..."""

    drop_every: int | None = None
    duplicate_every: int | None = None
    loss_rate: float = 0.0  # each frame independently lost with this probability
    seed: int = 1
    drop: Callable[[int, bytes], bool] | None = None  # (sender index, frame) -> lose it


@dataclass
class Counters:
    sent: int = 0
    delivered: int = 0
    dropped: int = 0
    duplicated: int = 0
    timer_expiries: int = 0


@dataclass(order=True)
class _Event:
    time: float
    seq: int
    kind: str = field(compare=False)  # "frame" or "timer"
    target: int = field(compare=False)
    payload: Any = field(compare=False)


class Loopback:
    """Endpoints joined by a simulated D-channel. `sides[i]` tells whether endpoint i is
    the user or the network side (for the pcap trace)."""

    def __init__(self, endpoints: list, sides: list[Side], routes: dict[int, list[int]], *,
                 delay: float = 0.002, impairments: Impairments | None = None,
                 trace: PcapWriter | None = None, trace_endpoint: int = 0, now: float = 0.0):
        self.endpoints = endpoints
        self.sides = sides
        self.routes = routes
        self.delay = delay
        self.impairments = impairments or Impairments()
        self.trace = trace
        self.trace_endpoint = trace_endpoint
        self.now = now
        self.counters = Counters()
        self.indications: list[list[tuple[float, Any]]] = [[] for _ in endpoints]
        self._events: list[_Event] = []
        self._seq = 0
        self._deadlines: dict[tuple[int, str], float] = {}
        self._rng = random.Random(self.impairments.seed)

    @classmethod
    def point_to_point(cls, a, b, **kw) -> Loopback:
        return cls([a, b], [a.side, b.side], {0: [1], 1: [0]}, **kw)

    @classmethod
    def bus(cls, network, terminals: list, **kw) -> Loopback:
        everyone = [network, *terminals]
        routes = {0: list(range(1, len(everyone)))}
        routes.update({i: [0] for i in range(1, len(everyone))})
        return cls(everyone, [Side.NETWORK] + [Side.USER] * len(terminals), routes, **kw)

    # ------------------------------------------------------------------ driving
    def do(self, index: int, action: Callable[[float], Output]) -> Output:
        """Run `action(now)` (a request on endpoint `index`) and carry out its output."""
        out = action(self.now)
        self.apply(index, out)
        return out

    def apply(self, index: int, out: Output) -> None:
        for octets in out.transmit:
            self._transmit(index, octets)
        for primitive in out.indications:
            self.indications[index].append((self.now, primitive))
        for name, deadline in out.timers.items():
            key = (index, name)
            if deadline is None:
                self._deadlines.pop(key, None)
            else:
                self._deadlines[key] = deadline
                self._push(deadline, "timer", index, name)

    def run_for(self, seconds: float) -> None:
        self.run_until(self.now + seconds)

    def run_until(self, until: float) -> None:
        events = self._events
        while events and events[0].time <= until:
            event = heapq.heappop(events)
            self.now = max(self.now, event.time)
            if event.kind == "frame":
                self._deliver(event.target, event.payload)
            else:
                key = (event.target, event.payload)
                if self._deadlines.get(key) != event.time:
                    continue  # stopped or restarted since
                del self._deadlines[key]
                self.counters.timer_expiries += 1
                self.apply(event.target, self.endpoints[event.target].expire(event.payload, self.now))
        self.now = max(self.now, until)

    def frames_in_flight(self) -> int:
        return sum(1 for e in self._events if e.kind == "frame")

    def received(self, index: int, kind: type) -> list:
        """The primitives of class `kind` endpoint `index` has passed up, in order."""
        return [prim for _, prim in self.indications[index] if isinstance(prim, kind)]

    # ---------------------------------------------------------------- plumbing
    def _push(self, time: float, kind: str, target: int, payload) -> None:
        self._seq += 1
        heapq.heappush(self._events, _Event(time, self._seq, kind, target, payload))

    def _transmit(self, sender: int, octets: bytes) -> None:
        imp = self.impairments
        self.counters.sent += 1
        n = self.counters.sent
        if self.trace is not None and sender == self.trace_endpoint:
            self.trace.write_lapd(self.now, octets, Direction.SENT, self.sides[sender] is Side.NETWORK)
        lost = ((imp.drop_every and n % imp.drop_every == 0)
                or (imp.loss_rate and self._rng.random() < imp.loss_rate)
                or (imp.drop is not None and imp.drop(sender, octets)))
        if lost:
            self.counters.dropped += 1
            return
        copies = 1
        if imp.duplicate_every and n % imp.duplicate_every == 0:
            copies = 2
            self.counters.duplicated += 1
        for target in self.routes[sender]:
            for _copy in range(copies):  # a duplicate arrives right behind the original
                self._push(self.now + self.delay, "frame", target, (sender, octets))

    def _deliver(self, target: int, payload) -> None:
        sender, octets = payload
        self.counters.delivered += 1
        if self.trace is not None and target == self.trace_endpoint:
            self.trace.write_lapd(self.now, octets, Direction.RECEIVED, self.sides[target] is Side.NETWORK)
        self.apply(target, self.endpoints[target].receive(octets, self.now))
