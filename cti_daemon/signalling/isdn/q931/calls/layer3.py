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
`DecodeReport`. The procedures live in mixins, one concern each: `link_restart`
(data link events, RESTART), `error_handling` (5.8), `procedures` (message handlers),
`expiry` (timer expiries); this module holds the state, the requests and the helpers."""

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
    SendingComplete,
)
from ..mandatory import Direction
from ..message_types import MessageType as M
from ..messages import CallReference, Message, decode_message
from . import primitives as p
from .call import IN_BAND_HOLD, Call
from .channels import ChannelPool, Hunting
from .numbering import NumberCompleteness
from .states import GlobalState, NetworkState, UserState
from .error_handling import ErrorHandling
from .expiry import TimerExpiry
from .link_restart import LinkAndRestart
from .procedures import CallProcedures
from .timers import Timers


class Layer3(LinkAndRestart, ErrorHandling, CallProcedures, TimerExpiry):
    def __init__(self, side: Side, *, primary_rate: bool = True, timers: Timers | None = None,
                 channels: ChannelPool | None = None, numbering: NumberCompleteness | None = None,
                 restart_at_start: bool = True, restart_class: RestartClass = RestartClass.ALL_INTERFACES,
                 location: Location | None = None, numbers: tuple[str, ...] | None = None):
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
        # Q.931 Annex B.3.1: the numbers (MSNs) a terminal answers for; a SETUP for
        # another number is not for us. None: every number.
        self.numbers = numbers
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
