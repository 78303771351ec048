"""BRI point-to-multipoint: two terminals on a passive bus get their TEIs, an incoming
call is offered to both by a broadcast SETUP, the first to answer wins and the other is
released with cause 26; no answer gives 18 to the call model (Q.931 5.2.1, 5.2.9)."""

import random

from cti_daemon.signalling.isdn.q921 import Side
from cti_daemon.signalling.isdn.q921.loopback import Loopback
from cti_daemon.signalling.isdn.q921.ptmp import UserTerminal
from cti_daemon.signalling.isdn.q931.calls import (
    AlertingIndication,
    ConnectIndication,
    DChannel,
    ReleaseIndication,
    SetupCompleteIndication,
    SetupIndication,
    UserState,
)
from cti_daemon.signalling.isdn.q931.calls.bus import BusNetwork
from cti_daemon.signalling.trace import LINKTYPE_LINUX_LAPD, PcapWriter

import tshark


def bus_with_terminals(n=2, trace=None):
    network = BusNetwork()
    terminals = [DChannel(Side.USER, primary_rate=False, link=UserTerminal(rng=random.Random(i + 1)),
                          restart_at_start=False) for i in range(n)]
    wire = Loopback.bus(network, terminals, trace=trace, trace_endpoint=0)
    for i, t in enumerate(terminals, start=1):
        wire.do(i, t.start)
    wire.run_for(5.0)
    return network, terminals, wire


def test_two_terminals_get_different_teis_and_the_first_to_answer_wins(tmp_path):
    path = tmp_path / "bus.pcap"
    with PcapWriter.open(path, LINKTYPE_LINUX_LAPD) as trace:
        network, (a, b), wire = bus_with_terminals(trace=trace)
        teis = sorted(network.entities)
        assert len(teis) == 2 and teis[0] != teis[1] and all(64 <= t <= 126 for t in teis)
        wire.do(0, lambda now: network.offer_request(now, "8001", calling="13800138000"))
        call = network.last_call_id
        wire.run_for(1.0)
        offered_a, offered_b = wire.received(1, SetupIndication), wire.received(2, SetupIndication)
        assert len(offered_a) == len(offered_b) == 1 and offered_a[0].channel == 1
        wire.do(1, lambda now: a.alerting_request(now, offered_a[0].call))
        wire.do(2, lambda now: b.alerting_request(now, offered_b[0].call))
        wire.run_for(1.0)
        assert wire.received(0, AlertingIndication) == [AlertingIndication(call)]
        wire.do(2, lambda now: b.connect_request(now, offered_b[0].call))  # b answers first
        wire.run_for(1.0)
        wire.do(1, lambda now: a.connect_request(now, offered_a[0].call))  # a too late
        wire.run_for(5.0)
        assert wire.received(0, ConnectIndication) == [ConnectIndication(call)]
        assert wire.received(2, SetupCompleteIndication) == [SetupCompleteIndication(offered_b[0].call)]
        assert b.layer3.by_id[offered_b[0].call].state is UserState.U10
        assert wire.received(1, ReleaseIndication) == [ReleaseIndication(offered_a[0].call, 26)]
        assert not a.layer3.by_id and a.layer3.channels.reserved() == []
        assert wire.received(0, ReleaseIndication) == []  # the loser's clearing is not the call model's business
        assert network.channels.reserved() == [1]
        # The winner's call clears normally through its terminal's entity.
        wire.do(0, lambda now: network.request(now, "disconnect_request", call, 16))
        wire.run_for(2.0)
        assert wire.received(0, ReleaseIndication) == [ReleaseIndication(call, 16)]
        assert network.channels.reserved() == [] and not b.layer3.by_id
    assert tshark.malformed(path) == 0
    types = [r[0] for r in tshark.fields(path, "q931.message_type") if r[0]]
    assert types.count("0x05") == 1  # one SETUP, broadcast
    causes = [r[0] for r in tshark.fields(path, "q931.cause_value") if r[0]]
    assert "26" in causes


def test_no_terminal_answers_gives_18_after_t312():
    network, terminals, wire = bus_with_terminals()
    for t in terminals:  # terminals that find the call incompatible and stay silent
        t.layer3._setup_received = lambda *a: None
    wire.do(0, lambda now: network.offer_request(now, "8001"))
    call = network.last_call_id
    wire.run_for(5.9)
    assert wire.received(0, ReleaseIndication) == []
    wire.run_for(0.2)  # T312 = T303 + 2 s = 6 s
    assert wire.received(0, ReleaseIndication) == [ReleaseIndication(call, 18)]
    assert network.channels.reserved() == [] and not network.offers


def test_every_terminal_refusing_gives_the_refusal_cause():
    network, (a, b), wire = bus_with_terminals()
    wire.do(0, lambda now: network.offer_request(now, "8001"))
    call = network.last_call_id
    wire.run_for(1.0)
    for index, t in ((1, a), (2, b)):
        offered = wire.received(index, SetupIndication)[0]
        wire.do(index, lambda now, t=t, c=offered.call: t.disconnect_request(now, c, 17))
    wire.run_for(10.0)
    assert wire.received(0, ReleaseIndication) == [ReleaseIndication(call, 17)]
    assert network.channels.reserved() == []
