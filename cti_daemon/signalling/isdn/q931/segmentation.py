"""Q.931 Annex H message segmentation, sans-I/O.

`segment()` cuts a message longer than the data link's maximum information field into
SEGMENT messages (H.2); a `Reassembler` per data link connection puts them back together
(H.3), with T314 as a deadline the owner watches (`Output.timers["T314"]`) and reports back
with `expire("T314", now)`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ...sansio import Output
from .errors import Q931DecodeError, SegmentationError
from .ies.identifiers import IEIdentifier
from .ies.segmented import SegmentedMessage
from .message_types import MessageType
from .messages import CallReference, decode_header

N201_OCTETS = 260  # Q.921 5.9.3: maximum octets in an I-frame information field (SAPI 0)
MAX_SEGMENTS = 8  # Annex H.2 a) / H.3 e): default maximum number of segments
T314_SECONDS = 4.0  # Q.931 Table 9-1/9-2: T314, segment reception, 4 s
_SEGMENTED_IE_OCTETS = 4  # identifier, length 2, octets 3 and 4 (4.5.26)


def segment(message: bytes, max_length: int = N201_OCTETS, max_segments: int = MAX_SEGMENTS) -> list[bytes]:
    """The message itself if it fits in `max_length` octets, else its SEGMENT messages
    (Annex H.2 b-f): each is PD, call reference, SEGMENT, the segmented message IE, then
    the next octets that follow the original message type."""
    message = bytes(message)
    if len(message) <= max_length:
        return [message]
    cr, message_type, body_start = decode_header(message)
    if message_type == MessageType.SEGMENT:
        raise SegmentationError("a SEGMENT message is not segmented again")
    header = message[: body_start - 1]  # PD and call reference
    room = max_length - len(header) - 1 - _SEGMENTED_IE_OCTETS
    if room < 1:
        raise SegmentationError(f"maximum length {max_length} leaves no room for message octets")
    body = message[body_start:]
    chunks = [body[i : i + room] for i in range(0, len(body), room)]
    if len(chunks) > max_segments:
        # H.2 a): too long even for the maximum number of segments; local maintenance is told.
        raise SegmentationError(f"{len(message)} octets need {len(chunks)} segments, at most {max_segments}")
    out = []
    for i, chunk in enumerate(chunks):
        ie = SegmentedMessage(first=i == 0, remaining=len(chunks) - 1 - i, message_type=message_type)
        out.append(header + bytes([MessageType.SEGMENT]) + ie.encode() + chunk)
    return out


class ReassemblyState(enum.Enum):
    NULL = "Null"
    RECEIVING_SEGMENTED_MESSAGE = "Receiving Segmented Message"  # Annex H.3 a)


@dataclass(frozen=True)
class MessageReady:
    """A whole message for Q.931 processing (5.8 applies to it): one that was not
    segmented, or the reassembled message."""

    message: bytes
    segments: int = 1


@dataclass(frozen=True)
class SegmentsDiscarded:
    """Segments were thrown away (Annex H.3 d-g); layer 3 management is told why."""

    reason: str
    call_reference: CallReference | None
    segments: int  # how many were discarded, the offending one included


@dataclass(frozen=True)
class _SegmentInfo:
    call_reference: CallReference
    header: bytes
    ie: SegmentedMessage
    chunk: bytes


class Reassembler:
    """Annex H.3 reassembly for one data link connection (segments are never interleaved
    on a link, H.2 g). Feed every received Q.931 message to `receive`."""

    def __init__(self, t314: float = T314_SECONDS, max_segments: int = MAX_SEGMENTS):
        self.t314 = t314
        self.max_segments = max_segments
        self.state = ReassemblyState.NULL
        self._first: _SegmentInfo | None = None
        self._chunks: list[bytes] = []
        self._last_remaining = 0

    def receive(self, message: bytes, now: float) -> Output:
        message = bytes(message)
        info = self._parse(message)
        if info is None:
            return self._not_a_segment(message)
        if isinstance(info, str):
            return self._discard(info, None, 1)
        if self.state is ReassemblyState.NULL:
            if not info.ie.first:
                return self._discard("segment that is not a first segment while not reassembling (H.3 f)",
                                     info.call_reference, 1)
            if info.ie.remaining == 0:
                return self._discard("first segment with no segments remaining", info.call_reference, 1)
            self.state = ReassemblyState.RECEIVING_SEGMENTED_MESSAGE
            self._first, self._chunks, self._last_remaining = info, [info.chunk], info.ie.remaining
            return Output(timers={"T314": now + self.t314})  # H.3 b)
        first = self._first
        assert first is not None
        problem = None
        if info.ie.first:
            problem = "a first segment while reassembling another message"
        elif info.call_reference != first.call_reference:
            problem = "segment of another call reference while reassembling"
        elif info.ie.message_type != first.ie.message_type:
            problem = "segmented message type changed between segments"
        elif info.ie.remaining != self._last_remaining - 1:
            problem = f"{info.ie.remaining} segments remaining after {self._last_remaining} (H.3 f)"
        if problem is not None:
            return self._discard(problem, info.call_reference, len(self._chunks) + 1)
        self._chunks.append(info.chunk)
        self._last_remaining = info.ie.remaining
        if info.ie.remaining == 0:  # H.3 c): the last segment
            whole = first.header + bytes([first.ie.message_type]) + b"".join(self._chunks)
            count = len(self._chunks)
            self._reset()
            return Output(indications=[MessageReady(whole, count)], timers={"T314": None})
        if len(self._chunks) >= self.max_segments:  # H.3 e)
            return self._discard(f"{self.max_segments} segments without the last one", info.call_reference,
                                 len(self._chunks))
        return Output(timers={"T314": now + self.t314})

    def expire(self, name: str, now: float) -> Output:
        """T314 expired (H.3 d): discard what was received, tell management."""
        if name != "T314" or self.state is ReassemblyState.NULL:
            return Output()
        cr = self._first.call_reference if self._first else None
        return self._discard("T314 expired before the last segment", cr, len(self._chunks))

    def _not_a_segment(self, message: bytes) -> Output:
        if self.state is ReassemblyState.NULL:
            return Output(indications=[MessageReady(message)])
        # H.2 g): nothing may come between the segments of a message on one link.
        out = self._discard("another message arrived between segments", self._first.call_reference,
                            len(self._chunks))
        out.indications.append(MessageReady(message))
        return out

    def _discard(self, reason: str, cr: CallReference | None, count: int) -> Output:
        was_receiving = self.state is ReassemblyState.RECEIVING_SEGMENTED_MESSAGE
        self._reset()
        timers = {"T314": None} if was_receiving else {}
        return Output(indications=[SegmentsDiscarded(reason, cr, count)], timers=timers)

    def _reset(self) -> None:
        self.state = ReassemblyState.NULL
        self._first, self._chunks, self._last_remaining = None, [], 0

    @staticmethod
    def _parse(message: bytes) -> _SegmentInfo | str | None:
        """None if not a SEGMENT message; a reason string if a SEGMENT we cannot use."""
        try:
            cr, message_type, start = decode_header(message)
        except Q931DecodeError:
            return None  # not ours to judge: Q.931 5.8 ignores it
        if message_type != MessageType.SEGMENT:
            return None
        ie_octets = message[start : start + _SEGMENTED_IE_OCTETS]
        if len(ie_octets) < _SEGMENTED_IE_OCTETS or ie_octets[0] != IEIdentifier.SEGMENTED_MESSAGE or ie_octets[1] != 2:
            return "SEGMENT without a segmented message IE first"
        try:
            ie = SegmentedMessage.decode_content(ie_octets[2:])
        except Q931DecodeError as e:
            return f"SEGMENT with a bad segmented message IE: {e.detail}"
        if ie.message_type == MessageType.SEGMENT:
            return "segmented message type is SEGMENT"
        return _SegmentInfo(cr, message[: start - 1], ie, message[start + _SEGMENTED_IE_OCTETS :])
