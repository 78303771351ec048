"""Messages on unknown call references (Q.931 5.8.3.2), dispatch of messages on known
calls with the checks of 5.8.4-5.8.7 driven by the codec's `DecodeReport`. A mixin of
`Layer3`."""

from __future__ import annotations

from ..ies import (
    CalledPartyNumber,
    CallingPartyNumber,
    CallState,
    CallStateValue,
    Cause,
    CauseValue,
    ChannelIdentification,
    SendingComplete,
)
from ..message_types import MessageType as M
from ..messages import Message
from . import primitives as p
from .call import ANY_STATE, CLEARING_MESSAGES, NETWORK_EXPECTS, USER_EXPECTS, Call


class ErrorHandling:
    """Q.931 5.8 on every message received."""

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
        called_ie = msg.get(CalledPartyNumber)
        if self.numbers is not None and not any((called_ie.digits if called_ie else "").endswith(n)
                                                for n in self.numbers):
            # Annex B.3.1 a): addressed to another terminal on the bus: no answer at all.
            self.ignored.append("SETUP for a number that is not ours")
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
