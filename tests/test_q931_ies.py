"""Q.931 information elements: exact octets per the coding of Q.931 4.5 (tables written out
here independently of the code), content errors, E1/BRI channel rules, every Q.850 cause,
and tshark reading the values we meant."""

import pytest

import tshark
from cti_daemon.signalling.isdn.q931 import CallReference, IEContentError, Message, MessageType, decode_message
from cti_daemon.signalling.isdn.q931.ies import (
    CAUSE_NAMES,
    E1_B_CHANNELS,
    BearerCapability,
    BriChannel,
    CalledPartyNumber,
    CalledPartySubaddress,
    CallIdentity,
    CallingPartyNumber,
    CallState,
    CallStateValue,
    Cause,
    CauseValue,
    ChannelIdentification,
    CodingStandard,
    ConnectedNumber,
    DateTime,
    Display,
    Facility,
    HighLayerCharacteristics,
    HighLayerCompatibility,
    InformationTransferCapability,
    InformationTransferRate,
    InterfaceType,
    KeypadFacility,
    Location,
    LowLayerCompatibility,
    NotificationDescription,
    NotificationIndicator,
    NumberingPlan,
    Presentation,
    PriSelection,
    ProgressDescription,
    ProgressIndicator,
    RedirectingNumber,
    RedirectionReason,
    RestartClass,
    RestartIndicator,
    Screening,
    SegmentedMessage,
    Signal,
    SignalValue,
    SubaddressType,
    TransferMode,
    TypeOfNumber,
    UserInfoLayer1,
    UserUser,
    decode_ie,
)
from cti_daemon.signalling.isdn.q931.ies.base import RawIE
from cti_daemon.signalling.trace import LINKTYPE_LINUX_LAPD, Direction, PcapWriter
from q931_samples import lapd_i_frame

