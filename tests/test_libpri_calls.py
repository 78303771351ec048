"""Calls end to end between our Q.931 call control (`q931.calls.DChannel`: Q.921 + Q.931)
and libpri, in both roles, in real time: start-up RESTART, calls each way, clearing
from both sides, busy, 30 calls each way. Every frame is traced and checked with tshark.

Skipped until Q.931 call control (`cti_daemon.signalling.isdn.q931.calls`) is on the
branch; the harness is tests/libpri_peer.
"""

from __future__ import annotations

import random
from contextlib import contextmanager

import pytest
import tshark
from libpri_peer import Interop, LibpriPeer, build_peer

from cti_daemon.signalling.isdn.q921 import Parameters, Side
from cti_daemon.signalling.isdn.q931 import decode_message
from cti_daemon.signalling.trace.pcap import LINKTYPE_LINUX_LAPD, PcapWriter

from cti_daemon.signalling.isdn.q931 import calls  # noqa: E402

ROLES = {"network": Side.USER, "cpe": Side.NETWORK}  # libpri's node type -> our side
ROLE_IDS = ["libpri-network-vs-our-user", "libpri-cpe-vs-our-network"]
EXPERT_ERROR = "8388608"  # tshark's expert severity "error"
E1_B_CHANNELS = [ts for ts in range(1, 32) if ts != 16]  # timeslot 16 is the D-channel


@pytest.fixture(scope="module")
def peer_binary(tmp_path_factory):
    assert tshark.available(), "tshark is missing (scripts/setup.sh installs it)"
    return build_peer(tmp_path_factory.mktemp("libpri_peer"))


@contextmanager
def call_link(binary, role, path, *, libpri_timers=None, lose=None, **dchannel_kw):
    """Our DChannel started (SABME, then its start-up RESTART) against libpri in `role`;
    yields once the data link is up on both sides and our RESTART is acknowledged."""
    our_side = ROLES[role]
    dchannel = calls.DChannel(our_side, **dchannel_kw)
    with PcapWriter.open(path, LINKTYPE_LINUX_LAPD) as trace, LibpriPeer(binary, role, timers=libpri_timers) as peer:
        interop = Interop(dchannel, peer, side=our_side, trace=trace, lose=lose)
        interop.do(dchannel.start)
        assert interop.run_until(lambda: got(interop, calls.ChannelRestarted) and peer.events_named("dchan_up"),
                                 3.0), (peer.events, interop.indications)
        yield interop


def got(interop: Interop, kind) -> list:
    return interop.received(kind)


def messages(interop: Interop, sent: bool) -> list[str]:
    """Titles of the Q.931 messages in I frames we sent (sent=True) or received."""
    frames = interop.sent_frames if sent else interop.received_frames
    out = []
    for f in frames:
        if len(f.frame) > 4 and not f.frame[2] & 1:  # an I frame: control octet bit 1 = 0
            mt = decode_message(f.frame[4:]).message.message_type
            out.append(getattr(mt, "title", hex(mt)))
    return out


def assert_clean(interop: Interop, path, *, lossy: bool = False) -> None:
    """libpri reported nothing wrong, nothing is left over on our side, and tshark
    dissects every frame with no malformed packet and no expert error. On a lossy link
    MDL errors are expected (they count the recovery), so they are not checked."""
    assert interop.peer.errors() == []
    dchannel = interop.endpoint
    assert lossy or dchannel.link.mdl_errors == {}
    assert not dchannel.layer3.by_id and not dchannel.layer3.channels.reserved()
    rows = tshark.fields(path, "_ws.expert.severity", "_ws.malformed")
    assert len(rows) == interop.trace.frames
    assert [r for r in rows if r[1] or EXPERT_ERROR in r[0].split(",")] == []


@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
def test_start_up_restart_is_acknowledged_by_libpri(peer_binary, role, tmp_path):
    path = tmp_path / "start.pcap"
    with call_link(peer_binary, role, path) as interop:
        interop.run_for(0.2)
    assert messages(interop, sent=True)[0] == "RESTART"
    assert messages(interop, sent=False)[0] == "RESTART ACKNOWLEDGE"
    assert got(interop, calls.ChannelRestarted)[0].initiated_here
    assert interop.peer.events_named("restart")  # libpri told its application
    assert_clean(interop, path)


