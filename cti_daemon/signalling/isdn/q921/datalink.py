"""The data link procedures of one point-to-point LAPD entity (one SAPI, one TEI).

Q.921 clause 5 and the Annex B SDL: establishment (5.5.1), release (5.5.3),
re-establishment (5.7), I frame transmission with window k (5.6.1), acknowledgement
by RR, RNR, REJ (5.6.2-5.6.4), peer busy (5.6.5), own receiver busy (5.6.6), T200 timer
recovery (5.6.7, 5.8.3), T203 idle supervision (5.9.8, Annex B), N(S) sequence error -> REJ (5.8.1),
invalid N(R) -> MDL-ERROR J and re-establishment (5.8.2, 5.7), frame rejection conditions
(5.8.5) and FRMR receipt (5.8.6), UI frames (5.2). The same class serves the user and
the network side; only the C/R bit and the TEI rules differ.

Sans-I/O: every method takes `now` and returns an `Output` (frames to send, primitives
for layer 3 and the management entity, timers T200/T203 to start or stop). Timers that
expire are handed back with `expire("T200", now)`; a stale expiry (the timer was
stopped or restarted since) is ignored.
"""

from __future__ import annotations

from collections import Counter, deque

from cti_daemon.signalling.isdn.q921 import primitives as p
from cti_daemon.signalling.isdn.q921.errors import FrameError
from cti_daemon.signalling.isdn.q921.frames import (
    MODULUS,
    SAPI_CALL_CONTROL,
    SUPERVISORY,
    TEI_GROUP,
    Frame,
    FrameType,
    Side,
    decode,
    decode_address,
    encode,
)
from cti_daemon.signalling.isdn.q921.parameters import Parameters
from cti_daemon.signalling.isdn.q921.states import MULTIPLE_FRAME, TEI_HOLDING, State
from cti_daemon.signalling.sansio import Output

T200 = "T200"
T203 = "T203"