# (IE, its octets: identifier, length, contents) - codings per the Q.931 4.5.x figures.
EXACT = [
    (BearerCapability(), "04 03 80 90 a3"),  # speech, circuit 64k, G.711 A-law
    (BearerCapability(layer1=UserInfoLayer1.G711_MU_LAW), "04 03 80 90 a2"),
    (BearerCapability(InformationTransferCapability.AUDIO_3_1_KHZ), "04 03 90 90 a3"),
    (BearerCapability(InformationTransferCapability.UNRESTRICTED_DIGITAL, layer1=None), "04 02 88 90"),
    (BearerCapability(InformationTransferCapability.UNRESTRICTED_DIGITAL, layer1=None,
                      transfer_rate=InformationTransferRate.MULTIRATE, rate_multiplier=2), "04 03 88 98 82"),
    (BearerCapability(InformationTransferCapability.UNRESTRICTED_DIGITAL, UserInfoLayer1.V110_I460_X30,
                      layer1_octets=bytes([0x8F])), "04 04 88 90 21 8f"),  # 5a: 56 kbit/s sync
    (BearerCapability(InformationTransferCapability.UNRESTRICTED_DIGITAL, None, TransferMode.PACKET,
                      InformationTransferRate.PACKET_MODE, layer2_octets=b"\xc6", layer3_octets=b"\xe6"),
     "04 04 88 c0 c6 e6"),  # X.25 packet mode, layer 2 X.25 link, layer 3 X.25 packet
    (ChannelIdentification.e1(1), "18 03 a9 83 81"),
    (ChannelIdentification.e1(31, exclusive=False), "18 03 a1 83 9f"),
    (ChannelIdentification.e1(1, 2, 17), "18 05 a9 83 01 02 91"),
    (ChannelIdentification.e1(), "18 01 a3"),  # any channel
    (ChannelIdentification(InterfaceType.PRIMARY, PriSelection.NO_CHANNEL), "18 01 a0"),
    (ChannelIdentification(InterfaceType.PRIMARY, PriSelection.AS_INDICATED, True, (), slot_map=b"\x00\x00\x01"),
     "18 05 a9 93 00 00 01"),
    (ChannelIdentification(InterfaceType.PRIMARY, PriSelection.AS_INDICATED, True, (5,), interface_id=b"\x81"),
     "18 04 e9 81 83 85"),
    (ChannelIdentification.bri(BriChannel.B1), "18 01 81"),
    (ChannelIdentification.bri(BriChannel.B2, exclusive=True), "18 01 8a"),
    (ChannelIdentification.bri(BriChannel.ANY), "18 01 83"),
    (ChannelIdentification.bri(BriChannel.NO_CHANNEL), "18 01 80"),
    (ChannelIdentification(InterfaceType.BASIC, BriChannel.NO_CHANNEL, True, d_channel=True), "18 01 8c"),
    (Cause(CauseValue.NORMAL_CALL_CLEARING), "08 02 80 90"),
    (Cause(CauseValue.USER_BUSY, Location.PUBLIC_NETWORK_LOCAL_USER), "08 02 82 91"),
    (Cause(CauseValue.NO_ANSWER_FROM_USER, Location.PRIVATE_NETWORK_LOCAL_USER), "08 02 81 93"),
    (Cause.with_ie_identifiers(CauseValue.MANDATORY_IE_MISSING, [0x04, 0x18]), "08 04 80 e0 04 18"),
    (Cause.with_message_type(CauseValue.MESSAGE_TYPE_NON_EXISTENT_OR_NOT_IMPLEMENTED, 0x7F), "08 03 80 e1 7f"),
    (Cause.timer_expiry("T303", Location.PUBLIC_NETWORK_LOCAL_USER), "08 05 82 e6 33 30 33"),
    (Cause(CauseValue.INTERWORKING_UNSPECIFIED, Location.NETWORK_BEYOND_INTERWORKING_POINT, recommendation=0),
     "08 03 0a 80 ff"),
    (ProgressIndicator(ProgressDescription.IN_BAND_INFORMATION_AVAILABLE, Location.PUBLIC_NETWORK_LOCAL_USER),
     "1e 02 82 88"),
    (ProgressIndicator(ProgressDescription.NOT_END_TO_END_ISDN, Location.TRANSIT_NETWORK), "1e 02 83 81"),
    (CallState(CallStateValue.ACTIVE), "14 01 0a"),
    (CallState(CallStateValue.OVERLAP_RECEIVING), "14 01 19"),
    (CallState(CallStateValue.RESTART_REQUEST), "14 01 3d"),
    (RestartIndicator(RestartClass.INDICATED_CHANNELS), "79 01 80"),
    (RestartIndicator(RestartClass.SINGLE_INTERFACE), "79 01 86"),
    (RestartIndicator(RestartClass.ALL_INTERFACES), "79 01 87"),
    (NotificationIndicator(NotificationDescription.USER_SUSPENDED), "27 01 80"),
    (NotificationIndicator(NotificationDescription.REMOTE_HOLD), "27 01 f9"),
    (Signal(SignalValue.RING_BACK_TONE_ON), "34 01 01"),
    (Signal(SignalValue.TONES_OFF), "34 01 3f"),
    (Display("Hi"), "28 02 48 69"),
    (KeypadFacility("*21#"), "2c 04 2a 32 31 23"),
    (DateTime(26, 11, 27, 23, 59), "29 05 1a 0b 1b 17 3b"),
    (DateTime(26, 11, 27, 23, 59, 7), "29 06 1a 0b 1b 17 3b 07"),
    (CalledPartyNumber("95588", TypeOfNumber.SUBSCRIBER), "70 06 c1 39 35 35 38 38"),
    (CalledPartyNumber("8613800138000", TypeOfNumber.INTERNATIONAL), "70 0e 91 38 36 31 33 38 30 30 31 33 38 30 30 30"),
    (CalledPartyNumber("", TypeOfNumber.UNKNOWN, NumberingPlan.UNKNOWN), "70 01 80"),
    (CallingPartyNumber("8001", TypeOfNumber.NATIONAL), "6c 05 a1 38 30 30 31"),
    (CallingPartyNumber("8001", TypeOfNumber.NATIONAL, NumberingPlan.ISDN_TELEPHONY_E164, Presentation.RESTRICTED,
                        Screening.USER_PROVIDED_VERIFIED_AND_PASSED), "6c 06 21 a1 38 30 30 31"),
    (CallingPartyNumber("", TypeOfNumber.UNKNOWN, NumberingPlan.UNKNOWN, Presentation.NOT_AVAILABLE,
                        Screening.NETWORK_PROVIDED), "6c 02 00 c3"),
    (ConnectedNumber("1", TypeOfNumber.NETWORK_SPECIFIC, NumberingPlan.PRIVATE, Presentation.ALLOWED,
                     Screening.NETWORK_PROVIDED), "4c 03 39 83 31"),
    (RedirectingNumber("123", TypeOfNumber.NATIONAL, NumberingPlan.ISDN_TELEPHONY_E164, Presentation.ALLOWED,
                       Screening.USER_PROVIDED_NOT_SCREENED, RedirectionReason.CALL_FORWARDING_UNCONDITIONAL),
     "74 06 21 00 8f 31 32 33"),
    (CalledPartySubaddress(b"\x50\x31", SubaddressType.NSAP), "71 03 80 50 31"),
    (CalledPartySubaddress(b"\x12\x3f", SubaddressType.USER_SPECIFIED, odd=True), "71 03 a8 12 3f"),
    (CallIdentity(b"A1"), "10 02 41 31"),
    (CallIdentity(b""), "10 00"),
    (LowLayerCompatibility(InformationTransferCapability.AUDIO_3_1_KHZ, UserInfoLayer1.G711_A_LAW), "7c 03 90 90 a3"),
    (LowLayerCompatibility(InformationTransferCapability.UNRESTRICTED_DIGITAL, out_band_negotiation=True),
     "7c 03 08 c0 90"),
    (HighLayerCompatibility(HighLayerCharacteristics.TELEPHONY), "7d 02 91 81"),
    (HighLayerCompatibility(HighLayerCharacteristics.FACSIMILE_G2_G3), "7d 02 91 84"),
    (HighLayerCompatibility(HighLayerCharacteristics.MAINTENANCE, 0x04), "7d 03 91 5e 84"),
    (UserUser(b"ab", 0x04), "7e 03 04 61 62"),
    (Facility(bytes.fromhex("91a10d02010102010080054a6f686e21")), "1c 10 91a10d02010102010080054a6f686e21"),
    (SegmentedMessage(True, 2, MessageType.SETUP), "00 02 82 05"),
    (SegmentedMessage(False, 0, MessageType.SETUP), "00 02 00 05"),
]


