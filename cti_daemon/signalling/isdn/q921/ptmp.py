"""Point-to-multipoint basic access: a terminal (user side) and the network side of
one S/T bus, each joining TEI management with the data link entities it feeds.

`UserTerminal` holds one SAPI 0 data link entity with automatic TEI and a `TeiUser`.
`NetworkBus` holds a `TeiNetwork` and one network-side data link entity per assigned
TEI; its timers are named "<TEI>/T200" and so on, and every primitive it passes up
carries the TEI. Both are sans-I/O endpoints (`receive`, `expire`) like `DataLink`.
"""

from __future__ import annotations

import random

from cti_daemon.signalling.isdn.q921.datalink import DataLink
from cti_daemon.signalling.isdn.q921.frames import SAPI_CALL_CONTROL, TEI_GROUP, Side, decode_address
from cti_daemon.signalling.isdn.q921.errors import FrameError
from cti_daemon.signalling.isdn.q921.parameters import Parameters
from cti_daemon.signalling.isdn.q921.primitives import MdlAssignIndication
from cti_daemon.signalling.isdn.q921.tei import (
    TeiAssigned,
    TeiNetwork,
    TeiRefused,
    TeiRemoved,
    TeiUser,
    is_management_frame,
)
from cti_daemon.signalling.sansio import Output


class UserTerminal:
    """A terminal (TE) on a point-to-multipoint bus."""

    side = Side.USER

    def __init__(self, params: Parameters | None = None, rng: random.Random | None = None):
        self.params = params or Parameters.basic_rate()
        self.link = DataLink(Side.USER, self.params, tei=None)
        self.management = TeiUser(self.params, rng)

    @property
    def tei(self) -> int | None:
        return self.link.tei

    def establish_request(self, now: float) -> Output:
        return self._route(self.link.establish_request(now), now)

    def release_request(self, now: float) -> Output:
        return self._route(self.link.release_request(now), now)

    def data_request(self, data: bytes, now: float) -> Output:
        return self._route(self.link.data_request(data, now), now)

    def receive(self, octets: bytes, now: float) -> Output:
        if is_management_frame(octets, Side.NETWORK):
            return self._route(self.management.receive(octets, now), now)
        return self._route(self.link.receive(octets, now), now)

    def expire(self, name: str, now: float) -> Output:
        if name == "T202":
            return self._route(self.management.expire(name, now), now)
        return self._route(self.link.expire(name, now), now)

    def _route(self, out: Output, now: float) -> Output:
        """Carry the primitives between TEI management and the data link entity (the
        MDL- primitives of Q.921 5.3.2) until nothing is left for either."""
        result = Output(transmit=list(out.transmit), timers=dict(out.timers))
        pending = list(out.indications)
        while pending:
            prim = pending.pop(0)
            if isinstance(prim, MdlAssignIndication):
                more = self.management.request(now)
            elif isinstance(prim, TeiAssigned):
                result.indications.append(prim)
                more = self.link.mdl_assign_request(prim.tei, now)
            elif isinstance(prim, TeiRemoved):
                result.indications.append(prim)
                more = self.link.mdl_remove_request(now)
            elif isinstance(prim, TeiRefused):
                result.indications.append(prim)
                more = self.link.mdl_error_response(now)
            else:
                result.indications.append(prim)
                continue
            result.transmit.extend(more.transmit)
            result.timers.update(more.timers)
            pending.extend(more.indications)
        return result


class NetworkBus:
    """The network side (NT) of a point-to-multipoint bus."""

    side = Side.NETWORK

    def __init__(self, params: Parameters | None = None, management: TeiNetwork | None = None):
        self.params = params or Parameters.basic_rate()
        self.management = management or TeiNetwork(self.params)
        self.links: dict[int, DataLink] = {}

    def establish_request(self, tei: int, now: float) -> Output:
        return self._from_link(tei, self.links[tei].establish_request(now))

    def release_request(self, tei: int, now: float) -> Output:
        return self._from_link(tei, self.links[tei].release_request(now))

    def data_request(self, tei: int, data: bytes, now: float) -> Output:
        return self._from_link(tei, self.links[tei].data_request(data, now))

    def unit_data_request(self, data: bytes, now: float) -> Output:
        """Broadcast to every terminal: UI on SAPI 0 to the group TEI (Q.931 SETUP)."""
        broadcaster = DataLink(Side.NETWORK, self.params, tei=0)
        return broadcaster.unit_data_request(data, now)

    def check(self, tei: int, now: float) -> Output:
        return self._from_management(self.management.check(tei, now), now)

    def remove(self, tei: int, now: float) -> Output:
        return self._from_management(self.management.remove(tei, now), now)

    def receive(self, octets: bytes, now: float) -> Output:
        if is_management_frame(octets, Side.USER):
            return self._from_management(self.management.receive(octets, now), now)
        try:
            sapi, tei, _ = decode_address(octets, Side.USER)
        except FrameError:
            return Output()
        link = self.links.get(tei)
        if link is not None:
            return self._from_link(tei, link.receive(octets, now))
        if sapi == SAPI_CALL_CONTROL and tei != TEI_GROUP and tei >= 64:
            # A terminal using a TEI we never gave (or took back): tell it to drop it.
            return self._from_management(self.management.remove(tei, now), now)
        return Output()

    def expire(self, name: str, now: float) -> Output:
        if "/" in name:
            tei_text, timer = name.split("/", 1)
            link = self.links.get(int(tei_text))
            return self._from_link(int(tei_text), link.expire(timer, now)) if link else Output()
        return self._from_management(self.management.expire(name, now), now)

    def _from_link(self, tei: int, out: Output) -> Output:
        out.timers = {f"{tei}/{name}": deadline for name, deadline in out.timers.items()}
        return out

    def _from_management(self, out: Output, now: float) -> Output:
        result = Output(transmit=list(out.transmit), timers=dict(out.timers))
        for prim in out.indications:
            result.indications.append(prim)
            if isinstance(prim, TeiAssigned):
                self.links[prim.tei] = DataLink(Side.NETWORK, self.params, tei=prim.tei)
            elif isinstance(prim, TeiRemoved):
                link = self.links.pop(prim.tei, None)
                if link is not None:
                    more = self._from_link(prim.tei, link.mdl_remove_request(now))
                    result.transmit.extend(more.transmit)
                    result.indications.extend(more.indications)
                    # The entity is gone: stop whatever timers it had running.
                    result.timers.update({f"{prim.tei}/{t}": None for t in ("T200", "T203")})
        return result
