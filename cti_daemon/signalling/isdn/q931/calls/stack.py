"""One D-channel: a Q.921 `DataLink` with the Q.931 `Layer3` on top, as one sans-I/O
endpoint (`receive(octets, now)`, `expire(name, now)`) that a `Loopback` or the span
driver can run. Q.931 messages go down as DL-DATA-REQUEST; DL primitives go up to
layer 3; the call model sees layer 3's primitives in `Output.indications`.

Messages longer than N201 go out as Annex H SEGMENT messages and segments received are
reassembled (with T314) before layer 3 sees them.

Timer names: "T314" is the reassembler's; layer 3 has T309, T316, T317 and the call
timers ("T303:7"); every other name (T200, T203, T202) is the data link's."""

from __future__ import annotations

from cti_daemon.signalling.isdn.q921.datalink import DataLink
from cti_daemon.signalling.isdn.q921.frames import Side
from cti_daemon.signalling.isdn.q921.parameters import Parameters
from cti_daemon.signalling.isdn.q921.primitives import (
    DlDataIndication,
    DlEstablishConfirm,
    DlEstablishIndication,
    DlReleaseConfirm,
    DlReleaseIndication,
    DlUnitDataIndication,
)
from cti_daemon.signalling.sansio import Output

from ..segmentation import MessageReady, Reassembler, segment
from .layer3 import Layer3

LAYER3_TIMERS = frozenset({"T309", "T316", "T317"})  # interface timers; call timers are "T303:7"
_LINK_EVENTS = (DlEstablishConfirm, DlEstablishIndication, DlReleaseIndication, DlReleaseConfirm)


class DChannel:
    def __init__(self, side: Side, *, primary_rate: bool = True, params: Parameters | None = None, link=None,
                 **layer3):
        """`link`: the data link below, by default a point-to-point `DataLink` (PRI,
        BRI point-to-point); a BRI terminal on a bus passes its `UserTerminal`."""
        self.side = side
        params = params or (Parameters.primary_rate() if primary_rate else Parameters.basic_rate())
        self.link = link if link is not None else DataLink(side, params)
        self.layer3 = Layer3(side, primary_rate=primary_rate, **layer3)
        self.reassembler = Reassembler(self.layer3.timers.T314)
        self.layer1_up = True
        self.max_message = params.N201

    # ------------------------------------------------------------ endpoint
    def start(self, now: float) -> Output:
        """Bring the data link up (DL-ESTABLISH-REQUEST); layer 3 restarts the
        channels once it is (Q.931 5.5)."""
        return self._down(self.link.establish_request(now), now)

    def receive(self, octets: bytes, now: float) -> Output:
        return self._down(self.link.receive(octets, now), now)

    def span_alarm(self, now: float) -> Output:
        """Layer 1 lost (loss of signal/frame, AIS on the span): the data link is
        released (PH-DEACTIVATE-INDICATION), so layer 3 takes its B-channels out of
        service for new calls and runs T309 for the active ones (Q.931 5.8.9)."""
        self.layer1_up = False
        return self._down(self.link.physical_deactivated(now), now)

    def span_alarm_cleared(self, now: float) -> Output:
        """Layer 1 back: bring the data link up again."""
        self.layer1_up = True
        return self._down(self.link.establish_request(now), now)

    def expire(self, name: str, now: float) -> Output:
        if name == "T314":
            return self._reassembled(self.reassembler.expire(name, now), now)
        if ":" in name or name in LAYER3_TIMERS:
            return self._up(self.layer3.expire(name, now), now)
        return self._down(self.link.expire(name, now), now)  # T200, T203, T202 ...

    # ------------------------------------------------------------- requests
    def __getattr__(self, name: str):
        """The call model's requests (`setup_request`, `alerting_request`, ...,
        `restart_request`) are layer 3's, with the output carried down."""
        if name.endswith("_request") and not name.startswith("_"):
            method = getattr(self.layer3, name)

            def request(now: float, *args, **kw) -> Output:
                return self._up(method(now, *args, **kw), now)
            return request
        raise AttributeError(name)

    # ------------------------------------------------------------- plumbing
    def _down(self, dl_out: Output, now: float) -> Output:
        """Data link output: its frames go out; its primitives go to layer 3."""
        out = Output(transmit=list(dl_out.transmit), timers=dict(dl_out.timers))
        for prim in dl_out.indications:
            if isinstance(prim, (DlDataIndication, DlUnitDataIndication)):
                out.extend(self._reassembled(self.reassembler.receive(prim.data, now), now))
            elif isinstance(prim, _LINK_EVENTS):
                out.extend(self._up(self.layer3.dl_indication(prim, now), now))
                if isinstance(prim, DlReleaseIndication) and self.layer1_up:
                    # Q.931 5.8.9: layer 3 asks for re-establishment at once.
                    out.extend(self._down(self.link.establish_request(now), now))
            else:
                out.indications.append(prim)  # MDL errors etc. for management
        return out

    def _reassembled(self, r_out: Output, now: float) -> Output:
        """Reassembler output: whole messages go to layer 3 (Annex H.3); discarded
        segments are reported up for layer 3 management."""
        out = Output(timers=dict(r_out.timers))
        for prim in r_out.indications:
            if isinstance(prim, MessageReady):
                out.extend(self._up(self.layer3.receive(prim.message, now), now))
            else:
                out.indications.append(prim)
        return out

    def _up(self, l3_out: Output, now: float) -> Output:
        """Layer 3 output: its messages go down as DL-DATA-REQUEST (segmented per
        Annex H.2 when longer than N201)."""
        out = Output(indications=list(l3_out.indications), timers=dict(l3_out.timers))
        if l3_out.transmit and not self.layer3.link_up and self.layer1_up:
            # A terminal answering a broadcast SETUP: its data link comes up first and
            # the message waits in the I queue (Q.921 DL-ESTABLISH-REQUEST).
            out.extend(self._down(self.link.establish_request(now), now))
        for message in l3_out.transmit:
            pieces = segment(message, self.max_message) if len(message) > self.max_message else (message,)
            for piece in pieces:
                out.extend(self._down(self.link.data_request(piece, now), now))
        return out