@pytest.mark.parametrize("ie,octets", EXACT, ids=[f"{type(ie).__name__}-{o}" for ie, o in EXACT])
def test_exact_octets_and_back(ie, octets):
    data = bytes.fromhex(octets)
    assert ie.encode() == data
    assert decode_ie(data[0], data[2:]) == ie


# (identifier, contents, what the error must name) - Q.931 5.8.6.2 / 5.8.7.2 material.
CONTENT_ERRORS = [
    (0x04, "80", "at least 2"),  # bearer capability without transfer mode and rate
    (0x04, "80 10", "no octet with extension bit 1"),  # octet 4 not closed
    (0x04, "9f 90", "information transfer capability"),  # ITC 0x1f undefined
    (0x04, "80 90 bf", "layer 1 protocol"),  # layer 1 protocol 0x1f undefined
    (0x04, "80 98", "rate multiplier"),  # multirate without octet 4.1
    (0x18, "", "at least 1"),
    (0x18, "a9", "octet 3.2 missing"),
    (0x18, "a9 83", "channel number"),
    (0x18, "a9 83 05", "extension bits"),  # last channel number with bit 8 = 0
    (0x18, "a9 83 80", "channel number 0"),
    (0x18, "a2", "channel selection"),  # PRI selection 10 is reserved
    (0x18, "81 01", "basic interface"),
    (0x18, "a9 8f 81", "channel type"),
    (0x08, "80", "at least 2"),
    (0x08, "80 7f", "octet 4"),
    (0x08, "80 8b", "cause value"),  # 11 is not a Q.850 value
    (0x08, "86 90", "location"),  # location 6 is reserved
    (0x08, "c2 90", "coding standard"),
    (0x08, "80 90" + " 00" * 29, "at most 30"),
    (0x28, "41" * 81, "at most 80"),
    (0x1e, "82", "at least 2"),
    (0x1e, "82 86", "progress description"),
    (0x14, "05", "call state value"),
    (0x14, "0a 0a", "1 expected"),
    (0x79, "81", "restart class"),
    (0x79, "00", "restart indicator"),
    (0x34, "0b", "signal value"),
    (0x28, "48 e9", "IA5"),
    (0x2c, "", "at least 1"),
    (0x29, "1a 0b 1b 17", "at least 5"),
    (0x29, "1a 0d 1b 17 3b", "month 13"),
    (0x29, "1a 0b 1b 18 3b", "hour 24"),
    (0x70, "41 39", "octet 3 group"),  # called number has no octet 3a
    (0x70, "c5 39", "numbering plan"),
    (0x70, "d1 39", "type of number 5" if False else "type of number"),  # TON 5 reserved
    (0x6c, "21 e0 39", "presentation"),  # presentation 11 reserved
    (0x6c, "21 00 8f 39", "octet 3b"),  # reason only in the redirecting number
    (0x71, "90 50", "subaddress type"),  # type 001 reserved
    (0x71, "81 50", "spare bits"),
    (0x7d, "91", "at least 2"),
    (0x7d, "91 84 84", "octet after octet 4"),
    (0x7d, "91 7e", "high layer characteristics"),
    (0x7c, "10 90", "octet 3a"),
    (0x00, "82", "2 expected"),
    (0x00, "82 85", "spare"),
    (0x10, "00 00 00 00 00 00 00 00 00", "at most 8"),
    (0x1c, "", "at least 1"),
    (0x7e, "", "at least 1"),
    (0x27, "00", "extension bit"),
]


