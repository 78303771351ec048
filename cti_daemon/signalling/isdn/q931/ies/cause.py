"""Cause (Q.931 4.5.12) with every Q.850 cause value (Q.850 Table 1) and location (Q.850
2.2.4). Diagnostics are kept as octets with readers for the common forms (Q.850 Table 1
"diagnostics" column): IE identifiers for 96/99, message type for 97/98/101, the timer
number as three IA5 characters for 102."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..errors import IEContentError
from .base import EXT, InformationElement, enum_value, need
from .common import CodingStandard, Location
from .identifiers import IEIdentifier


class CauseValue(enum.IntEnum):
    """Q.850 Table 1, every value (class in bits 7-5, value in class in bits 4-1)."""

    UNALLOCATED_NUMBER = 1
    NO_ROUTE_TO_TRANSIT_NETWORK = 2
    NO_ROUTE_TO_DESTINATION = 3
    SEND_SPECIAL_INFORMATION_TONE = 4
    MISDIALLED_TRUNK_PREFIX = 5
    CHANNEL_UNACCEPTABLE = 6
    CALL_AWARDED_IN_ESTABLISHED_CHANNEL = 7
    PREEMPTION = 8
    PREEMPTION_CIRCUIT_RESERVED_FOR_REUSE = 9
    QOR_PORTED_NUMBER = 14
    NORMAL_CALL_CLEARING = 16
    USER_BUSY = 17
    NO_USER_RESPONDING = 18
    NO_ANSWER_FROM_USER = 19
    SUBSCRIBER_ABSENT = 20
    CALL_REJECTED = 21
    NUMBER_CHANGED = 22
    REDIRECTION_TO_NEW_DESTINATION = 23
    EXCHANGE_ROUTING_ERROR = 25
    NON_SELECTED_USER_CLEARING = 26
    DESTINATION_OUT_OF_ORDER = 27
    INVALID_NUMBER_FORMAT = 28
    FACILITY_REJECTED = 29
    RESPONSE_TO_STATUS_ENQUIRY = 30
    NORMAL_UNSPECIFIED = 31
    NO_CIRCUIT_CHANNEL_AVAILABLE = 34
    NETWORK_OUT_OF_ORDER = 38
    PERMANENT_FRAME_MODE_CONNECTION_OUT_OF_SERVICE = 39
    PERMANENT_FRAME_MODE_CONNECTION_OPERATIONAL = 40
    TEMPORARY_FAILURE = 41
    SWITCHING_EQUIPMENT_CONGESTION = 42
    ACCESS_INFORMATION_DISCARDED = 43
    REQUESTED_CIRCUIT_CHANNEL_NOT_AVAILABLE = 44
    PRECEDENCE_CALL_BLOCKED = 46
    RESOURCE_UNAVAILABLE_UNSPECIFIED = 47
    QUALITY_OF_SERVICE_NOT_AVAILABLE = 49
    REQUESTED_FACILITY_NOT_SUBSCRIBED = 50
    OUTGOING_CALLS_BARRED_WITHIN_CUG = 53
    INCOMING_CALLS_BARRED_WITHIN_CUG = 55
    BEARER_CAPABILITY_NOT_AUTHORIZED = 57
    BEARER_CAPABILITY_NOT_PRESENTLY_AVAILABLE = 58
    INCONSISTENCY_IN_OUTGOING_ACCESS_AND_SUBSCRIBER_CLASS = 62
    SERVICE_OR_OPTION_NOT_AVAILABLE_UNSPECIFIED = 63
    BEARER_CAPABILITY_NOT_IMPLEMENTED = 65
    CHANNEL_TYPE_NOT_IMPLEMENTED = 66
    REQUESTED_FACILITY_NOT_IMPLEMENTED = 69
    ONLY_RESTRICTED_DIGITAL_INFORMATION_AVAILABLE = 70
    SERVICE_OR_OPTION_NOT_IMPLEMENTED_UNSPECIFIED = 79
    INVALID_CALL_REFERENCE_VALUE = 81
    IDENTIFIED_CHANNEL_DOES_NOT_EXIST = 82
    SUSPENDED_CALL_EXISTS_BUT_NOT_THIS_CALL_IDENTITY = 83
    CALL_IDENTITY_IN_USE = 84
    NO_CALL_SUSPENDED = 85
    CALL_WITH_REQUESTED_CALL_IDENTITY_CLEARED = 86
    USER_NOT_MEMBER_OF_CUG = 87
    INCOMPATIBLE_DESTINATION = 88
    NON_EXISTENT_CUG = 90
    INVALID_TRANSIT_NETWORK_SELECTION = 91
    INVALID_MESSAGE_UNSPECIFIED = 95
    MANDATORY_IE_MISSING = 96
    MESSAGE_TYPE_NON_EXISTENT_OR_NOT_IMPLEMENTED = 97
    MESSAGE_NOT_COMPATIBLE_WITH_CALL_STATE_OR_NON_EXISTENT = 98
    IE_NON_EXISTENT_OR_NOT_IMPLEMENTED = 99
    INVALID_IE_CONTENTS = 100
    MESSAGE_NOT_COMPATIBLE_WITH_CALL_STATE = 101
    RECOVERY_ON_TIMER_EXPIRY = 102
    PARAMETER_NON_EXISTENT_PASSED_ON = 103
    MESSAGE_WITH_UNRECOGNIZED_PARAMETER_DISCARDED = 110
    PROTOCOL_ERROR_UNSPECIFIED = 111
    INTERWORKING_UNSPECIFIED = 127

    @property
    def description(self) -> str:
        return CAUSE_NAMES[self]


# Q.850 Table 1 wording.
CAUSE_NAMES: dict[CauseValue, str] = {
    CauseValue.UNALLOCATED_NUMBER: "Unallocated (unassigned) number",
    CauseValue.NO_ROUTE_TO_TRANSIT_NETWORK: "No route to specified transit network",
    CauseValue.NO_ROUTE_TO_DESTINATION: "No route to destination",
    CauseValue.SEND_SPECIAL_INFORMATION_TONE: "Send special information tone",
    CauseValue.MISDIALLED_TRUNK_PREFIX: "Misdialled trunk prefix",
    CauseValue.CHANNEL_UNACCEPTABLE: "Channel unacceptable",
    CauseValue.CALL_AWARDED_IN_ESTABLISHED_CHANNEL: "Call awarded and being delivered in an established channel",
    CauseValue.PREEMPTION: "Preemption",
    CauseValue.PREEMPTION_CIRCUIT_RESERVED_FOR_REUSE: "Preemption - circuit reserved for reuse",
    CauseValue.QOR_PORTED_NUMBER: "QoR: ported number",
    CauseValue.NORMAL_CALL_CLEARING: "Normal call clearing",
    CauseValue.USER_BUSY: "User busy",
    CauseValue.NO_USER_RESPONDING: "No user responding",
    CauseValue.NO_ANSWER_FROM_USER: "No answer from user (user alerted)",
    CauseValue.SUBSCRIBER_ABSENT: "Subscriber absent",
    CauseValue.CALL_REJECTED: "Call rejected",
    CauseValue.NUMBER_CHANGED: "Number changed",
    CauseValue.REDIRECTION_TO_NEW_DESTINATION: "Redirection to new destination",
    CauseValue.EXCHANGE_ROUTING_ERROR: "Exchange routing error",
    CauseValue.NON_SELECTED_USER_CLEARING: "Non-selected user clearing",
    CauseValue.DESTINATION_OUT_OF_ORDER: "Destination out of order",
    CauseValue.INVALID_NUMBER_FORMAT: "Invalid number format (address incomplete)",
    CauseValue.FACILITY_REJECTED: "Facility rejected",
    CauseValue.RESPONSE_TO_STATUS_ENQUIRY: "Response to STATUS ENQUIRY",
    CauseValue.NORMAL_UNSPECIFIED: "Normal, unspecified",
    CauseValue.NO_CIRCUIT_CHANNEL_AVAILABLE: "No circuit/channel available",
    CauseValue.NETWORK_OUT_OF_ORDER: "Network out of order",
    CauseValue.PERMANENT_FRAME_MODE_CONNECTION_OUT_OF_SERVICE: "Permanent frame mode connection out of service",
    CauseValue.PERMANENT_FRAME_MODE_CONNECTION_OPERATIONAL: "Permanent frame mode connection operational",
    CauseValue.TEMPORARY_FAILURE: "Temporary failure",
    CauseValue.SWITCHING_EQUIPMENT_CONGESTION: "Switching equipment congestion",
    CauseValue.ACCESS_INFORMATION_DISCARDED: "Access information discarded",
    CauseValue.REQUESTED_CIRCUIT_CHANNEL_NOT_AVAILABLE: "Requested circuit/channel not available",
    CauseValue.PRECEDENCE_CALL_BLOCKED: "Precedence call blocked",
    CauseValue.RESOURCE_UNAVAILABLE_UNSPECIFIED: "Resource unavailable, unspecified",
    CauseValue.QUALITY_OF_SERVICE_NOT_AVAILABLE: "Quality of service not available",
    CauseValue.REQUESTED_FACILITY_NOT_SUBSCRIBED: "Requested facility not subscribed",
    CauseValue.OUTGOING_CALLS_BARRED_WITHIN_CUG: "Outgoing calls barred within CUG",
    CauseValue.INCOMING_CALLS_BARRED_WITHIN_CUG: "Incoming calls barred within CUG",
    CauseValue.BEARER_CAPABILITY_NOT_AUTHORIZED: "Bearer capability not authorized",
    CauseValue.BEARER_CAPABILITY_NOT_PRESENTLY_AVAILABLE: "Bearer capability not presently available",
    CauseValue.INCONSISTENCY_IN_OUTGOING_ACCESS_AND_SUBSCRIBER_CLASS:
        "Inconsistency in designated outgoing access information and subscriber class",
    CauseValue.SERVICE_OR_OPTION_NOT_AVAILABLE_UNSPECIFIED: "Service or option not available, unspecified",
    CauseValue.BEARER_CAPABILITY_NOT_IMPLEMENTED: "Bearer capability not implemented",
    CauseValue.CHANNEL_TYPE_NOT_IMPLEMENTED: "Channel type not implemented",
    CauseValue.REQUESTED_FACILITY_NOT_IMPLEMENTED: "Requested facility not implemented",
    CauseValue.ONLY_RESTRICTED_DIGITAL_INFORMATION_AVAILABLE:
        "Only restricted digital information bearer capability is available",
    CauseValue.SERVICE_OR_OPTION_NOT_IMPLEMENTED_UNSPECIFIED: "Service or option not implemented, unspecified",
    CauseValue.INVALID_CALL_REFERENCE_VALUE: "Invalid call reference value",
    CauseValue.IDENTIFIED_CHANNEL_DOES_NOT_EXIST: "Identified channel does not exist",
    CauseValue.SUSPENDED_CALL_EXISTS_BUT_NOT_THIS_CALL_IDENTITY:
        "A suspended call exists, but this call identity does not",
    CauseValue.CALL_IDENTITY_IN_USE: "Call identity in use",
    CauseValue.NO_CALL_SUSPENDED: "No call suspended",
    CauseValue.CALL_WITH_REQUESTED_CALL_IDENTITY_CLEARED: "Call having the requested call identity has been cleared",
    CauseValue.USER_NOT_MEMBER_OF_CUG: "User not member of CUG",
    CauseValue.INCOMPATIBLE_DESTINATION: "Incompatible destination",
    CauseValue.NON_EXISTENT_CUG: "Non-existent CUG",
    CauseValue.INVALID_TRANSIT_NETWORK_SELECTION: "Invalid transit network selection",
    CauseValue.INVALID_MESSAGE_UNSPECIFIED: "Invalid message, unspecified",
    CauseValue.MANDATORY_IE_MISSING: "Mandatory information element is missing",
    CauseValue.MESSAGE_TYPE_NON_EXISTENT_OR_NOT_IMPLEMENTED: "Message type non-existent or not implemented",
    CauseValue.MESSAGE_NOT_COMPATIBLE_WITH_CALL_STATE_OR_NON_EXISTENT:
        "Message not compatible with call state or message type non-existent or not implemented",
    CauseValue.IE_NON_EXISTENT_OR_NOT_IMPLEMENTED: "Information element/parameter non-existent or not implemented",
    CauseValue.INVALID_IE_CONTENTS: "Invalid information element contents",
    CauseValue.MESSAGE_NOT_COMPATIBLE_WITH_CALL_STATE: "Message not compatible with call state",
    CauseValue.RECOVERY_ON_TIMER_EXPIRY: "Recovery on timer expiry",
    CauseValue.PARAMETER_NON_EXISTENT_PASSED_ON: "Parameter non-existent or not implemented, passed on",
    CauseValue.MESSAGE_WITH_UNRECOGNIZED_PARAMETER_DISCARDED: "Message with unrecognized parameter, discarded",
    CauseValue.PROTOCOL_ERROR_UNSPECIFIED: "Protocol error, unspecified",
    CauseValue.INTERWORKING_UNSPECIFIED: "Interworking, unspecified",
}

CAUSE_MAX_CONTENT = 30  # Q.931 Table 4-3: cause at most 32 octets with the header

_IE_DIAGNOSTIC_CAUSES = (CauseValue.MANDATORY_IE_MISSING, CauseValue.IE_NON_EXISTENT_OR_NOT_IMPLEMENTED,
                         CauseValue.INVALID_IE_CONTENTS)
_MESSAGE_DIAGNOSTIC_CAUSES = (CauseValue.MESSAGE_TYPE_NON_EXISTENT_OR_NOT_IMPLEMENTED,
                              CauseValue.MESSAGE_NOT_COMPATIBLE_WITH_CALL_STATE_OR_NON_EXISTENT,
                              CauseValue.MESSAGE_NOT_COMPATIBLE_WITH_CALL_STATE)


@dataclass(frozen=True)
class Cause(InformationElement):
    IDENTIFIER = IEIdentifier.CAUSE

    value: CauseValue
    location: Location = Location.USER
    diagnostics: bytes = b""  # octet 5 onwards, as sent
    coding_standard: CodingStandard = CodingStandard.ITU_T
    recommendation: int | None = None  # octet 3a (Q.931 0 = Q.931; absent normally)

    @classmethod
    def with_ie_identifiers(cls, value: CauseValue, identifiers, location: Location = Location.USER) -> Cause:
        """Causes 96, 99, 100: diagnostics name the IE identifiers (Q.850 Table 1 note)."""
        return cls(value, location, bytes(identifiers))

    @classmethod
    def with_message_type(cls, value: CauseValue, message_type: int, location: Location = Location.USER) -> Cause:
        """Causes 97, 98, 101: diagnostic is the message type received."""
        return cls(value, location, bytes([message_type]))

    @classmethod
    def timer_expiry(cls, timer: str | int, location: Location = Location.USER) -> Cause:
        """Cause 102 with the timer number as three IA5 characters, e.g. "303"."""
        digits = str(timer).removeprefix("T")
        if len(digits) != 3 or not digits.isdigit():
            raise ValueError(f"timer {timer!r} is not a three-digit Q.931 timer number")
        return cls(CauseValue.RECOVERY_ON_TIMER_EXPIRY, location, digits.encode("ascii"))

    @property
    def diagnostic_ie_identifiers(self) -> tuple[int, ...]:
        return tuple(self.diagnostics) if self.value in _IE_DIAGNOSTIC_CAUSES else ()

    @property
    def diagnostic_message_type(self) -> int | None:
        if self.value in _MESSAGE_DIAGNOSTIC_CAUSES and self.diagnostics:
            return self.diagnostics[0]
        return None

    @property
    def diagnostic_timer(self) -> str | None:
        if self.value is CauseValue.RECOVERY_ON_TIMER_EXPIRY and len(self.diagnostics) == 3:
            return self.diagnostics.decode("latin-1")
        return None

    def encode_content(self) -> bytes:
        octet3 = (self.coding_standard << 5) | self.location
        if self.recommendation is None:
            out = bytearray([EXT | octet3])
        else:
            out = bytearray([octet3, EXT | self.recommendation])
        out.append(EXT | self.value)
        return bytes(out) + self.diagnostics

    @classmethod
    def decode_content(cls, content: bytes) -> Cause:
        need(content, 2, "cause")
        if len(content) > CAUSE_MAX_CONTENT:
            raise IEContentError(f"cause: {len(content)} octets of contents, at most {CAUSE_MAX_CONTENT}")
        octet3 = content[0]
        coding = CodingStandard((octet3 >> 5) & 0x03)
        location = enum_value(Location, octet3 & 0x0F, "cause location")
        i = 1
        recommendation = None
        if not octet3 & EXT:
            need(content, 3, "cause with octet 3a")
            if not content[1] & EXT:
                raise IEContentError("cause: octet 3a has extension bit 0")
            recommendation = content[1] & 0x7F
            i = 2
        octet4 = content[i]
        if not octet4 & EXT:
            raise IEContentError("cause: octet 4 has extension bit 0")
        if coding is not CodingStandard.ITU_T:
            # Q.931 4.5.12: other coding standards only when the value cannot be coded in Q.850.
            raise IEContentError(f"cause: coding standard {coding.name} not supported")
        value = enum_value(CauseValue, octet4 & 0x7F, "cause value")
        return cls(value, location, bytes(content[i + 1 :]), coding, recommendation)
