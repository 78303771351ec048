"""IEs carried through as octets: facility (Q.932 4.6.2, its ROSE components belong to the
supplementary services), call identity (Q.931 4.5.6, used by SUSPEND/RESUME)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import IEContentError
from .base import InformationElement, need
from .identifiers import IEIdentifier

CALL_IDENTITY_MAX = 8  # Q.931 Table 4-3: call identity at most 10 octets with the header


@dataclass(frozen=True)
class Facility(InformationElement):
    IDENTIFIER = IEIdentifier.FACILITY

    data: bytes  # protocol profile octet and components, as sent

    def encode_content(self) -> bytes:
        return self.data

    @classmethod
    def decode_content(cls, content: bytes) -> Facility:
        need(content, 1, "facility")
        return cls(bytes(content))


@dataclass(frozen=True)
class CallIdentity(InformationElement):
    IDENTIFIER = IEIdentifier.CALL_IDENTITY

    identity: bytes

    def encode_content(self) -> bytes:
        return self.identity

    @classmethod
    def decode_content(cls, content: bytes) -> CallIdentity:
        if len(content) > CALL_IDENTITY_MAX:
            raise IEContentError(f"call identity: {len(content)} octets, at most {CALL_IDENTITY_MAX}")
        return cls(bytes(content))
