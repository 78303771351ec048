"""Q.931 basic call, our user side against our network side (PRI, E1) over the Q.921
Loopback on a simulated clock: outgoing and incoming calls, en bloc and overlap,
clearing by either side in every state, the clearing causes of the timers, 30 calls on
one span, channel selection and glare, in-band information."""

import pytest

from cti_daemon.signalling.isdn.q931.calls import (
    AlertingIndication,
    ConnectIndication,
    DisconnectIndication,
    InBandInformation,
    InfoIndication,
    MoreInfoIndication,
    NetworkState,
    NumberCompleteness,
    ProceedingIndication,
    ProgressIndication,
    ReleaseIndication,
    SetupCompleteIndication,
    SetupIndication,
    Timers,
    UserState,
)
from q931_pair import NETWORK, USER, Pair, log

N, U = NETWORK, USER


def state(pair, index, call_id):
    call = pair.side(index).layer3.by_id.get(call_id)
    return call.state if call is not None else None


def test_outgoing_call_en_bloc_answered_and_cleared_by_the_user():
    p = Pair().up()
    p.clear_log()
    c = p.outgoing(U, "95588", calling="13800138000")
    p.run()
    n = p.call_on(N)
    assert p.got(N, SetupIndication) == [SetupIndication(n, "95588", "13800138000", 31, True)]
    assert p.got(U, ProceedingIndication) == [ProceedingIndication(c, 31, False)]
    assert state(p, U, c) is UserState.U3 and state(p, N, n) is NetworkState.N3
    p.do(N, "alerting_request", n)
    p.run()
    assert state(p, U, c) is UserState.U4 and state(p, N, n) is NetworkState.N4
    p.do(N, "connect_request", n)
    p.run()
    assert p.got(U, ConnectIndication) == [ConnectIndication(c)]
    assert state(p, U, c) is UserState.U10 and state(p, N, n) is NetworkState.N10
    p.do(U, "disconnect_request", c, 16)
    p.run()
    assert log(p) == [
        (U, "SETUP", None, b""), (N, "CALL PROCEEDING", None, b""), (N, "ALERTING", None, b""),
        (N, "CONNECT", None, b""), (U, "CONNECT ACKNOWLEDGE", None, b""),
        (U, "DISCONNECT", 16, b""), (N, "RELEASE", 16, b""), (U, "RELEASE COMPLETE", None, b""),
    ]
    assert p.got(U, ReleaseIndication) == [ReleaseIndication(c, 16)]
    assert p.got(N, DisconnectIndication) == [DisconnectIndication(n, 16, False)]
    assert p.got(N, ReleaseIndication) == [ReleaseIndication(n, 16)]
    assert p.idle()


def test_incoming_call_answered_and_cleared_by_the_network():
    p = Pair().up()
    p.clear_log()
    n = p.outgoing(N, "8001", calling="01012345678")
    p.run()
    u = p.call_on(U)
    assert p.got(U, SetupIndication) == [SetupIndication(u, "8001", "01012345678", 1, True)]
    assert state(p, U, u) is UserState.U6 and state(p, N, n) is NetworkState.N6
    p.do(U, "alerting_request", u)
    p.run()
    assert p.got(N, AlertingIndication) == [AlertingIndication(n, False)]
    assert state(p, U, u) is UserState.U7 and state(p, N, n) is NetworkState.N7
    p.do(U, "connect_request", u)
    p.run()
    assert p.got(N, ConnectIndication) == [ConnectIndication(n)]
    assert p.got(U, SetupCompleteIndication) == [SetupCompleteIndication(u)]
    assert state(p, U, u) is UserState.U10 and state(p, N, n) is NetworkState.N10
    p.do(N, "disconnect_request", n, 16)
    p.run()
    assert [(w, t, c) for w, t, c, _ in log(p)] == [
        (N, "SETUP", None), (U, "ALERTING", None), (U, "CONNECT", None), (N, "CONNECT ACKNOWLEDGE", None),
        (N, "DISCONNECT", 16), (U, "RELEASE", 16), (N, "RELEASE COMPLETE", None),
    ]
    assert p.got(U, DisconnectIndication) == [DisconnectIndication(u, 16, False)]
    assert p.got(U, ReleaseIndication) == [ReleaseIndication(u, 16)]
    assert p.got(N, ReleaseIndication) == [ReleaseIndication(n, 16)]
    assert p.idle()