@pytest.mark.parametrize("identifier,content,named", CONTENT_ERRORS)
def test_content_errors_are_reported_with_what_is_wrong(identifier, content, named):
    ie = decode_ie(identifier, bytes.fromhex(content))
    assert isinstance(ie, RawIE)
    assert ie.identifier == identifier and ie.content == bytes.fromhex(content)
    assert named in ie.error


def test_decode_content_raises_the_documented_error():
    with pytest.raises(IEContentError) as e:
        Cause.decode_content(bytes.fromhex("80 8b"))
    assert "cause value 0xb" in str(e.value)


def test_e1_channel_numbers_are_timeslots_never_16():
    assert E1_B_CHANNELS == tuple(range(1, 16)) + tuple(range(17, 32))
    for ts in E1_B_CHANNELS:
        ie = ChannelIdentification.e1(ts)
        assert ie.encode() == bytes([0x18, 0x03, 0xA9, 0x83, 0x80 | ts])
        assert decode_ie(0x18, ie.encode()[2:]).e1_timeslots() == (ts,)
    for bad in (0, 16, 32, 127):
        with pytest.raises(ValueError):
            ChannelIdentification.e1(bad)
    received = decode_ie(0x18, bytes.fromhex("a9 83 90"))  # timeslot 16 as a channel number
    assert received.channels == (16,)
    with pytest.raises(IEContentError, match="not an E1 B-channel"):
        received.e1_timeslots()


def test_bri_channels():
    for channel, low_bits in ((BriChannel.NO_CHANNEL, 0), (BriChannel.B1, 1), (BriChannel.B2, 2), (BriChannel.ANY, 3)):
        ie = ChannelIdentification.bri(channel)
        assert ie.encode() == bytes([0x18, 1, 0x80 | low_bits])
        assert ie.interface_type is InterfaceType.BASIC


# Q.850 Table 1: every cause value, written out here, with its class in bits 7-5.
Q850_VALUES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 16, 17, 18, 19, 20, 21, 22, 23, 25, 26, 27, 28, 29, 30, 31, 34, 38,
               39, 40, 41, 42, 43, 44, 46, 47, 49, 50, 53, 55, 57, 58, 62, 63, 65, 66, 69, 70, 79, 81, 82, 83, 84,
               85, 86, 87, 88, 90, 91, 95, 96, 97, 98, 99, 100, 101, 102, 103, 110, 111, 127]


def test_every_q850_cause_value_has_a_name_and_round_trips():
    assert sorted(int(v) for v in CauseValue) == Q850_VALUES
    assert set(CAUSE_NAMES) == set(CauseValue)
    assert CauseValue.NO_ANSWER_FROM_USER.description == "No answer from user (user alerted)"
    assert CauseValue.NO_CIRCUIT_CHANNEL_AVAILABLE.description == "No circuit/channel available"
    for value in CauseValue:
        for location in Location:
            ie = Cause(value, location)
            assert ie.encode() == bytes([0x08, 2, 0x80 | location, 0x80 | value])
            assert decode_ie(0x08, ie.encode()[2:]) == ie


