"""Q.931 codec speed: a typical SETUP (en bloc, E1 channel, calling and called numbers)
encoded and decoded per CPU-second, plus Annex H segmentation round trip."""

from __future__ import annotations

from harness import Result, cpu_seconds

from cti_daemon.signalling.isdn.q931 import CallReference, Direction, Message, MessageType, decode_message
from cti_daemon.signalling.isdn.q931.ies import (
    BearerCapability,
    CalledPartyNumber,
    CallingPartyNumber,
    ChannelIdentification,
    Facility,
    Presentation,
    Screening,
    SendingComplete,
    TypeOfNumber,
)
from cti_daemon.signalling.isdn.q931.segmentation import Reassembler, segment

# Issue 5: >= 500 SETUP-to-RELEASE COMPLETE cycles per CPU-second for both stacks with Q.921.
# A cycle is about 8 Q.931 messages, each encoded once and decoded once; the codec gets at
# most a fifth of the budget, so it needs 500 * 8 * 5 = 20 000 encode+decode per second.
TARGET = 20_000


def setup_message() -> Message:
    return Message(MessageType.SETUP, CallReference(0x0123, 2), [
        SendingComplete(),
        BearerCapability(),
        ChannelIdentification.e1(17),
        CallingPartyNumber("13800138000", TypeOfNumber.NATIONAL, presentation=Presentation.ALLOWED,
                           screening=Screening.NETWORK_PROVIDED),
        CalledPartyNumber("95588", TypeOfNumber.SUBSCRIBER),
    ])


def run() -> list[Result]:
    msg = setup_message()
    data = msg.encode()
    g = "Q.931 codec (one core)"

    def round_trip():
        decode_message(msg.encode(), call_reference_length=2, direction=Direction.USER_TO_NETWORK)

    per_second = 1.0 / cpu_seconds(round_trip)
    enc = 1.0 / cpu_seconds(msg.encode)
    dec = 1.0 / cpu_seconds(lambda: decode_message(data, call_reference_length=2))
    long = Message(MessageType.SETUP, CallReference(0x0123, 2),
                   msg.ies + [Facility(bytes([0x91]) + bytes(200)), Facility(bytes([0x91]) + bytes(200))]).encode()

    def segmented():
        r = Reassembler()
        for s in segment(long):
            r.receive(s, 0.0)

    seg = 1.0 / cpu_seconds(segmented)
    return [
        Result(g, f"SETUP encode + decode ({len(data)} octets)", per_second, "messages/s", f">= {TARGET:,}",
               per_second >= TARGET),
        Result(g, "SETUP encode", enc, "messages/s"),
        Result(g, "SETUP decode with 5.8 checks", dec, "messages/s"),
        Result(g, f"Annex H: {len(long)}-octet SETUP segmented and reassembled", seg, "messages/s"),
    ]
