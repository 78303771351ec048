"""BRI point-to-multipoint: two terminals on a passive bus get their TEIs, an incoming
call is offered to both by a broadcast SETUP, the first to answer wins and the other is
released with cause 26; no answer gives 18 to the call model (Q.931 5.2.1, 5.2.9)."""

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def bus_with_terminals(n=2, trace=None, numbers=None):
    network = BusNetwork()
    terminals = [DChannel(Side.USER, primary_rate=False, link=UserTerminal(rng=random.Random(i + 1)),
                          restart_at_start=False, numbers=numbers[i] if numbers else None) for i in range(n)]
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


def test_only_the_terminal_whose_number_is_called_answers():
    network, (a, b), wire = bus_with_terminals(numbers=[("8001",), ("8002", "8003")])
    wire.do(0, lambda now: network.offer_request(now, "0108003"))
    call = network.last_call_id
    wire.run_for(1.0)
    assert wire.received(1, SetupIndication) == [] and a.layer3.ignored[-1] == "SETUP for a number that is not ours"
    offered = wire.received(2, SetupIndication)
    assert len(offered) == 1
    wire.do(2, lambda now: b.connect_request(now, offered[0].call))
    wire.run_for(1.0)
    assert wire.received(0, ConnectIndication) == [ConnectIndication(call)]


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


def test_call_model_cancels_an_offer_before_anyone_answers():
    network, (a, b), wire = bus_with_terminals()
    wire.do(0, lambda now: network.offer_request(now, "8001"))
    call = network.last_call_id
    wire.run_for(1.0)
    offered_a = wire.received(1, SetupIndication)[0]
    wire.do(1, lambda now: a.alerting_request(now, offered_a.call))
    wire.run_for(1.0)
    wire.do(0, lambda now: network.request(now, "disconnect_request", call, 16))  # the caller hung up
    wire.run_for(10.0)
    assert wire.received(0, ReleaseIndication) == [ReleaseIndication(call, 16)]
    assert wire.received(1, ReleaseIndication) == [ReleaseIndication(offered_a.call, 16)]
    assert network.channels.reserved() == [] and not a.layer3.by_id


ACTIONS = st.lists(st.one_of(
    st.tuples(st.just("offer")),
    st.tuples(st.sampled_from(["alerting_request", "connect_request", "disconnect_request"]), st.integers(1, 2),
              st.integers(0, 3)),
    st.tuples(st.just("network_clear"), st.integers(0, 3)),
    st.tuples(st.just("octets"), st.integers(0, 2), st.binary(max_size=30)),
    st.tuples(st.just("run"), st.floats(0.01, 20.0)),
), max_size=20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ACTIONS)
def test_bus_random_sequences_never_raise_and_leave_nothing_behind(actions):
    network, terminals, wire = bus_with_terminals()
    offers = []
    for action in actions:
        kind = action[0]
        if kind == "offer":
            wire.do(0, lambda now: network.offer_request(now, "8001"))
            offers.append(network.last_call_id)
        elif kind == "run":
            wire.run_for(action[1])
        elif kind == "network_clear":
            if offers:
                c = offers[action[1] % len(offers)]
                wire.do(0, lambda now, c=c: network.request(now, "disconnect_request", c, 16))
        elif kind == "octets":
            _, index, data = action
            endpoint = wire.endpoints[index]
            if index == 0:
                wire.do(0, lambda now: network._message(min(network.entities), data, now))
            else:
                wire.do(index, lambda now: endpoint._up(endpoint.layer3.receive(data, now), now))
        else:
            name, index, k = action
            t = terminals[index - 1]
            ids = sorted(t.layer3.by_id)
            if ids:
                c = ids[k % len(ids)]
                wire.do(index, lambda now, t=t, c=c: getattr(t, name)(now, c))
    wire.run_for(10.0)
    for c in offers:
        wire.do(0, lambda now, c=c: network.request(now, "disconnect_request", c, 16))
    for index, t in enumerate(terminals, start=1):
        for c in sorted(t.layer3.by_id):
            wire.do(index, lambda now, t=t, c=c: t.disconnect_request(now, c))
    wire.run_for(1000.0)
    assert not network.offers and network.channels.reserved() == []
    assert all(not e.by_id for e in network.entities.values())
    assert all(not t.layer3.by_id and not t.layer3.channels.reserved() for t in terminals)
