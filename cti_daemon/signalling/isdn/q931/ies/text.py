"""IEs that are strings of IA5 characters: display (Q.931 4.5.16), keypad facility
(4.5.18)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import IEContentError
from .base import InformationElement, ia5, need, to_ia5
from .identifiers import IEIdentifier

DISPLAY_MAX_CHARACTERS = 80  # Q.931 clause 3 notes: at most 34 or 82 octets with the 2-octet header
KEYPAD_MAX_CHARACTERS = 32  # Q.931 Table 3-15: keypad facility 2-34 octets


@dataclass(frozen=True)
class Display(InformationElement):
    IDENTIFIER = IEIdentifier.DISPLAY

    text: str

    def encode_content(self) -> bytes:
        return to_ia5(self.text, "display")

    @classmethod
    def decode_content(cls, content: bytes) -> Display:
        need(content, 1, "display")
        if len(content) > DISPLAY_MAX_CHARACTERS:
            raise IEContentError(f"display: {len(content)} characters, at most {DISPLAY_MAX_CHARACTERS}")
        return cls(ia5(content, "display"))


@dataclass(frozen=True)
class KeypadFacility(InformationElement):
    IDENTIFIER = IEIdentifier.KEYPAD_FACILITY

    digits: str

    def encode_content(self) -> bytes:
        return to_ia5(self.digits, "keypad facility")

    @classmethod
    def decode_content(cls, content: bytes) -> KeypadFacility:
        need(content, 1, "keypad facility")
        if len(content) > KEYPAD_MAX_CHARACTERS:
            raise IEContentError(f"keypad facility: {len(content)} characters, at most {KEYPAD_MAX_CHARACTERS}")
        return cls(ia5(content, "keypad facility"))
