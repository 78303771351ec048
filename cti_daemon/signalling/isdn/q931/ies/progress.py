"""Progress indicator (Q.931 4.5.23)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..errors import IEContentError
from .base import EXT, InformationElement, enum_value, need
from .common import CodingStandard, Location
from .identifiers import IEIdentifier


class ProgressDescription(enum.IntEnum):
    NOT_END_TO_END_ISDN = 1  # further progress information may be in-band
    DESTINATION_NOT_ISDN = 2
    ORIGINATION_NOT_ISDN = 3
    CALL_RETURNED_TO_ISDN = 4
    INTERWORKING_SERVICE_CHANGE = 5
    IN_BAND_INFORMATION_AVAILABLE = 8  # in-band information or an appropriate pattern is now available

    @property
    def in_band(self) -> bool:
        """Progress descriptions that mean tones or announcements are on the B-channel
        (issue 5: 1, 2 and 8)."""
        return self in (ProgressDescription.NOT_END_TO_END_ISDN, ProgressDescription.DESTINATION_NOT_ISDN,
                        ProgressDescription.IN_BAND_INFORMATION_AVAILABLE)


@dataclass(frozen=True)
class ProgressIndicator(InformationElement):
    IDENTIFIER = IEIdentifier.PROGRESS_INDICATOR

    description: ProgressDescription
    location: Location = Location.USER
    coding_standard: CodingStandard = CodingStandard.ITU_T

    def encode_content(self) -> bytes:
        return bytes([EXT | (self.coding_standard << 5) | self.location, EXT | self.description])

    @classmethod
    def decode_content(cls, content: bytes) -> ProgressIndicator:
        need(content, 2, "progress indicator")
        if len(content) > 2:
            raise IEContentError(f"progress indicator: {len(content)} octets of contents, 2 expected")
        if not content[0] & EXT or not content[1] & EXT:
            raise IEContentError("progress indicator: extension bit 0 in octet 3 or 4")
        coding = CodingStandard((content[0] >> 5) & 0x03)
        location = enum_value(Location, content[0] & 0x0F, "progress location")
        if coding is not CodingStandard.ITU_T:
            raise IEContentError(f"progress indicator: coding standard {coding.name} not supported")
        return cls(enum_value(ProgressDescription, content[1] & 0x7F, "progress description"), location, coding)
