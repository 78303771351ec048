"""Channel identification (Q.931 4.5.13).

On an E1 primary rate interface the channel number is the timeslot number (Q.931 4.5.13,
octet 3.3): B-channels are 1-15 and 17-31; timeslot 16 carries the D-channel (I.431 /
G.704) and is never offered as a B-channel. On a basic rate interface octet 3 alone says
B1, B2 or any channel."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..errors import IEContentError
from .base import EXT, InformationElement, enum_value, need
from .common import CodingStandard
from .identifiers import IEIdentifier

E1_D_CHANNEL_TIMESLOT = 16
E1_B_CHANNELS = tuple(ts for ts in range(1, 32) if ts != E1_D_CHANNEL_TIMESLOT)


class InterfaceType(enum.IntEnum):
    BASIC = 0  # octet 3 bit 6
    PRIMARY = 1  # "other interface"


class BriChannel(enum.IntEnum):
    """Information channel selection on a basic interface (octet 3 bits 2-1)."""

    NO_CHANNEL = 0
    B1 = 1
    B2 = 2
    ANY = 3


class PriSelection(enum.IntEnum):
    """Information channel selection on a primary interface (octet 3 bits 2-1)."""

    NO_CHANNEL = 0
    AS_INDICATED = 1  # in octets 3.2 and 3.3
    ANY = 3


class ChannelType(enum.IntEnum):
    """Channel type / map element type (octet 3.2 bits 4-1)."""

    B_CHANNEL_UNITS = 0x3
    H0_CHANNEL_UNITS = 0x6
    H11_CHANNEL_UNITS = 0x8
    H12_CHANNEL_UNITS = 0x9


@dataclass(frozen=True)
class ChannelIdentification(InformationElement):
    IDENTIFIER = IEIdentifier.CHANNEL_IDENTIFICATION

    interface_type: InterfaceType
    selection: BriChannel | PriSelection
    exclusive: bool = False  # octet 3 bit 4: 0 preferred, 1 exclusive
    channels: tuple[int, ...] = ()  # channel numbers (octet 3.3), PRI "as indicated"
    d_channel: bool = False  # octet 3 bit 3: the D-channel itself is identified
    interface_id: bytes | None = None  # octet 3.1 when the interface is named explicitly (NFAS)
    channel_type: ChannelType = ChannelType.B_CHANNEL_UNITS
    coding_standard: CodingStandard = CodingStandard.ITU_T
    slot_map: bytes | None = None  # octet 3.3 as a slot map instead of numbers

    @classmethod
    def e1(cls, *timeslots: int, exclusive: bool = True) -> ChannelIdentification:
        """B-channels by timeslot on an E1 PRI (1-15, 17-31); no timeslots = any channel."""
        for ts in timeslots:
            if ts not in E1_B_CHANNELS:
                raise ValueError(f"timeslot {ts} is not an E1 B-channel (1-15, 17-31; 16 is the D-channel)")
        if not timeslots:
            return cls(InterfaceType.PRIMARY, PriSelection.ANY, exclusive=False)
        return cls(InterfaceType.PRIMARY, PriSelection.AS_INDICATED, exclusive=exclusive, channels=tuple(timeslots))

    @classmethod
    def bri(cls, channel: BriChannel, exclusive: bool = False) -> ChannelIdentification:
        return cls(InterfaceType.BASIC, BriChannel(channel), exclusive=exclusive)

    def e1_timeslots(self) -> tuple[int, ...]:
        """The E1 timeslots named, or IEContentError if one is not an E1 B-channel."""
        for ch in self.channels:
            if ch not in E1_B_CHANNELS:
                raise IEContentError(f"channel number {ch} is not an E1 B-channel (1-15, 17-31)")
        return self.channels

    def encode_content(self) -> bytes:
        octet3 = (EXT | (0x40 if self.interface_id is not None else 0) | (self.interface_type << 5)
                  | (0x08 if self.exclusive else 0) | (0x04 if self.d_channel else 0) | self.selection)
        out = bytearray([octet3])
        if self.interface_id is not None:
            out += self.interface_id
        if self.interface_type is InterfaceType.PRIMARY and self.selection is PriSelection.AS_INDICATED:
            use_map = self.slot_map is not None
            out.append(EXT | (self.coding_standard << 5) | (0x10 if use_map else 0) | self.channel_type)
            if use_map:
                out += self.slot_map
            else:
                if not self.channels:
                    raise ValueError("channel selection 'as indicated' needs at least one channel number")
                for i, ch in enumerate(self.channels):
                    if not 1 <= ch <= 127:
                        raise ValueError(f"channel number {ch} out of range 1-127")
                    out.append((EXT if i == len(self.channels) - 1 else 0) | ch)
        return bytes(out)

    @classmethod
    def decode_content(cls, content: bytes) -> ChannelIdentification:
        need(content, 1, "channel identification")
        octet3 = content[0]
        if not octet3 & EXT:
            raise IEContentError("channel identification: octet 3 has extension bit 0")
        interface_type = InterfaceType((octet3 >> 5) & 1)
        exclusive = bool(octet3 & 0x08)
        d_channel = bool(octet3 & 0x04)
        i = 1
        interface_id = None
        if octet3 & 0x40:  # octet 3.1: interface identifier, closed by extension bit 1
            j = i
            while j < len(content) and not content[j] & EXT:
                j += 1
            if j >= len(content):
                raise IEContentError("channel identification: interface identifier (octet 3.1) not terminated")
            interface_id = bytes(content[i : j + 1])
            i = j + 1
        if interface_type is InterfaceType.BASIC:
            if i != len(content):
                raise IEContentError("channel identification: octets after octet 3 on a basic interface")
            return cls(interface_type, BriChannel(octet3 & 0x03), exclusive, (), d_channel, interface_id)
        selection = enum_value(PriSelection, octet3 & 0x03, "channel selection on a primary interface")
        if selection is not PriSelection.AS_INDICATED:
            if i != len(content):
                raise IEContentError("channel identification: channel octets without 'as indicated'")
            return cls(interface_type, selection, exclusive, (), d_channel, interface_id)
        if i >= len(content):
            raise IEContentError("channel identification: 'as indicated' but octet 3.2 missing")
        octet32 = content[i]
        if not octet32 & EXT:
            raise IEContentError("channel identification: octet 3.2 has extension bit 0")
        coding = CodingStandard((octet32 >> 5) & 0x03)
        channel_type = enum_value(ChannelType, octet32 & 0x0F, "channel type")
        rest = bytes(content[i + 1 :])
        if octet32 & 0x10:
            if not rest:
                raise IEContentError("channel identification: slot map missing")
            return cls(interface_type, selection, exclusive, (), d_channel, interface_id, channel_type, coding, rest)
        if not rest:
            raise IEContentError("channel identification: channel number (octet 3.3) missing")
        channels = []
        for k, b in enumerate(rest):
            last = bool(b & EXT)
            if last != (k == len(rest) - 1):
                raise IEContentError("channel identification: extension bits of the channel numbers are wrong")
            if b & 0x7F == 0:
                raise IEContentError("channel identification: channel number 0")
            channels.append(b & 0x7F)
        return cls(interface_type, selection, exclusive, tuple(channels), d_channel, interface_id, channel_type, coding)
