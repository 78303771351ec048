"""Our Q.921 data link and Q.931 codec against libpri, an independent implementation.

libpri (Debian libpri-dev, switch type EuroISDN E1, PRI point-to-point) runs in a
subprocess (tests/libpri_peer/peer.c) in both roles: libpri network against our user
side, libpri CPE against our network side. It runs in real time, so every test is short.
Every frame is traced to pcap and checked with tshark.
"""

from __future__ import annotations

import itertools
import random
from contextlib import contextmanager

import pytest
import tshark
from hypothesis import given, settings
from hypothesis import strategies as st
from libpri_peer import Interop, LibpriPeer, build_peer
from libpri_peer.layer3 import MinimalLayer3, restart

from cti_daemon.signalling.isdn.q921 import (
    DataLink,
    DlEstablishConfirm,
    DlEstablishIndication,
    DlReleaseConfirm,
    DlReleaseIndication,
    FrameType,
    Parameters,
    Side,
    State,
    decode,
)
from cti_daemon.signalling.isdn.q931 import CallReference, Message, MessageType
from cti_daemon.signalling.isdn.q931.ies import (
    E1_B_CHANNELS,
    BearerCapability,
    CalledPartyNumber,
    CallingPartyNumber,
    Cause,
    CauseValue,
    ChannelIdentification,
    InformationTransferCapability,
    RestartClass,
    RestartIndicator,
    SendingComplete,
    TypeOfNumber,
    UserInfoLayer1,
)
from cti_daemon.signalling.trace.pcap import LINKTYPE_LINUX_LAPD, PcapWriter


# libpri's node type -> the side we play against it.
ROLES = {"network": Side.USER, "cpe": Side.NETWORK}
ROLE_IDS = ["libpri-network-vs-our-user", "libpri-cpe-vs-our-network"]
UP_TIMEOUT = 3.0  # s; both sides send SABME at once, UA comes within milliseconds


@pytest.fixture(scope="module")
def peer_binary(tmp_path_factory):
    assert tshark.available(), "tshark is missing (scripts/setup.sh installs it)"
    return build_peer(tmp_path_factory.mktemp("libpri_peer"))


@contextmanager
def libpri_link(binary, role, path, *, params=None, libpri_timers=None, refuse_setup_with=None, lose=None):
    """Our DataLink (with a minimal layer 3) joined to libpri in `role`, traced to `path`.
    Our side stays passive: libpri sends SABME as it starts, we answer UA."""
    our_side = ROLES[role]
    datalink = DataLink(our_side, params or Parameters.primary_rate())
    layer3 = MinimalLayer3(our_side, refuse_setup_with=refuse_setup_with)
    with PcapWriter.open(path, LINKTYPE_LINUX_LAPD) as trace, \
            LibpriPeer(binary, role, timers=libpri_timers) as peer:
        interop = Interop(datalink, peer, side=our_side, trace=trace, lose=lose)
        layer3.attach(interop)
        assert interop.run_until(lambda: datalink.state is State.MULTIPLE_FRAME_ESTABLISHED
                                 and peer.events_named("dchan_up"), UP_TIMEOUT), peer.events
        yield interop, layer3


def frames_of(interop: Interop, sent: bool):
    """Our decoding of the frames we sent (sent=True) or libpri sent."""
    us = interop.side
    if sent:
        return [decode(f.frame, us) for f in interop.sent_frames]
    return [decode(f.frame, us.peer) for f in interop.received_frames]


EXPERT_ERROR = "8388608"  # tshark's expert severity "error" (PI_ERROR); malformed packets have it


def assert_clean(interop: Interop, path, *fields: str) -> list[list[str]]:
    """Nothing went wrong on either side; tshark dissects every frame of the trace with
    no malformed packet and no expert error. Returns `fields` per packet (one tshark run:
    each costs about half a second)."""
    assert interop.peer.errors() == []
    assert interop.endpoint.mdl_errors == {}
    assert not interop.received(DlReleaseIndication)
    rows = tshark.fields(path, "_ws.expert.severity", "_ws.malformed", *fields)
    assert len(rows) == interop.trace.frames == len(interop.sent_frames) + len(interop.received_frames)
    assert [r for r in rows if r[1] or EXPERT_ERROR in r[0].split(",")] == []
    return [r[2:] for r in rows]


