"""Q.931 messages built with our codec: one of every message type the issue lists (with
its mandatory IEs, and between them every IE we type), for round-trip, tshark, fuzz
seeds and the benchmark. Test code."""

from __future__ import annotations

from cti_daemon.signalling.isdn.q931 import CallReference, Message, MessageType
from cti_daemon.signalling.isdn.q931.ies import (
    BearerCapability,
    BriChannel,
    CalledPartyNumber,
    CalledPartySubaddress,
    CallIdentity,
    CallingPartyNumber,
    CallingPartySubaddress,
    CallState,
    CallStateValue,
    Cause,
    CauseValue,
    ChannelIdentification,
    ConnectedNumber,
    ConnectedSubaddress,
    DateTime,
    Display,
    Facility,
    HighLayerCharacteristics,
    HighLayerCompatibility,
    InformationTransferCapability,
    KeypadFacility,
    Location,
    LowLayerCompatibility,
    NotificationDescription,
    NotificationIndicator,
    NumberingPlan,
    Presentation,
    ProgressDescription,
    ProgressIndicator,
    RedirectingNumber,
    RedirectingSubaddress,
    RedirectionReason,
    RestartClass,
    RestartIndicator,
    Screening,
    SegmentedMessage,
    SendingComplete,
    Shift,
    Signal,
    SignalValue,
    SubaddressType,
    TypeOfNumber,
    UserInfoLayer1,
    UserUser,
)
from cti_daemon.signalling.isdn.q931.ies.base import RawIE

CR = CallReference(0x1234, 2)  # PRI, sent by the side that allocated it
CR_ANSWER = CR.answer()
CR_BRI = CallReference(0x05, 1)

SETUP_EN_BLOC = Message(MessageType.SETUP, CR, [
    SendingComplete(),
    BearerCapability(),
    ChannelIdentification.e1(1),
    ProgressIndicator(ProgressDescription.ORIGINATION_NOT_ISDN, Location.PRIVATE_NETWORK_LOCAL_USER),
    Display("Call centre"),
    Signal(SignalValue.DIAL_TONE_ON),
    CallingPartyNumber("13800138000", TypeOfNumber.NATIONAL, NumberingPlan.ISDN_TELEPHONY_E164,
                       Presentation.ALLOWED, Screening.NETWORK_PROVIDED),
    CallingPartySubaddress(b"\x50\x31\x32", SubaddressType.NSAP),
    CalledPartyNumber("95588", TypeOfNumber.SUBSCRIBER),
    CalledPartySubaddress(b"\x12\x34", SubaddressType.USER_SPECIFIED, odd=False),
    RedirectingNumber("01012345678", TypeOfNumber.NATIONAL, NumberingPlan.ISDN_TELEPHONY_E164,
                      Presentation.ALLOWED, Screening.USER_PROVIDED_NOT_SCREENED,
                      RedirectionReason.CALL_FORWARDING_BUSY),
    RedirectingSubaddress(b"\x50\x39", SubaddressType.NSAP),
    LowLayerCompatibility(InformationTransferCapability.AUDIO_3_1_KHZ, UserInfoLayer1.G711_A_LAW),
    HighLayerCompatibility(HighLayerCharacteristics.FACSIMILE_G2_G3),
    UserUser(b"campaign 7", 0x04),
    Shift(6, locking=False),
    RawIE(0x01, b"\x81", codeset=6),  # a local-network IE, carried through
])

SETUP_BRI = Message(MessageType.SETUP, CR_BRI, [
    BearerCapability(InformationTransferCapability.AUDIO_3_1_KHZ),
    ChannelIdentification.bri(BriChannel.ANY),
    KeypadFacility("*21#"),
    CalledPartyNumber("8001", TypeOfNumber.UNKNOWN, NumberingPlan.UNKNOWN),
])

CAUSE_BUSY = Cause(CauseValue.USER_BUSY, Location.PUBLIC_NETWORK_LOCAL_USER)
CAUSE_NORMAL = Cause(CauseValue.NORMAL_CALL_CLEARING, Location.USER)
ANSWER_CHANNEL = ChannelIdentification.e1(1)
PROGRESS_IN_BAND = ProgressIndicator(ProgressDescription.IN_BAND_INFORMATION_AVAILABLE,
                                     Location.PUBLIC_NETWORK_LOCAL_USER)

