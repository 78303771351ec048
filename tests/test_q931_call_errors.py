"""Q.931 5.8 error handling, table-driven: each faulty or unexpected message received by
our user side in a given call state, with the exact answer (nothing, STATUS with a
cause, RELEASE / RELEASE COMPLETE with a cause) and the state afterwards. Also 5.8.10
and 5.8.11 (STATUS ENQUIRY, STATUS)."""

import pytest

from cti_daemon.signalling.isdn.q921 import Side
from cti_daemon.signalling.isdn.q921.primitives import DlEstablishConfirm
from cti_daemon.signalling.isdn.q931 import CallReference, Message, MessageType as M, decode_message
from cti_daemon.signalling.isdn.q931.calls import Layer3, ReleaseIndication, UserState
from cti_daemon.signalling.isdn.q931.ies import (
    BearerCapability,
    CallState,
    CallStateValue,
    Cause,
    CauseValue,
    ChannelIdentification,
    Location,
    ProgressDescription,
    ProgressIndicator,
    RestartClass,
    RestartIndicator,
)

CR = 5  # the call reference value of the call under test (allocated by the user side)


def ie(identifier, content):
    return bytes([identifier, len(content)]) + bytes(content)


def raw(message_type, *ies, cr=CR, flag=True, length=2):
    """A message from the network as octets (call reference flag 1: we allocated it)."""
    if length == 0:
        head = b"\x08\x00"
    else:
        value = cr.to_bytes(length, "big")
        head = bytes([0x08, length, value[0] | (0x80 if flag else 0)]) + value[1:]
    return head + bytes([message_type]) + b"".join(ies)


CAUSE_16 = ie(0x08, [0x82, 0x90])
CAUSE_BAD = ie(0x08, [0x82])  # no cause value octet
CHANNEL_1 = ie(0x18, [0xA9, 0x83, 0x81])
CALL_STATE = {n: ie(0x14, [n]) for n in (0, 3, 7, 10)}
PI_8 = ie(0x1E, [0x82, 0x88])
PI_BAD = ie(0x1E, [0x82])
BEARER = ie(0x04, [0x80, 0x90, 0xA3])
UNKNOWN_IE = ie(0x2F, [0x01])  # not comprehension required
UNKNOWN_REQUIRED_IE = ie(0x0F, [0x01])  # 0000xxxx: comprehension required (Q.931 4.5.1)


def user_in(state: str) -> Layer3:
    """A user-side layer 3 with call reference 5 in `state` (U0 = none)."""
    l3 = Layer3(Side.USER, restart_at_start=False)
    l3.dl_indication(DlEstablishConfirm(), 0.0)
    l3._next_cr = CR
    if state == "U0":
        return l3
    l3.setup_request(0.0, "8001", call_id=1)
    if state in ("U3", "U4", "U10"):
        l3.receive(raw(M.CALL_PROCEEDING, CHANNEL_1), 0.1)
    if state in ("U4",):
        l3.receive(raw(M.ALERTING), 0.2)
    if state == "U10":
        l3.receive(raw(M.CONNECT), 0.2)
    assert l3.by_id[1].state is UserState[state]
    return l3


def answers(out):
    """(message, cause, diagnostics, call state, call reference flag) of what went out."""
    result = []
    for data in out.transmit:
        msg = decode_message(data).message
        cause, cs = msg.get(Cause), msg.get(CallState)
        result.append((msg.message_type.title, int(cause.value) if cause else None,
                       cause.diagnostics if cause else None, int(cs.value) if cs else None))
    return result


ST, RC, RL = "STATUS", "RELEASE COMPLETE", "RELEASE"