def q931_only(rows: list[list[str]]) -> list[list[str]]:
    """The rows of packets that carry Q.931 (first field q931.message_type), without it."""
    return [row[1:] for row in rows if row[0]]


@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
def test_libpri_sabme_is_answered_with_ua_and_both_sides_come_up(peer_binary, role, tmp_path):
    path = tmp_path / "up.pcap"
    with libpri_link(peer_binary, role, path) as (interop, _):
        interop.run_for(0.2)
    # Q.921 3.3.2, Table 1: the network sends commands with C/R = 1, the user with C/R = 0;
    # responses the other way round. SABME P=1 (0x7F), UA F=1 (0x73) (Q.921 Table 5).
    sabme, ua = (bytes.fromhex("02017f"), bytes.fromhex("020173")) if role == "network" else \
        (bytes.fromhex("00017f"), bytes.fromhex("000173"))
    assert interop.received_frames[0].frame == sabme
    assert interop.sent_frames[0].frame == ua
    assert interop.received(DlEstablishIndication) == [DlEstablishIndication(0)]
    assert [e.name for e in interop.peer.events] == ["ready", "dchan_up"]
    assert interop.endpoint.state is State.MULTIPLE_FRAME_ESTABLISHED
    rows = assert_clean(interop, path, "lapd.direction", "lapd.control.u_modifier_cmd",
                        "lapd.control.u_modifier_resp", "lapd.control.p", "lapd.control.f")
    libpri_direction = "1" if role == "network" else "0"  # 1 = network->user
    our_direction = "0" if role == "network" else "1"
    assert rows[0] == [libpri_direction, "0x1b", "", "1", ""]  # SABME P=1
    assert rows[1] == [our_direction, "", "0x18", "", "1"]  # UA F=1


@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
def test_our_disc_and_sabme_are_answered_with_ua(peer_binary, role, tmp_path):
    path = tmp_path / "release_establish.pcap"
    with libpri_link(peer_binary, role, path) as (interop, _):
        datalink, peer = interop.endpoint, interop.peer
        interop.do(datalink.release_request)
        assert interop.run_until(lambda: datalink.state is State.TEI_ASSIGNED, 2.0)
        assert interop.run_until(lambda: peer.events_named("dchan_down"), 1.0)
        interop.do(datalink.establish_request)
        assert interop.run_until(lambda: datalink.state is State.MULTIPLE_FRAME_ESTABLISHED, 2.0)
        assert interop.run_until(lambda: len(peer.events_named("dchan_up")) == 2, 1.0)
    assert interop.received(DlReleaseConfirm) == [DlReleaseConfirm(0)]
    assert interop.received(DlEstablishConfirm) == [DlEstablishConfirm(0)]
    ours = [(f.type, f.command, f.poll_final) for f in frames_of(interop, sent=True)]
    theirs = [(f.type, f.command, f.poll_final) for f in frames_of(interop, sent=False)]
    assert ours == [(FrameType.UA, False, True), (FrameType.DISC, True, True), (FrameType.SABME, True, True)]
    assert theirs == [(FrameType.SABME, True, True), (FrameType.UA, False, True), (FrameType.UA, False, True)]
    assert [e.name for e in peer.events] == ["ready", "dchan_up", "dchan_down", "dchan_up"]
    assert_clean(interop, path)


@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
def test_i_frames_both_ways_are_acknowledged_within_window_k(peer_binary, role, tmp_path):
    path = tmp_path / "i_frames.pcap"
    count = 10  # more than k = 7 (Q.921 5.9.5, primary rate)
    with libpri_link(peer_binary, role, path) as (interop, layer3):
        datalink = interop.endpoint
        for value in range(1, count + 1):
            layer3.send(Message(MessageType.STATUS_ENQUIRY, CallReference(value)))
        assert (datalink.vs - datalink.va) % 128 == 7  # the window is full; 3 wait
        assert interop.run_until(lambda: len(layer3.received) == count and datalink.va == datalink.vs, 2.0)
        interop.run_for(0.1)
    assert datalink.stats["i_sent"] == datalink.stats["i_acknowledged"] == count
    assert datalink.stats["i_received"] == count
    assert datalink.stats["i_retransmitted"] == 0 and datalink.stats["t200_expiries"] == 0
    # libpri 1.6 answers a STATUS ENQUIRY for a call it does not know with RELEASE COMPLETE
    # cause 81 (observed). Q.931 5.8.10 asks for STATUS (Null state, cause 30), and 5.8.3.2 a)
    # exempts STATUS ENQUIRY from the cause-81 rule: a libpri deviation that our audit of
    # calls after a data link reset (5.8.9) must take as clearing. Each decodes cleanly.
    for r in layer3.received:
        assert r.decoded.report.findings == []
        assert r.message_type == MessageType.RELEASE_COMPLETE
        assert r.message.get(Cause).value == CauseValue.INVALID_CALL_REFERENCE_VALUE
    assert [r.message.call_reference for r in layer3.received] == \
        [CallReference(v, 2, flag=True) for v in range(1, count + 1)]  # in order, flag = answer
    theirs = frames_of(interop, sent=False)
    assert [f.ns for f in theirs if f.type is FrameType.I] == list(range(count))
    rows = assert_clean(interop, path, "q931.message_type", "q931.cause_value")
    q931 = [row for row in rows if row[0]]  # STATUS ENQUIRY and RELEASE COMPLETE cause 81, interleaved
    assert sorted(q931) == [["0x5a", "81"]] * count + [["0x75", ""]] * count


