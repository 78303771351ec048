"""What each message does to a call: establishment (Q.931 5.1, 5.2), clearing (5.3),
status (5.8.10, 5.8.11). A mixin of `Layer3`."""

from __future__ import annotations

from ..ies import (
    CalledPartyNumber,
    CallState,
    Cause,
    CauseValue,
    ChannelIdentification,
    ProgressIndicator,
    SendingComplete,
)
from ..message_types import MessageType as M
from ..messages import Message
from . import primitives as p
from .call import IN_BAND_HOLD, Call, compatible
from .states import UserState


class CallProcedures:
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
