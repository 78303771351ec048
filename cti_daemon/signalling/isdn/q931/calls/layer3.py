"""The Q.931 layer 3 entity of one D-channel (ETSI DSS1 first), user or network side.

Sans-I/O: `receive(message, now)` takes a Q.931 message (a DL-DATA-INDICATION's
contents), `dl_indication(primitive, now)` the data link's establish/release
primitives, `expire(name, now)` a deadline it asked for, and the call model's requests
(`setup_request`, `alerting_request`, ...) come in as methods. Each returns an `Output`:
`transmit` holds Q.931 messages for DL-DATA-REQUEST, `indications` the primitives of
`primitives.py`, `timers` the Q.931 timers ("T303:7" is T303 of call 7; T309, T316 and
T317 belong to the interface).

Call references (Q.931 4.3): 2 octets on PRI, 1 on BRI; the global call reference for
RESTART (5.5); messages on the dummy call reference are ignored (supplementary
services, not basic call). Faulty messages are handled per Q.931 5.8 from the codec's
`DecodeReport` (see `_errors`)."""

from __future__ import annotations

import itertools

from cti_daemon.signalling.isdn.q921.frames import Side
from cti_daemon.signalling.isdn.q921.primitives import (
    DlEstablishConfirm,
    DlEstablishIndication,
    DlReleaseConfirm,
    DlReleaseIndication,
)
from cti_daemon.signalling.sansio import Output

from ..errors import Q931DecodeError
from ..ies import (
    BearerCapability,
    CalledPartyNumber,
    CallingPartyNumber,
    CallState,
    CallStateValue,
    Cause,
    CauseValue,
    ChannelIdentification,
    Location,
    ProgressDescription,
    ProgressIndicator,
    RestartClass,
    RestartIndicator,
    SendingComplete,
)
from ..ies.identifiers import IEIdentifier
from ..mandatory import Direction
from ..message_types import MessageType as M
from ..messages import CallReference, Message, decode_message
from . import primitives as p
from .call import ANY_STATE, NETWORK_EXPECTS, USER_EXPECTS, Call, compatible
from .channels import ChannelPool, Hunting
from .numbering import NumberCompleteness
from .states import ACTIVE, GlobalState, NetworkState, UserState
from .timers import Timers

IN_BAND_HOLD = "INBAND"  # our limit on keeping the B-channel after DISCONNECT with PI 8
CLEARING_MESSAGES = frozenset({M.DISCONNECT, M.RELEASE, M.RELEASE_COMPLETE})