@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
def test_libpri_calls_us_we_answer_and_libpri_hangs_up(peer_binary, role, tmp_path):
    path = tmp_path / "incoming.pcap"
    with call_link(peer_binary, role, path) as interop:
        dchannel, peer = interop.endpoint, interop.peer
        peer.command("call 95511 1 exclusive")
        assert interop.run_until(lambda: got(interop, calls.SetupIndication), 2.0)
        offered = got(interop, calls.SetupIndication)[0]
        assert (offered.called, offered.channel) == ("95511", 1)
        interop.do(lambda now: dchannel.proceeding_request(now, offered.call))
        interop.do(lambda now: dchannel.alerting_request(now, offered.call))
        interop.do(lambda now: dchannel.connect_request(now, offered.call))
        assert interop.run_until(lambda: peer.events_named("answer"), 2.0)
        handle = peer.events_named("calling")[0].args[0]
        peer.command(f"hangup {handle} 16")
        # libpri's DISCONNECT, our RELEASE, its RELEASE COMPLETE: libpri reports "hangup".
        assert interop.run_until(lambda: got(interop, calls.ReleaseIndication) and peer.events_named("hangup"),
                                 2.0), " ".join(e.name for e in peer.events)
        interop.run_for(0.1)
    assert [e.name for e in peer.events if e.name in ("proceeding", "ringing", "answer")] == \
        ["proceeding", "ringing", "answer"]
    assert got(interop, calls.DisconnectIndication)[0].cause == 16
    assert got(interop, calls.ReleaseIndication)[0].cause == 16
    assert messages(interop, sent=True)[1:] == ["CALL PROCEEDING", "ALERTING", "CONNECT", "RELEASE"]
    assert messages(interop, sent=False)[1:] == ["SETUP", "CONNECT ACKNOWLEDGE", "DISCONNECT", "RELEASE COMPLETE"]
    assert_clean(interop, path)


@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
def test_we_call_libpri_it_answers_and_we_hang_up(peer_binary, role, tmp_path):
    path = tmp_path / "outgoing.pcap"
    with call_link(peer_binary, role, path) as interop:
        dchannel, peer = interop.endpoint, interop.peer
        peer.command("auto answer")
        call_id = dchannel.layer3.next_call_id()
        interop.do(lambda now: dchannel.setup_request(now, "95511", call_id=call_id, calling="8888"))
        assert interop.run_until(lambda: got(interop, calls.ConnectIndication), 2.0), peer.events
        ring = peer.events_named("ring")[0]
        assert ring.args[3:5] == ("95511", "8888")
        interop.do(lambda now: dchannel.disconnect_request(now, call_id, 16))
        # Our DISCONNECT ("hangup_req" at libpri), its RELEASE, our RELEASE COMPLETE ("hangup_ack").
        assert interop.run_until(lambda: got(interop, calls.ReleaseIndication) and peer.events_named("hangup_ack"),
                                 2.0), " ".join(e.name for e in peer.events)
        interop.run_for(0.1)
    assert peer.events_named("hangup_req")[0].int_arg(3) == 16
    assert got(interop, calls.ReleaseIndication) == [calls.ReleaseIndication(call_id, 16)]
    assert_clean(interop, path)


@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
def test_busy_both_ways(peer_binary, role, tmp_path):
    path = tmp_path / "busy.pcap"
    with call_link(peer_binary, role, path) as interop:
        dchannel, peer = interop.endpoint, interop.peer
        # libpri busy: our SETUP is refused with cause 17.
        peer.command("auto busy")
        call_id = dchannel.layer3.next_call_id()
        interop.do(lambda now: dchannel.setup_request(now, "95511", call_id=call_id))
        assert interop.run_until(lambda: got(interop, calls.ReleaseIndication), 2.0), peer.events
        assert got(interop, calls.ReleaseIndication) == [calls.ReleaseIndication(call_id, 17)]
        # We are busy: libpri's SETUP is refused with cause 17.
        peer.command("auto off")
        peer.command("call 95511 1 exclusive")
        assert interop.run_until(lambda: got(interop, calls.SetupIndication), 2.0)
        offered = got(interop, calls.SetupIndication)[0]
        interop.do(lambda now: dchannel.disconnect_request(now, offered.call, 17))
        assert interop.run_until(lambda: peer.events_named("hangup"), 2.0), peer.events
        interop.run_for(0.1)
    assert peer.events_named("hangup")[-1].int_arg(3) == 17
    assert_clean(interop, path)