@pytest.mark.parametrize("numbering, digits, offered", [
    (NumberCompleteness({"8": 4}), "8001", True),  # length per prefix reached
    (NumberCompleteness({"8": 6}, overlap_receiving=False), "8001", True),  # no overlap: en bloc
    (NumberCompleteness(), "8001", True),  # unknown prefix: operators' en bloc
    (NumberCompleteness({"8": 6}), "8001", False),  # too short: overlap receiving
    (NumberCompleteness(unknown_is_complete=False), "8001", False),
])
def test_en_bloc_setup_without_sending_complete(numbering, digits, offered):
    p = Pair(user_kw={"numbering": numbering}).up()
    p.clear_log()
    p.outgoing(N, digits, sending_complete=False)
    p.run()
    if offered:
        assert len(p.got(U, SetupIndication)) == 1 and log(p)[-1][1] == "SETUP"
    else:
        assert p.got(U, SetupIndication) == [] and log(p)[-1][1] == "SETUP ACKNOWLEDGE"
        assert p.got(N, MoreInfoIndication)[0].channel == 1


def test_overlap_receiving_t302_restarted_on_each_information_then_complete():
    p = Pair(user_kw={"numbering": NumberCompleteness({"9": 8})}).up()
    n = p.outgoing(N, "9", sending_complete=False)
    p.run()
    u = p.user.layer3.active_calls()[0].call_id
    assert state(p, U, u) is UserState.U25 and state(p, N, n) is NetworkState.N25
    p.run(10.0)
    p.do(N, "info_request", n, "123")
    p.run(10.0)  # 20 s after SETUP: T302 (15 s) would have expired had it not been restarted
    assert state(p, U, u) is UserState.U25
    assert p.got(U, InfoIndication) == [InfoIndication(u, "123", False)]
    p.do(N, "info_request", n, "4567")
    p.run()
    assert p.got(U, SetupIndication) == [SetupIndication(u, "91234567", None, 1, False)]
    assert state(p, U, u) is UserState.U9 and state(p, N, n) is NetworkState.N9


@pytest.mark.parametrize("numbering, expected", [
    (NumberCompleteness({"9": 8}), "clear 28"),  # incomplete at T302 expiry
    (NumberCompleteness(unknown_is_complete=False), "proceed"),  # unknown length, digits present
])
def test_overlap_receiving_t302_expiry(numbering, expected):
    p = Pair(user_kw={"numbering": numbering}).up()
    n = p.outgoing(N, "5" if expected == "proceed" else "9", sending_complete=False)
    p.run()
    p.do(N, "info_request", n, "12")
    p.run(14.0)
    assert p.got(U, SetupIndication) == [] and p.got(N, DisconnectIndication) == []
    p.run(2.0)  # 15 s after the INFORMATION
    if expected == "proceed":
        assert p.got(U, SetupIndication)[0].called == "512"
        assert state(p, N, n) is NetworkState.N9
    else:
        assert p.got(N, DisconnectIndication) == [DisconnectIndication(n, 28, False)]
        p.run(1.0)
        assert p.got(N, ReleaseIndication) == [ReleaseIndication(n, 28)] and p.idle()


def test_overlap_sending_from_the_user_side():
    p = Pair(network_kw={"numbering": NumberCompleteness({"0": 11})}).up()
    c = p.outgoing(U, "010", sending_complete=False)
    p.run()
    assert p.got(U, MoreInfoIndication) == [MoreInfoIndication(c, 31)]
    assert state(p, U, c) is UserState.U2 and state(p, N, p.network.layer3.active_calls()[0].call_id) \
        is NetworkState.N2
    p.do(U, "info_request", c, "12345678")
    p.run()
    n = p.call_on(N)
    assert p.got(N, SetupIndication) == [SetupIndication(n, "01012345678", None, 31, False)]
    assert state(p, U, c) is UserState.U3


def test_busy_user_rejects_incoming_call_with_17():
    p = Pair().up()
    p.clear_log()
    n = p.outgoing(N, "8001")
    p.run()
    p.do(U, "disconnect_request", p.call_on(U), 17)
    p.run()
    assert [(w, t, c) for w, t, c, _ in log(p)] == [(N, "SETUP", None), (U, "RELEASE COMPLETE", 17)]
    assert p.got(N, ReleaseIndication) == [ReleaseIndication(n, 17)] and p.idle()


