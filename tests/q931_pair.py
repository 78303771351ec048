"""Our Q.931 user side against our network side over the Q.921 Loopback on a simulated
clock (test code). `Pair.up()` brings the data link up and lets the user side's
start-up RESTART complete."""

from __future__ import annotations

from cti_daemon.signalling.isdn.q921 import Side
from cti_daemon.signalling.isdn.q921.loopback import Impairments, Loopback
from cti_daemon.signalling.isdn.q931 import decode_message
from cti_daemon.signalling.isdn.q931.calls import DChannel

USER, NETWORK = 0, 1


class Pair:
    def __init__(self, *, trace=None, user_kw=None, network_kw=None, impairments: Impairments | None = None,
                 primary_rate: bool = True):
        self.user = DChannel(Side.USER, primary_rate=primary_rate, **(user_kw or {}))
        network_kw = {"restart_at_start": False, **(network_kw or {})}
        self.network = DChannel(Side.NETWORK, primary_rate=primary_rate, **network_kw)
        self.wire = Loopback.point_to_point(self.user, self.network, trace=trace, trace_endpoint=USER,
                                            impairments=impairments)
        self.sent: list[tuple[int, bytes]] = []  # every Q.931 message sent, by endpoint
        self._wrap(USER, self.user)
        self._wrap(NETWORK, self.network)

    def _wrap(self, index, endpoint):
        layer3 = endpoint.layer3
        original_flush = layer3._flush

        def flush():
            out = original_flush()
            self.sent.extend((index, m) for m in out.transmit)
            return out
        layer3._flush = flush

    # --------------------------------------------------------------- driving
    def up(self) -> Pair:
        self.wire.do(USER, self.user.start)
        self.wire.run_for(1.0)
        return self

    def side(self, index):
        return self.user if index == USER else self.network

    def do(self, index, name, *args, **kw):
        endpoint = self.side(index)
        return self.wire.do(index, lambda now: getattr(endpoint, name)(now, *args, **kw))

    def run(self, seconds=1.0):
        self.wire.run_for(seconds)

    def got(self, index, kind):
        return self.wire.received(index, kind)

    def last(self, index, kind):
        found = self.got(index, kind)
        return found[-1] if found else None

    def messages(self, index=None) -> list[str]:
        """Titles of the Q.931 messages sent by endpoint `index` (None: both), in order."""
        out = []
        for who, data in self.sent:
            if index is None or who == index:
                mt = decode_message(data).message.message_type
                out.append(getattr(mt, "title", hex(mt)))
        return out

    def inject(self, index, data: bytes):
        """Deliver a Q.931 message to endpoint `index`'s layer 3 as if from the peer."""
        endpoint = self.side(index)
        self.wire.do(index, lambda now: endpoint._up(endpoint.layer3.receive(data, now), now))

    def clear_log(self):
        self.sent.clear()

    def idle(self) -> bool:
        """No call left and no channel reserved on either side."""
        return all(not s.layer3.by_id and not s.layer3.channels.reserved() for s in (self.user, self.network))

    def call_on(self, index):
        """The call id of the only (last) call offered to endpoint `index`."""
        from cti_daemon.signalling.isdn.q931.calls import SetupIndication
        return self.got(index, SetupIndication)[-1].call

    def outgoing(self, index, called="12345", **kw) -> int:
        """A SETUP from `index`; returns our call id."""
        call_id = self.side(index).layer3.next_call_id()
        self.do(index, "setup_request", called, call_id=call_id, **kw)
        return call_id


def log_entry(data: bytes):
    """(message title, cause value or None, cause diagnostics) of a Q.931 message."""
    from cti_daemon.signalling.isdn.q931.ies import Cause
    msg = decode_message(data).message
    cause = msg.get(Cause)
    title = getattr(msg.message_type, "title", hex(msg.message_type))
    return title, (int(cause.value) if cause else None), (cause.diagnostics if cause else b"")


def log(pair: Pair, index=None) -> list[tuple]:
    return [(who,) + log_entry(data) for who, data in pair.sent if index is None or who == index]
