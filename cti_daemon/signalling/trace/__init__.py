"""Signalling traces in the capture formats Wireshark and tshark dissect."""

from cti_daemon.signalling.trace.pcap import (  # noqa: F401
    LINKTYPE_LINUX_LAPD,
    LINKTYPE_MTP2_WITH_PHDR,
    Direction,
    PcapWriter,
)
