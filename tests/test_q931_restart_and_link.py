"""RESTART (Q.931 5.5) at start-up, of one channel and of the interface, T316/N316;
data link failure (5.8.9): T309, STATUS ENQUIRY audit on re-establishment, clearing
on T309 expiry with no channel left busy; data link reset (5.8.8)."""

from cti_daemon.signalling.isdn.q921.loopback import Impairments
from cti_daemon.signalling.isdn.q931 import decode_message
from cti_daemon.signalling.isdn.q931.calls import (
    ChannelRestarted,
    DataLinkChange,
    GlobalState,
    ReleaseIndication,
    RestartFailed,
    SetupIndication,
    StatusIndication,
    UserState,
)
from cti_daemon.signalling.isdn.q931.calls.channels import BRI_B_CHANNELS
from cti_daemon.signalling.isdn.q931.ies import ChannelIdentification, RestartClass, RestartIndicator
from cti_daemon.signalling.isdn.q931.ies.channel import E1_B_CHANNELS
from q931_pair import NETWORK, USER, Pair, log

N, U = NETWORK, USER


def active_call(p, originator=U):
    c = p.outgoing(originator)
    p.run()
    other = N if originator == U else U
    o = p.call_on(other)
    p.do(other, "connect_request", o)
    p.run()
    return (c, o) if originator == U else (o, c)


def restart_messages(p):
    out = []
    for who, data in p.sent:
        msg = decode_message(data).message
        if msg.call_reference.is_global:
            ci = msg.get(ChannelIdentification)
            out.append((who, msg.message_type.title, msg.get(RestartIndicator).restart_class,
                        ci.channels if ci else None))
    return out


def test_cold_start_restarts_the_interface_before_offering_channels():
    p = Pair()
    c = p.outgoing(U)  # before the data link is up: refused at once, cause 41
    assert p.got(U, ReleaseIndication) == [ReleaseIndication(c, 41)]
    assert p.user.layer3.channels.idle() == []  # channel states unknown: none offered
    p.wire.do(U, p.user.start)
    p.run(0.005)  # data link up, RESTART sent, no RESTART ACKNOWLEDGE yet
    assert p.user.layer3.global_state is GlobalState.REST1
    c = p.outgoing(U)
    assert p.got(U, ReleaseIndication)[-1] == ReleaseIndication(c, 34)
    p.run()
    assert restart_messages(p) == [(U, "RESTART", RestartClass.ALL_INTERFACES, None),
                                   (N, "RESTART ACKNOWLEDGE", RestartClass.ALL_INTERFACES, None)]
    assert p.got(U, ChannelRestarted) == [ChannelRestarted(E1_B_CHANNELS, True)]
    assert p.got(N, ChannelRestarted) == [ChannelRestarted(E1_B_CHANNELS, False)]
    assert p.user.layer3.global_state is GlobalState.REST0
    assert len(p.user.layer3.channels.idle()) == 30


def test_restart_of_one_channel_while_calls_are_up():
    p = Pair().up()
    u1, n1 = active_call(p)  # channel 31
    u2, n2 = active_call(p)  # channel 30
    p.clear_log()
    p.do(N, "restart_request", (31,))
    p.run()
    assert restart_messages(p) == [(N, "RESTART", RestartClass.INDICATED_CHANNELS, (31,)),
                                   (U, "RESTART ACKNOWLEDGE", RestartClass.INDICATED_CHANNELS, (31,))]
    assert p.got(U, ReleaseIndication) == [ReleaseIndication(u1, 41)]
    assert p.got(N, ReleaseIndication) == [ReleaseIndication(n1, 41)]
    assert p.got(N, ChannelRestarted)[-1] == ChannelRestarted((31,), True)
    assert p.user.layer3.channels.reserved() == [30] and p.network.layer3.channels.reserved() == [30]
    assert p.user.layer3.by_id[u2].state is UserState.U10


def test_restart_of_the_interface_while_calls_are_up():
    p = Pair().up()
    calls = [active_call(p, U if i % 2 else N) for i in range(6)]
    p.do(N, "restart_request")
    p.run()
    assert sorted(r.call for r in p.got(U, ReleaseIndication)) == sorted(u for u, _ in calls)
    assert {r.cause for r in p.got(U, ReleaseIndication)} == {41}
    assert p.idle() and len(p.user.layer3.channels.idle()) == 30 and len(p.network.layer3.channels.idle()) == 30


def test_restart_unanswered_is_sent_n316_times_then_reported():
    p = Pair()
    p.network.layer3._restart_received = lambda *a: None  # a peer that ignores RESTART
    p.up()
    p.run(119.0)
    assert [m[1] for m in restart_messages(p)] == ["RESTART"]
    p.run(2.0)  # T316 = 2 min
    assert [m[1] for m in restart_messages(p)] == ["RESTART", "RESTART"]
    p.run(121.0)  # N316 = 2: no third RESTART
    assert [m[1] for m in restart_messages(p)] == ["RESTART", "RESTART"]
    assert p.got(U, RestartFailed) == [RestartFailed(E1_B_CHANNELS)]
    assert p.user.layer3.channels.idle() == []


def test_bri_restart_and_one_octet_call_references():
    p = Pair(primary_rate=False).up()
    assert p.got(U, ChannelRestarted) == [ChannelRestarted(BRI_B_CHANNELS, True)]
    c = p.outgoing(U)
    p.run()
    assert p.got(N, SetupIndication)[0].channel == 2  # descending on the user side: B2
    setup = [d for w, d in p.sent if decode_message(d).message.message_type.title == "SETUP"][0]
    assert setup[1] == 1  # call reference length 1 on BRI (Q.931 4.3)
    p.do(U, "disconnect_request", c)
    p.run()
    assert p.idle()


