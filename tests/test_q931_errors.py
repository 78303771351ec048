"""What the decoder reports for each Q.931 5.8 case (the decoder reports, call control
answers). One row per case: the octets received, and the exact findings expected."""

import pytest

from cti_daemon.signalling.isdn.q931 import (
    MANDATORY,
    Direction,
    FindingKind,
    MessageType,
    Q931DecodeError,
    decode_message,
)
from cti_daemon.signalling.isdn.q931.ies import BearerCapability, Cause, ChannelIdentification, Display
from cti_daemon.signalling.isdn.q931.ies.base import RawIE

K = FindingKind
U2N, N2U = Direction.USER_TO_NETWORK, Direction.NETWORK_TO_USER
HDR = "08 02 00 01"  # PD, 2-octet call reference 1, flag 0
BC = "04 03 80 90 a3"
CHID = "18 03 a9 83 81"
CAUSE = "08 02 80 90"

# 5.8.1, 5.8.2, 5.8.3.1: the message is ignored - decode raises with the kind.
IGNORED = [
    ("5.8.2 empty", "", None, K.MESSAGE_TOO_SHORT),
    ("5.8.2 PD only", "08", None, K.MESSAGE_TOO_SHORT),
    ("5.8.2 no message type", "08 02 00 01", None, K.MESSAGE_TOO_SHORT),
    ("5.8.2 call reference cut", "08 02 00", None, K.MESSAGE_TOO_SHORT),
    ("5.8.1 X.25 PD", "10 02 00 01 05", None, K.UNKNOWN_PROTOCOL_DISCRIMINATOR),
    ("5.8.1 maintenance PD", "03 02 00 01 07", None, K.UNKNOWN_PROTOCOL_DISCRIMINATOR),
    ("5.8.1 Q.2931 PD", "09 02 00 01 05", None, K.UNKNOWN_PROTOCOL_DISCRIMINATOR),
    ("5.8.3.1 octet 1 bits 8-5", "08 12 00 01 05", None, K.BAD_CALL_REFERENCE),
    ("5.8.3.1 length 3", "08 03 00 00 01 05", None, K.BAD_CALL_REFERENCE),
    ("5.8.3.1 length 15", "08 0f 00 05", None, K.BAD_CALL_REFERENCE),
    ("5.8.3.1 1 octet on PRI", "08 01 01 05", 2, K.BAD_CALL_REFERENCE),
    ("5.8.3.1 2 octets on BRI", "08 02 00 01 05", 1, K.BAD_CALL_REFERENCE),
]


@pytest.mark.parametrize("case,octets,cr_length,kind", IGNORED, ids=[c[0] for c in IGNORED])
def test_ignored_messages_raise_the_documented_error(case, octets, cr_length, kind):
    with pytest.raises(Q931DecodeError) as e:
        decode_message(bytes.fromhex(octets), call_reference_length=cr_length)
    assert e.value.kind is kind
    assert kind.clause in str(e.value)