def test_cause_diagnostic_readers():
    assert Cause.with_ie_identifiers(CauseValue.MANDATORY_IE_MISSING, [4]).diagnostic_ie_identifiers == (4,)
    assert Cause.with_message_type(CauseValue.MESSAGE_NOT_COMPATIBLE_WITH_CALL_STATE, 0x45).diagnostic_message_type == 0x45
    assert Cause.timer_expiry(310).diagnostic_timer == "310"
    assert Cause(CauseValue.USER_BUSY).diagnostic_timer is None
    with pytest.raises(ValueError):
        Cause.timer_expiry("T3")


def test_enum_code_points_of_the_coding_tables():
    assert [int(c) for c in CodingStandard] == [0, 1, 2, 3]
    assert {c.name: int(c) for c in InformationTransferCapability} == {
        "SPEECH": 0, "UNRESTRICTED_DIGITAL": 8, "RESTRICTED_DIGITAL": 9, "AUDIO_3_1_KHZ": 16,
        "UNRESTRICTED_DIGITAL_WITH_TONES": 17, "VIDEO": 24}
    assert (UserInfoLayer1.G711_MU_LAW, UserInfoLayer1.G711_A_LAW) == (2, 3)
    assert [int(t) for t in TypeOfNumber] == [0, 1, 2, 3, 4, 6, 7]
    assert [int(p) for p in NumberingPlan] == [0, 1, 3, 4, 8, 9, 15]
    assert [int(p) for p in Presentation] == [0, 1, 2]
    assert [int(s) for s in Screening] == [0, 1, 2, 3]
    assert [int(x) for x in Location] == [0, 1, 2, 3, 4, 5, 7, 10]
    assert ProgressDescription.IN_BAND_INFORMATION_AVAILABLE.in_band
    assert not ProgressDescription.ORIGINATION_NOT_ISDN.in_band


def test_constructors_refuse_what_cannot_be_coded():
    with pytest.raises(ValueError):
        CalledPartyNumber("1", presentation=Presentation.ALLOWED, screening=Screening.NETWORK_PROVIDED)
    with pytest.raises(ValueError):
        CallingPartyNumber("1", presentation=Presentation.ALLOWED)  # screening missing
    with pytest.raises(ValueError):
        CallingPartyNumber("1", reason=RedirectionReason.UNKNOWN)
    with pytest.raises(ValueError):
        CalledPartyNumber("１２").encode()  # not IA5
    with pytest.raises(ValueError):
        DateTime(26, 13, 1, 0, 0)
    with pytest.raises(ValueError):
        Display("x" * 300).encode()


# tshark reads the same values: cause values and locations, numbers, channel numbers.
def _trace(tmp_path, messages):
    path = tmp_path / "ies.pcap"
    with PcapWriter.open(path, LINKTYPE_LINUX_LAPD) as w:
        for i, m in enumerate(messages):
            w.write_lapd(float(i), lapd_i_frame(m.encode(), from_network=True), Direction.SENT, network_side=True)
    return path


def test_tshark_reads_every_cause_value_and_location(tmp_path):
    cr = CallReference(7, 2, flag=True)
    pairs = [(v, loc) for v in CauseValue for loc in (Location.USER, Location.PUBLIC_NETWORK_LOCAL_USER,
                                                      Location.NETWORK_BEYOND_INTERWORKING_POINT)]
    path = _trace(tmp_path, [Message(MessageType.DISCONNECT, cr, [Cause(v, loc)]) for v, loc in pairs])
    assert tshark.malformed(path) == 0
    rows = tshark.fields(path, "q931.cause_value", "q931.cause_location")
    assert [(int(r[0]), int(r[1])) for r in rows] == [(int(v), int(loc)) for v, loc in pairs]


def test_tshark_reads_every_channel_number_on_e1(tmp_path):
    cr = CallReference(7, 2, flag=True)
    path = _trace(tmp_path, [Message(MessageType.CALL_PROCEEDING, cr, [ChannelIdentification.e1(ts)])
                             for ts in E1_B_CHANNELS])
    rows = tshark.fields(path, "q931.channel.number", "q931.channel.exclusive", "q931.channel.interface_type")
    assert rows == [[str(ts), "1", "1"] for ts in E1_B_CHANNELS]
    assert tshark.malformed(path) == 0