class DataLink:
    """One data link entity. `tei=None` means automatic TEI assignment (BRI
    point-to-multipoint user side): the entity starts TEI-unassigned and asks the
    management entity for a TEI with MDL-ASSIGN-INDICATION. A fixed TEI (0 on PRI)
    starts TEI-assigned."""

    def __init__(self, side: Side, params: Parameters | None = None, *, sapi: int = SAPI_CALL_CONTROL,
                 tei: int | None = 0):
        if not 0 <= sapi <= 63:
            raise ValueError(f"SAPI must be 0-63, not {sapi}")
        if tei is not None and not 0 <= tei <= 126:
            raise ValueError(f"a point-to-point TEI is 0-126, not {tei}")
        self.side = side
        self.params = params or Parameters.primary_rate()
        self.sapi = sapi
        self.tei = tei
        self.state = State.TEI_UNASSIGNED if tei is None else State.TEI_ASSIGNED
        # Q.921 3.5.2: state variables, all modulo 128.
        self.vs = 0  # V(S): N(S) of the next new I frame
        self.va = 0  # V(A): the oldest unacknowledged I frame
        self.vr = 0  # V(R): the N(S) expected next
        self.rc = 0  # retransmission counter (Q.921 5.6.7)
        self.own_receiver_busy = False
        self.peer_receiver_busy = False
        self.reject_exception = False
        self.acknowledge_pending = False
        self.layer3_initiated = False
        self._i_queue: deque[bytes] = deque()  # I frames not yet sent
        self._unacked: list[bytes] = []  # information of N(S) = V(A), V(A)+1, ...
        self._ui_queue: deque[bytes] = deque()  # UI frames waiting for a TEI
        self._timers: dict[str, float] = {}  # running timer -> deadline
        self.mdl_errors: Counter[str] = Counter()  # Appendix II code -> count
        self.stats: Counter[str] = Counter()
        self._out = Output()

    # ------------------------------------------------------------------ requests
    def establish_request(self, now: float) -> Output:
        """DL-ESTABLISH-REQUEST."""
        s = self.state
        if s is State.TEI_UNASSIGNED or s is State.ASSIGN_AWAITING_TEI:
            if s is State.TEI_UNASSIGNED:
                self._indicate(p.MdlAssignIndication(self.sapi))
            self.state = State.ESTABLISH_AWAITING_TEI
        elif s is State.TEI_ASSIGNED:
            self._establish_data_link(now)
            self.layer3_initiated = True
            self.state = State.AWAITING_ESTABLISHMENT
        elif s is State.AWAITING_ESTABLISHMENT:
            self._discard_i_queue()
            self.layer3_initiated = True
        elif s in MULTIPLE_FRAME:
            self._discard_i_queue()
            self._establish_data_link(now)
            self.layer3_initiated = True
            self.state = State.AWAITING_ESTABLISHMENT
        return self._flush()

    def release_request(self, now: float) -> Output:
        """DL-RELEASE-REQUEST."""
        s = self.state
        if s is State.TEI_ASSIGNED or s.value < 4:
            self._indicate(p.DlReleaseConfirm(self._tei_or_zero))
        elif s in MULTIPLE_FRAME or s is State.AWAITING_ESTABLISHMENT:
            self._discard_i_queue()
            self.rc = 0
            self._send_u(FrameType.DISC, command=True, pf=True)
            self._stop(T203)
            self._start(T200, now)
            self.state = State.AWAITING_RELEASE
        return self._flush()

    def data_request(self, data: bytes, now: float) -> Output:
        """DL-DATA-REQUEST: queue an I frame; it is sent when the window allows."""
        data = bytes(data)
        if len(data) > self.params.N201:
            raise ValueError(f"DL-DATA-REQUEST of {len(data)} octets exceeds N201 = {self.params.N201}")
        if self.state in MULTIPLE_FRAME or self.state is State.AWAITING_ESTABLISHMENT:
            # While the link is being (re-)established the frame waits in the I queue
            # and goes out once UA arrives (Annex B queues it when re-establishing;
            # we also keep it when layer 3 asked for the link, so that a SETUP sent
            # right behind DL-ESTABLISH-REQUEST is not lost).
            self._i_queue.append(data)
            self._transmit_i_frames(now)
        else:
            # Q.921 Annex B: no data transfer without multiple frame operation.
            self.stats["data_request_discarded"] += 1
        return self._flush()

    def unit_data_request(self, data: bytes, now: float) -> Output:
        """DL-UNIT-DATA-REQUEST: a UI command frame (Q.921 5.2). From the network side it
        goes to the group TEI 127 (broadcast); from the user side with our own TEI."""
        data = bytes(data)
        if len(data) > self.params.N201:
            raise ValueError(f"DL-UNIT-DATA-REQUEST of {len(data)} octets exceeds N201 = {self.params.N201}")
        if self.side is Side.NETWORK:
            self._send(Frame(FrameType.UI, self.sapi, TEI_GROUP, True, False, info=data))
        elif self.state in TEI_HOLDING:
            self._send(Frame(FrameType.UI, self.sapi, self.tei, True, False, info=data))
        else:
            self._ui_queue.append(data)
            if self.state is State.TEI_UNASSIGNED:
                self._indicate(p.MdlAssignIndication(self.sapi))
                self.state = State.ASSIGN_AWAITING_TEI
        return self._flush()

    def set_own_receiver_busy(self, now: float) -> Output:
        """Layer 3 cannot take more I frames (Q.921 5.6.6): tell the peer with RNR."""
        if not self.own_receiver_busy:
            self.own_receiver_busy = True
            if self.state in MULTIPLE_FRAME:
                self._send_s(FrameType.RNR, command=False, pf=False)
                self.acknowledge_pending = False
        return self._flush()

    def clear_own_receiver_busy(self, now: float) -> Output:
        """Layer 3 takes I frames again (Q.921 5.6.6): tell the peer with RR."""
        if self.own_receiver_busy:
            self.own_receiver_busy = False
            if self.state in MULTIPLE_FRAME:
                self._send_s(FrameType.RR, command=False, pf=False)
                self.acknowledge_pending = False
        return self._flush()

    # ------------------------------------------------- from the management entity
    def mdl_assign_request(self, tei: int, now: float) -> Output:
        """MDL-ASSIGN-REQUEST: the TEI management procedure gave us `tei`."""
        if not 0 <= tei <= 126:
            raise ValueError(f"a point-to-point TEI is 0-126, not {tei}")
        s = self.state
        if s.value < 4:
            self.tei = tei
            self.state = State.TEI_ASSIGNED
            while self._ui_queue:
                self._send(Frame(FrameType.UI, self.sapi, tei, True, False, info=self._ui_queue.popleft()))
            if s is State.ESTABLISH_AWAITING_TEI:
                self._establish_data_link(now)
                self.layer3_initiated = True
                self.state = State.AWAITING_ESTABLISHMENT
        return self._flush()

    def mdl_remove_request(self, now: float) -> Output:
        """MDL-REMOVE-REQUEST: our TEI is withdrawn (Q.921 5.3.2, Annex B)."""
        s = self.state
        self._discard_i_queue()
        self._ui_queue.clear()
        self._stop(T200)
        self._stop(T203)
        if s is State.AWAITING_RELEASE:
            self._indicate(p.DlReleaseConfirm(self._tei_or_zero))
        elif s in MULTIPLE_FRAME or s in (State.AWAITING_ESTABLISHMENT, State.ESTABLISH_AWAITING_TEI):
            self._indicate(p.DlReleaseIndication(self._tei_or_zero))
        self.tei = None
        self.state = State.TEI_UNASSIGNED
        return self._flush()

    def mdl_error_response(self, now: float) -> Output:
        """MDL-ERROR-RESPONSE: TEI assignment failed (Q.921 5.3.2, N202 exhausted or denied)."""
        if self.state is State.ESTABLISH_AWAITING_TEI:
            self._indicate(p.DlReleaseIndication(0))
        if self.state.value < 4:
            self._ui_queue.clear()
            self.state = State.TEI_UNASSIGNED
        return self._flush()

    def physical_deactivated(self, now: float) -> Output:
        """Layer 1 went down (PH-DEACTIVATE-INDICATION): the link is released."""
        s = self.state
        self._discard_i_queue()
        self._stop(T200)
        self._stop(T203)
        if s in TEI_HOLDING and s is not State.TEI_ASSIGNED:
            if s is State.AWAITING_RELEASE:
                self._indicate(p.DlReleaseConfirm(self._tei_or_zero))
            else:
                self._indicate(p.DlReleaseIndication(self._tei_or_zero))
            self.state = State.TEI_ASSIGNED
        return self._flush()

    # -------------------------------------------------------------------- timers
    def expire(self, name: str, now: float) -> Output:
        deadline = self._timers.get(name)
        if deadline is None or deadline > now + 1e-9:
            return self._flush()  # stopped or restarted since: stale
        del self._timers[name]
        if name == T200:
            self._t200_expiry(now)
        elif name == T203:
            self._t203_expiry(now)
        return self._flush()

    def timer_deadlines(self) -> dict[str, float]:
        """The running timers and their deadlines (for owners and tests)."""
        return dict(self._timers)

    def _t200_expiry(self, now: float) -> None:
        self.stats["t200_expiries"] += 1
        s = self.state
        if s is State.AWAITING_ESTABLISHMENT:
            if self.rc >= self.params.N200:  # Q.921 5.5.1.3
                self._discard_i_queue()
                self._mdl_error("G")
                self._indicate(p.DlReleaseIndication(self._tei_or_zero))
                self.state = State.TEI_ASSIGNED
            else:
                self.rc += 1
                self._send_u(FrameType.SABME, command=True, pf=True)
                self._start(T200, now)
        elif s is State.AWAITING_RELEASE:
            if self.rc >= self.params.N200:  # Q.921 5.5.3.3
                self._mdl_error("H")
                self._indicate(p.DlReleaseConfirm(self._tei_or_zero))
                self.state = State.TEI_ASSIGNED
            else:
                self.rc += 1
                self._send_u(FrameType.DISC, command=True, pf=True)
                self._start(T200, now)
        elif s is State.MULTIPLE_FRAME_ESTABLISHED:
            # Q.921 5.6.7: enter timer recovery and ask the peer where it is.
            self.rc = 0
            self._poll(now)
            self.rc += 1
            self.state = State.TIMER_RECOVERY
        elif s is State.TIMER_RECOVERY:
            if self.rc >= self.params.N200:  # Q.921 5.6.7: N200 enquiries unanswered
                self._mdl_error("I")
                self._establish_data_link(now)
                self.layer3_initiated = False
                self.state = State.AWAITING_ESTABLISHMENT
            else:
                self._poll(now)
                self.rc += 1

    def _t203_expiry(self, now: float) -> None:
        # Q.921 5.9.8, Annex B: no frame exchanged for T203: poll the peer.
        if self.state is State.MULTIPLE_FRAME_ESTABLISHED:
            self.stats["t203_expiries"] += 1
            self._transmit_enquiry(now)
            self.rc = 0
            self.state = State.TIMER_RECOVERY

    # ----------------------------------------------------------------- receiving
    def receive(self, octets: bytes, now: float) -> Output:
        """A frame from the peer (address field first, no FCS). Frames for another
        SAPI or TEI are ignored; invalid frames are discarded (Q.921 2.9); frame
        rejection conditions (5.8.5) give MDL-ERROR L, M, N or O and, in multiple frame
        operation, re-establishment."""
        peer = self.side.peer
        try:
            sapi, tei, _command = decode_address(octets, peer)
        except FrameError:
            self.stats["invalid_frames"] += 1
            return self._flush()
        if sapi != self.sapi or (tei != self.tei and tei != TEI_GROUP):
            self.stats["frames_not_ours"] += 1
            return self._flush()
        try:
            frame = decode(octets, peer, self.params.N201)
        except FrameError as err:
            self.stats["frame_errors"] += 1
            if err.mdl_code is not None and self.state in MULTIPLE_FRAME:
                self._mdl_error(err.mdl_code)
                self._establish_data_link(now)
                self.layer3_initiated = False
                self.state = State.AWAITING_ESTABLISHMENT
            return self._flush()
        self._receive_frame(frame, now)
        return self._flush()

    def _receive_frame(self, f: Frame, now: float) -> None:
        self.stats["frames_received"] += 1
        if f.type is FrameType.UI:
            self._indicate(p.DlUnitDataIndication(f.info, f.tei))
            return
        if f.tei == TEI_GROUP or self.state not in TEI_HOLDING:
            return  # Q.921 5.2: only UI frames use the group TEI
        handler = _HANDLERS.get(f.type)
        if handler is not None:
            handler(self, f, now)

    def _on_sabme(self, f: Frame, now: float) -> None:
        s = self.state
        if s is State.TEI_ASSIGNED:  # Q.921 5.5.1.2
            self._send_u(FrameType.UA, command=False, pf=f.poll_final)
            self._clear_exception_conditions()
            self.vs = self.va = self.vr = 0
            self._indicate(p.DlEstablishIndication(self.tei))
            self._start(T203, now)
            self.state = State.MULTIPLE_FRAME_ESTABLISHED
        elif s is State.AWAITING_ESTABLISHMENT:  # Q.921 5.5.5 collision of SABMEs
            self._send_u(FrameType.UA, command=False, pf=f.poll_final)
        elif s is State.AWAITING_RELEASE:  # Q.921 5.5.5 collision SABME/DISC
            self._send_u(FrameType.DM, command=False, pf=f.poll_final)
        else:  # Q.921 5.7: the peer re-establishes
            self._send_u(FrameType.UA, command=False, pf=f.poll_final)
            self._clear_exception_conditions()
            self._mdl_error("F")
            if self.vs != self.va or self._unacked:
                self._discard_i_queue()
            # Layer 3 always learns of the re-establishment (Q.921 gives it only when
            # frames were lost); Q.931 then audits its calls with STATUS ENQUIRY.
            self._indicate(p.DlEstablishIndication(self.tei))
            self._stop(T200)
            self._start(T203, now)
            self.vs = self.va = self.vr = 0
            self.state = State.MULTIPLE_FRAME_ESTABLISHED
            self._transmit_i_frames(now)  # frames queued but never sent go out now

    def _on_disc(self, f: Frame, now: float) -> None:
        s = self.state
        if s is State.TEI_ASSIGNED or s is State.AWAITING_ESTABLISHMENT:
            self._send_u(FrameType.DM, command=False, pf=f.poll_final)
        elif s is State.AWAITING_RELEASE:  # Q.921 5.5.5 collision of DISCs
            self._send_u(FrameType.UA, command=False, pf=f.poll_final)
        else:  # Q.921 5.5.3.2
            self._discard_i_queue()
            self._send_u(FrameType.UA, command=False, pf=f.poll_final)
            self._indicate(p.DlReleaseIndication(self.tei))
            self._stop(T200)
            self._stop(T203)
            self.state = State.TEI_ASSIGNED

    def _on_ua(self, f: Frame, now: float) -> None:
        s = self.state
        if s is State.AWAITING_ESTABLISHMENT and f.poll_final:  # Q.921 5.5.1.2
            if self.layer3_initiated:
                self._indicate(p.DlEstablishConfirm(self.tei))
            else:
                # Q.921 5.7: unacknowledged I frames of the old link are lost. Layer 3
                # is told in every case (Q.921 only when V(S) != V(A)), so that the
                # link coming up after DM F=0, or after an error, is never silent.
                if self.vs != self.va or self._unacked:
                    self._discard_i_queue()
                self._indicate(p.DlEstablishIndication(self.tei))
            self._stop(T200)
            self._start(T203, now)
            self.vs = self.va = self.vr = 0
            self._unacked.clear()
            self.state = State.MULTIPLE_FRAME_ESTABLISHED
            self._transmit_i_frames(now)
        elif s is State.AWAITING_RELEASE and f.poll_final:  # Q.921 5.5.3.2
            self._indicate(p.DlReleaseConfirm(self.tei))
            self._stop(T200)
            self.state = State.TEI_ASSIGNED
        else:  # Q.921 5.8.7 / Appendix II: unsolicited UA
            self._mdl_error("C" if f.poll_final else "D")

    def _on_dm(self, f: Frame, now: float) -> None:
        s = self.state
        if s is State.TEI_ASSIGNED:
            if not f.poll_final:  # Annex B (TEI-assigned): DM F=0 asks us to establish
                self._establish_data_link(now)
                self.layer3_initiated = False
                self.state = State.AWAITING_ESTABLISHMENT
        elif s is State.AWAITING_ESTABLISHMENT:
            if f.poll_final:  # Q.921 5.5.1.2: the peer refuses
                self._discard_i_queue()
                self._indicate(p.DlReleaseIndication(self.tei))
                self._stop(T200)
                self.state = State.TEI_ASSIGNED
        elif s is State.AWAITING_RELEASE:
            if f.poll_final:  # Q.921 5.5.3.2: the peer was already released
                self._indicate(p.DlReleaseConfirm(self.tei))
                self._stop(T200)
                self.state = State.TEI_ASSIGNED
        elif s is State.MULTIPLE_FRAME_ESTABLISHED and f.poll_final:
            self._mdl_error("B")
        else:  # Q.921 5.8.7, 5.7: DM F=0 in 7, any DM in 8: re-establish
            self._mdl_error("B" if f.poll_final else "E")
            self._establish_data_link(now)
            self.layer3_initiated = False
            self.state = State.AWAITING_ESTABLISHMENT

    def _on_frmr(self, f: Frame, now: float) -> None:
        if self.state in MULTIPLE_FRAME:  # Q.921 5.8.6
            self._mdl_error("K")
            self._establish_data_link(now)
            self.layer3_initiated = False
            self.state = State.AWAITING_ESTABLISHMENT

    def _on_supervisory(self, f: Frame, now: float) -> None:
        s = self.state
        if s not in MULTIPLE_FRAME:
            if f.command and f.poll_final and s is State.TEI_ASSIGNED:
                self._send_u(FrameType.DM, command=False, pf=True)  # Q.921 5.5.4
            return
        self.peer_receiver_busy = f.type is FrameType.RNR  # Q.921 5.6.5
        if f.command and f.poll_final:
            self._enquiry_response()
        if not self._nr_valid(f.nr):
            self._nr_error_recovery(now)
            return
        if s is State.MULTIPLE_FRAME_ESTABLISHED:
            if not f.command and f.poll_final:
                self._mdl_error("A")
            if f.type is FrameType.RR:
                self._ack_to(f.nr, now)
            elif f.type is FrameType.REJ:  # Q.921 5.6.4
                self._set_va(f.nr)
                self._stop(T200)
                self._start(T203, now)
                self._invoke_retransmission(f.nr)
            else:  # RNR: keep polling the busy peer with T200 (Q.921 5.6.5)
                self._set_va(f.nr)
                self._stop(T203)
                self._start(T200, now)
        else:  # Timer-recovery
            if not f.command and f.poll_final:  # the answer to our enquiry (Q.921 5.6.7)
                self._set_va(f.nr)
                if f.type is FrameType.RNR:
                    self._start(T200, now)
                else:
                    self._stop(T200)
                    self._start(T203, now)
                self._invoke_retransmission(f.nr)
                self.state = State.MULTIPLE_FRAME_ESTABLISHED
            else:
                self._set_va(f.nr)
        self._transmit_i_frames(now)

    def _on_i(self, f: Frame, now: float) -> None:
        s = self.state
        if s not in MULTIPLE_FRAME:
            if f.poll_final and s is State.TEI_ASSIGNED:
                self._send_u(FrameType.DM, command=False, pf=True)  # Q.921 5.5.4
            return
        if self.own_receiver_busy:  # Q.921 5.6.6: discard, say busy when polled
            self.stats["i_discarded_busy"] += 1
            if f.poll_final:
                self._send_s(FrameType.RNR, command=False, pf=True)
                self.acknowledge_pending = False
        elif f.ns == self.vr:  # Q.921 5.6.2: in sequence
            self.vr = (self.vr + 1) % MODULUS
            self.reject_exception = False
            self.stats["i_received"] += 1
            self._indicate(p.DlDataIndication(f.info, self.tei))
            if f.poll_final:
                self._send_s(FrameType.RR, command=False, pf=True)
                self.acknowledge_pending = False
            else:
                self.acknowledge_pending = True
        else:  # Q.921 5.8.1: N(S) sequence error
            self.stats["i_out_of_sequence"] += 1
            if self.reject_exception:
                if f.poll_final:
                    self._send_s(FrameType.RR, command=False, pf=True)
                    self.acknowledge_pending = False
            else:
                self.reject_exception = True
                self._send_s(FrameType.REJ, command=False, pf=f.poll_final)
                self.acknowledge_pending = False
        if not self._nr_valid(f.nr):
            self._nr_error_recovery(now)
            return
        if s is State.MULTIPLE_FRAME_ESTABLISHED:
            if self.peer_receiver_busy:
                self._set_va(f.nr)
            else:
                self._ack_to(f.nr, now)
        else:
            self._set_va(f.nr)
        self._transmit_i_frames(now)
        if self.acknowledge_pending:  # nothing to piggyback the acknowledgement on
            self.acknowledge_pending = False
            self._send_s(FrameType.RNR if self.own_receiver_busy else FrameType.RR, command=False, pf=False)

    # ------------------------------------------------- Annex B procedures
    def _establish_data_link(self, now: float) -> None:
        """Annex B "establish data link": SABME P=1, T200 restarted, T203 stopped."""
        self._clear_exception_conditions()
        self.rc = 0
        self._send_u(FrameType.SABME, command=True, pf=True)
        self._start(T200, now)
        self._stop(T203)

    def _clear_exception_conditions(self) -> None:
        self.peer_receiver_busy = False
        self.reject_exception = False
        self.own_receiver_busy = False
        self.acknowledge_pending = False

    def _transmit_enquiry(self, now: float) -> None:
        self._send_s(FrameType.RNR if self.own_receiver_busy else FrameType.RR, command=True, pf=True)
        self.acknowledge_pending = False
        self._start(T200, now)

    def _poll(self, now: float) -> None:
        """Q.921 5.6.7 leaves a choice on T200 expiry: an RR/RNR command with P=1, or
        the last transmitted I frame again with P=1. We resend the I frame when there
        is one and the peer is not busy: the poll then also carries data, which keeps
        the link moving when losses fall on every enquiry cycle."""
        if self.peer_receiver_busy or self.vs == self.va or self.params.t200_poll_with_enquiry:
            self._transmit_enquiry(now)
            return
        last = (self.vs - 1) % MODULUS
        info = self._unacked[(last - self.va) % MODULUS]
        self._send(Frame(FrameType.I, self.sapi, self.tei, True, True, last, self.vr, info))
        self.stats["i_retransmitted"] += 1
        self.acknowledge_pending = False
        self._start(T200, now)

    def _enquiry_response(self) -> None:
        self._send_s(FrameType.RNR if self.own_receiver_busy else FrameType.RR, command=False, pf=True)
        self.acknowledge_pending = False

    def _nr_valid(self, nr: int) -> bool:
        """Q.921 5.8.2: V(A) <= N(R) <= V(S), modulo 128."""
        return (nr - self.va) % MODULUS <= (self.vs - self.va) % MODULUS

    def _nr_error_recovery(self, now: float) -> None:
        self._mdl_error("J")
        self._establish_data_link(now)
        self.layer3_initiated = False
        self.state = State.AWAITING_ESTABLISHMENT

    def _set_va(self, nr: int) -> None:
        acked = (nr - self.va) % MODULUS
        if acked:
            del self._unacked[:acked]
            self.stats["i_acknowledged"] += acked
            self.va = nr

    def _ack_to(self, nr: int, now: float) -> None:
        """Annex B acknowledgement in Multiple-frame-established: all acknowledged stops
        T200 and starts T203; some acknowledged restarts T200."""
        if nr == self.vs:
            self._set_va(nr)
            self._stop(T200)
            self._start(T203, now)
        elif nr != self.va:
            self._set_va(nr)
            self._start(T200, now)

    def _invoke_retransmission(self, nr: int) -> None:
        """Q.921 5.6.4: send again from N(R); the frames are kept in `_unacked`."""
        back = (self.vs - nr) % MODULUS
        if back:
            self.stats["i_retransmitted"] += back
        self.vs = nr

    def _transmit_i_frames(self, now: float) -> None:
        """Send queued (and to-be-retransmitted) I frames while the window k allows
        (Q.921 5.6.1); each carries the current V(R), which acknowledges the peer."""
        if self.state is not State.MULTIPLE_FRAME_ESTABLISHED or self.peer_receiver_busy:
            return
        k = self.params.k
        while True:
            outstanding = (self.vs - self.va) % MODULUS
            if outstanding >= k:
                return
            if outstanding < len(self._unacked):
                info = self._unacked[outstanding]
            elif self._i_queue:
                info = self._i_queue.popleft()
                self._unacked.append(info)
            else:
                return
            self._send(Frame(FrameType.I, self.sapi, self.tei, True, False, self.vs, self.vr, info))
            self.stats["i_sent"] += 1
            self.vs = (self.vs + 1) % MODULUS
            self.acknowledge_pending = False
            if T200 not in self._timers:
                self._stop(T203)
                self._start(T200, now)

    def _discard_i_queue(self) -> None:
        self._i_queue.clear()
        self._unacked.clear()
        self.va = self.vs

    # ------------------------------------------------------------------ plumbing
    @property
    def _tei_or_zero(self) -> int:
        return 0 if self.tei is None else self.tei

    def _mdl_error(self, code: str) -> None:
        self.mdl_errors[code] += 1
        self._indicate(p.MdlErrorIndication(code, p.MDL_ERRORS[code], self._tei_or_zero))

    def _indicate(self, primitive) -> None:
        self._out.indications.append(primitive)

    def _send(self, frame: Frame) -> None:
        self._out.transmit.append(encode(frame, self.side, self.params.N201))

    def _send_u(self, kind: FrameType, command: bool, pf: bool) -> None:
        self._send(Frame(kind, self.sapi, self.tei, command, pf))

    def _send_s(self, kind: FrameType, command: bool, pf: bool) -> None:
        self._send(Frame(kind, self.sapi, self.tei, command, pf, None, self.vr))

    def _start(self, name: str, now: float) -> None:
        deadline = now + (self.params.T200 if name == T200 else self.params.T203)
        self._timers[name] = deadline
        self._out.timers[name] = deadline

    def _stop(self, name: str) -> None:
        if self._timers.pop(name, None) is not None:
            self._out.timers[name] = None

    def _flush(self) -> Output:
        out, self._out = self._out, Output()
        return out


_HANDLERS = {
    FrameType.SABME: DataLink._on_sabme,
    FrameType.DISC: DataLink._on_disc,
    FrameType.UA: DataLink._on_ua,
    FrameType.DM: DataLink._on_dm,
    FrameType.FRMR: DataLink._on_frmr,
    FrameType.I: DataLink._on_i,
    **{kind: DataLink._on_supervisory for kind in SUPERVISORY},
}