# Everything else decodes; the report lists (kind, IE identifier, comprehension required).
REPORTED = [
    ("clean SETUP u->n", f"{HDR} 05 {BC}", U2N, []),
    ("clean SETUP n->u", f"{HDR} 05 {BC} {CHID}", N2U, []),
    ("5.8.4 unknown message type", f"{HDR} 7f", None, [(K.UNKNOWN_MESSAGE_TYPE, None, False)]),
    ("5.8.4 message type with bit 8", f"{HDR} 85", None, [(K.UNKNOWN_MESSAGE_TYPE, None, False)]),
    ("5.8.4 unknown type, its IEs still reported", f"{HDR} 7f 0f 01 00 28 01 c1", None,
     [(K.UNKNOWN_MESSAGE_TYPE, None, False), (K.UNRECOGNISED_IE, 0x0F, True), (K.OPTIONAL_IE_CONTENT_ERROR, 0x28, False)]),
    ("5.8.4 USER INFORMATION is known", f"{HDR} 20 7e 02 04 41", None, []),
    ("5.8.5.1 out of sequence", f"{HDR} 05 {CHID} {BC}", N2U, [(K.IE_OUT_OF_SEQUENCE, 0x04, False)]),
    ("5.8.5.1 single octet anywhere", f"{HDR} 05 {BC} {CHID} a1", N2U, []),
    ("5.8.5.1 per codeset", f"{HDR} 05 {BC} {CHID} 96 04 01 00", N2U, [(K.UNRECOGNISED_IE, 0x04, False)]),
    ("5.8.5.2 repeated cause", f"{HDR} 45 {CAUSE} {CAUSE}", None, [(K.IE_REPEATED, 0x08, False)]),
    ("5.8.5.2 repeated display", f"{HDR} 7b 28 01 41 28 01 42", None, [(K.IE_REPEATED, 0x28, False)]),
    ("5.8.5.2 two progress indicators allowed", f"{HDR} 01 1e 02 82 81 1e 02 82 88", None, []),
    ("5.8.5.2 bearer capability with repeat indicator", f"{HDR} 05 d2 {BC} 04 03 88 90 a3", U2N, []),
    ("5.8.6.1 DISCONNECT without cause", f"{HDR} 45", None, [(K.MANDATORY_IE_MISSING, 0x08, False)]),
    ("5.8.6.1 SETUP without bearer capability", f"{HDR} 05 {CHID}", U2N, [(K.MANDATORY_IE_MISSING, 0x04, False)]),
    ("5.8.6.1 SETUP n->u without channel", f"{HDR} 05 {BC}", N2U, [(K.MANDATORY_IE_MISSING, 0x18, False)]),
    ("5.8.6.1 STATUS without call state", f"{HDR} 7d {CAUSE}", None, [(K.MANDATORY_IE_MISSING, 0x14, False)]),
    ("5.8.6.1 STATUS without both", f"{HDR} 7d", None,
     [(K.MANDATORY_IE_MISSING, 0x08, False), (K.MANDATORY_IE_MISSING, 0x14, False)]),
    ("5.8.6.1 RESTART without indicator", "08 02 00 00 46 18 03 a9 83 81", None,
     [(K.MANDATORY_IE_MISSING, 0x79, False)]),
    ("5.8.6.1 RESUME ACKNOWLEDGE n->u", "08 01 85 2e", N2U, [(K.MANDATORY_IE_MISSING, 0x18, False)]),
    ("5.8.6.2 DISCONNECT cause too short", f"{HDR} 45 08 01 80", None,
     [(K.MANDATORY_IE_CONTENT_ERROR, 0x08, False)]),
    ("5.8.6.2 DISCONNECT undefined cause value", f"{HDR} 45 08 02 80 8b", None,
     [(K.MANDATORY_IE_CONTENT_ERROR, 0x08, False)]),
    ("5.8.6.2 SETUP bearer capability bad", f"{HDR} 05 04 01 80 {CHID}", N2U,
     [(K.MANDATORY_IE_CONTENT_ERROR, 0x04, False)]),
    ("5.8.6.2 mandatory IE cut by the message end", f"{HDR} 45 08 05 80 90", None,
     [(K.MANDATORY_IE_CONTENT_ERROR, 0x08, False)]),
    ("5.8.7.1 unrecognised, comprehension required", f"{HDR} 07 0f 01 00", None,
     [(K.UNRECOGNISED_IE, 0x0F, True)]),
    ("5.8.7.1 unrecognised, not comprehension required", f"{HDR} 07 3a 01 00", None,
     [(K.UNRECOGNISED_IE, 0x3A, False)]),
    ("5.8.7.1 codeset 5 via locking shift", f"{HDR} 07 95 02 01 00", None, [(K.UNRECOGNISED_IE, 0x02, False)]),
    ("5.8.7.1 reserved single octet", f"{HDR} 07 80", None, [(K.UNRECOGNISED_IE, 0x80, False)]),
    ("5.8.7.1 network-specific facilities is recognised", f"{HDR} 07 20 02 00 01", None, []),
    ("5.8.7.2 optional IE content error", f"{HDR} 07 28 02 41 c1", None,
     [(K.OPTIONAL_IE_CONTENT_ERROR, 0x28, False)]),
    ("5.8.7.2 optional IE cut by the message end", f"{HDR} 07 28 09 41", None,
     [(K.OPTIONAL_IE_CONTENT_ERROR, 0x28, False)]),
    ("5.8.7.2 length octet missing", f"{HDR} 07 28", None, [(K.OPTIONAL_IE_CONTENT_ERROR, 0x28, False)]),
    ("4.5.3 locking shift to codeset 0", f"{HDR} 07 90", None, [(K.INVALID_SHIFT, None, False)]),
    ("4.5.3 locking shift down", f"{HDR} 07 96 95", None, [(K.INVALID_SHIFT, None, False)]),
    ("4.5.4 non-locking shift back to 0 is fine", f"{HDR} 07 96 98 28 01 41", None, []),
    ("dummy call reference", "08 00 62 1c 01 91", None, []),
]