@pytest.mark.parametrize("cause", [17, 1])  # user busy; unallocated number
def test_network_clears_outgoing_call_with_cause(cause):
    p = Pair().up()
    p.clear_log()
    c = p.outgoing(U, "95588")
    p.run()
    p.do(N, "disconnect_request", p.call_on(N), cause)
    p.run()
    assert [(w, t, cc) for w, t, cc, _ in log(p)] == [
        (U, "SETUP", None), (N, "CALL PROCEEDING", None), (N, "DISCONNECT", cause), (U, "RELEASE", cause),
        (N, "RELEASE COMPLETE", None)]
    assert p.got(U, DisconnectIndication) == [DisconnectIndication(c, cause, False)]
    assert p.got(U, ReleaseIndication) == [ReleaseIndication(c, cause)] and p.idle()


def test_no_answer_after_alerting_t301_gives_19_user_side():
    p = Pair().up()
    c = p.outgoing(U)
    p.run()
    n = p.call_on(N)
    p.do(N, "alerting_request", n)
    p.run(179.0)
    assert p.got(U, DisconnectIndication) == []
    p.run(2.0)  # T301 = 180 s (Q.931 Table 9-2, minimum 3 min)
    assert p.got(U, DisconnectIndication) == [DisconnectIndication(c, 19, False)]
    assert p.got(N, DisconnectIndication) == [DisconnectIndication(n, 19, False)]
    assert p.got(U, ReleaseIndication) == [ReleaseIndication(c, 19)] and p.idle()


def test_no_answer_after_alerting_t301_gives_19_network_side():
    p = Pair().up()
    n = p.outgoing(N)
    p.run()
    u = p.call_on(U)
    p.do(U, "alerting_request", u)
    p.run(181.0)
    assert p.got(N, DisconnectIndication) == [DisconnectIndication(n, 19, False)]
    assert p.got(U, DisconnectIndication) == [DisconnectIndication(u, 19, False)]
    assert p.got(N, ReleaseIndication) == [ReleaseIndication(n, 19)] and p.idle()


@pytest.mark.parametrize("side", [U, N])
def test_t310_expiry_sends_102_and_tells_the_call_model_18(side):
    p = Pair().up()
    p.clear_log()
    other = N if side == U else U
    c = p.outgoing(side)
    p.run()
    if side == N:
        p.do(U, "proceeding_request", p.call_on(U))
    timers = p.side(side).layer3.timers
    p.run(timers.T310 + 1.0)
    assert p.got(side, DisconnectIndication) == [DisconnectIndication(c, 18, False)]
    disconnect = [e for e in log(p) if e[1] == "DISCONNECT"]
    assert disconnect == [(side, "DISCONNECT", 102, b"310")]
    assert p.got(other, DisconnectIndication)[0].cause == 102
    p.run(1.0)
    assert p.got(side, ReleaseIndication) == [ReleaseIndication(c, 18)] and p.idle()


@pytest.mark.parametrize("side", [U, N])
def test_no_answer_to_setup_after_the_second_t303(side):
    p = Pair().up()
    p.clear_log()
    other = N if side == U else U
    p.side(other).layer3._setup_received = lambda *a: None  # a peer that never answers
    c = p.outgoing(side)
    p.run(4.5)
    assert [e[1] for e in log(p)] == ["SETUP", "SETUP"]  # T303 = 4 s: sent again once
    p.run(4.0)
    assert log(p)[-1] == (side, "RELEASE COMPLETE", 102, b"303")
    assert p.got(side, ReleaseIndication) == [ReleaseIndication(c, 18)] and p.idle()


def _reach(p, direction, stage):
    """Bring a call to `stage`; returns (user call id, network call id) (None if unknown yet)."""
    originator = U if direction == "u->n" else N
    other = N if originator == U else U
    if stage == "overlap":
        numbering = NumberCompleteness({"9": 8})
        p.side(other).layer3.numbering = numbering
    c = p.outgoing(originator, "9" if stage == "overlap" else "8001", sending_complete=stage != "overlap")
    if stage == "setup sent":
        ids = {originator: c, other: None}
        return ids[U], ids[N]
    p.run()
    o = p.side(other).layer3.active_calls()[0].call_id
    if stage in ("alerting", "active"):
        if other == U:
            p.do(U, "alerting_request", o)
        else:
            p.do(N, "alerting_request", o)
        p.run()
    if stage == "active":
        p.do(other, "connect_request", o)
        p.run()
    ids = {originator: c, other: o}
    return ids[U], ids[N]


