"""Information element identifiers of codeset 0 (Q.931 Table 4-3, Q.932, Q.951/EN 300 097)."""

from __future__ import annotations

import enum


class IEIdentifier(enum.IntEnum):
    # Single octet IEs (Q.931 Table 4-3): identifier in bits 7-5 (type 1) or the whole octet (type 2).
    SHIFT = 0x90  # 1001 lccc, 4.5.3/4.5.4
    MORE_DATA = 0xA0  # 4.5.20
    SENDING_COMPLETE = 0xA1  # 4.5.27
    CONGESTION_LEVEL = 0xB0  # 1011 xxxx, 4.5.14
    REPEAT_INDICATOR = 0xD0  # 1101 xxxx, 4.5.24
    # Variable length IEs (Q.931 Table 4-3).
    SEGMENTED_MESSAGE = 0x00  # 4.5.26
    BEARER_CAPABILITY = 0x04  # 4.5.5
    CAUSE = 0x08  # 4.5.12
    CALL_IDENTITY = 0x10  # 4.5.6
    CALL_STATE = 0x14  # 4.5.7
    CHANNEL_IDENTIFICATION = 0x18  # 4.5.13
    FACILITY = 0x1C  # Q.932 4.6.2
    PROGRESS_INDICATOR = 0x1E  # 4.5.23
    NETWORK_SPECIFIC_FACILITIES = 0x20  # 4.5.21
    NOTIFICATION_INDICATOR = 0x27  # 4.5.22
    DISPLAY = 0x28  # 4.5.16
    DATE_TIME = 0x29  # 4.5.15
    KEYPAD_FACILITY = 0x2C  # 4.5.18
    SIGNAL = 0x34  # 4.5.28
    INFORMATION_RATE = 0x40
    END_TO_END_TRANSIT_DELAY = 0x42
    TRANSIT_DELAY_SELECTION = 0x43
    PACKET_LAYER_BINARY_PARAMETERS = 0x44
    PACKET_LAYER_WINDOW_SIZE = 0x45
    PACKET_SIZE = 0x46
    CLOSED_USER_GROUP = 0x47
    REVERSE_CHARGING_INDICATION = 0x4A
    CONNECTED_NUMBER = 0x4C  # Q.951 / EN 300 097-1
    CONNECTED_SUBADDRESS = 0x4D  # Q.951 / EN 300 097-1
    CALLING_PARTY_NUMBER = 0x6C  # 4.5.10
    CALLING_PARTY_SUBADDRESS = 0x6D  # 4.5.11
    CALLED_PARTY_NUMBER = 0x70  # 4.5.8
    CALLED_PARTY_SUBADDRESS = 0x71  # 4.5.9
    REDIRECTING_NUMBER = 0x74  # Q.952 / EN 300 207-1
    REDIRECTING_SUBADDRESS = 0x75  # Q.952
    REDIRECTION_NUMBER = 0x76  # Q.952
    TRANSIT_NETWORK_SELECTION = 0x78  # 4.5.29
    RESTART_INDICATOR = 0x79  # 4.5.25
    LOW_LAYER_COMPATIBILITY = 0x7C  # 4.5.19
    HIGH_LAYER_COMPATIBILITY = 0x7D  # 4.5.17
    USER_USER = 0x7E  # 4.5.30
    ESCAPE_FOR_EXTENSION = 0x7F


def comprehension_required(identifier: int, codeset: int = 0) -> bool:
    """Q.931 4.5.1: codeset 0 variable-length IEs with bits 8-5 = 0000 must be understood
    (segmented message, bearer capability, cause, ...); other codesets never are."""
    return codeset == 0 and identifier & 0xF0 == 0