CASES = [
    # (clause, state, message octets, expected answers, state afterwards (None: call gone))
    ("5.8.1 protocol discriminator not 8", "U3", b"\x09" + raw(M.ALERTING)[1:], [], "U3"),
    ("5.8.2 message too short", "U3", b"\x08\x02\x85", [], "U3"),
    ("5.8.3.1 call reference length 3", "U3", b"\x08\x03\x80\x00\x05\x01", [], "U3"),
    ("5.8.3.1 call reference octet 1 bits 8-5 not 0", "U3", b"\x08\x12\x80\x05\x01", [], "U3"),
    ("5.8.3.2 a) ALERTING on an unknown call reference", "U0", raw(M.ALERTING), [(RC, 81, b"", None)], None),
    ("5.8.3.2 b) RELEASE on an unknown call reference", "U0", raw(M.RELEASE, CAUSE_16), [(RC, 81, b"", None)], None),
    ("5.8.3.2 c) RELEASE COMPLETE on an unknown call reference", "U0", raw(M.RELEASE_COMPLETE), [], None),
    ("5.8.3.2 d) SETUP with the flag set", "U0", raw(M.SETUP, BEARER, CHANNEL_1, flag=True), [], None),
    ("5.8.3.2 e) SETUP on a call reference in use", "U3", raw(M.SETUP, BEARER, CHANNEL_1), [], "U3"),
    ("5.8.3.2 f) ALERTING on the global call reference", "U3", raw(M.ALERTING, cr=0, flag=False),
     [(ST, 81, b"", 0)], "U3"),
    ("5.8.3.2 g) STATUS (Active) on an unknown call reference", "U0",
     raw(M.STATUS, CAUSE_16, CALL_STATE[10]), [(RC, 101, bytes([M.STATUS]), None)], None),
    ("5.8.3.2 g) STATUS (Null) on an unknown call reference", "U0", raw(M.STATUS, CAUSE_16, CALL_STATE[0]), [],
     None),
    ("5.8.3.2 STATUS ENQUIRY on an unknown call reference", "U0", raw(M.STATUS_ENQUIRY), [(ST, 30, b"", 0)], None),
    ("dummy call reference: ignored", "U3", raw(M.ALERTING, length=0), [], "U3"),
    ("5.8.4 message type not defined", "U3", raw(0x41), [(ST, 97, b"\x41", 3)], "U3"),
    ("5.8.4 CONNECT ACKNOWLEDGE in U3: not compatible", "U3", raw(M.CONNECT_ACKNOWLEDGE),
     [(ST, 98, bytes([M.CONNECT_ACKNOWLEDGE]), 3)], "U3"),
    ("5.8.4 SETUP ACKNOWLEDGE in U10: not compatible", "U10", raw(M.SETUP_ACKNOWLEDGE),
     [(ST, 98, bytes([M.SETUP_ACKNOWLEDGE]), 10)], "U10"),
    ("5.8.5.2 a repeated cause: the first counts", "U10", raw(M.DISCONNECT, CAUSE_16, ie(0x08, [0x82, 0x91])),
     [(RL, 16, b"", None)], "U19"),
    ("5.8.6.1 a) SETUP without bearer capability", "U0", raw(M.SETUP, CHANNEL_1, flag=False),
     [(RC, 96, b"\x04", None)], None),
    ("5.8.6.1 a) SETUP from the network without channel identification", "U0", raw(M.SETUP, BEARER, flag=False),
     [(RC, 96, b"\x18", None)], None),
    ("5.8.6.1 b) DISCONNECT without cause", "U10", raw(M.DISCONNECT), [(RL, 96, b"\x08", None)], "U19"),
    ("5.8.6.1 e) PROGRESS without progress indicator", "U3", raw(M.PROGRESS), [(ST, 96, b"\x1e", 3)], "U3"),
    ("5.8.6.2 b) DISCONNECT with a cause it cannot read", "U10", raw(M.DISCONNECT, CAUSE_BAD),
     [(RL, 100, b"\x08", None)], "U19"),
    ("5.8.6.2 a) SETUP with a bearer capability it cannot read", "U0",
     raw(M.SETUP, ie(0x04, [0x80]), CHANNEL_1, flag=False), [(RC, 100, b"\x04", None)], None),
    ("5.8.7.1 unrecognised IE: acted on, STATUS 99", "U3", raw(M.ALERTING, UNKNOWN_IE),
     [(ST, 99, b"\x2f", 4)], "U4"),
    ("5.8.7.1 unrecognised comprehension-required IE: as missing, STATUS 96", "U3",
     raw(M.ALERTING, UNKNOWN_REQUIRED_IE), [(ST, 96, b"\x0f", 3)], "U3"),
    ("5.8.7.1 DISCONNECT with an unrecognised IE: RELEASE 99", "U10", raw(M.DISCONNECT, CAUSE_16, UNKNOWN_IE),
     [(RL, 99, b"\x2f", None)], "U19"),
    ("5.8.7.1 RELEASE with an unrecognised IE: RELEASE COMPLETE 99", "U10", raw(M.RELEASE, CAUSE_16, UNKNOWN_IE),
     [(RC, 99, b"\x2f", None)], None),
    ("5.8.7.2 optional IE content error: acted on, STATUS 100", "U3", raw(M.ALERTING, PI_BAD),
     [(ST, 100, b"\x1e", 4)], "U4"),
    ("5.8.10 STATUS ENQUIRY: STATUS 30 with the state", "U10", raw(M.STATUS_ENQUIRY), [(ST, 30, b"", 10)], "U10"),
    ("5.8.11 STATUS, compatible state: no action", "U10", raw(M.STATUS, CAUSE_16, CALL_STATE[10]), [], "U10"),
    ("5.8.11 STATUS, incompatible state: RELEASE 101", "U10", raw(M.STATUS, CAUSE_16, CALL_STATE[7]),
     [(RL, 101, bytes([M.STATUS]), None)], "U19"),
    ("5.8.11 STATUS, peer in Null: released here", "U10", raw(M.STATUS, CAUSE_16, CALL_STATE[0]), [], None),
    ("5.5.2 RESTART without restart indicator: STATUS 96", "U10", raw(M.RESTART, cr=0, flag=False),
     [(ST, 96, b"\x79", 0)], "U10"),
    ("5.5 RESTART ACKNOWLEDGE without RESTART: ignored", "U10",
     raw(M.RESTART_ACKNOWLEDGE, ie(0x79, [0x87]), cr=0, flag=False), [], "U10"),
    ("5.3.5 RELEASE in U10: RELEASE COMPLETE", "U10", raw(M.RELEASE, CAUSE_16), [(RC, None, None, None)], None),
]