# One message of every type the issue lists, name -> message.
SAMPLES: dict[str, Message] = {
    "SETUP": SETUP_EN_BLOC,
    "SETUP (BRI)": SETUP_BRI,
    "SETUP ACKNOWLEDGE": Message(MessageType.SETUP_ACKNOWLEDGE, CR_ANSWER, [ANSWER_CHANNEL]),
    "CALL PROCEEDING": Message(MessageType.CALL_PROCEEDING, CR_ANSWER, [ANSWER_CHANNEL]),
    "ALERTING": Message(MessageType.ALERTING, CR_ANSWER, [PROGRESS_IN_BAND]),
    "PROGRESS": Message(MessageType.PROGRESS, CR_ANSWER, [Cause(CauseValue.NO_ROUTE_TO_DESTINATION,
                                                                 Location.TRANSIT_NETWORK), PROGRESS_IN_BAND]),
    "CONNECT": Message(MessageType.CONNECT, CR_ANSWER, [
        DateTime(26, 11, 27, 23, 59, 30),
        ConnectedNumber("95588", TypeOfNumber.SUBSCRIBER, NumberingPlan.ISDN_TELEPHONY_E164,
                        Presentation.RESTRICTED, Screening.NETWORK_PROVIDED),
        ConnectedSubaddress(b"\x50\x31", SubaddressType.NSAP),
    ]),
    "CONNECT ACKNOWLEDGE": Message(MessageType.CONNECT_ACKNOWLEDGE, CR, []),
    "DISCONNECT": Message(MessageType.DISCONNECT, CR_ANSWER, [CAUSE_BUSY, PROGRESS_IN_BAND]),
    "RELEASE": Message(MessageType.RELEASE, CR, [CAUSE_NORMAL]),
    "RELEASE COMPLETE": Message(MessageType.RELEASE_COMPLETE, CR_ANSWER, []),
    "INFORMATION": Message(MessageType.INFORMATION, CR, [SendingComplete(), CalledPartyNumber("7")]),
    "NOTIFY": Message(MessageType.NOTIFY, CR_ANSWER, [NotificationIndicator(NotificationDescription.REMOTE_HOLD)]),
    "STATUS": Message(MessageType.STATUS, CR_ANSWER, [Cause(CauseValue.RESPONSE_TO_STATUS_ENQUIRY),
                                                      CallState(CallStateValue.ACTIVE)]),
    "STATUS ENQUIRY": Message(MessageType.STATUS_ENQUIRY, CR, []),
    "RESTART": Message(MessageType.RESTART, CallReference.global_(), [ChannelIdentification.e1(17),
                                                                      RestartIndicator(RestartClass.INDICATED_CHANNELS)]),
    "RESTART ACKNOWLEDGE": Message(MessageType.RESTART_ACKNOWLEDGE, CallReference.global_(flag=True),
                                   [RestartIndicator(RestartClass.ALL_INTERFACES)]),
    "FACILITY": Message(MessageType.FACILITY, CR, [Facility(bytes.fromhex("91a10d02010102010080054a6f686e21"))]),
    "HOLD": Message(MessageType.HOLD, CR_BRI, []),
    "HOLD ACKNOWLEDGE": Message(MessageType.HOLD_ACKNOWLEDGE, CR_BRI.answer(), []),
    "HOLD REJECT": Message(MessageType.HOLD_REJECT, CR_BRI.answer(), [Cause(CauseValue.REQUESTED_FACILITY_NOT_SUBSCRIBED,
                                                                            Location.PUBLIC_NETWORK_LOCAL_USER)]),
    "RETRIEVE": Message(MessageType.RETRIEVE, CR_BRI, [ChannelIdentification.bri(BriChannel.B1)]),
    "RETRIEVE ACKNOWLEDGE": Message(MessageType.RETRIEVE_ACKNOWLEDGE, CR_BRI.answer(),
                                    [ChannelIdentification.bri(BriChannel.B1, exclusive=True)]),
    "RETRIEVE REJECT": Message(MessageType.RETRIEVE_REJECT, CR_BRI.answer(),
                               [Cause(CauseValue.REQUESTED_CIRCUIT_CHANNEL_NOT_AVAILABLE)]),
    "SUSPEND": Message(MessageType.SUSPEND, CR_BRI, [CallIdentity(b"A1")]),
    "SUSPEND ACKNOWLEDGE": Message(MessageType.SUSPEND_ACKNOWLEDGE, CR_BRI.answer(), []),
    "SUSPEND REJECT": Message(MessageType.SUSPEND_REJECT, CR_BRI.answer(), [Cause(CauseValue.CALL_IDENTITY_IN_USE)]),
    "RESUME": Message(MessageType.RESUME, CR_BRI, [CallIdentity(b"A1")]),
    "RESUME ACKNOWLEDGE": Message(MessageType.RESUME_ACKNOWLEDGE, CR_BRI.answer(), [ChannelIdentification.bri(BriChannel.B2, True)]),
    "RESUME REJECT": Message(MessageType.RESUME_REJECT, CR_BRI.answer(), [Cause(CauseValue.NO_CALL_SUSPENDED)]),
    "SEGMENT": Message(MessageType.SEGMENT, CR, [SegmentedMessage(True, 1, MessageType.SETUP), BearerCapability()]),
    "SETUP (dummy call reference)": Message(MessageType.SETUP, CallReference.dummy(),
                                            [BearerCapability(), ChannelIdentification.bri(BriChannel.B2)]),
}


def lapd_i_frame(q931: bytes, from_network: bool = False) -> bytes:
    """Q.931 in a Q.921 I-frame, SAPI 0 TEI 0, N(S) = N(R) = 0 (C/R bit: command from the
    user is 0, from the network 1 - Q.921 3.3.2)."""
    return bytes([0x02 if from_network else 0x00, 0x01, 0x00, 0x00]) + q931
