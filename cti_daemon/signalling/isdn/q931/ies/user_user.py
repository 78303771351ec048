"""User-user (Q.931 4.5.30): a protocol discriminator and the user information."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..errors import IEContentError
from .base import InformationElement, need
from .identifiers import IEIdentifier

USER_USER_MAX_CONTENT = 129  # Q.931 4.5.30: 131 octets with the header (ETSI: 35 on some services)


class UserProtocol(enum.IntEnum):
    USER_SPECIFIC = 0x00
    OSI_HIGH_LAYER = 0x01
    X244 = 0x02
    IA5_CHARACTERS = 0x04
    X208_X209 = 0x05
    V120_RATE_ADAPTION = 0x07
    Q931_CALL_CONTROL = 0x08


@dataclass(frozen=True)
class UserUser(InformationElement):
    IDENTIFIER = IEIdentifier.USER_USER

    data: bytes
    protocol: int = UserProtocol.USER_SPECIFIC  # UserProtocol for the defined values; 0x10-0x4F national

    def encode_content(self) -> bytes:
        return bytes([self.protocol]) + self.data

    @classmethod
    def decode_content(cls, content: bytes) -> UserUser:
        need(content, 1, "user-user")
        if len(content) > USER_USER_MAX_CONTENT:
            raise IEContentError(f"user-user: {len(content)} octets of contents, at most {USER_USER_MAX_CONTENT}")
        protocol = content[0]
        try:
            protocol = UserProtocol(protocol)
        except ValueError:
            pass
        return cls(bytes(content[1:]), protocol)