@pytest.mark.parametrize("clause, state, octets, expected, after", CASES, ids=[c[0] for c in CASES])
def test_q931_5_8_error_handling(clause, state, octets, expected, after):
    l3 = user_in(state)
    out = l3.receive(octets, 1.0)
    assert answers(out) == expected
    call = l3.by_id.get(1)
    if after is None:
        assert call is None or state == "U0"
        assert not l3.channels.reserved() or state == "U0"
    else:
        assert call is not None and call.state is UserState[after]


def test_unknown_call_reference_answers_carry_the_received_call_reference():
    l3 = user_in("U0")
    out = l3.receive(raw(M.ALERTING, cr=0x1234, flag=True), 1.0)
    cr = decode_message(out.transmit[0]).message.call_reference
    assert cr == CallReference(0x1234, 2, flag=False)


def test_status_enquiry_unanswered_twice_clears_with_41():
    l3 = user_in("U10")
    l3._status_enquiry(l3.by_id[1], 1.0)
    l3._flush()
    out = l3.expire("T322:1", 5.0)
    assert answers(out) == [("STATUS ENQUIRY", None, None, None)]
    out = l3.expire("T322:1", 9.0)
    assert answers(out) == [(RL, 41, b"", None)]
    assert l3.by_id[1].state is UserState.U19


def test_release_twice_unanswered_t308_frees_the_call_and_restarts_the_channel():
    l3 = user_in("U10")
    l3.disconnect_request(1.0, 1, 16)
    l3.expire("T305:1", 31.0)  # no RELEASE from the network: we send RELEASE
    out = l3.expire("T308:1", 35.0)
    assert answers(out) == [(RL, 16, b"", None)]
    out = l3.expire("T308:1", 39.0)
    assert ReleaseIndication(1, 16) in out.indications
    sent = [decode_message(d).message for d in out.transmit]
    assert [m.message_type for m in sent] == [M.RESTART]
    assert sent[0].get(ChannelIdentification).channels == (1,)
    assert sent[0].get(RestartIndicator).restart_class is RestartClass.INDICATED_CHANNELS
    assert l3.channels.reserved() == [] and l3.channels.in_maintenance() == [1]


def test_network_side_answers_unknown_message_type_and_incompatible_message():
    l3 = Layer3(Side.NETWORK, restart_at_start=False)
    l3.dl_indication(DlEstablishConfirm(), 0.0)
    out = l3.receive(Message(M.SETUP, CallReference(7, 2), [BearerCapability(), ChannelIdentification.e1(3)]).encode(),
                     0.0)
    assert answers(out) == [("CALL PROCEEDING", None, None, None)]
    out = l3.receive(raw(0x41, cr=7, flag=False), 1.0)
    assert answers(out) == [(ST, 97, b"\x41", 3)]
    out = l3.receive(raw(M.ALERTING, cr=7, flag=False), 1.0)  # a user never sends ALERTING in N3
    assert answers(out) == [(ST, 98, bytes([M.ALERTING]), 3)]
    cause = Cause(CauseValue.NORMAL_CALL_CLEARING, Location.USER)
    pi = ProgressIndicator(ProgressDescription.IN_BAND_INFORMATION_AVAILABLE)
    out = l3.receive(Message(M.DISCONNECT, CallReference(7, 2), [cause, pi]).encode(), 1.0)
    assert answers(out) == [(RL, 16, b"", None)]  # the network side does not hold for in-band
    assert CallStateValue.NULL == 0
