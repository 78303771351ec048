"""Call state (Q.931 4.5.7): the sender's call state, U/N numbering, and the global call
reference states Rest 0-2."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..errors import IEContentError
from .base import InformationElement, enum_value, need
from .common import CodingStandard
from .identifiers import IEIdentifier


class CallStateValue(enum.IntEnum):
    """Q.931 4.5.7 octet 3 bits 6-1; U<n> for the user side, N<n> for the network side."""

    NULL = 0  # U0 / N0 (and Rest 0 on the global call reference)
    CALL_INITIATED = 1  # U1 / N1
    OVERLAP_SENDING = 2  # U2 / N2
    OUTGOING_CALL_PROCEEDING = 3  # U3 / N3
    CALL_DELIVERED = 4  # U4 / N4
    CALL_PRESENT = 6  # U6 / N6
    CALL_RECEIVED = 7  # U7 / N7
    CONNECT_REQUEST = 8  # U8 / N8
    INCOMING_CALL_PROCEEDING = 9  # U9 / N9
    ACTIVE = 10  # U10 / N10
    DISCONNECT_REQUEST = 11  # U11 / N11
    DISCONNECT_INDICATION = 12  # U12 / N12
    SUSPEND_REQUEST = 15  # U15 / N15
    RESUME_REQUEST = 17  # U17 / N17
    RELEASE_REQUEST = 19  # U19 / N19
    CALL_ABORT = 22  # N22
    OVERLAP_RECEIVING = 25  # U25 / N25
    RESTART_REQUEST = 61  # Rest 1
    RESTART = 62  # Rest 2


@dataclass(frozen=True)
class CallState(InformationElement):
    IDENTIFIER = IEIdentifier.CALL_STATE

    value: CallStateValue
    coding_standard: CodingStandard = CodingStandard.ITU_T

    def encode_content(self) -> bytes:
        return bytes([(self.coding_standard << 6) | self.value])  # no extension bit (4.5.7)

    @classmethod
    def decode_content(cls, content: bytes) -> CallState:
        need(content, 1, "call state")
        if len(content) != 1:
            raise IEContentError(f"call state: {len(content)} octets of contents, 1 expected")
        coding = CodingStandard(content[0] >> 6)
        return cls(enum_value(CallStateValue, content[0] & 0x3F, "call state value"), coding)
