"""The network side of a BRI point-to-multipoint bus: one Q.931 layer 3 entity per
terminal's data link (TEI), one channel pool for the bus, and incoming calls offered to
every terminal at once (Q.931 5.2.1, 5.2.9):

SETUP goes out in a UI frame to the group TEI (DL-UNIT-DATA-REQUEST) with T303 and
T312 running; terminals that are compatible answer on their own data link (CALL
PROCEEDING, ALERTING, CONNECT); the first CONNECT wins (CONNECT ACKNOWLEDGE), every other
terminal that answered gets RELEASE with cause 26 "non-selected user clearing"; if no
terminal answers before T312, the call is cleared with cause 18 "no user responding"
toward the call model; a terminal refusing (RELEASE COMPLETE) just drops out, and when
all of them refused, the call model hears the cause of the last one.

Timer names: "<TEI>/T200" (data links, from `NetworkBus`), "L3/<TEI>/<name>" (the
entity of one TEI), "OFFER/T312:<call>" and "OFFER/T303:<call>" (broadcast offers).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cti_daemon.signalling.isdn.q921.frames import Side
from cti_daemon.signalling.isdn.q921.primitives import (
    DlDataIndication,
    DlEstablishConfirm,
    DlEstablishIndication,
    DlReleaseConfirm,
    DlReleaseIndication,
)
from cti_daemon.signalling.isdn.q921.ptmp import NetworkBus
from cti_daemon.signalling.isdn.q921.tei import TeiAssigned
from cti_daemon.signalling.sansio import Output

from ..errors import Q931DecodeError
from ..ies import BearerCapability, CalledPartyNumber, CallingPartyNumber, Cause, CauseValue, Location
from ..message_types import MessageType as M
from ..messages import CallReference, Message, decode_header, decode_message
from . import primitives as p
from .call import Call
from .channels import ChannelPool, Hunting
from .layer3 import Layer3
from .states import NetworkState
from .timers import Timers

_LINK_EVENTS = (DlEstablishConfirm, DlEstablishIndication, DlReleaseIndication, DlReleaseConfirm)


@dataclass
class Offer:
    call_id: int
    value: int  # call reference value of the broadcast SETUP
    channel: int
    setup: bytes
    responders: dict[int, int] = field(default_factory=dict)  # TEI -> the state its last answer implies
    last_refusal: int | None = None
    t312_running: bool = True
    alerted: bool = False
    t303_expiries: int = 0


class BusNetwork:
    side = Side.NETWORK

    def __init__(self, *, timers: Timers | None = None, bus: NetworkBus | None = None):
        self.bus = bus or NetworkBus()
        self.timers = timers or Timers.network()
        self.channels = ChannelPool.bri(Hunting.ASCENDING)
        self.entities: dict[int, Layer3] = {}
        self.offers: dict[int, Offer] = {}  # call id -> offer still being decided
        self._hidden: set[int] = set()  # call ids of the non-selected terminals' calls
        self._next_cr = 1
        self._ids = 10_000  # offers' call ids, apart from the entities' own

    # ------------------------------------------------------------- requests
    def offer_request(self, now: float, called: str, *, calling: str | None = None,
                      bearer: BearerCapability | None = None) -> Output:
        """SETUP-REQ for an incoming call to the bus; SETUP-IND style primitives come
        back with the call id in `last_call_id`."""
        self._ids += 1
        call_id = self._ids
        self.last_call_id = call_id
        channel = self.channels.hunt()
        if channel is None:
            return Output(indications=[p.ReleaseIndication(call_id, int(CauseValue.NO_CIRCUIT_CHANNEL_AVAILABLE))])
        self.channels.reserve(channel, call_id)
        value = self._allocate_cr()
        ies = [bearer or BearerCapability(), self.channels.identification(channel, exclusive=True)]
        if calling is not None:
            ies.append(CallingPartyNumber(calling))
        ies.append(CalledPartyNumber(called))
        setup = Message(M.SETUP, CallReference(value, 1), ies).encode()
        self.offers[call_id] = Offer(call_id, value, channel, setup)
        out = self.bus.unit_data_request(setup, now)
        # Q.931 5.2.1 / Table 9-1: T303 for a repeat of the SETUP, T312 to keep the
        # call reference long enough for late answers.
        out.timers[f"OFFER/T303:{call_id}"] = now + self.timers.T303
        out.timers[f"OFFER/T312:{call_id}"] = now + self.timers.T312
        return out

    def request(self, now: float, name: str, call_id: int, *args, **kw) -> Output:
        """Any other request (`disconnect_request`, ...) on a call that has been
        answered: it lives in the entity of the terminal that won. Clearing an offer
        nobody has won yet releases every terminal that answered (cause as given)."""
        offer = self.offers.get(call_id)
        if offer is not None:
            if name not in ("disconnect_request", "release_request"):
                return Output()
            cause = int(args[0]) if args else int(kw.get("cause", CauseValue.NORMAL_CALL_CLEARING))
            out = Output()
            for tei in list(offer.responders):
                out.extend(self._release_non_selected(tei, offer, now, cause))
            return out.extend(self._give_up(offer, cause))
        for tei, entity in self.entities.items():
            if call_id in entity.by_id:
                return self._from_entity(tei, getattr(entity, name)(now, call_id, *args, **kw), now)
        return Output()

    # ------------------------------------------------------------ endpoint
    def receive(self, octets: bytes, now: float) -> Output:
        return self._from_bus(self.bus.receive(octets, now), now)

    def expire(self, name: str, now: float) -> Output:
        if name.startswith("L3/"):
            _, tei, timer = name.split("/", 2)
            entity = self.entities.get(int(tei))
            return self._from_entity(int(tei), entity.expire(timer, now), now) if entity else Output()
        if name.startswith("OFFER/"):
            return self._offer_timer(name[6:], now)
        return self._from_bus(self.bus.expire(name, now), now)

    # ------------------------------------------------------------- plumbing
    def _from_bus(self, out: Output, now: float) -> Output:
        result = Output(transmit=list(out.transmit), timers=dict(out.timers))
        for prim in out.indications:
            tei = getattr(prim, "tei", None)
            if isinstance(prim, TeiAssigned):
                self.entities[prim.tei] = Layer3(Side.NETWORK, primary_rate=False, timers=self.timers,
                                                 channels=self.channels, restart_at_start=False)
                result.indications.append(prim)
            elif isinstance(prim, DlDataIndication) and tei in self.entities:
                result.extend(self._message(tei, prim.data, now))
            elif isinstance(prim, _LINK_EVENTS) and tei in self.entities:
                result.extend(self._from_entity(tei, self.entities[tei].dl_indication(prim, now), now))
            else:
                result.indications.append(prim)
        return result

    def _from_entity(self, tei: int, out: Output, now: float) -> Output:
        result = Output(indications=[i for i in out.indications if getattr(i, "call", None) not in self._hidden])
        for ind in out.indications:
            if isinstance(ind, p.ReleaseIndication):
                self._hidden.discard(ind.call)
        result.timers = {f"L3/{tei}/{name}": deadline for name, deadline in out.timers.items()}
        for message in out.transmit:
            result.extend(self._from_bus(self.bus.data_request(tei, message, now), now))
        return result

    def _message(self, tei: int, data: bytes, now: float) -> Output:
        """A message from terminal `tei`: an answer to a broadcast SETUP is ours to
        decide; anything else is its entity's."""
        entity = self.entities[tei]
        try:
            cr, mt, _ = decode_header(data, 1)
        except Q931DecodeError:
            cr = None
        offer = None
        if cr is not None and cr.flag and (True, cr.value) not in entity.calls:
            offer = next((o for o in self.offers.values() if o.value == cr.value), None)
        if offer is None:
            return self._from_entity(tei, entity.receive(data, now), now)
        return self._answer(offer, tei, mt, data, now)

    def _answer(self, offer: Offer, tei: int, mt: int, data: bytes, now: float) -> Output:
        out = Output()
        if mt in (M.CALL_PROCEEDING, M.ALERTING, M.SETUP_ACKNOWLEDGE):
            offer.responders[tei] = {M.CALL_PROCEEDING: 9, M.ALERTING: 7, M.SETUP_ACKNOWLEDGE: 25}[M(mt)]
            out.timers[f"OFFER/T303:{offer.call_id}"] = None
            if mt == M.ALERTING and not offer.alerted:
                offer.alerted = True
                out.indications.append(p.AlertingIndication(offer.call_id))
        elif mt == M.CONNECT:
            # The first CONNECT wins: its terminal's entity takes the call (Active).
            self.offers.pop(offer.call_id)
            out.timers.update({f"OFFER/T303:{offer.call_id}": None, f"OFFER/T312:{offer.call_id}": None})
            self.channels.release(offer.channel, offer.call_id)
            winner = self.entities[tei]
            call = Call(offer.call_id, offer.value, True, NetworkState.N10, channel=offer.channel,
                        channel_confirmed=True)
            winner._add(call)
            self.channels.reserve(offer.channel, offer.call_id)
            winner._send(call, M.CONNECT_ACKNOWLEDGE, [])
            out.indications.append(p.ConnectIndication(offer.call_id))
            out.extend(self._from_entity(tei, winner._flush(), now))
            for other in offer.responders:
                if other != tei:
                    out.extend(self._release_non_selected(other, offer, now))
        elif mt in (M.RELEASE_COMPLETE, M.DISCONNECT, M.RELEASE):
            offer.responders.pop(tei, None)
            cause = decode_message(data, call_reference_length=1).message.get(Cause)
            offer.last_refusal = int(cause.value) if cause else int(CauseValue.NORMAL_UNSPECIFIED)
            if mt != M.RELEASE_COMPLETE:  # answer the clearing on that terminal's link
                out.extend(self._from_bus(self.bus.data_request(tei, Message(
                    M.RELEASE_COMPLETE, CallReference(offer.value, 1, True), []).encode(), now), now))
            if not offer.responders and not offer.t312_running:
                out.extend(self._give_up(offer, offer.last_refusal))
        return out

    def _release_non_selected(self, tei: int, offer: Offer, now: float,
                              cause: int = CauseValue.NON_SELECTED_USER_CLEARING) -> Output:
        """Q.931 5.2.9: RELEASE with cause 26 to a terminal that answered but lost."""
        entity = self.entities[tei]
        call = Call(entity.next_call_id() + 1_000_000, offer.value, True, NetworkState(offer.responders[tei]))
        self._hidden.add(call.call_id)
        entity._add(call)
        entity._release(call, Cause(CauseValue(cause), Location.PUBLIC_NETWORK_LOCAL_USER), now)
        return self._from_entity(tei, entity._flush(), now)

    def _offer_timer(self, name: str, now: float) -> Output:
        timer, _, call = name.partition(":")
        offer = self.offers.get(int(call))
        if offer is None:
            return Output()
        if timer == "T303":
            offer.t303_expiries += 1
            if offer.responders or offer.t303_expiries > 1:
                return Output()
            out = self.bus.unit_data_request(offer.setup, now)  # Q.931 5.2.1: SETUP once more
            out.timers[f"OFFER/T303:{offer.call_id}"] = now + self.timers.T303
            return out
        offer.t312_running = False
        if not offer.responders:
            # Nobody answered (or all refused): 18 toward the call model, or the refusal.
            return self._give_up(offer, offer.last_refusal or int(CauseValue.NO_USER_RESPONDING))
        return Output()

    def _give_up(self, offer: Offer, cause: int) -> Output:
        self.offers.pop(offer.call_id, None)
        self.channels.release(offer.channel, offer.call_id)
        return Output(indications=[p.ReleaseIndication(offer.call_id, cause)],
                      timers={f"OFFER/T303:{offer.call_id}": None, f"OFFER/T312:{offer.call_id}": None})

    def _allocate_cr(self) -> int:
        used = {o.value for o in self.offers.values()}
        for entity in self.entities.values():
            used |= {v for own, v in entity.calls if own}
        for _ in range(127):
            value = self._next_cr
            self._next_cr = value % 127 + 1
            if value not in used:
                return value
        raise RuntimeError("no free call reference on the bus")