@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
def test_thirty_calls_each_way_then_cleared_from_both_sides(peer_binary, role, tmp_path):
    path = tmp_path / "thirty.pcap"
    with call_link(peer_binary, role, path) as interop:
        dchannel, peer = interop.endpoint, interop.peer
        # 30 calls from us; libpri answers each; we clear them.
        peer.command("auto answer")
        ours = [dchannel.layer3.next_call_id() for _ in E1_B_CHANNELS]
        for call_id in ours:
            interop.do(lambda now, c=call_id: dchannel.setup_request(now, "95511", call_id=c))
        assert interop.run_until(lambda: len(got(interop, calls.ConnectIndication)) == 30, 5.0), peer.errors()
        for call_id in ours:
            interop.do(lambda now, c=call_id: dchannel.disconnect_request(now, c, 16))
        assert interop.run_until(lambda: len(got(interop, calls.ReleaseIndication)) == 30
                                 and len(peer.events_named("hangup_ack")) == 30, 5.0)
        # 30 calls from libpri, one per timeslot; we answer each; libpri clears them.
        peer.command("auto off")
        for ts in E1_B_CHANNELS:
            peer.command(f"call 95511 {ts} exclusive")
        assert interop.run_until(lambda: len(got(interop, calls.SetupIndication)) == 30, 5.0), peer.errors()
        for offered in got(interop, calls.SetupIndication):
            interop.do(lambda now, c=offered.call: dchannel.connect_request(now, c))
        assert interop.run_until(lambda: len(peer.events_named("answer")) == 30, 5.0)
        for event in peer.events_named("calling"):
            peer.command(f"hangup {event.args[0]} 16")
        assert interop.run_until(lambda: len(got(interop, calls.ReleaseIndication)) == 60
                                 and len(peer.events_named("hangup")) == 30, 5.0)
        interop.run_for(0.1)
    assert sorted(o.channel for o in got(interop, calls.SetupIndication)) == E1_B_CHANNELS
    assert_clean(interop, path)


@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
def test_calls_complete_through_frame_loss(peer_binary, role, tmp_path):
    """10 % of the frames each way are lost after start-up; T200 0.3 s on both sides.
    Ten calls from us, answered by libpri and cleared by us, all complete through Q.921
    retransmission, and nothing is left reserved."""
    path = tmp_path / "lossy_calls.pcap"
    rng = random.Random(7)
    losing = False

    def lose(to_peer, n, frame):
        return losing and rng.random() < 0.10

    with call_link(peer_binary, role, path, params=calls_params(), libpri_timers={"T200": 300},
                   lose=lose) as interop:
        dchannel, peer = interop.endpoint, interop.peer
        peer.command("auto answer")
        interop.run_for(0.05)
        losing = True
        ours = [dchannel.layer3.next_call_id() for _ in range(10)]
        for call_id in ours:
            interop.do(lambda now, c=call_id: dchannel.setup_request(now, "95511", call_id=c))
        assert interop.run_until(lambda: len(got(interop, calls.ConnectIndication)) == 10, 10.0), \
            " ".join(e.name for e in peer.events)
        for call_id in ours:
            interop.do(lambda now, c=call_id: dchannel.disconnect_request(now, c, 16))
        assert interop.run_until(lambda: len(got(interop, calls.ReleaseIndication)) == 10
                                 and len(peer.events_named("hangup_ack")) == 10, 10.0)
        losing = False
        interop.run_for(0.1)
    assert interop.lost_to_peer or interop.lost_from_peer
    assert sorted(r.call for r in got(interop, calls.ReleaseIndication)) == ours
    assert_clean(interop, path, lossy=True)


def calls_params() -> Parameters:
    return Parameters.primary_rate(T200=0.3)  # Q.921 5.9.1 default 1 s; short for the test