@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
def test_link_stays_up_across_idle_t203_polls_both_ways(peer_binary, role, tmp_path):
    path = tmp_path / "t203.pcap"
    # Whoever has the shorter T203 (Q.921 5.9.8, default 10 s) polls: every frame received
    # restarts the other's T203. First we poll every 0.2 s, then libpri every 0.25 s.
    # A poll is an RR command P=1, answered by an RR response F=1 (Q.921 5.6.7, Annex B).
    with libpri_link(peer_binary, role, path, params=Parameters.primary_rate(T203=0.2)) as (interop, _):
        datalink = interop.endpoint
        interop.run_for(0.9)
        our_phase_frames = len(interop.sent_frames)
        datalink.params = datalink.params.replace(T203=30.0)  # takes effect at the next restart of T203
        interop.peer.command("timer T203 250")
        interop.run_for(1.0)
        assert interop.run_until(lambda: datalink.state is State.MULTIPLE_FRAME_ESTABLISHED, 1.0)
    ours = frames_of(interop, sent=True)
    theirs = frames_of(interop, sent=False)

    def rr(frames, command):
        return [f for f in frames if f.type is FrameType.RR and f.command is command and f.poll_final]

    our_polls, our_answers = rr(ours, True), rr(ours, False)
    their_polls, their_answers = rr(theirs, True), rr(theirs, False)
    assert len(rr(ours[:our_phase_frames], True)) >= 4
    assert len(their_answers) == len(our_polls)
    assert len(their_polls) >= 3 and len(our_answers) == len(their_polls)
    assert datalink.stats["t203_expiries"] == len(our_polls)
    assert datalink.stats["t200_expiries"] == 0  # every poll answered within T200
    assert [e.name for e in interop.peer.events] == ["ready", "dchan_up"]  # never down
    rows = assert_clean(interop, path, "lapd.control.s_ftype", "lapd.control.p", "lapd.control.f")
    assert rows.count(["0x0000", "1", ""]) == len(our_polls) + len(their_polls)  # RR P=1
    assert rows.count(["0x0000", "", "1"]) == len(our_answers) + len(their_answers)  # RR F=1


@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
def test_libpri_restart_decodes_cleanly_and_our_acknowledge_is_accepted(peer_binary, role, tmp_path):
    path = tmp_path / "restart_in.pcap"
    # T316 300 ms (N316 = 2): a RESTART ACKNOWLEDGE libpri did not accept would show
    # as a repeated RESTART and an "unacknowledged RESTART" anomaly within 0.6 s.
    with libpri_link(peer_binary, role, path, libpri_timers={"T316": 300}) as (interop, layer3):
        # libpri 1.6 sends no RESTART by itself (Asterisk asks for one per idle channel
        # when the D-channel comes up, with pri_reset): the peer's "reset" does the same.
        interop.peer.command("reset 1")
        assert interop.run_until(lambda: interop.peer.events_named("restart_ack"), 2.0)
        interop.run_for(0.7)
    restarts = layer3.of_type(MessageType.RESTART)
    assert len(restarts) == 1
    received = restarts[0]
    assert received.decoded.report.findings == []
    assert received.message.call_reference == CallReference.global_(2)
    assert received.message.ies == [ChannelIdentification.e1(1, exclusive=True),
                                    RestartIndicator(RestartClass.INDICATED_CHANNELS)]
    assert [e.args for e in interop.peer.events_named("restart_ack")] == [("1",)]
    rows = q931_only(assert_clean(interop, path, "q931.message_type", "q931.call_ref_flag", "q931.channel.number",
                                  "q931.restart_indicator"))
    assert rows == [["0", "1", "0x00"], ["1", "1", "0x00"]]  # RESTART, RESTART ACKNOWLEDGE