@pytest.mark.parametrize("case,octets,direction,expected", REPORTED, ids=[c[0] for c in REPORTED])
def test_findings_per_case(case, octets, direction, expected):
    decoded = decode_message(bytes.fromhex(octets), direction=direction)
    got = [(f.kind, f.identifier, f.comprehension_required) for f in decoded.report.findings]
    assert got == expected
    for f in decoded.report.findings:
        assert f.clause == f.kind.value and f.detail


def test_faulty_message_still_yields_what_was_readable():
    data = bytes.fromhex(f"{HDR} 45 {CAUSE} 28 02 41 c1 {CAUSE}")
    decoded = decode_message(data)
    assert decoded.message.message_type is MessageType.DISCONNECT
    assert decoded.message.get(Cause) == Cause.decode_content(bytes.fromhex("80 90"))
    bad_display = decoded.message.ies[1]
    assert isinstance(bad_display, RawIE) and "IA5" in bad_display.error
    assert decoded.message.get(Display) is None
    assert decoded.message.encode() == data  # carried exactly as received
    assert decoded.report.optional_content_errors == [0x28]
    assert decoded.report.identifiers(K.IE_REPEATED) == [0x08]


def test_unknown_message_type_keeps_the_octet_and_call_reference():
    decoded = decode_message(bytes.fromhex("08 02 80 07 7f 08 02 80 90"))
    assert decoded.message.message_type == 0x7F
    assert decoded.message.call_reference.value == 7 and decoded.message.call_reference.flag
    assert decoded.report.unknown_message_type
    assert decoded.message.encode() == bytes.fromhex("08 02 80 07 7f 08 02 80 90")


def test_report_accessors():
    decoded = decode_message(bytes.fromhex(f"{HDR} 7d 0f 01 00 28 01 c1"))
    r = decoded.report
    assert r.missing_mandatory == [0x08, 0x14]
    assert r.unrecognised == [0x0F] and r.unrecognised_comprehension_required == [0x0F]
    assert r.optional_content_errors == [0x28]
    assert r.mandatory_content_errors == []
    assert not r.ok


@pytest.mark.parametrize("message_type", [mt for mt, rows in MANDATORY.items() if rows])
def test_empty_message_reports_exactly_its_mandatory_ies(message_type):
    # Sent with a message type alone, both directions: each unconditional mandatory IE is missing.
    for direction in (U2N, N2U):
        decoded = decode_message(bytes.fromhex(HDR) + bytes([message_type]), direction=direction)
        expected = sorted(int(i) for i, d in MANDATORY[message_type] if d is None or d is direction)
        assert decoded.report.missing_mandatory == expected


def test_mandatory_ies_with_correct_contents_satisfy_the_table():
    decoded = decode_message((b"\x08\x02\x00\x01\x05" + BearerCapability().encode()
                              + ChannelIdentification.e1(3).encode()), direction=N2U)
    assert decoded.report.ok
