"""Walking the IEs of a message through codeset shifts (Q.931 4.5.2-4.5.4).

A message starts in codeset 0. A locking shift (1001 0ccc) changes the active codeset
until the end of the message and may only go to a higher codeset (4.5.3); a non-locking
shift (1001 1ccc) applies to the next IE only (4.5.4). Codesets 1-3 are reserved, 4 is for
ISO/IEC, 5 national, 6 the local network, 7 user-specific (4.5.2): IEs there are carried as
octets. Comprehension-required applies only to codeset 0 (4.5.1).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import FindingKind
from .ies import InformationElement, RawIE, RawSingleOctetIE, SingleOctetIE, decode_ie, decode_single_octet
from .ies.single_octet import Shift
from .report import Finding

Element = InformationElement | SingleOctetIE


@dataclass(frozen=True)
class PlacedIE:
    """An IE as found in a message: the codeset it was in and its octet offset."""

    ie: Element
    codeset: int
    offset: int
    length: int  # octets of the IE in the message, identifier and length included


def walk_ies(data: bytes, start: int, findings: list[Finding]) -> list[PlacedIE]:
    """Every IE from `start` to the end of `data`. A variable length IE whose length runs
    past the end is kept as a RawIE with an error (and ends the walk)."""
    placed: list[PlacedIE] = []
    active = 0
    temporary: int | None = None
    i = start
    n = len(data)
    while i < n:
        octet = data[i]
        codeset = temporary if temporary is not None else active
        if octet & 0x80:
            if octet & 0xF0 == 0x90:  # shift, recognised in every codeset
                shift = Shift(octet & 0x07, locking=not octet & 0x08)
                placed.append(PlacedIE(shift, codeset, i, 1))
                if shift.locking:
                    if shift.codeset <= active:
                        findings.append(Finding(FindingKind.INVALID_SHIFT,
                                                f"locking shift to codeset {shift.codeset} from codeset {active}",
                                                offset=i))
                    else:
                        active = shift.codeset
                    temporary = None
                else:
                    temporary = shift.codeset
                i += 1
                continue
            single = decode_single_octet(octet) if codeset == 0 else None
            placed.append(PlacedIE(single or RawSingleOctetIE(octet, codeset), codeset, i, 1))
            temporary = None
            i += 1
            continue
        if i + 1 >= n:
            placed.append(PlacedIE(RawIE(octet, b"", codeset, "length octet missing at the end of the message"),
                                   codeset, i, n - i))
            break
        length = data[i + 1]
        content = data[i + 2 : i + 2 + length]
        if len(content) < length:
            placed.append(PlacedIE(RawIE(octet, bytes(content), codeset,
                                         f"length {length} runs {length - len(content)} octets past the message end"),
                                   codeset, i, n - i))
            break
        placed.append(PlacedIE(decode_ie(octet, content, codeset), codeset, i, 2 + length))
        temporary = None
        i += 2 + length
    return placed