STAGES = ["setup sent", "overlap", "proceeding", "alerting", "active"]
EXPECTED_STATES = {  # (direction, stage) -> (user state, network state) before clearing
    ("u->n", "overlap"): (UserState.U2, NetworkState.N2),
    ("u->n", "proceeding"): (UserState.U3, NetworkState.N3),
    ("u->n", "alerting"): (UserState.U4, NetworkState.N4),
    ("u->n", "active"): (UserState.U10, NetworkState.N10),
    ("n->u", "overlap"): (UserState.U25, NetworkState.N25),
    ("n->u", "proceeding"): (UserState.U6, NetworkState.N6),
    ("n->u", "alerting"): (UserState.U7, NetworkState.N7),
    ("n->u", "active"): (UserState.U10, NetworkState.N10),
}


# Before the SETUP arrives only its sender knows the call: only it can clear then.
CLEARING_CASES = [(d, s, c) for d in ("u->n", "n->u") for s in STAGES for c in (U, N)
                  if not (s == "setup sent" and c != (U if d == "u->n" else N))]


@pytest.mark.parametrize("direction, stage, clearer", CLEARING_CASES)
def test_clearing_by_either_side_in_every_call_state(direction, stage, clearer):
    p = Pair().up()
    u, n = _reach(p, direction, stage)
    if (direction, stage) in EXPECTED_STATES:
        assert (state(p, U, u), state(p, N, n)) == EXPECTED_STATES[(direction, stage)]
    clear_id = u if clearer == U else n
    p.do(clearer, "disconnect_request", clear_id, 16)
    p.run(2.0)
    assert p.idle()
    for index, call_id in ((U, u), (N, n)):
        if call_id is not None:
            assert p.got(index, ReleaseIndication)[-1].call == call_id
    assert log(p)[-1][1] == "RELEASE COMPLETE"


def test_thirty_simultaneous_calls_on_one_e1_span_each_way():
    p = Pair().up()
    ours = [p.outgoing(U, f"8{i:03}") for i in range(15)] + [p.outgoing(N, f"9{i:03}") for i in range(15)]
    p.run()
    assert len(p.got(N, SetupIndication)) == 15 and len(p.got(U, SetupIndication)) == 15
    for s in p.got(N, SetupIndication):
        p.do(N, "connect_request", s.call)
    for s in p.got(U, SetupIndication):
        p.do(U, "connect_request", s.call)
    p.run()
    assert sorted(p.user.layer3.channels.reserved()) == sorted(p.network.layer3.channels.reserved())
    assert len(p.user.layer3.channels.reserved()) == 30
    assert all(c.state is UserState.U10 for c in p.user.layer3.active_calls())
    assert all(c.state is NetworkState.N10 for c in p.network.layer3.active_calls())
    # A 31st call finds no channel: cause 34 from the user side itself.
    extra = p.outgoing(U, "8999")
    assert p.got(U, ReleaseIndication) == [ReleaseIndication(extra, 34)]
    for i, c in enumerate(ours):
        p.do(U if i < 15 else N, "disconnect_request", c)
    p.run(2.0)
    assert p.idle() and len(p.got(U, ReleaseIndication)) == 31 and len(p.got(N, ReleaseIndication)) == 30


def test_glare_the_network_choice_prevails():
    p = Pair().up()
    c = p.outgoing(U, "8001")  # the user side hunts descending: 31, preferred
    n = p.outgoing(N, "9001", channel=31)  # the network takes 31 exclusively at the same moment
    p.run()
    u = p.call_on(U)
    assert p.got(U, SetupIndication)[0].channel == 31
    assert p.got(U, ProceedingIndication) == [ProceedingIndication(c, 1, False)]  # moved to the network's pick
    assert p.user.layer3.by_id[c].channel == 1 and p.user.layer3.by_id[u].channel == 31
    assert p.network.layer3.by_id[n].channel == 31 and p.network.layer3.by_id[p.call_on(N)].channel == 1


def test_exclusive_channel_in_use_gives_44_and_nothing_free_gives_34():
    p = Pair().up()
    p.outgoing(N, "9001", channel=5)
    p.run()
    c = p.outgoing(U, "8001", channel=5, exclusive=True)
    # The user side already knows channel 5 is busy:
    assert p.got(U, ReleaseIndication) == [ReleaseIndication(c, 44)]
    # The network side answers the same with RELEASE COMPLETE 44 / 34:
    p.user.layer3.channels.release(5, p.call_on(U))
    p.clear_log()
    c = p.outgoing(U, "8001", channel=5, exclusive=True)
    p.run()
    assert log(p)[-1] == (N, "RELEASE COMPLETE", 44, b"") and p.got(U, ReleaseIndication)[-1] == \
        ReleaseIndication(c, 44)
    for ch in p.network.layer3.channels.channels:
        p.network.layer3.channels.to_maintenance(ch)
    c = p.outgoing(U, "8001")
    p.run()
    assert log(p)[-1] == (N, "RELEASE COMPLETE", 34, b"")
    assert p.got(U, ReleaseIndication)[-1] == ReleaseIndication(c, 34)


