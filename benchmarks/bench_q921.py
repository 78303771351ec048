"""Q.921: I frames delivered and acknowledged per CPU-second between our user side and
our network side in one process (sans-I/O, frames handed straight across), with and
without a pcap trace, and through the simulated-clock loopback with 5 % frame loss."""

from __future__ import annotations

import io
from collections import deque

from harness import Result, cpu_seconds

from cti_daemon.signalling.isdn.q921 import Parameters, Side
from cti_daemon.signalling.isdn.q921.datalink import DataLink
from cti_daemon.signalling.isdn.q921.loopback import Impairments, Loopback
from cti_daemon.signalling.trace import LINKTYPE_LINUX_LAPD, Direction, PcapWriter

MESSAGES = 2000  # per direction per trial
# A Q.931 message of typical size (a SETUP is 20-40 octets).
PAYLOAD = bytes([0x08, 0x02, 0x00, 0x01, 0x05, 0x04, 0x03, 0x80, 0x90, 0xA3, 0x18, 0x03, 0xA9, 0x83,
                 0x81, 0x70, 0x05, 0x81, 0x31, 0x32, 0x33, 0x34])
# A 64 kbit/s D-channel carries at most 64000 / ((4 + 22 + 2 + 1) * 8 + (4 + 2 + 1) * 8) ~ 222
# such I frames per second with their RR (address/control, payload, FCS, flag). Target: 10x.
D_CHANNEL_I_PER_SECOND = 64000 / ((4 + len(PAYLOAD) + 2 + 1) * 8 + (4 + 2 + 1) * 8)
TARGET = 10 * D_CHANNEL_I_PER_SECOND


def _direct(trace: bool) -> int:
    """Both sides established, MESSAGES queued each way, frames pumped straight across
    until every I frame is delivered and acknowledged. Returns I frames delivered."""
    user, network = DataLink(Side.USER, Parameters.primary_rate()), DataLink(Side.NETWORK, Parameters.primary_rate())
    writer = PcapWriter(io.BytesIO(), LINKTYPE_LINUX_LAPD) if trace else None
    wire: deque = deque()
    ends = (user, network)
    now = 0.0

    def send(index, out):
        for octets in out.transmit:
            if writer is not None:
                writer.write_lapd(now, octets, Direction.SENT if index == 0 else Direction.RECEIVED, False)
            wire.append((1 - index, octets))

    def pump():
        count = 0
        while wire:
            target, octets = wire.popleft()
            out = ends[target].receive(octets, now)
            count += len(out.indications)
            send(target, out)
        return count

    send(0, user.establish_request(now))
    pump()
    for _ in range(MESSAGES):
        send(0, user.data_request(PAYLOAD, now))
        send(1, network.data_request(PAYLOAD, now))
    delivered = pump()
    assert user.stats["i_acknowledged"] == network.stats["i_acknowledged"] == MESSAGES
    return delivered


def _lossy() -> int:
    user, network = DataLink(Side.USER), DataLink(Side.NETWORK)
    wire = Loopback.point_to_point(user, network, impairments=Impairments(loss_rate=0.05, seed=9))
    wire.do(0, user.establish_request)
    wire.run_for(1.0)
    for _ in range(MESSAGES // 4):
        wire.do(0, lambda now: user.data_request(PAYLOAD, now))
        wire.do(1, lambda now: network.data_request(PAYLOAD, now))
    wire.run_for(3600.0)
    assert user.stats["i_acknowledged"] == network.stats["i_acknowledged"] == MESSAGES // 4
    return MESSAGES // 2


def run() -> list[Result]:
    g = "Q.921 LAPD, user side against network side in one process (PRI, k = 7)"
    target = f">= {TARGET:,.0f} (10x a 64 kbit/s D-channel)"
    out = []
    for name, fn, frames in (
        ("I frames delivered and acknowledged, tracing off", lambda: _direct(False), 2 * MESSAGES),
        ("I frames delivered and acknowledged, pcap tracing on", lambda: _direct(True), 2 * MESSAGES),
    ):
        rate = frames / cpu_seconds(fn)
        out.append(Result(g, name, rate, "I frames/CPU-s", target, rate >= TARGET,
                          f"{len(PAYLOAD)}-octet I frames, both directions at once"))
    rate = MESSAGES / 2 / cpu_seconds(_lossy)
    out.append(Result(g, "I frames delivered with 5 % frame loss (simulated-clock loopback)", rate,
                      "I frames/CPU-s", note="retransmissions, REJ and T200 recovery included"))
    return out
