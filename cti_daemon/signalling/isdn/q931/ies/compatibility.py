"""Low layer compatibility (Q.931 4.5.19) and high layer compatibility (4.5.17), sent as
well as received (libpri never sends them: fax and data interworking need them)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..errors import IEContentError
from .base import EXT, InformationElement, enum_value, need
from .bearer import (
    InformationTransferCapability,
    InformationTransferRate,
    TransferAndLayers,
    TransferMode,
    UserInfoLayer1,
    decode_transfer_and_layers,
    encode_transfer_and_layers,
)
from .common import CodingStandard
from .identifiers import IEIdentifier


@dataclass(frozen=True)
class LowLayerCompatibility(InformationElement):
    IDENTIFIER = IEIdentifier.LOW_LAYER_COMPATIBILITY

    transfer_capability: InformationTransferCapability = InformationTransferCapability.UNRESTRICTED_DIGITAL
    layer1: UserInfoLayer1 | None = None
    transfer_mode: TransferMode = TransferMode.CIRCUIT
    transfer_rate: InformationTransferRate = InformationTransferRate.KBIT_64
    coding_standard: CodingStandard = CodingStandard.ITU_T
    out_band_negotiation: bool | None = None  # octet 3a; None = absent
    rate_multiplier: int | None = None
    layer1_octets: bytes = b""
    layer2_octets: bytes = b""
    layer3_octets: bytes = b""

    def encode_content(self) -> bytes:
        octet3 = (self.coding_standard << 5) | self.transfer_capability
        head = (bytes([EXT | octet3]) if self.out_band_negotiation is None
                else bytes([octet3, EXT | (0x40 if self.out_band_negotiation else 0)]))
        layers = TransferAndLayers(self.transfer_mode, self.transfer_rate, self.rate_multiplier, self.layer1,
                                   self.layer1_octets, self.layer2_octets, self.layer3_octets)
        return head + encode_transfer_and_layers(layers)

    @classmethod
    def decode_content(cls, content: bytes) -> LowLayerCompatibility:
        need(content, 2, "low layer compatibility")
        coding = CodingStandard((content[0] >> 5) & 0x03)
        itc = enum_value(InformationTransferCapability, content[0] & 0x1F, "LLC information transfer capability")
        negotiation, start = None, 1
        if not content[0] & EXT:
            if not content[1] & EXT or content[1] & 0x3F:
                raise IEContentError("low layer compatibility: octet 3a malformed")
            negotiation, start = bool(content[1] & 0x40), 2
        t = decode_transfer_and_layers(content, start, "low layer compatibility")
        return cls(itc, t.layer1, t.transfer_mode, t.transfer_rate, coding, negotiation, t.rate_multiplier,
                   t.layer1_octets, t.layer2_octets, t.layer3_octets)


class HighLayerCharacteristics(enum.IntEnum):
    """Q.931 4.5.17 octet 4 (ITU-T coding)."""

    TELEPHONY = 0x01
    FACSIMILE_G2_G3 = 0x04
    FACSIMILE_G4_CLASS_1 = 0x21
    TELETEX_MIXED_AND_FAX_G4_CLASS_2_3 = 0x24
    TELETEX_PROCESSABLE = 0x28
    TELETEX_BASIC = 0x31
    SYNTAX_BASED_VIDEOTEX = 0x32
    INTERNATIONAL_VIDEOTEX = 0x33
    TELEX = 0x35
    MESSAGE_HANDLING_SYSTEMS = 0x38
    OSI_APPLICATION = 0x41
    FTAM = 0x42
    MAINTENANCE = 0x5E
    MANAGEMENT = 0x5F
    VIDEOTELEPHONY = 0x60
    VIDEOCONFERENCING = 0x61
    AUDIOGRAPHIC_CONFERENCING = 0x62
    MULTIMEDIA_SERVICES = 0x68
    RESERVED_FOR_EXTENSION = 0x7F


@dataclass(frozen=True)
class HighLayerCompatibility(InformationElement):
    IDENTIFIER = IEIdentifier.HIGH_LAYER_COMPATIBILITY

    characteristics: int = HighLayerCharacteristics.TELEPHONY  # HighLayerCharacteristics when ITU-T coded
    extended_characteristics: int | None = None  # octet 4a
    coding_standard: CodingStandard = CodingStandard.ITU_T
    interpretation: int = 0b100  # first (primary or only) high layer characteristics identification
    presentation_method: int = 0b01  # high layer protocol profile

    def encode_content(self) -> bytes:
        octet3 = EXT | (self.coding_standard << 5) | (self.interpretation << 2) | self.presentation_method
        if self.extended_characteristics is None:
            return bytes([octet3, EXT | self.characteristics])
        return bytes([octet3, self.characteristics, EXT | self.extended_characteristics])

    @classmethod
    def decode_content(cls, content: bytes) -> HighLayerCompatibility:
        need(content, 2, "high layer compatibility")
        if len(content) > 3:
            raise IEContentError(f"high layer compatibility: {len(content)} octets of contents, at most 3")
        if not content[0] & EXT:
            raise IEContentError("high layer compatibility: octet 3 has extension bit 0")
        coding = CodingStandard((content[0] >> 5) & 0x03)
        characteristics = content[1] & 0x7F
        if coding is CodingStandard.ITU_T:
            characteristics = enum_value(HighLayerCharacteristics, characteristics, "high layer characteristics")
        extended = None
        if not content[1] & EXT:
            if len(content) != 3 or not content[2] & EXT:
                raise IEContentError("high layer compatibility: octet 4a missing or not closed")
            extended = content[2] & 0x7F
        elif len(content) == 3:
            raise IEContentError("high layer compatibility: octet after octet 4 with extension bit 1")
        return cls(characteristics, extended, coding, (content[0] >> 2) & 0x07, content[0] & 0x03)
