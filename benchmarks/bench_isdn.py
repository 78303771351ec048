"""ISDN call control speed (issue 5): complete SETUP-to-RELEASE COMPLETE cycles, both
stacks (our Q.931 user side and network side, each over its Q.921 data link) in one
process on the simulated D-channel, every Q.921 acknowledgement included, per
CPU-second; with tracing off and with the pcap trace on."""

from __future__ import annotations

import io

from harness import Result, cpu_seconds

from cti_daemon.signalling.isdn.q921 import Side
from cti_daemon.signalling.isdn.q921.loopback import Loopback
from cti_daemon.signalling.isdn.q931.calls import DChannel, SetupIndication
from cti_daemon.signalling.trace import LINKTYPE_LINUX_LAPD, PcapWriter

TARGET = 500  # issue 5: >= 500 cycles per CPU-second with tracing off
USER, NETWORK = 0, 1


class Cycle:
    """One span, link up and restarted; `__call__` runs one call: SETUP, CALL
    PROCEEDING, ALERTING, CONNECT, CONNECT ACKNOWLEDGE, DISCONNECT, RELEASE, RELEASE
    COMPLETE, with the RR frames of Q.921."""

    def __init__(self, trace: PcapWriter | None = None):
        self.user, self.network = DChannel(Side.USER), DChannel(Side.NETWORK, restart_at_start=False)
        self.wire = Loopback.point_to_point(self.user, self.network, trace=trace, trace_endpoint=USER)
        self.wire.do(USER, self.user.start)
        self.wire.run_for(1.0)
        self.frames = 0

    def __call__(self) -> None:
        wire, user, network = self.wire, self.user, self.network
        sent = wire.counters.sent
        call = user.layer3.next_call_id()
        wire.do(USER, lambda now: user.setup_request(now, "95588", call_id=call, calling="13800138000"))
        wire.run_for(0.02)
        offered = wire.indications[NETWORK][-1][1]
        assert isinstance(offered, SetupIndication)
        wire.do(NETWORK, lambda now: network.alerting_request(now, offered.call))
        wire.do(NETWORK, lambda now: network.connect_request(now, offered.call))
        wire.run_for(0.02)
        wire.do(USER, lambda now: user.disconnect_request(now, call, 16))
        wire.run_for(0.02)
        assert not user.layer3.by_id and not network.layer3.by_id
        # The call model would consume these; keep memory flat over a long run.
        wire.indications[USER].clear()
        wire.indications[NETWORK].clear()
        self.frames = wire.counters.sent - sent


def run() -> list[Result]:
    g = "ISDN call control (Q.931 + Q.921, both sides, one core)"
    plain = Cycle()
    off = 1.0 / cpu_seconds(plain)
    traced = Cycle(PcapWriter(io.BytesIO(), LINKTYPE_LINUX_LAPD))
    on = 1.0 / cpu_seconds(traced)
    return [
        Result(g, f"SETUP to RELEASE COMPLETE, tracing off ({plain.frames} LAPD frames per call)", off,
               "calls/s", f">= {TARGET}", off >= TARGET),
        Result(g, "SETUP to RELEASE COMPLETE, pcap tracing on", on, "calls/s"),
    ]


if __name__ == "__main__":
    for r in run():
        print(r)
