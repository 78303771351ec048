"""What every information element has in common, and the Q.931 4.5.1 coding helpers
(octet groups closed by the extension bit)."""

from __future__ import annotations

import abc
import enum
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from ..errors import IEContentError

EXT = 0x80  # bit 8 of an octet in a group: 1 = last octet of the group (Q.931 4.5.1)

E = TypeVar("E", bound=enum.IntEnum)


class InformationElement(abc.ABC):
    """A variable length IE (Q.931 4.5.1 Figure 4-7 c): identifier, length, contents.

    Subclasses are dataclasses with IDENTIFIER (and CODESET if not 0) and implement
    `encode_content`; every typed IE (all but RawIE, which is built from the octets it
    carries) also has a classmethod `decode_content(content)` that raises IEContentError."""

    IDENTIFIER: ClassVar[int]
    CODESET: ClassVar[int] = 0

    @abc.abstractmethod
    def encode_content(self) -> bytes:
        """The contents octets, after identifier and length."""

    def encode(self) -> bytes:
        content = self.encode_content()
        if len(content) > 255:
            raise ValueError(f"{type(self).__name__} contents {len(content)} octets; at most 255 fit the length octet")
        return bytes([self.IDENTIFIER, len(content)]) + content


class SingleOctetIE(abc.ABC):
    """A single octet IE (Q.931 4.5.1 Figure 4-7 a, b)."""

    CODESET: ClassVar[int] = 0

    @abc.abstractmethod
    def encode(self) -> bytes:
        """The one octet."""


@dataclass(frozen=True)
class RawIE(InformationElement):
    """A variable length IE carried as octets: one we do not recognise (Q.931 5.8.7.1),
    one we recognise but whose contents are wrong (`error` says what), or one we pass
    through. Encodes back to exactly what was received."""

    identifier: int
    content: bytes
    codeset: int = 0
    error: str | None = None

    @property
    def IDENTIFIER(self) -> int:  # type: ignore[override]
        return self.identifier

    @property
    def CODESET(self) -> int:  # type: ignore[override]
        return self.codeset

    def encode_content(self) -> bytes:
        return bytes(self.content)


@dataclass(frozen=True)
class RawSingleOctetIE(SingleOctetIE):
    """A single octet IE we do not recognise (reserved 1000xxxx, or in another codeset)."""

    octet: int
    codeset: int = 0

    @property
    def CODESET(self) -> int:  # type: ignore[override]
        return self.codeset

    def encode(self) -> bytes:
        return bytes([self.octet])


def octet_groups(content: bytes, start: int = 0) -> list[bytes]:
    """Split contents into octet groups: an octet with bit 8 = 0 is continued by the next
    (3 -> 3a -> 3b ...), bit 8 = 1 closes the group (Q.931 4.5.1 rule for extension bits)."""
    groups: list[bytes] = []
    i = start
    while i < len(content):
        j = i
        while content[j] & EXT == 0:
            j += 1
            if j == len(content):
                raise IEContentError(f"octet group at offset {i} has no octet with extension bit 1")
        groups.append(bytes(content[i : j + 1]))
        i = j + 1
    return groups


def enum_value(enum_type: type[E], value: int, what: str) -> E:
    """`value` as a member of `enum_type`, or IEContentError naming what was wrong."""
    try:
        return enum_type(value)
    except ValueError:
        raise IEContentError(f"{what} {value:#x} is not a defined value") from None


def ia5(content: bytes, what: str) -> str:
    """IA5 characters (bit 8 = 0, Q.931 4.5.8 / 4.5.16) as text."""
    for i, b in enumerate(content):
        if b & 0x80:
            raise IEContentError(f"{what}: octet {i} = {b:#04x} is not an IA5 character")
    return content.decode("ascii")


def to_ia5(text: str, what: str) -> bytes:
    try:
        data = text.encode("ascii")
    except UnicodeEncodeError:
        raise ValueError(f"{what} {text!r} is not IA5 (ASCII)") from None
    return data


def need(content: bytes, n: int, what: str) -> None:
    if len(content) < n:
        raise IEContentError(f"{what}: {len(content)} octets, at least {n} needed")
