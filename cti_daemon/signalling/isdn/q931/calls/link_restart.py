"""Data link events for layer 3 (Q.931 5.8.8 reset, 5.8.9 failure with T309) and the
RESTART procedures on the global call reference (Q.931 5.5, T316/N316). A mixin of
`Layer3`."""

from __future__ import annotations

from cti_daemon.signalling.isdn.q921.primitives import DlEstablishIndication

from ..ies import CallState, CallStateValue, Cause, CauseValue, ChannelIdentification, RestartClass, RestartIndicator
from ..ies.identifiers import IEIdentifier
from ..message_types import MessageType as M
from ..messages import CallReference, Message
from . import primitives as p
from .states import ACTIVE, GlobalState


class LinkAndRestart:
    """Layer 3 reacting to its data link, and RESTART."""

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
