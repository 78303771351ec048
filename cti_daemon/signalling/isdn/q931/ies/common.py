"""Fields several IEs share: coding standard (Q.931 4.5.5 octet 3 bits 7-6) and location
(Q.850 2.2.4 / Q.931 4.5.12 octet 3 bits 4-1)."""

from __future__ import annotations

import enum


class CodingStandard(enum.IntEnum):
    ITU_T = 0
    ISO_IEC = 1
    NATIONAL = 2
    NETWORK_SPECIFIC = 3  # "standard defined for the network (either public or private)"


class Location(enum.IntEnum):
    USER = 0x0  # U
    PRIVATE_NETWORK_LOCAL_USER = 0x1  # LPN
    PUBLIC_NETWORK_LOCAL_USER = 0x2  # LN
    TRANSIT_NETWORK = 0x3  # TN
    PUBLIC_NETWORK_REMOTE_USER = 0x4  # RLN
    PRIVATE_NETWORK_REMOTE_USER = 0x5  # RPN
    INTERNATIONAL_NETWORK = 0x7  # INTL
    NETWORK_BEYOND_INTERWORKING_POINT = 0xA  # BI