class Layer3:
    def __init__(self, side: Side, *, primary_rate: bool = True, timers: Timers | None = None,
                 channels: ChannelPool | None = None, numbering: NumberCompleteness | None = None,
                 restart_at_start: bool = True, restart_class: RestartClass = RestartClass.ALL_INTERFACES,
                 location: Location | None = None):
        self.side = side
        self.user = side is Side.USER
        self.primary_rate = primary_rate
        self.cr_length = 2 if primary_rate else 1  # Q.931 4.3
        self.timers = timers or (Timers.user() if self.user else Timers.network())
        if channels is None:
            hunting = Hunting.DESCENDING if self.user else Hunting.ASCENDING
            make = ChannelPool.e1 if primary_rate else ChannelPool.bri
            channels = make(hunting, in_service=not restart_at_start)
        self.channels = channels
        self.numbering = numbering or NumberCompleteness()
        self.restart_at_start = restart_at_start
        self.restart_class = restart_class
        # Q.850 2.2.4: the location we put in causes.
        self.location = location if location is not None else (
            Location.USER if self.user else Location.PUBLIC_NETWORK_LOCAL_USER)
        self.receive_direction = Direction.NETWORK_TO_USER if self.user else Direction.USER_TO_NETWORK
        self.calls: dict[tuple[bool, int], Call] = {}  # (originated here, CR value) -> call
        self.by_id: dict[int, Call] = {}
        self._ids = itertools.count(1)
        self._next_cr = 1
        self.link_up = False
        self.ever_up = False
        self.channel_states_unknown = restart_at_start
        self.global_state = GlobalState.REST0
        self.restart_pending: list[tuple[int, ...] | None] = []  # queued RESTARTs (None = interface)
        self._restart_channels: tuple[int, ...] | None = None
        self._restart_attempts = 0
        self.ignored: list[str] = []  # why messages were dropped (5.8.1-5.8.3), for tests and stats
        self._global_timers: set[str] = set()
        self._now = 0.0  # the `now` of the input being handled
        self._out = Output()

    # =============================================================== public API
    @property
    def state_enum(self):
        return UserState if self.user else NetworkState

    def next_call_id(self) -> int:
        return next(self._ids)

    def active_calls(self) -> list[Call]:
        return list(self.by_id.values())

    def setup_request(self, now: float, called: str, *, call_id: int | None = None, calling: str | None = None,
                      channel: int | None = None, exclusive: bool | None = None, sending_complete: bool = True,
                      bearer: BearerCapability | None = None, extra_ies: tuple = ()) -> Output:
        """SETUP-REQ (Q.931 5.1.1 user side, 5.2.1 network side). `extra_ies` go out
        after the numbers (LLC, HLC, user-user, facility, display...; codec order is
        the caller's)."""
        call_id = call_id if call_id is not None else self.next_call_id()
        if call_id in self.by_id:
            raise ValueError(f"call id {call_id} is in use; take new ones from next_call_id()")
        cause = None
        if not self.link_up:
            cause = CauseValue.TEMPORARY_FAILURE
        elif channel is not None and channel not in self.channels.use:
            cause = CauseValue.IDENTIFIED_CHANNEL_DOES_NOT_EXIST
        else:
            selection = self.channels.select(self._channel_ie(channel, bool(exclusive)) if channel else None)
            cause = selection.cause
        value = self._allocate_cr()
        if cause is not None or value is None:
            self._indicate(p.ReleaseIndication(call_id, int(cause or CauseValue.SWITCHING_EQUIPMENT_CONGESTION)))
            return self._flush()
        call = Call(call_id, value, True, self.state_enum(1 if self.user else 6), called=called, calling=calling,
                    sending_complete=sending_complete)
        self._add(call)
        call.channel = selection.channel
        self.channels.reserve(call.channel, call.call_id)
        # The network's choice is exclusive by default (5.2.3.1); the user side states
        # a preference so that the network can settle a glare (5.1.2).
        exclusive = (not self.user) if exclusive is None else exclusive
        ies = [bearer or BearerCapability(), self._channel_ie(call.channel, exclusive)]
        if calling is not None:
            ies.append(CallingPartyNumber(calling))
        if called:
            ies.append(CalledPartyNumber(called))
        ies.extend(extra_ies)
        if sending_complete:
            ies.insert(0, SendingComplete())  # single octet IEs may go anywhere (4.5.1)
        call.setup_octets = Message(M.SETUP, self._cr(call), ies).encode()
        self._out.transmit.append(call.setup_octets)
        self._start(call, "T303", now)
        return self._flush()

    def info_request(self, now: float, call_id: int, digits: str, sending_complete: bool = False) -> Output:
        """INFO-REQ: more digits (overlap sending, 5.1.3)."""
        call = self.by_id.get(call_id)
        if call is not None:
            ies = [CalledPartyNumber(digits)]
            if sending_complete:
                ies.insert(0, SendingComplete())
            self._send(call, M.INFORMATION, ies)
            if call.number == 2 and self.user:
                self._start(call, "T304", now)  # Q.931 5.1.3: restarted on each INFORMATION
        return self._flush()

    def proceeding_request(self, now: float, call_id: int, progress: int | None = None) -> Output:
        """PROCEEDING-REQ: CALL PROCEEDING for a call offered to us."""
        call = self.by_id.get(call_id)
        if call is not None and call.number in (1, 2, 6, 25):
            self._stop(call, "T302")
            self._send(call, M.CALL_PROCEEDING, self._first_answer(call) + self._progress_ies(progress))
            call.state = self.state_enum(3 if not self.user else 9)
        return self._flush()

    def alerting_request(self, now: float, call_id: int, progress: int | None = None) -> Output:
        call = self.by_id.get(call_id)
        if call is not None and call.number in (1, 2, 3, 6, 9, 25):
            self._stop(call, "T302")
            ies = self._first_answer(call) + self._progress_ies(progress)
            self._send(call, M.ALERTING, ies)
            call.state = self.state_enum(7 if self.user else 4)
        return self._flush()

    def progress_request(self, now: float, call_id: int, description: int = 8) -> Output:
        call = self.by_id.get(call_id)
        if call is not None and call.number not in (0, 19):
            self._send(call, M.PROGRESS, self._progress_ies(description))
        return self._flush()

    def connect_request(self, now: float, call_id: int) -> Output:
        """SETUP-RSP: answer (Q.931 5.2.8 user: CONNECT, T313; network 5.1.8: CONNECT
        to the calling user, Active)."""
        call = self.by_id.get(call_id)
        if call is not None and call.number in (1, 2, 3, 4, 6, 7, 9, 25):
            self._stop(call, "T302")
            self._send(call, M.CONNECT, self._first_answer(call))
            if self.user:
                call.state = UserState.U8
                self._start(call, "T313", now)
            else:
                call.state = NetworkState.N10
        return self._flush()

    def disconnect_request(self, now: float, call_id: int, cause: int = 16, in_band: bool = False) -> Output:
        """DISCONNECT-REQ. Before any answer to a SETUP we received, RELEASE COMPLETE
        rejects it (5.2.5.1 / 5.1.5); otherwise DISCONNECT, T305 (T306 on the network
        side with progress indicator 8: an announcement plays, 5.3.4.1)."""
        call = self.by_id.get(call_id)
        if call is None or call.number in (0, 11, 12, 19):
            if call is not None and call.number == 12:
                return self.release_request(now, call_id, cause)
            return self._flush()
        call.cause = cause
        if not call.originated_here and not call.channel_confirmed and call.number in (1, 6):
            self._send(call, M.RELEASE_COMPLETE, [self._cause(cause)])
            self._finish(call, cause)
            return self._flush()
        self._stop_all(call)
        ies: list = [self._cause(cause)]
        if in_band and not self.user:
            ies.append(ProgressIndicator(ProgressDescription.IN_BAND_INFORMATION_AVAILABLE, self.location))
        self._send(call, M.DISCONNECT, ies)
        call.state = self.state_enum(11 if self.user else 12)
        self._start(call, "T306" if in_band and not self.user else "T305", now)
        return self._flush()

    def release_request(self, now: float, call_id: int, cause: int = 16) -> Output:
        """RELEASE-REQ: e.g. after DISCONNECT with in-band information was heard."""
        call = self.by_id.get(call_id)
        if call is None:
            return self._flush()
        if call.number in (11, 19):
            return self._flush()
        if call.number != 12:
            return self.disconnect_request(now, call_id, cause)
        self._release(call, cause, now)
        return self._flush()

    def restart_request(self, now: float, channels: tuple[int, ...] | None = None) -> Output:
        """RESTART-REQ (Q.931 5.5.1): the interface (channels None) or some channels."""
        for c in channels or ():
            if c not in self.channels.use:
                raise ValueError(f"channel {c} does not exist on this interface")
        self.restart_pending.append(tuple(channels) if channels else None)
        self._next_restart(now)
        return self._flush()

    # ============================================================= from below
    def dl_indication(self, primitive, now: float) -> Output:
        self._now = now
        if isinstance(primitive, (DlEstablishConfirm, DlEstablishIndication)):
            self._link_established(primitive, now)
        elif isinstance(primitive, (DlReleaseIndication, DlReleaseConfirm)):
            self._link_lost(now)
        return self._flush()

    def receive(self, data: bytes, now: float) -> Output:
        """A Q.931 message from the peer (DL-DATA-INDICATION or DL-UNIT-DATA-INDICATION)."""
        self._now = now
        try:
            decoded = decode_message(data, call_reference_length=self.cr_length, direction=self.receive_direction)
        except Q931DecodeError as e:  # Q.931 5.8.1, 5.8.2, 5.8.3.1: ignored
            self.ignored.append(str(e))
            return self._flush()
        msg, report = decoded.message, decoded.report
        cr = msg.call_reference
        if cr.is_dummy:
            self.ignored.append("dummy call reference: no basic call procedure uses it")
            return self._flush()
        if cr.is_global:
            self._global_message(msg, report, now)
            return self._flush()
        call = self.calls.get((cr.flag, cr.value))  # flag 1: we allocated it (4.3)
        if call is None:
            self._unknown_call_reference(msg, report, now)
        else:
            self._call_message(call, msg, report, now)
        return self._flush()

    def expire(self, name: str, now: float) -> Output:
        self._now = now
        timer, _, suffix = name.partition(":")
        if not suffix:
            if timer == "T309":
                self._t309_expiry(now)
            elif timer == "T316":
                self._t316_expiry(now)
            return self._flush()
        call = self.by_id.get(int(suffix))
        if call is None or timer not in call.timers:
            return self._flush()
        call.timers.discard(timer)
        handler = getattr(self, f"_{timer.lower()}_expiry", None)
        if handler is not None:
            handler(call, now)
        return self._flush()

    # ======================================================== data link events
    def _link_established(self, primitive, now: float) -> None:
        was_up = self.link_up
        self.link_up = True
        self._stop_global("T309")
        self._indicate(p.DataLinkChange(True))
        if was_up and isinstance(primitive, DlEstablishIndication):
            # Q.931 5.8.8: the peer reset the data link. Calls in overlap sending or
            # receiving are cleared with cause 41; the others carry on.
            for call in list(self.by_id.values()):
                if call.number in (2, 25):
                    self._disconnect(call, CauseValue.TEMPORARY_FAILURE, now)
            return
        self.ever_up = True
        # Q.931 5.8.9: after re-establishment, the status enquiry procedure (5.8.10)
        # verifies every call that survived.
        for call in list(self.by_id.values()):
            self._status_enquiry(call, now)
        if self.channel_states_unknown and self.global_state is GlobalState.REST0 and not self.restart_pending:
            # Q.931 5.5: RESTART before offering B-channels whose state is unknown.
            self.restart_pending.append(None)
        self._next_restart(now)

    def _link_lost(self, now: float) -> None:
        if not self.link_up:
            return
        self.link_up = False
        self._indicate(p.DataLinkChange(False))
        # Q.931 5.8.9: a) calls not Active are cleared internally; b) Active calls keep
        # going under T309 while the data link is re-established.
        for call in list(self.by_id.values()):
            if call.number != ACTIVE:
                self._finish(call, CauseValue.TEMPORARY_FAILURE)
        if self.by_id:
            self._start_global("T309", now + self.timers.T309)
        # A RESTART in progress stops; it is sent again when the link comes back.
        if self.global_state is GlobalState.REST1:
            self.restart_pending.insert(0, self._restart_channels)
            self.global_state = GlobalState.REST0
            self._stop_global("T316")

    def _t309_expiry(self, now: float) -> None:
        # Q.931 5.8.9: T309 expiry clears every call with cause 27 (destination out of
        # order), releases the B-channels and the call references; channel states are
        # now unknown to the peer, so a RESTART follows when the link is back.
        for call in list(self.by_id.values()):
            self._finish(call, CauseValue.DESTINATION_OUT_OF_ORDER)
        self.channel_states_unknown = True

    # ============================================================ RESTART (5.5)
    def _next_restart(self, now: float) -> None:
        if not self.link_up or self.global_state is not GlobalState.REST0 or not self.restart_pending:
            return
        channels = self.restart_pending.pop(0)
        self._restart_channels = channels
        self._restart_attempts = 0
        # Q.931 5.5.1: the sender clears the calls on the channels it restarts.
        self._clear_channels(channels)
        for c in (channels or self.channels.channels):
            self.channels.to_maintenance(c)
        self._send_restart(now)

    def _send_restart(self, now: float) -> None:
        self._restart_attempts += 1
        self.global_state = GlobalState.REST1
        self._out.transmit.append(Message(M.RESTART, CallReference.global_(self.cr_length),
                                          self._restart_ies(self._restart_channels)).encode())
        self._start_global("T316", now + self.timers.T316)

    def _t316_expiry(self, now: float) -> None:
        if self.global_state is not GlobalState.REST1:
            return
        if self._restart_attempts < self.timers.N316:  # Q.931 5.5.1: up to N316 RESTARTs
            self._send_restart(now)
            return
        self.global_state = GlobalState.REST0
        self._indicate(p.RestartFailed(self._restart_channels or self.channels.channels))
        self._next_restart(now)

    def _restart_ies(self, channels) -> list:
        if channels:
            return [self._channel_ie_multi(channels), RestartIndicator(RestartClass.INDICATED_CHANNELS)]
        return [RestartIndicator(self.restart_class)]

    def _global_message(self, msg: Message, report, now: float) -> None:
        mt = msg.message_type
        if mt is M.RESTART:
            self._restart_received(msg, report, now)
        elif mt is M.RESTART_ACKNOWLEDGE:
            if self.global_state is GlobalState.REST1:
                self._stop_global("T316")
                self.global_state = GlobalState.REST0
                channels = self._restart_channels or self.channels.channels
                self.channels.restarted(channels)
                if self._restart_channels is None:
                    self.channel_states_unknown = False
                self._indicate(p.ChannelRestarted(tuple(channels), True))
                self._next_restart(now)
            else:
                self.ignored.append("RESTART ACKNOWLEDGE without a RESTART")
        elif mt is M.STATUS:
            pass  # Q.931 5.8.3.2 f): accepted on the global call reference, no action
        else:
            # Q.931 5.8.3.2 f): STATUS on the global call reference, cause 81.
            self._out.transmit.append(Message(M.STATUS, msg.call_reference.answer(), [
                self._cause(CauseValue.INVALID_CALL_REFERENCE_VALUE), CallState(CallStateValue(self.global_state))
            ]).encode())

    def _restart_received(self, msg: Message, report, now: float) -> None:
        indicator = msg.get(RestartIndicator)
        if indicator is None or IEIdentifier.RESTART_INDICATOR in report.mandatory_content_errors:
            cause = (CauseValue.MANDATORY_IE_MISSING if indicator is None and
                     IEIdentifier.RESTART_INDICATOR not in report.mandatory_content_errors
                     else CauseValue.INVALID_IE_CONTENTS)
            self._out.transmit.append(Message(M.STATUS, msg.call_reference.answer(), [
                Cause.with_ie_identifiers(cause, [IEIdentifier.RESTART_INDICATOR], self.location),
                CallState(CallStateValue(self.global_state))]).encode())
            return
        channels: tuple[int, ...] | None = None
        if indicator.restart_class is RestartClass.INDICATED_CHANNELS:
            wanted = self.channels.requested_channels(msg.get(ChannelIdentification))
            if not wanted:
                # Q.931 5.5.2: class "indicated channels" needs a channel that exists.
                self._out.transmit.append(Message(M.STATUS, msg.call_reference.answer(), [
                    self._cause(CauseValue.IDENTIFIED_CHANNEL_DOES_NOT_EXIST),
                    CallState(CallStateValue(self.global_state))]).encode())
                return
            channels = tuple(wanted)
        # Q.931 5.5.2: Rest 2; the calls on those channels are cleared, the channels
        # return to idle, RESTART ACKNOWLEDGE (with the same restart indicator and
        # channel identification), Rest 0.
        previous = self.global_state
        self.global_state = GlobalState.REST2
        self._clear_channels(channels)
        restarted = channels or self.channels.channels
        self.channels.restarted(restarted)
        if channels is None:
            self.channel_states_unknown = False
            if previous is GlobalState.REST1 and self._restart_channels is None:
                # Both sides restarted the interface at once: ours is answered too.
                pass
        ies = [ie for ie in msg.ies if isinstance(ie, (ChannelIdentification, RestartIndicator))]
        self._out.transmit.append(Message(M.RESTART_ACKNOWLEDGE, msg.call_reference.answer(), ies).encode())
        self.global_state = previous if previous is GlobalState.REST1 else GlobalState.REST0
        self._indicate(p.ChannelRestarted(tuple(restarted), False))

    def _clear_channels(self, channels) -> None:
        for call in list(self.by_id.values()):
            if channels is None or call.channel in channels:
                self._finish(call, CauseValue.TEMPORARY_FAILURE)

    # ====================================================== unknown call refs
    def _unknown_call_reference(self, msg: Message, report, now: float) -> None:
        cr = msg.call_reference
        mt = msg.message_type
        if mt is M.SETUP:
            if cr.flag:  # 5.8.3.2 d): flag wrongly set to 1: ignore
                self.ignored.append("SETUP with the call reference flag set")
                return
            self._setup_received(msg, report, now)
        elif mt is M.RELEASE_COMPLETE:
            return  # 5.8.3.2 c)
        elif mt is M.STATUS_ENQUIRY:
            # 5.8.3.2 / 5.8.10: STATUS with the Null state, cause 30.
            self._reply(cr, M.STATUS, [self._cause(CauseValue.RESPONSE_TO_STATUS_ENQUIRY),
                                       CallState(CallStateValue.NULL)])
        elif mt is M.STATUS:
            state = msg.get(CallState)
            # 5.8.3.2 g) with 5.8.11: a peer not in the Null state is cleared with 101.
            if state is not None and state.value is not CallStateValue.NULL:
                self._reply(cr, M.RELEASE_COMPLETE, [Cause.with_message_type(
                    CauseValue.MESSAGE_NOT_COMPATIBLE_WITH_CALL_STATE, M.STATUS, self.location)])
        else:
            # 5.8.3.2 a) (the RELEASE COMPLETE alternative) and b): cause 81.
            self._reply(cr, M.RELEASE_COMPLETE, [self._cause(CauseValue.INVALID_CALL_REFERENCE_VALUE)])

    def _setup_received(self, msg: Message, report, now: float) -> None:
        cr = msg.call_reference
        problem = self._mandatory_problem(report)
        if problem is not None:  # 5.8.6.1 a) / 5.8.6.2 a) / 5.8.7.1: RELEASE COMPLETE 96 or 100
            self._reply(cr, M.RELEASE_COMPLETE, [problem])
            return
        if report.unknown_message_type:
            return
        requested = msg.get(ChannelIdentification)
        selection = self.channels.select(requested)
        channel = selection.channel
        if self.user and channel is None and requested is not None:
            # Q.931 5.2.3.1: the network's choice prevails over our own outgoing
            # call still waiting for its first answer (glare): that call moves.
            wanted = self.channels.requested_channels(requested) or []
            for c in wanted:
                owner = self.by_id.get(self.channels.owner.get(c, -1))
                if owner is not None and owner.originated_here and not owner.channel_confirmed \
                        and owner.number == 1:
                    self.channels.release(c, owner.call_id)
                    owner.channel = None
                    channel = c
                    break
        if channel is None:
            cause = selection.cause or CauseValue.NO_CIRCUIT_CHANNEL_AVAILABLE
            self._reply(cr, M.RELEASE_COMPLETE, [self._cause(cause)])
            return
        called = msg.get(CalledPartyNumber)
        calling = msg.get(CallingPartyNumber)
        call = Call(self.next_call_id(), cr.value, False, self.state_enum(6 if self.user else 1),
                    setup_ies=tuple(msg.ies), channel=channel, called=called.digits if called else "",
                    calling=calling.digits if calling else None,
                    sending_complete=msg.get(SendingComplete) is not None)
        self._add(call)
        self.channels.reserve(channel, call.call_id)
        self._after_message(call, msg, report)
        if self.numbering.complete_now(call.called, call.sending_complete):
            self._offer(call, now, proceed=not self.user)
        elif self.numbering.overlap_receiving:
            # Q.931 5.2.4 (user, overlap receiving) / 5.1.3 (network, overlap sending):
            # SETUP ACKNOWLEDGE with the channel, T302 restarted on each INFORMATION.
            self._send(call, M.SETUP_ACKNOWLEDGE, self._first_answer(call))
            call.state = self.state_enum(25 if self.user else 2)
            self._start(call, "T302", now)
        else:
            self._offer(call, now, proceed=not self.user)

    def _offer(self, call: Call, now: float, proceed: bool) -> None:
        """The number is complete: CALL PROCEEDING if `proceed` (the network side always,
        the user side after overlap receiving), then SETUP-IND."""
        self._stop(call, "T302")
        if proceed:
            self._send(call, M.CALL_PROCEEDING, self._first_answer(call))
            call.state = self.state_enum(9 if self.user else 3)
        call.offered = True
        self._indicate(p.SetupIndication(call.call_id, call.called, call.calling, call.channel,
                                         call.sending_complete, call.setup_ies))

    # ========================================================= known calls
    def _call_message(self, call: Call, msg: Message, report, now: float) -> None:
        mt = msg.message_type
        if report.unknown_message_type:
            # Q.931 5.8.4: STATUS with cause 97 and our state.
            self._status(call, Cause.with_message_type(CauseValue.MESSAGE_TYPE_NON_EXISTENT_OR_NOT_IMPLEMENTED,
                                                       int(mt), self.location))
            return
        if mt is M.SETUP:
            self.ignored.append("SETUP on a call reference in use")  # 5.8.3.2 e)
            return
        expects = USER_EXPECTS if self.user else NETWORK_EXPECTS
        if mt not in ANY_STATE and mt not in expects.get(call.number, ()):
            # Q.931 5.8.4: not compatible with the call state: STATUS with cause 98.
            self._status(call, Cause.with_message_type(
                CauseValue.MESSAGE_NOT_COMPATIBLE_WITH_CALL_STATE_OR_NON_EXISTENT, int(mt), self.location))
            return
        problem = self._mandatory_problem(report)
        if problem is not None:
            # Q.931 5.8.6.1 / 5.8.6.2 b)-e).
            if mt is M.DISCONNECT:
                self._stop_all(call)
                self._release(call, problem, now)
            elif mt is M.RELEASE:
                self._send(call, M.RELEASE_COMPLETE, [problem])
                self._finish(call, int(problem.value))
            elif mt is M.RELEASE_COMPLETE:
                self._finish(call, CauseValue.NORMAL_UNSPECIFIED)
            else:
                self._status(call, problem)
            return
        handler = getattr(self, "_on_" + M(mt).name.lower(), None)
        cause_for_clearing = self._non_mandatory_problem(report)
        if handler is not None:
            handler(call, msg, now, cause_for_clearing)
        if mt not in CLEARING_MESSAGES:
            self._after_message(call, msg, report)

    def _after_message(self, call: Call, msg: Message, report) -> None:
        """Q.931 5.8.7.1 / 5.8.7.2: the message was acted on; report unrecognised IEs
        (cause 99) and optional IEs with wrong contents (cause 100) with STATUS."""
        cause = self._non_mandatory_problem(report)
        if cause is not None and call.number != 0:
            self._status(call, cause)

    def _mandatory_problem(self, report) -> Cause | None:
        missing = report.missing_mandatory
        required = report.unrecognised_comprehension_required
        if missing or required:
            # 5.8.6.1, and 5.8.7.1: an unrecognised IE that is comprehension required
            # is treated as a missing mandatory IE.
            return Cause.with_ie_identifiers(CauseValue.MANDATORY_IE_MISSING, [*missing, *required], self.location)
        if report.mandatory_content_errors:  # 5.8.6.2
            return Cause.with_ie_identifiers(CauseValue.INVALID_IE_CONTENTS, report.mandatory_content_errors,
                                             self.location)
        return None

    def _non_mandatory_problem(self, report) -> Cause | None:
        unknown = [i for i in report.unrecognised if i not in report.unrecognised_comprehension_required]
        if unknown:  # 5.8.7.1
            return Cause.with_ie_identifiers(CauseValue.IE_NON_EXISTENT_OR_NOT_IMPLEMENTED, unknown[:28],
                                             self.location)
        if report.optional_content_errors:  # 5.8.7.2
            return Cause.with_ie_identifiers(CauseValue.INVALID_IE_CONTENTS, report.optional_content_errors[:28],
                                             self.location)
        return None

    # --- establishment, outgoing (we sent SETUP)
    def _confirm_channel(self, call: Call, msg: Message) -> bool:
        """Q.931 5.1.2 / 5.2.3: the first answer to our SETUP names the channel; the
        network's choice prevails. False (and the call cleared) if it cannot be used."""
        if call.channel_confirmed:
            return True
        ie = msg.get(ChannelIdentification)
        call.channel_confirmed = True
        if ie is None:
            if call.channel is not None:
                return True
            self._disconnect(call, CauseValue.CHANNEL_UNACCEPTABLE, None)
            return False
        wanted = self.channels.requested_channels(ie) or []
        if not wanted:
            if call.channel is not None:
                return True
        chosen = wanted[0] if wanted else None
        if chosen == call.channel:
            return True
        if chosen is not None and self.channels.is_idle(chosen):
            self.channels.release(call.channel, call.call_id)
            self.channels.reserve(chosen, call.call_id)
            call.channel = chosen
            return True
        # Q.931 5.1.2: a channel we cannot use: clear with cause 6.
        self._disconnect(call, CauseValue.CHANNEL_UNACCEPTABLE, None)
        return False

    def _on_setup_acknowledge(self, call: Call, msg: Message, now: float, _problem) -> None:
        self._stop(call, "T303")
        if not self._confirm_channel(call, msg):
            return
        call.state = self.state_enum(2 if self.user else 25)
        if self.user:
            self._start(call, "T304", now)
        self._indicate(p.MoreInfoIndication(call.call_id, call.channel))

    def _on_call_proceeding(self, call: Call, msg: Message, now: float, _problem) -> None:
        self._stop(call, "T303")
        self._stop(call, "T304")
        if not self._confirm_channel(call, msg):
            return
        call.state = self.state_enum(3 if self.user else 9)
        self._start(call, "T310", now)
        in_band = self._progress(call, msg)
        self._indicate(p.ProceedingIndication(call.call_id, call.channel, in_band))

    def _on_alerting(self, call: Call, msg: Message, now: float, _problem) -> None:
        for t in ("T303", "T304", "T310"):
            self._stop(call, t)
        if not self._confirm_channel(call, msg):
            return
        call.state = self.state_enum(4 if self.user else 7)
        self._start(call, "T301", now)
        in_band = self._progress(call, msg)
        self._indicate(p.AlertingIndication(call.call_id, in_band))

    def _on_progress(self, call: Call, msg: Message, now: float, _problem) -> None:
        self._stop(call, "T310")  # Q.931 5.1.6: PROGRESS stops T310
        in_band = self._progress(call, msg)
        descriptions = tuple(int(pi.description) for pi in msg.get_all(ProgressIndicator))
        self._indicate(p.ProgressIndication(call.call_id, in_band, descriptions))

    def _on_connect(self, call: Call, msg: Message, now: float, _problem) -> None:
        for t in ("T301", "T303", "T304", "T310"):
            self._stop(call, t)
        if not self._confirm_channel(call, msg):
            return
        call.state = self.state_enum(10)
        # Q.931 5.1.8 (user: CONNECT ACKNOWLEDGE optional, sent here) / 5.2.8 (network: always).
        self._send(call, M.CONNECT_ACKNOWLEDGE, [])
        self._indicate(p.ConnectIndication(call.call_id))

    def _on_connect_acknowledge(self, call: Call, msg: Message, now: float, _problem) -> None:
        self._stop(call, "T313")
        if call.number in (8, 10):
            call.state = self.state_enum(10)
            self._indicate(p.SetupCompleteIndication(call.call_id))

    def _on_information(self, call: Call, msg: Message, now: float, _problem) -> None:
        number = msg.get(CalledPartyNumber)
        digits = number.digits if number else ""
        complete = msg.get(SendingComplete) is not None
        if digits or complete:
            self._indicate(p.InfoIndication(call.call_id, digits, complete))
        if call.number in (2, 25) and not call.originated_here:
            call.called += digits
            call.sending_complete = complete
            # Complete by sending complete or by the configured length; a number of
            # unknown length keeps collecting until T302 decides (5.2.4).
            if complete or self.numbering.complete(call.called):
                self._offer(call, now, proceed=True)
            else:
                self._start(call, "T302", now)  # Q.931 5.2.4: restarted on each INFORMATION

    def _on_notify(self, call, msg, now, _problem) -> None:
        pass

    def _on_facility(self, call, msg, now, _problem) -> None:
        pass

    # --- clearing (5.3)
    def _on_disconnect(self, call: Call, msg: Message, now: float, problem) -> None:
        cause_ie = msg.get(Cause)
        cause = int(cause_ie.value) if cause_ie else int(CauseValue.NORMAL_UNSPECIFIED)
        in_band = self._progress(call, msg, indicate=False)
        if call.number in (11, 12) and not (self.user and call.number == 12):
            # Q.931 5.3.5 clear collision: DISCONNECT in Disconnect request/indication:
            # RELEASE, T308.
            self._stop_all(call)
            self._release(call, problem or call.cause, now)
            return
        if call.number == 19:
            return
        self._stop_all(call)
        call.model_cause = call.model_cause or cause
        if self.user and in_band:
            # Q.931 5.3.4.1 with the issue: keep the B-channel for the announcement
            # until the call model releases, or our limit passes.
            call.state = UserState.U12
            call.in_band = True
            self._indicate(p.InBandInformation(call.call_id, call.channel, 8))
            self._indicate(p.DisconnectIndication(call.call_id, cause, True))
            self._start(call, IN_BAND_HOLD, now)
            return
        call.state = self.state_enum(12 if self.user else 11)
        self._indicate(p.DisconnectIndication(call.call_id, cause, False))
        # Q.931 5.3.3 / 5.3.4: RELEASE (with cause 99/100 if the DISCONNECT had a
        # faulty optional IE, 5.8.7), T308.
        self._release(call, problem or cause, now)

    def _on_release(self, call: Call, msg: Message, now: float, problem) -> None:
        cause_ie = msg.get(Cause)
        cause = int(cause_ie.value) if cause_ie else int(CauseValue.NORMAL_UNSPECIFIED)
        if call.number != 19:
            # Q.931 5.3.3: RELEASE COMPLETE; 5.3.5: not in Release request (both sent RELEASE).
            self._send(call, M.RELEASE_COMPLETE, [problem] if problem else [])
        self._finish(call, call.model_cause or cause)

    def _on_release_complete(self, call: Call, msg: Message, now: float, _problem) -> None:
        cause_ie = msg.get(Cause)
        cause = int(cause_ie.value) if cause_ie else int(CauseValue.NORMAL_UNSPECIFIED)
        self._finish(call, call.model_cause or cause)

    # --- status (5.8.10, 5.8.11)
    def _on_status_enquiry(self, call: Call, msg: Message, now: float, _problem) -> None:
        self._status(call, self._cause(CauseValue.RESPONSE_TO_STATUS_ENQUIRY))

    def _on_status(self, call: Call, msg: Message, now: float, _problem) -> None:
        state_ie, cause_ie = msg.get(CallState), msg.get(Cause)
        peer = int(state_ie.value) if state_ie else 0
        self._stop(call, "T322")
        self._indicate(p.StatusIndication(call.call_id, int(cause_ie.value) if cause_ie else 0, peer))
        if peer == 0:
            # 5.8.11: the peer has no such call: release it here, no message.
            self._finish(call, CauseValue.MESSAGE_NOT_COMPATIBLE_WITH_CALL_STATE)
        elif call.number == 19:
            return
        elif not compatible(call.number, peer, call.user_originated):
            # 5.8.11: incompatible states: clear with cause 101.
            call.model_cause = int(CauseValue.MESSAGE_NOT_COMPATIBLE_WITH_CALL_STATE)
            self._stop_all(call)
            self._release(call, Cause.with_message_type(CauseValue.MESSAGE_NOT_COMPATIBLE_WITH_CALL_STATE,
                                                        M.STATUS, self.location), now)

    def _status_enquiry(self, call: Call, now: float) -> None:
        self._send(call, M.STATUS_ENQUIRY, [])
        self._start(call, "T322", now)

    # ============================================================ timer expiry
    def _t301_expiry(self, call: Call, now: float) -> None:
        # Q.931 5.2.6 / Table 9-1/9-2: no answer after ALERTING: cause 19.
        self._disconnect(call, CauseValue.NO_ANSWER_FROM_USER, now)

    def _t302_expiry(self, call: Call, now: float) -> None:
        # Q.931 5.2.4 / 5.1.3: proceed if the number is complete, else cause 28.
        if self.numbering.complete_at_t302(call.called):
            self._offer(call, now, proceed=True)
        else:
            self._disconnect(call, CauseValue.INVALID_NUMBER_FORMAT, now)

    def _t303_expiry(self, call: Call, now: float) -> None:
        call.t303_expiries += 1
        if call.t303_expiries == 1:  # Q.931 5.1.1 / 5.2.1: SETUP sent again
            self._out.transmit.append(call.setup_octets)
            self._start(call, "T303", now)
            return
        # Second expiry: RELEASE COMPLETE with 102 to the peer, 18 to the call model.
        self._send(call, M.RELEASE_COMPLETE, [Cause.timer_expiry("303", self.location)])
        self._finish(call, CauseValue.NO_USER_RESPONDING)

    def _t304_expiry(self, call: Call, now: float) -> None:
        self._timer_clearing(call, "304", now)

    def _t310_expiry(self, call: Call, now: float) -> None:
        # Q.931 5.1.6 / 5.2.5.3: DISCONNECT with 102 to the peer, 18 to the call model.
        self._timer_clearing(call, "310", now)

    def _t313_expiry(self, call: Call, now: float) -> None:
        self._timer_clearing(call, "313", now)  # Q.931 5.2.8

    def _timer_clearing(self, call: Call, timer: str, now: float) -> None:
        call.model_cause = int(CauseValue.NO_USER_RESPONDING)
        self._indicate(p.DisconnectIndication(call.call_id, call.model_cause, False))
        self._disconnect(call, Cause.timer_expiry(timer, self.location), now, indicate=False)

    def _t305_expiry(self, call: Call, now: float) -> None:
        # Q.931 5.3.3 / 5.3.4: no RELEASE after our DISCONNECT: RELEASE with its cause.
        self._release(call, call.cause, now)

    _t306_expiry = _t305_expiry  # Q.931 5.3.4.1: idem after DISCONNECT with PI 8

    def _t308_expiry(self, call: Call, now: float) -> None:
        call.t308_expiries += 1
        if call.t308_expiries == 1:  # Q.931 5.3.4.3: RELEASE once more
            self._release(call, call.cause, now)
            return
        # Second expiry: release the call reference; the channel's state is unknown,
        # so it leaves service and is restarted (5.3.4.3: maintenance condition).
        channel = call.channel
        self._finish(call, call.model_cause or call.cause)
        if channel is not None:
            self.channels.to_maintenance(channel)
            self.restart_pending.append((channel,))
            self._next_restart(now)

    def _t322_expiry(self, call: Call, now: float) -> None:
        call.t322_expiries += 1
        if call.t322_expiries < 2:  # Q.931 5.8.10: STATUS ENQUIRY may be sent again
            self._status_enquiry(call, now)
            return
        call.model_cause = int(CauseValue.TEMPORARY_FAILURE)
        self._stop_all(call)
        self._release(call, CauseValue.TEMPORARY_FAILURE, now)  # 5.8.10: cause 41

    def _inband_expiry(self, call: Call, now: float) -> None:
        if call.number == 12:
            self._release(call, call.model_cause or CauseValue.NORMAL_CALL_CLEARING, now)

    # ================================================================ helpers
    def _disconnect(self, call: Call, cause, now: float | None, indicate: bool = True) -> None:
        """We clear: DISCONNECT, T305 (Q.931 5.3.2 / 5.3.4)."""
        cause_ie = cause if isinstance(cause, Cause) else self._cause(cause)
        call.cause = int(cause_ie.value)
        if call.model_cause is None:
            call.model_cause = call.cause
        if indicate:
            self._indicate(p.DisconnectIndication(call.call_id, call.model_cause, False))
        self._stop_all(call)
        self._send(call, M.DISCONNECT, [cause_ie])
        call.state = self.state_enum(11 if self.user else 12)
        if now is None:
            now = self._now
        self._start(call, "T305", now)

    def _release(self, call: Call, cause, now: float) -> None:
        cause_ie = cause if isinstance(cause, Cause) else self._cause(cause)
        call.cause = int(cause_ie.value)
        self._stop_all(call)
        self._send(call, M.RELEASE, [cause_ie])
        call.state = self.state_enum(19)
        self._start(call, "T308", now)

    def _finish(self, call: Call, cause) -> None:
        """Release the call reference and the channel; the call is in the Null state."""
        self._stop_all(call)
        self.channels.release(call.channel, call.call_id)
        call.state = self.state_enum(0)
        self.calls.pop((call.originated_here, call.value), None)
        self.by_id.pop(call.call_id, None)
        self._indicate(p.ReleaseIndication(call.call_id, int(cause)))
        if not self.by_id:
            self._stop_global("T309")

    def _progress(self, call: Call, msg: Message, indicate: bool = True) -> bool:
        in_band = False
        for pi in msg.get_all(ProgressIndicator):
            if pi.description.in_band:
                in_band = True
                if indicate:
                    self._indicate(p.InBandInformation(call.call_id, call.channel, int(pi.description)))
        return in_band

    def _progress_ies(self, description: int | None) -> list:
        if description is None:
            return []
        return [ProgressIndicator(ProgressDescription(description), self.location)]

    def _first_answer(self, call: Call) -> list:
        """Q.931 5.1.2 / 5.2.3: the first answer to a SETUP names the channel."""
        if call.channel_confirmed or call.channel is None:
            return []
        call.channel_confirmed = True
        return [self._channel_ie(call.channel, True)]

    def _channel_ie(self, channel: int, exclusive: bool) -> ChannelIdentification:
        return self.channels.identification(channel, exclusive)

    def _channel_ie_multi(self, channels) -> ChannelIdentification:
        if self.primary_rate:
            return ChannelIdentification.e1(*channels, exclusive=True)
        return self.channels.identification(channels[0], True)

    def _cause(self, value) -> Cause:
        return Cause(CauseValue(int(value)), self.location)

    def _cr(self, call: Call) -> CallReference:
        # Q.931 4.3: flag 0 from the side that allocated the value, 1 to it.
        return CallReference(call.value, self.cr_length, not call.originated_here)

    def _send(self, call: Call, mt: M, ies: list) -> None:
        self._out.transmit.append(Message(mt, self._cr(call), ies).encode())

    def _status(self, call: Call, cause: Cause) -> None:
        self._send(call, M.STATUS, [cause, CallState(CallStateValue(call.number))])

    def _reply(self, cr: CallReference, mt: M, ies: list) -> None:
        self._out.transmit.append(Message(mt, cr.answer(), ies).encode())

    def _add(self, call: Call) -> None:
        self.calls[(call.originated_here, call.value)] = call
        self.by_id[call.call_id] = call

    def _allocate_cr(self) -> int | None:
        limit = (1 << (8 * self.cr_length - 1)) - 1
        for _ in range(limit):
            value = self._next_cr
            self._next_cr = value % limit + 1
            if (True, value) not in self.calls:
                return value
        return None

    def _indicate(self, primitive) -> None:
        self._out.indications.append(primitive)

    def _start(self, call: Call, timer: str, now: float) -> None:
        duration = self.timers.in_band_hold if timer == IN_BAND_HOLD else getattr(self.timers, timer)
        call.timers.add(timer)
        self._out.timers[f"{timer}:{call.call_id}"] = now + duration

    def _stop(self, call: Call, timer: str) -> None:
        if timer in call.timers:
            call.timers.discard(timer)
            self._out.timers[f"{timer}:{call.call_id}"] = None

    def _stop_all(self, call: Call) -> None:
        for timer in list(call.timers):
            self._stop(call, timer)

    def _start_global(self, name: str, deadline: float) -> None:
        self._global_timers.add(name)
        self._out.timers[name] = deadline

    def _stop_global(self, name: str) -> None:
        if name in self._global_timers:
            self._global_timers.discard(name)
            self._out.timers[name] = None

    def _flush(self) -> Output:
        out, self._out = self._out, Output()
        return out
