"""TEI management (Q.921 5.3): message codec checked by tshark, user and network side
procedures, and two terminals against one network side on a shared bus."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tshark
from cti_daemon.signalling.isdn.q921 import FrameError, Parameters, Side
from cti_daemon.signalling.isdn.q921.loopback import Loopback
from cti_daemon.signalling.isdn.q921.primitives import (
    DlDataIndication,
    DlEstablishConfirm,
    DlReleaseIndication,
    DlUnitDataIndication,
)
from cti_daemon.signalling.isdn.q921.ptmp import NetworkBus, UserTerminal
from cti_daemon.signalling.isdn.q921.states import State
from cti_daemon.signalling.isdn.q921.tei import (
    TeiAssigned,
    TeiMessage,
    TeiMessageType as T,
    TeiNetwork,
    TeiRefused,
    TeiRemoved,
    TeiUser,
    decode_management,
)
from cti_daemon.signalling.trace import LINKTYPE_LINUX_LAPD, Direction, PcapWriter

U, N = Side.USER, Side.NETWORK
T0 = 50.0


def msgs(out, sender):
    return [decode_management(octets, sender) for octets in out.transmit]


# Every message type with the side that sends it (Q.921 5.3.6).
CODEC = [
    (TeiMessage(T.IDENTITY_REQUEST, 0x1234, 127), U, "fcff030f1234" + "01ff"),
    (TeiMessage(T.IDENTITY_ASSIGNED, 0x1234, 64), N, "feff030f1234" + "0281"),
    (TeiMessage(T.IDENTITY_DENIED, 0xBEEF, 127), N, "feff030fbeef" + "03ff"),
    (TeiMessage(T.IDENTITY_CHECK_REQUEST, 0, 127), N, "feff030f0000" + "04ff"),
    (TeiMessage(T.IDENTITY_CHECK_RESPONSE, 0x0102, 70), U, "fcff030f0102" + "058d"),
    (TeiMessage(T.IDENTITY_REMOVE, 0, 64), N, "feff030f0000" + "0681"),
    (TeiMessage(T.IDENTITY_VERIFY, 0, 65), U, "fcff030f0000" + "0783"),
]


@pytest.mark.parametrize("msg,sender,octets", CODEC)
def test_tei_messages_encode_exactly_and_back(msg, sender, octets):
    assert msg.frame(sender).hex() == octets
    assert decode_management(bytes.fromhex(octets), sender) == msg


def test_tei_messages_dissect_in_tshark(tmp_path):
    path = tmp_path / "tei.pcap"
    with PcapWriter.open(path, LINKTYPE_LINUX_LAPD) as w:
        for i, (msg, sender, _) in enumerate(CODEC):
            w.write_lapd(i * 0.1, msg.frame(sender), Direction.SENT, network_side=sender is N)
    rows = tshark.fields(path, "lapd.sapi", "lapd.tei", "tei.entity", "tei.reference", "tei.msg", "tei.action")
    assert rows == [["63", "127", "0x0f", str(m.ri), str(int(m.type)), str(m.ai)] for m, _, _ in CODEC]
    assert tshark.malformed(path) == 0


@pytest.mark.parametrize("info,reason", [
    ("0f1234", "it has 5"), ("0e123401ff", "identifier"), ("0f123409ff", "unknown"), ("0f123401fe", "E = 0")])
def test_broken_tei_messages_raise_frame_error(info, reason):
    with pytest.raises(FrameError, match=reason):
        TeiMessage.decode(bytes.fromhex(info))


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=12))
def test_tei_decoder_fuzz(data):
    try:
        TeiMessage.decode(data)
    except FrameError:
        pass
    user, network = TeiUser(rng=random.Random(0)), TeiNetwork()
    user.receive(bytes.fromhex("feff03") + data, T0)  # never raises: broken messages are ignored
    network.receive(bytes.fromhex("fcff03") + data, T0)
    assert network.assigned <= set(range(64, 127))


# ------------------------------------------------------------------ user side
def test_user_requests_with_random_ri_and_takes_only_its_own_answer():
    user = TeiUser(rng=random.Random(7))
    out = user.request(T0)
    [req] = msgs(out, U)
    assert (req.type, req.ai) == (T.IDENTITY_REQUEST, 127) and out.timers == {"T202": T0 + 2.0}
    other = TeiMessage(T.IDENTITY_ASSIGNED, (req.ri + 1) % 65536, 64).frame(N)
    assert user.receive(other, T0).indications == [] and user.tei is None
    out = user.receive(TeiMessage(T.IDENTITY_ASSIGNED, req.ri, 66).frame(N), T0)
    assert out.indications == [TeiAssigned(66)] and out.timers == {"T202": None} and user.tei == 66


def test_user_repeats_every_t202_up_to_n202_then_gives_up():
    user = TeiUser(rng=random.Random(1))
    sent = msgs(user.request(T0), U)
    now = T0
    for _ in range(2):
        now += 2.0
        sent += msgs(user.expire("T202", now), U)
    assert len(sent) == 3 and len({m.ri for m in sent}) == 3  # N202 = 3, a new Ri each time
    out = user.expire("T202", now + 2.0)
    assert out.transmit == [] and out.indications == [TeiRefused("no answer to 3 requests")]


def test_user_answers_check_and_obeys_remove():
    user = TeiUser(rng=random.Random(3))
    [req] = msgs(user.request(T0), U)
    user.receive(TeiMessage(T.IDENTITY_ASSIGNED, req.ri, 70).frame(N), T0)
    [resp] = msgs(user.receive(TeiMessage(T.IDENTITY_CHECK_REQUEST, 0, 127).frame(N), T0), U)
    assert (resp.type, resp.ai) == (T.IDENTITY_CHECK_RESPONSE, 70)
    assert user.receive(TeiMessage(T.IDENTITY_CHECK_REQUEST, 0, 71).frame(N), T0).transmit == []
    assert user.receive(TeiMessage(T.IDENTITY_REMOVE, 0, 71).frame(N), T0).indications == []
    assert user.receive(TeiMessage(T.IDENTITY_REMOVE, 0, 70).frame(N), T0).indications == [TeiRemoved(70)]
    assert user.tei is None


# --------------------------------------------------------------- network side
def test_network_assigns_from_64_upwards_and_denies_when_full():
    network = TeiNetwork(first=64, last=65)
    answers = []
    for ri in (11, 22, 33):
        answers += msgs(network.receive(TeiMessage(T.IDENTITY_REQUEST, ri, 127).frame(U), T0), N)
    assert answers[:2] == [TeiMessage(T.IDENTITY_ASSIGNED, 11, 64), TeiMessage(T.IDENTITY_ASSIGNED, 22, 65)]
    # Full: denied, and a check of every TEI starts to reclaim dead ones.
    assert answers[2:] == [TeiMessage(T.IDENTITY_DENIED, 33, 127), TeiMessage(T.IDENTITY_CHECK_REQUEST, 0, 127)]
    assert network.denied == 1


def test_network_check_frees_silent_teis_after_two_requests():
    network = TeiNetwork()
    for ri in (1, 2):
        network.receive(TeiMessage(T.IDENTITY_REQUEST, ri, 127).frame(U), T0)
    out = network.check(127, T0)
    assert msgs(out, N) == [TeiMessage(T.IDENTITY_CHECK_REQUEST, 0, 127)] and out.timers == {"T201": T0 + 1.0}
    network.receive(TeiMessage(T.IDENTITY_CHECK_RESPONSE, 9, 64).frame(U), T0 + 0.1)
    out = network.expire("T201", T0 + 1.0)
    assert msgs(out, N) == [TeiMessage(T.IDENTITY_CHECK_REQUEST, 0, 65)]  # asked once more
    out = network.expire("T201", T0 + 2.0)
    assert out.indications == [TeiRemoved(65)] and network.assigned == {64}


def test_network_removes_a_tei_two_terminals_answer_for():
    network = TeiNetwork()
    network.receive(TeiMessage(T.IDENTITY_REQUEST, 5, 127).frame(U), T0)
    network.check(64, T0)
    for ri in (100, 200):
        network.receive(TeiMessage(T.IDENTITY_CHECK_RESPONSE, ri, 64).frame(U), T0)
    out = network.expire("T201", T0 + 1)
    assert msgs(out, N) == [TeiMessage(T.IDENTITY_REMOVE, 0, 64)] * 2 and out.indications == [TeiRemoved(64)]


def test_network_denies_a_request_for_a_particular_value():
    network = TeiNetwork()
    assert msgs(network.receive(TeiMessage(T.IDENTITY_REQUEST, 5, 80).frame(U), T0), N) == [
        TeiMessage(T.IDENTITY_DENIED, 5, 80)]


# ------------------------------------------------------------------- the bus
def bus(n_terminals=2, **kw):
    network = NetworkBus(Parameters.basic_rate(), TeiNetwork(**kw))
    terminals = [UserTerminal(rng=random.Random(100 + i)) for i in range(n_terminals)]
    return network, terminals, Loopback.bus(network, terminals)


def test_two_terminals_get_different_teis_and_each_its_own_link(tmp_path):
    path = tmp_path / "bus.pcap"
    with PcapWriter.open(path, LINKTYPE_LINUX_LAPD) as trace:
        network, (a, b), wire = bus()
        wire.trace = trace  # from the network side's point of view
        wire.do(1, a.establish_request)
        wire.do(2, b.establish_request)
        wire.run_for(2.0)
        assert {a.tei, b.tei} == {64, 65}
        assert wire.received(1, DlEstablishConfirm) == [DlEstablishConfirm(a.tei)]
        assert wire.received(2, DlEstablishConfirm) == [DlEstablishConfirm(b.tei)]
        assert set(network.links) == {64, 65}
        setup_a, setup_b = bytes.fromhex("08010175"), bytes.fromhex("08010275")
        wire.do(1, lambda now: a.data_request(setup_a, now))
        wire.do(2, lambda now: b.data_request(setup_b, now))
        wire.do(0, lambda now: network.data_request(b.tei, bytes.fromhex("0801827d"), now))
        # A broadcast SETUP reaches both terminals (Q.931 point-to-multipoint offering).
        broadcast = bytes.fromhex("0801010504038090a3")
        wire.do(0, lambda now: network.unit_data_request(broadcast, now))
        wire.run_for(2.0)
        got = sorted((x.tei, x.data) for x in wire.received(0, DlDataIndication))
        assert got == sorted([(a.tei, setup_a), (b.tei, setup_b)])
        assert [x.data for x in wire.received(2, DlDataIndication)] == [bytes.fromhex("0801827d")]
        assert wire.received(1, DlDataIndication) == []
        for i in (1, 2):
            assert wire.received(i, DlUnitDataIndication) == [DlUnitDataIndication(broadcast, 127)]
    rows = tshark.fields(path, "lapd.tei", "tei.msg")
    assert ["127", "1"] in rows and ["127", "2"] in rows  # Identity request and assigned
    assert tshark.malformed(path) == 0


def test_removed_terminal_loses_its_link_and_gets_a_tei_again():
    network, (a, b), wire = bus()
    wire.do(1, a.establish_request)
    wire.do(2, b.establish_request)
    wire.run_for(2.0)
    old = a.tei
    wire.do(0, lambda now: network.remove(old, now))
    wire.run_for(1.0)
    assert a.tei is None and a.link.state is State.TEI_UNASSIGNED
    assert wire.received(1, DlReleaseIndication) == [DlReleaseIndication(old)]
    assert b.link.state is State.MULTIPLE_FRAME_ESTABLISHED and old not in network.links
    wire.do(1, a.establish_request)
    wire.run_for(2.0)
    assert a.tei == old and a.link.state is State.MULTIPLE_FRAME_ESTABLISHED


def test_full_pool_reclaims_the_tei_of_an_unplugged_terminal():
    network, (a, b), wire = bus(first=64, last=64)
    wire.do(1, a.establish_request)
    wire.run_for(2.0)
    assert a.tei == 64
    wire.routes[0] = [2]  # terminal a is unplugged: it hears and says nothing
    wire.impairments.drop = lambda sender, octets: sender == 1
    wire.do(2, b.establish_request)
    wire.run_for(10.0)
    # b was denied, the check found 64 silent, b's next request got it.
    assert network.management.denied >= 1
    assert b.tei == 64 and b.link.state is State.MULTIPLE_FRAME_ESTABLISHED


def test_terminals_that_drew_the_same_ri_are_caught_by_the_check():
    network = NetworkBus()
    a, b = UserTerminal(rng=random.Random(5)), UserTerminal(rng=random.Random(5))
    wire = Loopback.bus(network, [a, b])
    wire.do(1, a.establish_request)
    wire.do(2, b.establish_request)
    wire.run_for(0.5)
    assert a.tei == b.tei == 64  # both took the one answer: Q.921 5.3.2's known race
    wire.do(0, lambda now: network.check(64, now))
    wire.run_for(2.0)
    assert a.tei is None and b.tei is None and 64 not in network.management.assigned


def test_user_terminal_without_network_answer_reports_release():
    a = UserTerminal(rng=random.Random(1))
    wire = Loopback.bus(NetworkBus(), [a])
    wire.impairments.drop = lambda sender, octets: True
    wire.do(1, a.establish_request)
    wire.run_for(10.0)
    assert wire.received(1, TeiRefused) == [TeiRefused("no answer to 3 requests")]
    assert wire.received(1, DlReleaseIndication) == [DlReleaseIndication(0)]
    assert a.link.state is State.TEI_UNASSIGNED


# ------------------------------------------------------------------ fuzzing
def _tei_frame(kind, ri, ai, sender):
    return TeiMessage(kind, ri, ai).frame(sender)


TEI_INPUTS = st.lists(st.one_of(
    st.tuples(st.just("msg"), st.sampled_from(list(T)), st.integers(0, 65535), st.integers(0, 127)),
    st.tuples(st.just("raw"), st.binary(max_size=10), st.just(0), st.just(0)),
    st.tuples(st.sampled_from(["T201", "T202", "request", "check", "remove", "verify"]), st.just(0),
              st.just(0), st.integers(0, 127)),
), max_size=40)


@settings(max_examples=300, deadline=None)
@given(TEI_INPUTS)
def test_fuzzed_tei_procedures_keep_a_consistent_state(inputs):
    user, network = TeiUser(rng=random.Random(1)), TeiNetwork(first=64, last=70)
    now = 0.0
    for action, a, b, c in inputs:
        now += 0.5
        if action == "msg":
            user.receive(_tei_frame(a, b, c, N), now)
            network.receive(_tei_frame(a, b, c, U), now)
        elif action == "raw":
            user.receive(bytes.fromhex("feff03") + a, now)
            network.receive(bytes.fromhex("fcff03") + a, now)
        elif action in ("T201", "T202"):
            user.expire(action, now)
            network.expire(action, now)
        elif action == "request":
            user.request(now)
        elif action == "check":
            network.check(c, now)
        elif action == "remove":
            network.remove(c, now)
        else:
            user.verify(now)
        assert user.tei is None or 64 <= user.tei <= 126
        assert not (user.awaiting and user.tei is not None)
        assert network.assigned <= set(range(64, 71))
        assert user.requests_sent <= 3


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=12), max_size=30))
def test_fuzzed_bus_frames_never_break_the_endpoints(frames):
    network, (a, b), wire = bus()
    wire.do(1, a.establish_request)
    wire.run_for(1.0)
    for octets in frames:
        for i, endpoint in enumerate(wire.endpoints):
            wire.apply(i, endpoint.receive(octets, wire.now))
        wire.run_for(0.3)
    for endpoint in (a, b):
        assert isinstance(endpoint.link.state, State)
    assert set(network.links) == network.management.assigned


def test_a_terminal_that_hears_its_own_tei_assigned_to_another_asks_for_a_check():
    network, (a, b), wire = bus()
    wire.do(1, a.establish_request)
    wire.run_for(1.0)
    assert a.tei == 64
    network.management.assigned.discard(64)  # the network forgets (e.g. it restarted)
    wire.do(2, b.establish_request)
    wire.run_for(0.01)
    assert b.tei == 64  # now two terminals hold 64
    wire.run_for(3.0)
    # a heard "64 assigned" and sent Identity verify; the check got two answers; the
    # network removed 64 from both (Q.921 5.8.8).
    assert a.management.tei is None and b.management.tei is None
    assert 64 not in network.management.assigned


def test_data_requested_while_the_link_comes_up_goes_out_after_ua():
    from cti_daemon.signalling.isdn.q921.datalink import DataLink
    user, network = DataLink(U), DataLink(N)
    wire = Loopback.point_to_point(user, network)
    wire.do(0, user.establish_request)
    wire.do(0, lambda now: user.data_request(b"\x08\x01\x01\x75", now))
    wire.run_for(1.0)
    assert [x.data for x in wire.received(1, DlDataIndication)] == [b"\x08\x01\x01\x75"]
