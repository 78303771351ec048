"""Party numbers: called (Q.931 4.5.8), calling (4.5.10), connected (Q.951 / EN 300 097-1),
redirecting and redirection (Q.952 / EN 300 207-1).

Octet 3: type of number, numbering plan; 3a (not in the called number): presentation and
screening; 3b (redirecting number only): reason for redirection; then IA5 digits."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import ClassVar

from ..errors import IEContentError
from .base import EXT, InformationElement, enum_value, ia5, need, to_ia5
from .identifiers import IEIdentifier


class TypeOfNumber(enum.IntEnum):
    UNKNOWN = 0
    INTERNATIONAL = 1
    NATIONAL = 2
    NETWORK_SPECIFIC = 3
    SUBSCRIBER = 4
    ABBREVIATED = 6
    RESERVED_FOR_EXTENSION = 7


class NumberingPlan(enum.IntEnum):
    UNKNOWN = 0x0
    ISDN_TELEPHONY_E164 = 0x1
    DATA_X121 = 0x3
    TELEX_F69 = 0x4
    NATIONAL_STANDARD = 0x8
    PRIVATE = 0x9
    RESERVED_FOR_EXTENSION = 0xF


class Presentation(enum.IntEnum):
    ALLOWED = 0
    RESTRICTED = 1
    NOT_AVAILABLE = 2  # number not available due to interworking


class Screening(enum.IntEnum):
    USER_PROVIDED_NOT_SCREENED = 0
    USER_PROVIDED_VERIFIED_AND_PASSED = 1
    USER_PROVIDED_VERIFIED_AND_FAILED = 2
    NETWORK_PROVIDED = 3


class RedirectionReason(enum.IntEnum):
    UNKNOWN = 0x0
    CALL_FORWARDING_BUSY = 0x1
    CALL_FORWARDING_NO_REPLY = 0x2
    CALL_DEFLECTION = 0x4
    CALLED_DTE_OUT_OF_ORDER = 0x9
    CALL_FORWARDING_BY_CALLED_DTE = 0xA
    CALL_FORWARDING_UNCONDITIONAL = 0xF


@dataclass(frozen=True)
class PartyNumber(InformationElement):
    """Common coding of every number IE. `presentation`/`screening` None: octet 3a absent."""

    HAS_PRESENTATION: ClassVar[bool] = True
    HAS_REASON: ClassVar[bool] = False
    NAME: ClassVar[str] = "number"

    digits: str
    type_of_number: TypeOfNumber = TypeOfNumber.UNKNOWN
    numbering_plan: NumberingPlan = NumberingPlan.ISDN_TELEPHONY_E164
    presentation: Presentation | None = None
    screening: Screening | None = None
    reason: RedirectionReason | None = None  # octet 3b, redirecting number only

    def __post_init__(self):
        if (self.presentation is None) != (self.screening is None):
            raise ValueError("presentation and screening come together (octet 3a)")
        if not self.HAS_PRESENTATION and self.presentation is not None:
            raise ValueError(f"{self.NAME} has no presentation/screening octet 3a")
        if not self.HAS_REASON and self.reason is not None:
            raise ValueError(f"{self.NAME} has no reason for redirection octet 3b")
        if self.reason is not None and self.presentation is None:
            raise ValueError("octet 3b (reason) needs octet 3a (presentation, screening)")

    def encode_content(self) -> bytes:
        octet3 = (self.type_of_number << 4) | self.numbering_plan
        out = bytearray()
        if self.presentation is None:
            out.append(EXT | octet3)
        else:
            out.append(octet3)
            octet3a = (self.presentation << 5) | self.screening
            if self.reason is None:
                out.append(EXT | octet3a)
            else:
                out += bytes([octet3a, EXT | self.reason])
        return bytes(out) + to_ia5(self.digits, self.NAME)

    @classmethod
    def decode_content(cls, content: bytes):
        need(content, 1, cls.NAME)
        # The first group is octets 3, 3a, 3b; digits follow (their bit 8 is 0 but they are not part of it).
        end = 0
        while not content[end] & EXT:
            end += 1
            if end == len(content) or end > 2:
                raise IEContentError(f"{cls.NAME}: octet 3 group not closed by an extension bit")
        group = content[: end + 1]
        ton = enum_value(TypeOfNumber, (group[0] >> 4) & 0x07, f"{cls.NAME} type of number")
        plan = enum_value(NumberingPlan, group[0] & 0x0F, f"{cls.NAME} numbering plan")
        presentation = screening = reason = None
        if len(group) >= 2:
            if not cls.HAS_PRESENTATION:
                raise IEContentError(f"{cls.NAME}: octet 3a present but not defined for this IE")
            presentation = enum_value(Presentation, (group[1] >> 5) & 0x03, f"{cls.NAME} presentation indicator")
            screening = Screening(group[1] & 0x03)
        if len(group) == 3:
            if not cls.HAS_REASON:
                raise IEContentError(f"{cls.NAME}: octet 3b present but not defined for this IE")
            reason = enum_value(RedirectionReason, group[2] & 0x0F, f"{cls.NAME} reason for redirection")
        digits = ia5(content[end + 1 :], f"{cls.NAME} digits")
        return cls(digits, ton, plan, presentation, screening, reason)


@dataclass(frozen=True)
class CalledPartyNumber(PartyNumber):
    IDENTIFIER = IEIdentifier.CALLED_PARTY_NUMBER
    HAS_PRESENTATION = False
    NAME = "called party number"


@dataclass(frozen=True)
class CallingPartyNumber(PartyNumber):
    IDENTIFIER = IEIdentifier.CALLING_PARTY_NUMBER
    NAME = "calling party number"


@dataclass(frozen=True)
class ConnectedNumber(PartyNumber):
    IDENTIFIER = IEIdentifier.CONNECTED_NUMBER
    NAME = "connected number"


@dataclass(frozen=True)
class RedirectingNumber(PartyNumber):
    IDENTIFIER = IEIdentifier.REDIRECTING_NUMBER
    HAS_REASON = True
    NAME = "redirecting number"


@dataclass(frozen=True)
class RedirectionNumber(PartyNumber):
    IDENTIFIER = IEIdentifier.REDIRECTION_NUMBER
    NAME = "redirection number"


class SubaddressType(enum.IntEnum):
    NSAP = 0  # X.213 / ISO 8348 AD2
    USER_SPECIFIED = 2


@dataclass(frozen=True)
class Subaddress(InformationElement):
    """Party subaddress (Q.931 4.5.9 / 4.5.11): octet 3 type and odd/even indicator,
    then the subaddress information as octets."""

    NAME: ClassVar[str] = "subaddress"

    information: bytes
    subaddress_type: SubaddressType = SubaddressType.NSAP
    odd: bool = False  # odd number of BCD digits (user specified, BCD coded)

    def encode_content(self) -> bytes:
        return bytes([EXT | (self.subaddress_type << 4) | (0x08 if self.odd else 0)]) + self.information

    @classmethod
    def decode_content(cls, content: bytes):
        need(content, 1, cls.NAME)
        if not content[0] & EXT:
            raise IEContentError(f"{cls.NAME}: octet 3 has extension bit 0")
        kind = enum_value(SubaddressType, (content[0] >> 4) & 0x07, f"{cls.NAME} type")
        if content[0] & 0x07:
            raise IEContentError(f"{cls.NAME}: spare bits 3-1 of octet 3 not zero")
        if len(content) > 21:  # Q.931 Table 3-15: 2-23 octets with the header
            raise IEContentError(f"{cls.NAME}: {len(content) - 1} octets of subaddress information, at most 20")
        return cls(bytes(content[1:]), kind, bool(content[0] & 0x08))


@dataclass(frozen=True)
class CalledPartySubaddress(Subaddress):
    IDENTIFIER = IEIdentifier.CALLED_PARTY_SUBADDRESS
    NAME = "called party subaddress"


@dataclass(frozen=True)
class CallingPartySubaddress(Subaddress):
    IDENTIFIER = IEIdentifier.CALLING_PARTY_SUBADDRESS
    NAME = "calling party subaddress"


@dataclass(frozen=True)
class ConnectedSubaddress(Subaddress):
    IDENTIFIER = IEIdentifier.CONNECTED_SUBADDRESS
    NAME = "connected subaddress"


@dataclass(frozen=True)
class RedirectingSubaddress(Subaddress):
    IDENTIFIER = IEIdentifier.REDIRECTING_SUBADDRESS
    NAME = "redirecting subaddress"