@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
def test_our_restart_is_acknowledged_by_libpri(peer_binary, role, tmp_path):
    path = tmp_path / "restart_out.pcap"
    with libpri_link(peer_binary, role, path) as (interop, layer3):
        for message in (restart(1), restart(17), restart()):
            layer3.send(message)
        assert interop.run_until(lambda: len(layer3.of_type(MessageType.RESTART_ACKNOWLEDGE)) == 3, 2.0)
        interop.run_for(0.1)
    acks = layer3.of_type(MessageType.RESTART_ACKNOWLEDGE)
    assert [r.decoded.report.findings for r in acks] == [[], [], []]
    assert all(r.message.call_reference == CallReference.global_(2, flag=True) for r in acks)
    assert [r.message.get(RestartIndicator).restart_class for r in acks] == \
        [RestartClass.INDICATED_CHANNELS, RestartClass.INDICATED_CHANNELS, RestartClass.SINGLE_INTERFACE]
    assert [r.message.get(ChannelIdentification).channels for r in acks[:2]] == [(1,), (17,)]
    # libpri tells its application which B-channel was restarted (-1: all of them).
    assert [e.args for e in interop.peer.events_named("restart")] == [("1",), ("17",), ("-1",)]
    rows = q931_only(assert_clean(interop, path, "q931.message_type", "q931.call_ref_flag", "q931.channel.number",
                                  "q931.restart_indicator"))
    # RESTART of 1, of 17, of the interface (0x06), then libpri's three acknowledgements.
    assert sorted(rows) == sorted([["0", "1", "0x00"], ["0", "17", "0x00"], ["0", "", "0x06"],
                                   ["1", "1", "0x00"], ["1", "17", "0x00"], ["1", "", "0x06"]])


@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
def test_libpri_setup_to_95511_decodes_with_no_finding_and_busy_clears_it(peer_binary, role, tmp_path):
    path = tmp_path / "setup_busy.pcap"
    with libpri_link(peer_binary, role, path, refuse_setup_with=CauseValue.USER_BUSY) as (interop, layer3):
        interop.peer.command("call 95511 1 exclusive")
        assert interop.run_until(lambda: interop.peer.events_named("hangup"), 2.0)
        interop.run_for(0.1)
    setups = layer3.of_type(MessageType.SETUP)
    assert len(setups) == 1
    setup = setups[0]
    assert setup.decoded.report.findings == []  # nothing for Q.931 5.8 to act on
    assert setup.message.get(CalledPartyNumber).digits == "95511"
    assert setup.message.get(ChannelIdentification) == ChannelIdentification.e1(1, exclusive=True)
    bearer = setup.message.get(BearerCapability)
    assert (bearer.transfer_capability, bearer.layer1) == (InformationTransferCapability.SPEECH,
                                                           UserInfoLayer1.G711_A_LAW)
    assert setup.message.get(SendingComplete) is not None
    assert not setup.message.call_reference.flag  # sent by the side that allocated it
    hangup = interop.peer.events_named("hangup")
    assert len(hangup) == 1 and hangup[0].int_arg(3) == CauseValue.USER_BUSY  # libpri heard cause 17
    rows = assert_clean(interop, path, "q931.message_type", "q931.called_party_number.digits", "q931.cause_value")
    assert [row for row in rows if row[0]] == [["0x05", "95511", ""], ["0x5a", "", "17"]]  # SETUP, RELEASE COMPLETE


SETUP_FIELDS = st.fixed_dictionaries({
    "called": st.text("0123456789", min_size=1, max_size=20),
    "calling": st.none() | st.text("0123456789", min_size=1, max_size=15),
    "type_of_number": st.sampled_from([TypeOfNumber.UNKNOWN, TypeOfNumber.INTERNATIONAL, TypeOfNumber.NATIONAL,
                                       TypeOfNumber.SUBSCRIBER]),
    "timeslot": st.sampled_from(E1_B_CHANNELS),
    "exclusive": st.booleans(),
})