@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
def test_clearing_before_answer_from_both_sides(peer_binary, role, tmp_path):
    """A call from libpri that it abandons while we alert, and a call from us that we
    abandon while libpri alerts: both end with nothing reserved on either side."""
    path = tmp_path / "abandon.pcap"
    with call_link(peer_binary, role, path) as interop:
        dchannel, peer = interop.endpoint, interop.peer
        # libpri calls, we alert, libpri hangs up (cause 16) before any answer.
        peer.command("call 95511 5 exclusive")
        assert interop.run_until(lambda: got(interop, calls.SetupIndication), 2.0)
        offered = got(interop, calls.SetupIndication)[0]
        interop.do(lambda now: dchannel.alerting_request(now, offered.call))
        assert interop.run_until(lambda: peer.events_named("ringing"), 2.0)
        peer.command(f"hangup {peer.events_named('calling')[0].args[0]} 16")
        assert interop.run_until(lambda: got(interop, calls.ReleaseIndication) and peer.events_named("hangup"), 2.0), \
            " ".join(e.name for e in peer.events)
        # We call, libpri alerts, we hang up before it answers.
        call_id = dchannel.layer3.next_call_id()
        interop.do(lambda now: dchannel.setup_request(now, "95511", call_id=call_id))
        assert interop.run_until(lambda: peer.events_named("ring"), 2.0)
        peer.command(f"alerting {peer.events_named('ring')[-1].args[0]}")
        assert interop.run_until(lambda: got(interop, calls.AlertingIndication), 2.0)
        interop.do(lambda now: dchannel.disconnect_request(now, call_id, 16))
        assert interop.run_until(lambda: len(got(interop, calls.ReleaseIndication)) == 2
                                 and peer.events_named("hangup_ack"), 2.0), " ".join(e.name for e in peer.events)
        interop.run_for(0.1)
    assert got(interop, calls.DisconnectIndication)[0].cause == 16
    assert [r.cause for r in got(interop, calls.ReleaseIndication)] == [16, 16]
    assert peer.events_named("hangup_req")[-1].int_arg(3) == 16
    assert_clean(interop, path)


@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
def test_an_active_call_survives_a_short_data_link_outage_with_a_status_audit(peer_binary, role, tmp_path):
    """Every frame is lost for a while with an active call: T203 (0.5 s each side) polls go
    unanswered, both data links give up after N200 retransmissions (T200 0.3 s) and are
    re-established when frames pass again; T309 (libpri 6 s,
    Q.931 5.8.9) keeps the call, our STATUS ENQUIRY audit gets libpri's STATUS for it, and
    the call is then cleared normally."""
    path = tmp_path / "outage.pcap"
    outage = False

    def lose(to_peer, n, frame):
        return outage

    with call_link(peer_binary, role, path, params=Parameters.primary_rate(T200=0.3, T203=0.5),
                   libpri_timers={"T200": 300, "T203": 500}, lose=lose) as interop:
        dchannel, peer = interop.endpoint, interop.peer
        peer.command("call 95511 3 exclusive")
        assert interop.run_until(lambda: got(interop, calls.SetupIndication), 2.0)
        offered = got(interop, calls.SetupIndication)[0]
        interop.do(lambda now: dchannel.connect_request(now, offered.call))
        assert interop.run_until(lambda: peer.events_named("answer"), 2.0)
        interop.run_for(0.1)
        outage = True
        assert interop.run_until(lambda: DataLinkDown(interop), 3.0)
        interop.run_for(0.5)
        outage = False
        assert interop.run_until(lambda: len(got(interop, calls.DataLinkChange)) >= 3
                                 and got(interop, calls.DataLinkChange)[-1].up, 3.0), interop.indications[-5:]
        interop.run_for(0.5)
        assert offered.call in dchannel.layer3.by_id  # the call survived
        assert not got(interop, calls.ReleaseIndication)
        peer.command(f"hangup {peer.events_named('calling')[0].args[0]} 16")
        assert interop.run_until(lambda: got(interop, calls.ReleaseIndication), 2.0)
        interop.run_for(0.1)
    sent = messages(interop, sent=True)
    assert "STATUS ENQUIRY" in sent
    assert "STATUS" in messages(interop, sent=False)
    assert got(interop, calls.ReleaseIndication)[0].cause == 16
    assert_clean(interop, path, lossy=True)


def DataLinkDown(interop: Interop) -> bool:
    changes = got(interop, calls.DataLinkChange)
    return bool(changes) and not changes[-1].up