class Blackout:
    """A D-channel that loses everything while `on` (a timeslot 16 blackout)."""

    def __init__(self):
        self.on = False

    def __call__(self, sender, frame):
        return self.on


def test_data_link_loss_shorter_than_t309_keeps_active_calls_and_audits_them():
    cut = Blackout()
    p = Pair(impairments=Impairments(drop=cut)).up()
    u1, n1 = active_call(p)
    u2 = p.outgoing(U)  # still being set up: cleared internally when the link fails
    p.run()
    cut.on = True
    p.run(30.0)
    assert DataLinkChange(False) in p.got(U, DataLinkChange)
    assert [r for r in p.got(U, ReleaseIndication)] == [ReleaseIndication(u2, 41)]
    assert p.user.layer3.by_id[u1].state is UserState.U10 and p.user.layer3.channels.reserved() == [31]
    p.clear_log()
    cut.on = False
    p.run(10.0)
    assert p.got(U, DataLinkChange)[-1] == DataLinkChange(True)
    assert ("STATUS ENQUIRY" in [e[1] for e in log(p)]) and ("STATUS" in [e[1] for e in log(p)])
    assert StatusIndication(u1, 30, 10) in p.got(U, StatusIndication)
    assert p.user.layer3.by_id[u1].state is UserState.U10
    assert p.user.layer3.channels.reserved() == [31] == p.network.layer3.channels.reserved()
    p.do(U, "disconnect_request", u1)
    p.run()
    assert p.idle()


def test_data_link_loss_longer_than_t309_clears_calls_and_restarts():
    cut = Blackout()
    p = Pair(impairments=Impairments(drop=cut)).up()
    calls = [active_call(p) for _ in range(3)]
    cut.on = True
    p.run(120.0)  # T309 = 90 s
    assert {r.cause for r in p.got(U, ReleaseIndication)} == {27}
    assert {r.cause for r in p.got(N, ReleaseIndication)} == {27}
    assert len(p.got(U, ReleaseIndication)) == 3 == len(p.got(N, ReleaseIndication))
    assert p.idle()
    p.clear_log()
    cut.on = False
    p.run(10.0)
    assert ("RESTART" in [m[1] for m in restart_messages(p)]) and \
        ("RESTART ACKNOWLEDGE" in [m[1] for m in restart_messages(p)])
    assert len(p.user.layer3.channels.idle()) == 30 and len(p.network.layer3.channels.idle()) == 30
    p.outgoing(U)
    p.run()
    assert p.got(N, SetupIndication)[-1].channel == 31
    assert calls


def test_bit_errors_calls_still_complete():
    p = Pair(impairments=Impairments(loss_rate=0.05, seed=3)).up()
    p.run(10.0)
    done = 0
    for i in range(10):
        c = p.outgoing(U)
        p.run(5.0)
        setups = p.got(N, SetupIndication)
        if setups:
            p.do(N, "connect_request", setups[-1].call)
            p.run(5.0)
        p.do(U, "disconnect_request", c)
        p.run(20.0)
        done += 1
    p.run(300.0)
    assert p.idle() and done == 10
    assert p.wire.counters.dropped > 0


def test_peer_data_link_reset_clears_overlap_calls_with_41_only():
    from cti_daemon.signalling.isdn.q931.calls import NumberCompleteness
    p = Pair(user_kw={"numbering": NumberCompleteness({"9": 8})}).up()
    u_active, _ = active_call(p)
    n_overlap = p.outgoing(N, "9", sending_complete=False)
    p.run()
    u_overlap = [c.call_id for c in p.user.layer3.active_calls() if c.state is UserState.U25][0]
    # The network side's data link restarts (SABME while established, Q.921 5.7):
    p.wire.do(N, p.network.link.establish_request)
    p.run()
    # Q.931 5.8.8: the call in overlap receiving is cleared with cause 41, the active one stays.
    assert [e for e in log(p) if e[1] == "DISCONNECT"][-1][2] == 41
    assert p.got(N, ReleaseIndication)[-1] == ReleaseIndication(n_overlap, 41)
    assert u_overlap not in p.user.layer3.by_id
    assert p.user.layer3.by_id[u_active].state is UserState.U10


def test_span_alarm_takes_channels_out_of_service_until_cleared():
    p = Pair().up()
    u, n = active_call(p)
    p.wire.do(U, p.user.span_alarm)
    p.wire.impairments.drop = lambda sender, frame: True  # the span is dead both ways
    p.run(5.0)
    c = p.outgoing(U)
    assert p.got(U, ReleaseIndication)[-1] == ReleaseIndication(c, 41)  # no new call during the alarm
    assert p.user.layer3.by_id[u].state is UserState.U10  # T309 running
    p.wire.impairments.drop = None
    p.wire.do(U, p.user.span_alarm_cleared)
    p.run(10.0)
    assert p.user.layer3.link_up and p.user.layer3.by_id[u].state is UserState.U10
    c = p.outgoing(U)
    p.run()
    assert p.got(N, SetupIndication)[-1].channel == 30


def test_both_sides_restart_at_start_at_once():
    p = Pair(network_kw={"restart_at_start": True}).up()
    kinds = [(m[0], m[1]) for m in restart_messages(p)]
    assert sorted(kinds) == sorted([(U, "RESTART"), (N, "RESTART"), (U, "RESTART ACKNOWLEDGE"),
                                    (N, "RESTART ACKNOWLEDGE")])
    for side in (p.user, p.network):
        assert side.layer3.global_state is GlobalState.REST0 and len(side.layer3.channels.idle()) == 30
    u, n = active_call(p)
    assert p.user.layer3.by_id[u].state is UserState.U10