@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
def test_every_setup_we_build_is_offered_by_libpri_with_its_number_and_channel(peer_binary, role, tmp_path):
    """Hypothesis builds SETUPs with our codec (random numbers, type of number, timeslot,
    preferred or exclusive); libpri, an independent decoder, must offer each call with the
    same called and calling number on the same timeslot, then clear it (busy) with no error."""
    path = tmp_path / "setups.pcap"
    call_references = itertools.count(1)
    with libpri_link(peer_binary, role, path) as (interop, layer3):
        peer = interop.peer

        @settings(max_examples=20, deadline=None, database=None)
        @given(fields=SETUP_FIELDS)
        def offer(fields):
            ies = [BearerCapability(), ChannelIdentification.e1(fields["timeslot"], exclusive=fields["exclusive"])]
            if fields["calling"] is not None:
                ies.append(CallingPartyNumber(fields["calling"]))
            ies += [CalledPartyNumber(fields["called"], fields["type_of_number"]), SendingComplete()]
            rings = len(peer.events_named("ring"))
            layer3.send(Message(MessageType.SETUP, CallReference(next(call_references)), ies))
            assert interop.run_until(lambda: len(peer.events_named("ring")) > rings, 1.0), peer.events[-3:]
            ring = peer.events_named("ring")[-1]
            handle, _cref, channel, called, calling, complete = ring.args
            assert (called, calling, int(channel), complete) == \
                (fields["called"], fields["calling"] or "-", fields["timeslot"], "1")
            hangups = len(peer.events_named("hangup"))
            peer.command(f"busy {handle}")  # CALL PROCEEDING, DISCONNECT 17; we RELEASE
            assert interop.run_until(lambda: len(peer.events_named("hangup")) > hangups, 1.0)
            assert peer.events_named("hangup")[-1].args[0] == handle
            assert peer.errors() == []

        offer()
        interop.run_for(0.05)
    offered = len(peer.events_named("ring"))
    assert offered >= 10 and len(peer.events_named("hangup")) == offered
    assert [r.message_type for r in layer3.received].count(MessageType.DISCONNECT) == offered
    assert not layer3.undecodable
    assert all(r.decoded.report.findings == [] for r in layer3.received)
    assert_clean(interop, path)


@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
@pytest.mark.parametrize("seed", [1, 2])
def test_lost_frames_are_recovered_between_us_and_libpri(peer_binary, role, seed, tmp_path):
    """15 % of the frames each way are lost (as HDLC drops a frame hit by bit errors, the
    data link only sees it missing): T200 recovery on both sides, REJ and retransmission
    (Q.921 5.6.4, 5.6.7) between two implementations still deliver every message once, in
    order. T200 is 0.3 s on both sides to keep the test short (Q.921 5.9.1 default 1 s).
    The losses are seeded (reproducible), not periodic: a period that divides the
    retransmission burst would lose the same frame on every cycle."""
    path = tmp_path / "lossy.pcap"
    count = 20
    rng = random.Random(seed)

    def lose(to_peer, n, frame):
        return n > 2 and rng.random() < 0.15  # the first frames bring the link up

    with libpri_link(peer_binary, role, path, params=Parameters.primary_rate(T200=0.3),
                     libpri_timers={"T200": 300}, lose=lose) as (interop, layer3):
        datalink = interop.endpoint
        for value in range(1, count + 1):
            layer3.send(Message(MessageType.STATUS_ENQUIRY, CallReference(value)))
        assert interop.run_until(lambda: len(layer3.received) >= count and datalink.va == datalink.vs
                                 and datalink.state is State.MULTIPLE_FRAME_ESTABLISHED, 8.0), \
            (len(layer3.received), datalink.state, interop.peer.events)
        interop.run_for(0.1)
    assert interop.lost_to_peer and interop.lost_from_peer
    # Each answer once, in order: nothing lost, duplicated or reordered across the losses.
    assert [r.message.call_reference.value for r in layer3.received] == list(range(1, count + 1))
    assert datalink.stats["i_acknowledged"] == count
    assert datalink.stats["t200_expiries"] > 0 or datalink.stats["i_retransmitted"] > 0
    assert not interop.received(DlReleaseIndication)
    assert interop.peer.errors() == []
    rows = tshark.fields(path, "_ws.expert.severity", "_ws.malformed")
    assert len(rows) == interop.trace.frames
    assert [r for r in rows if r[1] or EXPERT_ERROR in r[0].split(",")] == []
