"""Bearer capability (Q.931 4.5.5), and the transfer/layer octets it shares with low layer
compatibility (4.5.19): octet 4 (mode, rate), 4.1 (rate multiplier), groups 5/6/7 (user
information layer 1/2/3 protocol, told apart by the layer identification bits 7-6)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..errors import IEContentError
from .base import EXT, InformationElement, enum_value, need, octet_groups
from .common import CodingStandard
from .identifiers import IEIdentifier


class InformationTransferCapability(enum.IntEnum):
    SPEECH = 0x00
    UNRESTRICTED_DIGITAL = 0x08
    RESTRICTED_DIGITAL = 0x09
    AUDIO_3_1_KHZ = 0x10
    UNRESTRICTED_DIGITAL_WITH_TONES = 0x11  # "7 kHz audio" before 1993
    VIDEO = 0x18


class TransferMode(enum.IntEnum):
    CIRCUIT = 0
    PACKET = 2


class InformationTransferRate(enum.IntEnum):
    PACKET_MODE = 0x00
    KBIT_64 = 0x10
    KBIT_2X64 = 0x11
    KBIT_384 = 0x13
    KBIT_1536 = 0x15
    KBIT_1920 = 0x17
    MULTIRATE = 0x18  # octet 4.1 gives the multiplier of 64 kbit/s


class UserInfoLayer1(enum.IntEnum):
    V110_I460_X30 = 0x01
    G711_MU_LAW = 0x02
    G711_A_LAW = 0x03
    G721_ADPCM = 0x04
    H221_H242 = 0x05
    H223_H245 = 0x06
    NON_ITU_RATE_ADAPTION = 0x07
    V120 = 0x08
    X31_HDLC = 0x09


_LAYER_1, _LAYER_2, _LAYER_3 = 1, 2, 3  # layer identification, bits 7-6 of octets 5, 6, 7


@dataclass(frozen=True)
class TransferAndLayers:
    """Octet 4 onwards, common to bearer capability and low layer compatibility."""

    transfer_mode: TransferMode
    transfer_rate: InformationTransferRate
    rate_multiplier: int | None  # octet 4.1, only with MULTIRATE
    layer1: UserInfoLayer1 | None
    layer1_octets: bytes  # octets 5a-5d as sent (rate adaption, etc.)
    layer2_octets: bytes  # octet group 6 as sent, or empty
    layer3_octets: bytes  # octet group 7 as sent, or empty


def decode_transfer_and_layers(content: bytes, start: int, what: str) -> TransferAndLayers:
    groups = octet_groups(content, start)
    if not groups:
        raise IEContentError(f"{what}: octet 4 (transfer mode and rate) missing")
    octet4 = groups[0]
    if len(octet4) != 1:
        raise IEContentError(f"{what}: octet 4 has extension octets 4a/4b, not used since Q.931 (1993)")
    mode = enum_value(TransferMode, (octet4[0] >> 5) & 0x03, f"{what} transfer mode")
    rate = enum_value(InformationTransferRate, octet4[0] & 0x1F, f"{what} information transfer rate")
    rest = groups[1:]
    multiplier = None
    if rate is InformationTransferRate.MULTIRATE:
        if not rest or len(rest[0]) != 1:
            raise IEContentError(f"{what}: rate multiplier octet 4.1 missing")
        multiplier = rest[0][0] & 0x7F
        rest = rest[1:]
    layer1, layer1_octets, layer2, layer3 = None, b"", b"", b""
    last_layer = 0
    for group in rest:
        layer = (group[0] >> 5) & 0x03
        if layer <= last_layer:
            raise IEContentError(f"{what}: layer identification {layer} after layer {last_layer}")
        last_layer = layer
        if layer == _LAYER_1:
            layer1 = enum_value(UserInfoLayer1, group[0] & 0x1F, f"{what} user information layer 1 protocol")
            layer1_octets = group[1:]
        elif layer == _LAYER_2:
            layer2 = group
        else:
            layer3 = group
    return TransferAndLayers(mode, rate, multiplier, layer1, layer1_octets, layer2, layer3)


def encode_transfer_and_layers(t: TransferAndLayers) -> bytes:
    out = bytearray([EXT | (t.transfer_mode << 5) | t.transfer_rate])
    if t.transfer_rate is InformationTransferRate.MULTIRATE:
        if t.rate_multiplier is None or not 2 <= t.rate_multiplier <= 30:
            raise ValueError("multirate needs a rate multiplier 2-30 (octet 4.1)")
        out.append(EXT | t.rate_multiplier)
    if t.layer1 is not None:
        out.append((0 if t.layer1_octets else EXT) | (_LAYER_1 << 5) | t.layer1)
        out += t.layer1_octets
    out += t.layer2_octets + t.layer3_octets
    return bytes(out)


@dataclass(frozen=True)
class BearerCapability(InformationElement):
    """Q.931 4.5.5. Default: speech, circuit mode, 64 kbit/s, G.711 A-law (E1)."""

    IDENTIFIER = IEIdentifier.BEARER_CAPABILITY

    transfer_capability: InformationTransferCapability = InformationTransferCapability.SPEECH
    layer1: UserInfoLayer1 | None = UserInfoLayer1.G711_A_LAW
    transfer_mode: TransferMode = TransferMode.CIRCUIT
    transfer_rate: InformationTransferRate = InformationTransferRate.KBIT_64
    coding_standard: CodingStandard = CodingStandard.ITU_T
    rate_multiplier: int | None = None
    layer1_octets: bytes = b""
    layer2_octets: bytes = b""
    layer3_octets: bytes = b""

    def encode_content(self) -> bytes:
        octet3 = EXT | (self.coding_standard << 5) | self.transfer_capability
        layers = TransferAndLayers(self.transfer_mode, self.transfer_rate, self.rate_multiplier, self.layer1,
                                   self.layer1_octets, self.layer2_octets, self.layer3_octets)
        return bytes([octet3]) + encode_transfer_and_layers(layers)

    @classmethod
    def decode_content(cls, content: bytes) -> BearerCapability:
        need(content, 2, "bearer capability")  # Q.931 Table 3-15: length 4-12 with the header
        octet3 = content[0]
        if not octet3 & EXT:
            raise IEContentError("bearer capability: octet 3 has extension bit 0 (no octet 3a is defined)")
        coding = CodingStandard((octet3 >> 5) & 0x03)
        itc = enum_value(InformationTransferCapability, octet3 & 0x1F, "information transfer capability")
        t = decode_transfer_and_layers(content, 1, "bearer capability")
        return cls(itc, t.layer1, t.transfer_mode, t.transfer_rate, coding, t.rate_multiplier,
                   t.layer1_octets, t.layer2_octets, t.layer3_octets)
