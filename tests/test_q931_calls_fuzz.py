"""Hypothesis: random sequences of call model requests, valid Q.931 messages on live
and random call references, random octets and mutated messages, into both sides over
the Loopback. Nothing raises; every call is always in a state of its side's state
enum; after everything is cleared and the timers have run out, no call and no
B-channel is left (issue 5, proof: "every call reference ends in a defined state, no
B-channel left reserved")."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cti_daemon.signalling.isdn.q931 import CallReference, Message, MessageType
from cti_daemon.signalling.isdn.q931.calls import ChannelUse, GlobalState, NetworkState, UserState
from cti_daemon.signalling.isdn.q931.ies import (
    BearerCapability,
    BriChannel,
    CalledPartyNumber,
    CallState,
    CallStateValue,
    Cause,
    CauseValue,
    ChannelIdentification,
    ProgressDescription,
    ProgressIndicator,
    RestartClass,
    RestartIndicator,
    SendingComplete,
)
from cti_daemon.signalling.isdn.q921.loopback import Impairments
from q931_pair import NETWORK, USER, Pair

SIDES = st.sampled_from([USER, NETWORK])
REQUESTS = ["setup_request", "info_request", "proceeding_request", "alerting_request", "progress_request",
            "connect_request", "disconnect_request", "release_request", "restart_request"]
IE_LIBRARY = [
    BearerCapability(), ChannelIdentification.e1(1), ChannelIdentification.e1(31, exclusive=False),
    ChannelIdentification.bri(BriChannel.B1, exclusive=True), ChannelIdentification.bri(BriChannel.ANY),
    ChannelIdentification.e1(), Cause(CauseValue.USER_BUSY), Cause(CauseValue.NORMAL_CALL_CLEARING),
    ProgressIndicator(ProgressDescription.IN_BAND_INFORMATION_AVAILABLE),
    ProgressIndicator(ProgressDescription.NOT_END_TO_END_ISDN), CallState(CallStateValue.ACTIVE),
    CallState(CallStateValue.NULL), CallState(CallStateValue.CALL_RECEIVED), CalledPartyNumber("8001"),
    RestartIndicator(RestartClass.ALL_INTERFACES), RestartIndicator(RestartClass.INDICATED_CHANNELS),
]
IDENTIFIER_ORDER = {type(ie): i for i, ie in enumerate(IE_LIBRARY)}

request = st.tuples(st.just("request"), SIDES, st.sampled_from(REQUESTS), st.integers(0, 7),
                    st.sampled_from([1, 16, 17, 19, 28, 34]))
advance = st.tuples(st.just("run"), st.floats(0.001, 200.0))
octets = st.tuples(st.just("octets"), SIDES, st.binary(max_size=40))
message = st.tuples(st.just("message"), SIDES, st.sampled_from(list(MessageType)), st.integers(-1, 7),
                    st.booleans(), st.lists(st.sampled_from(IE_LIBRARY), max_size=4), st.booleans())
mutated = st.tuples(st.just("mutated"), SIDES, st.sampled_from(list(MessageType)), st.integers(-1, 7),
                    st.lists(st.sampled_from(IE_LIBRARY), max_size=4), st.integers(0, 60), st.integers(0, 255))
ACTIONS = st.lists(st.one_of(request, advance, octets, message, mutated), max_size=30)


def pick_call(pair, index, k):
    ids = sorted(pair.side(index).layer3.by_id)
    return ids[k % len(ids)] if ids else k + 1


def build(pair, index, mt, k, ours, ies, sending_complete) -> bytes:
    """A message to endpoint `index` on one of its calls (k >= 0), or the global call
    reference (k = -1). `ours`: the call reference flag as if it were ours or theirs."""
    if k < 0:
        cr = CallReference.global_(pair.side(index).layer3.cr_length)
    else:
        layer3 = pair.side(index).layer3
        calls = sorted(layer3.calls)
        if calls:
            originated_here, value = calls[k % len(calls)]
            cr = CallReference(value, layer3.cr_length, originated_here if ours else not originated_here)
        else:
            cr = CallReference(k + 1, layer3.cr_length, ours)
    ies = sorted(set(ies), key=lambda ie: int(ie.IDENTIFIER))
    if sending_complete:
        ies = [SendingComplete(), *ies]
    return Message(mt, cr, ies).encode()


def check_defined(pair):
    for index, enum in ((USER, UserState), (NETWORK, NetworkState)):
        layer3 = pair.side(index).layer3
        assert layer3.global_state in GlobalState
        for call in layer3.by_id.values():
            assert isinstance(call.state, enum) and call.state != 0
            if call.channel is not None:
                assert layer3.channels.use[call.channel] is ChannelUse.RESERVED
        for ch, owner in layer3.channels.owner.items():
            assert owner in layer3.by_id, f"channel {ch} held by a call that is gone"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ACTIONS, st.booleans(), st.sampled_from([0.0, 0.0, 0.05]))
def test_random_sequences_never_raise_and_leave_nothing_behind(actions, primary_rate, loss):
    p = Pair(primary_rate=primary_rate, impairments=Impairments(loss_rate=loss, seed=len(actions))).up()
    for action in actions:
        kind, index = action[0], action[1] if len(action) > 1 else None
        if kind == "run":
            p.run(action[1])
        elif kind == "request":
            _, index, name, k, cause = action
            if name == "setup_request":
                p.outgoing(index, "8001", sending_complete=bool(k % 2))
            elif name == "restart_request":
                channels = p.side(index).layer3.channels.channels
                p.do(index, name, (channels[k % len(channels)],) if k % 2 else None)
            elif name == "info_request":
                p.do(index, name, pick_call(p, index, k), "12")
            elif name in ("disconnect_request", "release_request"):
                p.do(index, name, pick_call(p, index, k), cause)
            else:
                p.do(index, name, pick_call(p, index, k))
        elif kind == "octets":
            p.inject(index, action[2])
        elif kind == "message":
            _, index, mt, k, ours, ies, sc = action
            p.inject(index, build(p, index, mt, k, ours, ies, sc))
        else:
            _, index, mt, k, ies, position, value = action
            data = bytearray(build(p, index, mt, k, False, ies, False))
            data[position % len(data)] = value
            p.inject(index, bytes(data))
        check_defined(p)
    # Everything still up is cleared by both call models; the timers then run out.
    p.run(5.0)
    for index in (USER, NETWORK):
        for call_id in sorted(p.side(index).layer3.by_id):
            p.do(index, "disconnect_request", call_id, 16)
    p.run(1000.0)
    check_defined(p)
    assert p.idle(), (p.user.layer3.by_id, p.network.layer3.by_id)
    for index in (USER, NETWORK):
        layer3 = p.side(index).layer3
        assert layer3.global_state is GlobalState.REST0