# ------------------------------------------------------------ in-band information
def test_progress_indicators_give_in_band_information_available():
    p = Pair().up()
    c = p.outgoing(U)
    p.run()
    n = p.call_on(N)
    p.do(N, "progress_request", n, 1)
    p.do(N, "alerting_request", n, progress=8)
    p.run()
    assert p.got(U, ProgressIndication) == [ProgressIndication(c, True, (1,))]
    assert p.got(U, AlertingIndication) == [AlertingIndication(c, True)]
    assert p.got(U, InBandInformation) == [InBandInformation(c, 31, 1), InBandInformation(c, 31, 8)]
    # ... and toward the network in CALL PROCEEDING (indicator 2: destination not ISDN)
    n2 = p.outgoing(N)
    p.run()
    p.do(U, "proceeding_request", p.call_on(U), progress=2)
    p.run()
    assert p.got(N, ProceedingIndication) == [ProceedingIndication(n2, 1, True)]


def test_disconnect_with_indicator_8_user_keeps_the_channel_until_released():
    p = Pair().up()
    p.clear_log()
    c = p.outgoing(U)
    p.run()
    p.do(N, "disconnect_request", p.call_on(N), 17, in_band=True)
    p.run(10.0)  # the announcement "the number you dialled is busy" plays
    assert p.got(U, DisconnectIndication) == [DisconnectIndication(c, 17, True)]
    assert p.got(U, InBandInformation) == [InBandInformation(c, 31, 8)]
    assert state(p, U, c) is UserState.U12 and p.user.layer3.channels.reserved() == [31]
    assert "T306" in p.network.layer3.by_id[p.call_on(N)].timers
    p.do(U, "release_request", c)
    p.run()
    assert [(w, t, cc) for w, t, cc, _ in log(p)][-3:] == [
        (N, "DISCONNECT", 17), (U, "RELEASE", 16), (N, "RELEASE COMPLETE", None)]
    assert p.got(U, ReleaseIndication) == [ReleaseIndication(c, 17)] and p.idle()


def test_disconnect_with_indicator_8_limits():
    # The user side's own limit passes first:
    p = Pair(user_kw={"timers": Timers.user(in_band_hold=5.0)}).up()
    c = p.outgoing(U)
    p.run()
    p.do(N, "disconnect_request", p.call_on(N), 17, in_band=True)
    p.run(4.0)
    assert p.user.layer3.channels.reserved() == [31]
    p.run(2.0)
    assert p.got(U, ReleaseIndication) == [ReleaseIndication(c, 17)] and p.idle()
    # The network's T306 passes first: it sends RELEASE (Q.931 5.3.4.1).
    p = Pair(network_kw={"timers": Timers.network(T306=3.0)}).up()
    p.clear_log()
    c = p.outgoing(U)
    p.run()
    p.do(N, "disconnect_request", p.call_on(N), 17, in_band=True)
    p.run(4.0)
    assert [(w, t, cc) for w, t, cc, _ in log(p)][-3:] == [
        (N, "DISCONNECT", 17), (N, "RELEASE", 17), (U, "RELEASE COMPLETE", None)]
    assert p.got(U, ReleaseIndication) == [ReleaseIndication(c, 17)] and p.idle()


def test_long_setup_goes_out_segmented_and_is_reassembled():
    from cti_daemon.signalling.isdn.q931.ies import Facility, UserUser, UserProtocol
    from cti_daemon.signalling.isdn.q921.loopback import Impairments
    frames = []
    p = Pair(impairments=Impairments(drop=lambda sender, frame: frames.append(frame) and False)).up()
    frames.clear()
    extra = (Facility(bytes([0x91]) + bytes(range(200))), UserUser(b"x" * 120, UserProtocol.IA5_CHARACTERS))
    p.outgoing(U, "95588", extra_ies=extra)
    p.run()
    # Annex H: the SETUP is longer than N201 (260): two SEGMENT messages in two I frames.
    segments = [f[4:] for f in frames if len(f) > 8 and f[4] == 0x08 and f[4 + 4] == 0x60]
    assert len(segments) == 2 and all(len(s) <= 260 for s in segments)
    offered = p.got(N, SetupIndication)[0]
    assert offered.called == "95588" and [ie for ie in offered.ies if isinstance(ie, (Facility, UserUser))] == \
        list(extra)
