"""A minimal layer 3 above our DataLink for the libpri tests, built on our Q.931 codec.

Not call control (that lands in `q931/call_control/`): it decodes every DL-DATA-INDICATION
and answers just what a far end needs answered for layer 2 and the codec to be checked:
RESTART gets RESTART ACKNOWLEDGE (Q.931 5.5.2: it carries the channel identification and
restart indicator of the RESTART); a SETUP can be refused with RELEASE COMPLETE and a
cause (Q.931 5.2.5.1: a busy called user answers SETUP with RELEASE COMPLETE, cause 17);
DISCONNECT is answered with RELEASE and RELEASE with RELEASE COMPLETE (Q.931 5.3.3,
5.3.4), so that a call libpri clears leaves nothing behind on its side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cti_daemon.signalling.isdn.q921 import DlDataIndication
from cti_daemon.signalling.isdn.q921.frames import Side
from cti_daemon.signalling.isdn.q931 import (
    CallReference,
    DecodedMessage,
    Direction,
    Message,
    MessageType,
    Q931DecodeError,
    decode_message,
)
from cti_daemon.signalling.isdn.q931.ies import (
    Cause,
    CauseValue,
    ChannelIdentification,
    RestartClass,
    RestartIndicator,
)

if TYPE_CHECKING:
    from . import Interop

PRI_CALL_REFERENCE_LENGTH = 2  # Q.931 4.3: two octets on a primary rate access


@dataclass(frozen=True)
class Received:
    at: float
    decoded: DecodedMessage

    @property
    def message(self) -> Message:
        return self.decoded.message

    @property
    def message_type(self):
        return self.decoded.message.message_type


class MinimalLayer3:
    """Decodes what libpri sends (as sent by the other side than `our_side`) and keeps
    it in `received`; messages our codec refused are kept in `undecodable`."""

    def __init__(self, our_side: Side, *, refuse_setup_with: CauseValue | None = None):
        self.our_side = our_side
        self.their_direction = Direction.NETWORK_TO_USER if our_side is Side.USER else Direction.USER_TO_NETWORK
        self.refuse_setup_with = refuse_setup_with
        self.answer_restart = True
        self.received: list[Received] = []
        self.undecodable: list[tuple[bytes, Q931DecodeError]] = []
        self.interop: Interop | None = None

    def attach(self, interop: Interop) -> None:
        self.interop = interop
        interop.on_indication = self.on_indication

    def of_type(self, message_type: MessageType) -> list[Received]:
        return [r for r in self.received if r.message_type == message_type]

    def send(self, message: Message) -> None:
        """DL-DATA-REQUEST of an encoded message on the attached link."""
        datalink = self.interop.endpoint
        octets = message.encode()
        self.interop.do(lambda now: datalink.data_request(octets, now))

    def on_indication(self, primitive, now: float) -> None:
        if not isinstance(primitive, DlDataIndication):
            return
        try:
            decoded = decode_message(primitive.data, call_reference_length=PRI_CALL_REFERENCE_LENGTH,
                                     direction=self.their_direction)
        except Q931DecodeError as err:
            self.undecodable.append((primitive.data, err))
            return
        self.received.append(Received(now, decoded))
        message = decoded.message
        if message.message_type == MessageType.RESTART and self.answer_restart:
            self.send(restart_acknowledge(message))
        elif message.message_type == MessageType.SETUP and self.refuse_setup_with is not None:
            self.send(Message(MessageType.RELEASE_COMPLETE, message.call_reference.answer(),
                              [Cause(self.refuse_setup_with)]))
        elif message.message_type == MessageType.DISCONNECT:
            cause = message.get(Cause)
            self.send(Message(MessageType.RELEASE, message.call_reference.answer(),
                              [Cause(cause.value if cause else CauseValue.NORMAL_CALL_CLEARING)]))
        elif message.message_type == MessageType.RELEASE:
            self.send(Message(MessageType.RELEASE_COMPLETE, message.call_reference.answer()))


def restart_acknowledge(restart: Message) -> Message:
    """RESTART ACKNOWLEDGE for a RESTART (Q.931 5.5.2): on the global call reference with
    the flag inverted (4.3), echoing channel identification and restart indicator."""
    echoed = [ie for ie in restart.ies if isinstance(ie, (ChannelIdentification, RestartIndicator))]
    return Message(MessageType.RESTART_ACKNOWLEDGE, restart.call_reference.answer(), echoed)


def restart(*timeslots: int) -> Message:
    """RESTART of the given E1 timeslots (class "indicated channels"), or of the whole
    interface when none is given (Q.931 4.5.25, 5.5.1), on the global call reference."""
    if timeslots:
        ies = [ChannelIdentification.e1(*timeslots), RestartIndicator(RestartClass.INDICATED_CHANNELS)]
    else:
        ies = [RestartIndicator(RestartClass.SINGLE_INTERFACE)]
    return Message(MessageType.RESTART, CallReference.global_(PRI_CALL_REFERENCE_LENGTH), ies)