def test_tshark_reads_number_fields(tmp_path):
    cr = CallReference(7, 2)
    numbers = [CallingPartyNumber("8001", ton, plan, pres, scr)
               for ton in (TypeOfNumber.UNKNOWN, TypeOfNumber.NATIONAL, TypeOfNumber.INTERNATIONAL, TypeOfNumber.SUBSCRIBER)
               for plan in (NumberingPlan.UNKNOWN, NumberingPlan.ISDN_TELEPHONY_E164, NumberingPlan.PRIVATE)
               for pres in Presentation for scr in Screening]
    path = _trace(tmp_path, [Message(MessageType.SETUP, cr, [BearerCapability(), ChannelIdentification.e1(1), n])
                             for n in numbers])
    rows = tshark.fields(path, "q931.number_type", "q931.numbering_plan", "q931.presentation_ind",
                         "q931.screening_ind", "q931.calling_party_number.digits")
    assert [[int(x, 16) for x in r[:4]] + [r[4]] for r in rows] == [
        [n.type_of_number, n.numbering_plan, n.presentation, n.screening, "8001"] for n in numbers]
    assert tshark.malformed(path) == 0


def test_tshark_reads_progress_call_state_signal_notification(tmp_path):
    cr = CallReference(9, 2, flag=True)
    msgs = ([Message(MessageType.PROGRESS, cr, [ProgressIndicator(d, Location.PUBLIC_NETWORK_LOCAL_USER)])
             for d in ProgressDescription]
            + [Message(MessageType.STATUS, cr, [Cause(CauseValue.RESPONSE_TO_STATUS_ENQUIRY), CallState(s)])
               for s in CallStateValue]
            + [Message(MessageType.INFORMATION, cr, [Signal(s)]) for s in SignalValue])
    path = _trace(tmp_path, msgs)
    rows = tshark.fields(path, "q931.progress_indicator.description", "q931.call_state", "q931.signal",
                         "q931.call_state.data")
    n_p, n_s = len(ProgressDescription), len(CallStateValue)
    assert [int(r[0], 16) for r in rows[:n_p]] == [int(d) for d in ProgressDescription]
    # tshark 4.0 names no value for Rest 1/Rest 2 (0x3d, 0x3e) and shows the octet as data.
    assert [int(r[1] or r[3], 16) for r in rows[n_p:n_p + n_s]] == [int(s) for s in CallStateValue]
    assert [int(r[2], 16) for r in rows[n_p + n_s:]] == [int(s) for s in SignalValue]
    assert tshark.malformed(path) == 0


def test_decoded_message_types_ies_from_wire_octets():
    # A SETUP as an operator sends it en bloc without sending complete (issue 5).
    data = bytes.fromhex("08 02 00 2a 05 04 03 80 90 a3 18 03 a9 83 8a 6c 0a 21 a3 31 33 38 30 30 31 33 38"
                         " 70 06 c1 39 35 35 38 38")
    decoded = decode_message(data)
    assert decoded.report.ok
    m = decoded.message
    assert m.get(ChannelIdentification).e1_timeslots() == (10,)
    assert m.get(CalledPartyNumber).digits == "95588"
    assert m.get(CallingPartyNumber).presentation is Presentation.RESTRICTED


def test_tshark_names_notifications_and_reads_llc_negotiation(tmp_path):
    cr = CallReference(1, 2)
    msgs = [Message(MessageType.NOTIFY, cr, [NotificationIndicator(d)]) for d in NotificationDescription]
    msgs.append(Message(MessageType.SETUP, cr, [BearerCapability(), ChannelIdentification.e1(2),
                                                LowLayerCompatibility(InformationTransferCapability.UNRESTRICTED_DIGITAL,
                                                                      out_band_negotiation=True)]))
    path = _trace(tmp_path, msgs)
    rows = tshark.fields(path, "q932.nd", "q931.out_band_negotiation")  # Q.932 dissects the notification
    assert [int(r[0], 16) for r in rows[:-1]] == [int(d) for d in NotificationDescription]
    assert rows[-1][1] in ("1", "True")
    assert tshark.malformed(path) == 0
