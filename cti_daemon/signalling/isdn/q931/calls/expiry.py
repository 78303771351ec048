"""What happens when a Q.931 call timer expires (Q.931 clause 5 and Tables 9-1/9-2).
A mixin of `Layer3`."""

from __future__ import annotations

from ..ies import Cause, CauseValue
from ..message_types import MessageType as M
from . import primitives as p
from .call import Call


class TimerExpiry:
    """The handlers `_t3xx_expiry` that `Layer3.expire` calls."""

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
