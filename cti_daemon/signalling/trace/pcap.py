"""pcap writer for signalling links: D-channels as LINKTYPE_LINUX_LAPD (177) and SS7
links as LINKTYPE_MTP2_WITH_PHDR (139), the two link types that keep the direction
(and, for LAPD, which side we are), so tshark shows "User->Network" or "Sent" correctly.

Frames are written without their FCS (a LAPD frame with FCS dissects as malformed
Q.931). Timestamps are trunk-clock seconds, the clock every stack runs on. Each record
is flushed as it is written, so a trace can be read live (`tail -c +1 -f | tshark -r -`)
and a killed daemon leaves every frame written so far.

Formats: pcap file header and record header per the libpcap format (tcpdump.org
"pcap-savefile"); the 177 pseudo-header is Linux SLL-shaped (pkttype, hatype, halen,
8 address bytes whose first says "we are the network side", protocol 0x0030 ETH_P_LAPD);
the 139 pseudo-header is sent(1), annex_a_used(1), link_number(2, big-endian). Layouts as
checked against tshark 4.0 (docs/research/signalling.md 6.1).
"""

from __future__ import annotations

import enum
import struct
from typing import BinaryIO

LINKTYPE_MTP2_WITH_PHDR = 139
LINKTYPE_LINUX_LAPD = 177

_MAGIC_MICROSECONDS = 0xA1B2C3D4
_SNAPLEN = 65535
_ETH_P_LAPD = 0x0030
_PKTTYPE_HOST = 0  # addressed to us: received
_PKTTYPE_OUTGOING = 4  # sent by us
_ANNEX_A_UNKNOWN = 2


class Direction(enum.Enum):
    RECEIVED = "received"
    SENT = "sent"


class PcapWriter:
    """One capture file, one link type. `write_lapd` / `write_mtp2` add a frame."""

    def __init__(self, stream: BinaryIO, linktype: int):
        if linktype not in (LINKTYPE_LINUX_LAPD, LINKTYPE_MTP2_WITH_PHDR):
            raise ValueError(f"unsupported pcap link type {linktype}; use 177 (LAPD) or 139 (MTP2)")
        self._stream = stream
        self.linktype = linktype
        self.frames = 0
        stream.write(struct.pack("<IHHiIII", _MAGIC_MICROSECONDS, 2, 4, 0, 0, _SNAPLEN, linktype))
        stream.flush()

    @classmethod
    def open(cls, path, linktype: int) -> PcapWriter:
        return cls(open(path, "wb"), linktype)

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> PcapWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def write_lapd(self, now: float, frame: bytes, direction: Direction, network_side: bool) -> None:
        """A Q.921 frame (address field first, FCS stripped) on a D-channel where we are
        the network side or the user side."""
        if self.linktype != LINKTYPE_LINUX_LAPD:
            raise ValueError("this capture is not a LAPD capture")
        pkttype = _PKTTYPE_OUTGOING if direction is Direction.SENT else _PKTTYPE_HOST
        address = bytes([1 if network_side else 0]) + bytes(7)
        header = struct.pack(">HHH8sH", pkttype, 0, 1, address, _ETH_P_LAPD)
        self._record(now, header + bytes(frame))

    def write_mtp2(self, now: float, signal_unit: bytes, direction: Direction, link_number: int) -> None:
        """An MTP2 signal unit (from the BSN/BIB octet, FCS stripped) on link `link_number`."""
        if self.linktype != LINKTYPE_MTP2_WITH_PHDR:
            raise ValueError("this capture is not an MTP2 capture")
        if not 0 <= link_number <= 0xFFFF:
            raise ValueError(f"link number {link_number} out of range 0-65535")
        header = struct.pack(">BBH", 1 if direction is Direction.SENT else 0, _ANNEX_A_UNKNOWN, link_number)
        self._record(now, header + bytes(signal_unit))

    def _record(self, now: float, data: bytes) -> None:
        if now < 0:
            raise ValueError(f"negative timestamp {now}")
        micros = int(round(now * 1_000_000))
        seconds, micros = divmod(micros, 1_000_000)
        self._stream.write(struct.pack("<IIII", seconds, micros, len(data), len(data)) + data)
        self._stream.flush()
        self.frames += 1
