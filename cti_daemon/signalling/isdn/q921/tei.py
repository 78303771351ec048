"""TEI management (Q.921 5.3) for point-to-multipoint basic access, both sides.

Messages travel in UI command frames on SAPI 63 with the group TEI 127 (Q.921 5.3.6):
management entity identifier 0x0F, reference number Ri (2 octets), message type, action
indicator Ai (7 bits, then E = 1). Automatic TEI values are 64-126 (Q.921 3.3.4).

`TeiUser` is the user side's management entity of one terminal: Identity request with a
random Ri, repeated every T202 up to N202 times (5.3.2); Identity check response
(5.3.3); Identity remove (5.3.4). `TeiNetwork` is the network side's
assignment source: assignment from 64-126, denial when the pool is full, Identity check
with T201 (5.3.3), removal (5.3.4), identity verify (5.3.5). Both are sans-I/O like the data link entity; they report
what the data link entity must be told with `TeiAssigned`, `TeiRemoved`, `TeiRefused`
(the MDL-ASSIGN-REQUEST, MDL-REMOVE-REQUEST and MDL-ERROR-RESPONSE of Q.921 5.3.2).
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass

from cti_daemon.signalling.isdn.q921.errors import FrameError
from cti_daemon.signalling.isdn.q921.frames import (
    SAPI_MANAGEMENT,
    TEI_GROUP,
    Frame,
    FrameType,
    Side,
    decode,
    decode_address,
    encode,
)
from cti_daemon.signalling.isdn.q921.parameters import Parameters
from cti_daemon.signalling.sansio import Output

MANAGEMENT_ENTITY_ID = 0x0F  # Q.921 5.3.6
AUTOMATIC_TEI_FIRST = 64  # Q.921 3.3.4: 64-126 are assigned automatically
AUTOMATIC_TEI_LAST = 126
T201 = "T201"
T202 = "T202"


class TeiMessageType(enum.IntEnum):
    """Q.921 5.3.6: message type octet."""

    IDENTITY_REQUEST = 1
    IDENTITY_ASSIGNED = 2
    IDENTITY_DENIED = 3
    IDENTITY_CHECK_REQUEST = 4
    IDENTITY_CHECK_RESPONSE = 5
    IDENTITY_REMOVE = 6
    IDENTITY_VERIFY = 7


@dataclass(frozen=True)
class TeiMessage:
    type: TeiMessageType
    ri: int  # reference number 0-65535
    ai: int  # action indicator 0-127 (127: any TEI / all TEIs)

    def encode(self) -> bytes:
        if not 0 <= self.ri <= 0xFFFF:
            raise ValueError(f"Ri must be 0-65535, not {self.ri}")
        if not 0 <= self.ai <= 127:
            raise ValueError(f"Ai must be 0-127, not {self.ai}")
        return bytes([MANAGEMENT_ENTITY_ID, self.ri >> 8, self.ri & 0xFF, int(self.type), (self.ai << 1) | 1])

    @classmethod
    def decode(cls, info: bytes) -> TeiMessage:
        if len(info) < 5:
            raise FrameError(f"TEI management message of {len(info)} octets; it has 5 (Q.921 5.3.6)")
        if info[0] != MANAGEMENT_ENTITY_ID:
            raise FrameError(f"management entity identifier 0x{info[0]:02X} is not 0x0F (Q.921 5.3.6)")
        try:
            kind = TeiMessageType(info[3])
        except ValueError:
            raise FrameError(f"unknown TEI management message type {info[3]}") from None
        if not info[4] & 1:
            raise FrameError("Ai octet has E = 0; the action indicator is one octet (Q.921 5.3.6)")
        return cls(kind, (info[1] << 8) | info[2], info[4] >> 1)

    def frame(self, sender: Side) -> bytes:
        """The UI command frame (SAPI 63, TEI 127) that carries this message."""
        return encode(Frame(FrameType.UI, SAPI_MANAGEMENT, TEI_GROUP, True, False, info=self.encode()), sender)


def is_management_frame(octets: bytes, sender: Side) -> bool:
    """Does this frame go to the TEI management entity (SAPI 63, group TEI)?"""
    try:
        sapi, tei, _ = decode_address(octets, sender)
    except FrameError:
        return False
    return sapi == SAPI_MANAGEMENT and tei == TEI_GROUP


def decode_management(octets: bytes, sender: Side) -> TeiMessage:
    frame = decode(octets, sender)
    if frame.type is not FrameType.UI or not frame.command:
        raise FrameError(f"TEI management uses UI commands, not {frame.type.value}")
    return TeiMessage.decode(frame.info)


@dataclass(frozen=True)
class TeiAssigned:
    """MDL-ASSIGN-REQUEST to the data link entity: use `tei`."""

    tei: int


@dataclass(frozen=True)
class TeiRemoved:
    """MDL-REMOVE-REQUEST to the data link entity: `tei` is no longer ours."""

    tei: int


@dataclass(frozen=True)
class TeiRefused:
    """MDL-ERROR-RESPONSE: no TEI after N202 requests (or denied). `reason` says which."""

    reason: str


class TeiUser:
    """The user side's TEI management entity for one terminal."""

    side = Side.USER

    def __init__(self, params: Parameters | None = None, rng: random.Random | None = None):
        self.params = params or Parameters.basic_rate()
        self.rng = rng or random.Random()
        self.tei: int | None = None
        self.awaiting = False  # an Identity request is outstanding
        self.ri: int | None = None
        self.requests_sent = 0
        self.denials = 0
        self._out = Output()

    def request(self, now: float) -> Output:
        """MDL-ASSIGN-INDICATION from the data link entity: get a TEI."""
        if self.tei is not None:
            self._out.indications.append(TeiAssigned(self.tei))
        elif not self.awaiting:
            self.awaiting = True
            self.requests_sent = 0
            self._send_request(now)
        return self._flush()

    def verify(self, now: float) -> Output:
        """Ask the network to check our TEI (Identity verify, Q.921 5.3.5)."""
        if self.tei is not None:
            self._send(TeiMessage(TeiMessageType.IDENTITY_VERIFY, 0, self.tei))
        return self._flush()

    def receive(self, octets: bytes, now: float) -> Output:
        """A TEI management frame from the network side. Broken messages are ignored."""
        try:
            msg = decode_management(octets, Side.NETWORK)
        except FrameError:
            return self._flush()
        kind = msg.type
        if kind is TeiMessageType.IDENTITY_ASSIGNED:
            if self.tei is not None and msg.ai == self.tei:
                # Our TEI given to another terminal (Q.921 5.8.8): ask the network to
                # check it; two check responses make it remove the TEI from both.
                self._send(TeiMessage(TeiMessageType.IDENTITY_VERIFY, 0, self.tei))
            elif self.awaiting and msg.ri == self.ri and AUTOMATIC_TEI_FIRST <= msg.ai <= AUTOMATIC_TEI_LAST:
                self.awaiting = False
                self.tei = msg.ai
                self._out.timers[T202] = None
                self._out.indications.append(TeiAssigned(msg.ai))
        elif kind is TeiMessageType.IDENTITY_DENIED:
            if self.awaiting and msg.ri == self.ri:
                # Q.921 5.3.2: keep asking every T202 until N202 is exhausted.
                self.denials += 1
        elif kind is TeiMessageType.IDENTITY_CHECK_REQUEST:
            if self.tei is not None and msg.ai in (TEI_GROUP, self.tei):  # Q.921 5.3.3
                self._send(TeiMessage(TeiMessageType.IDENTITY_CHECK_RESPONSE, self.rng.randrange(0x10000), self.tei))
        elif kind is TeiMessageType.IDENTITY_REMOVE:
            if self.tei is not None and msg.ai in (TEI_GROUP, self.tei):  # Q.921 5.3.4
                removed, self.tei = self.tei, None
                self._out.indications.append(TeiRemoved(removed))
        return self._flush()

    def expire(self, name: str, now: float) -> Output:
        if name == T202 and self.awaiting:
            if self.requests_sent >= self.params.N202:  # Q.921 5.3.2
                self.awaiting = False
                reason = "denied by the network" if self.denials else f"no answer to {self.requests_sent} requests"
                self._out.indications.append(TeiRefused(reason))
            else:
                self._send_request(now)
        return self._flush()

    def _send_request(self, now: float) -> None:
        # Q.921 5.3.2: a new random Ri for every request, so that terminals that ask
        # at once can tell their answers apart.
        self.ri = self.rng.randrange(0x10000)
        self.requests_sent += 1
        self._send(TeiMessage(TeiMessageType.IDENTITY_REQUEST, self.ri, TEI_GROUP))
        self._out.timers[T202] = now + self.params.T202

    def _send(self, msg: TeiMessage) -> None:
        self._out.transmit.append(msg.frame(self.side))

    def _flush(self) -> Output:
        out, self._out = self._out, Output()
        return out


class TeiNetwork:
    """The network side's TEI assignment source for one basic access."""

    side = Side.NETWORK

    def __init__(self, params: Parameters | None = None, *, first: int = AUTOMATIC_TEI_FIRST,
                 last: int = AUTOMATIC_TEI_LAST):
        if not AUTOMATIC_TEI_FIRST <= first <= last <= AUTOMATIC_TEI_LAST:
            raise ValueError(f"the automatic TEI pool lies within 64-126, not {first}-{last}")
        self.params = params or Parameters.basic_rate()
        self.pool = range(first, last + 1)
        self.assigned: set[int] = set()
        self.denied = 0
        # The check procedure in progress (Q.921 5.3.3): TEIs asked, answers per TEI.
        self._checking: set[int] = set()
        self._answers: dict[int, int] = {}
        self._check_rounds = 0
        self._out = Output()

    def receive(self, octets: bytes, now: float) -> Output:
        try:
            msg = decode_management(octets, Side.USER)
        except FrameError:
            return self._flush()
        if msg.type is TeiMessageType.IDENTITY_REQUEST:
            self._assign(msg, now)
        elif msg.type is TeiMessageType.IDENTITY_CHECK_RESPONSE:
            if msg.ai in self._checking:
                self._answers[msg.ai] = self._answers.get(msg.ai, 0) + 1
        elif msg.type is TeiMessageType.IDENTITY_VERIFY:
            if msg.ai in self.pool:  # Q.921 5.3.5: verify = check that one TEI
                self._start_check({msg.ai}, msg.ai, now)
        return self._flush()

    def check(self, tei: int, now: float) -> Output:
        """Identity check of one TEI, or of all (tei = 127) (Q.921 5.3.3)."""
        teis = set(self.assigned) if tei == TEI_GROUP else {tei}
        self._start_check(teis, tei, now)
        return self._flush()

    def remove(self, tei: int, now: float) -> Output:
        """Withdraw `tei` (or every TEI with 127): Identity remove, sent twice as the
        network side does so that one lost frame does not leave a stale TEI."""
        self._remove(tei)
        return self._flush()

    def _remove(self, tei: int) -> None:
        teis = set(self.assigned) if tei == TEI_GROUP else {tei} & self.assigned
        for _ in range(2):
            self._send(TeiMessage(TeiMessageType.IDENTITY_REMOVE, 0, tei))
        for t in sorted(teis):
            self._free(t)

    def expire(self, name: str, now: float) -> Output:
        if name != T201 or not self._checking:
            return self._flush()
        answered = {t for t in self._checking if self._answers.get(t)}
        duplicated = {t for t, n in self._answers.items() if n > 1}
        if self._check_rounds < 2 and answered != self._checking:
            # Q.921 5.3.3: no answer to the first check request: ask once more.
            self._check_rounds += 1
            for tei in sorted(self._checking - answered):
                self._send(TeiMessage(TeiMessageType.IDENTITY_CHECK_REQUEST, 0, tei))
            self._out.timers[T201] = now + self.params.T201
            return self._flush()
        silent = self._checking - answered
        self._checking, self._answers, self._check_rounds = set(), {}, 0
        # Silent TEIs are free again; a TEI answered twice is used by two terminals
        # and is removed from both (Q.921 5.3.3, 5.8.8).
        for tei in sorted(silent | duplicated):
            if tei in duplicated:
                self._remove(tei)
            else:
                self._free(tei)
        return self._flush()

    def _assign(self, msg: TeiMessage, now: float) -> None:
        if msg.ai != TEI_GROUP:
            # A terminal asking for one value: only "any" (127) is assigned here.
            self._send(TeiMessage(TeiMessageType.IDENTITY_DENIED, msg.ri, msg.ai))
            self.denied += 1
            return
        free = [t for t in self.pool if t not in self.assigned]
        if not free:
            # Q.921 5.3.2: deny; then check who still uses its TEI to reclaim the rest.
            self._send(TeiMessage(TeiMessageType.IDENTITY_DENIED, msg.ri, TEI_GROUP))
            self.denied += 1
            if not self._checking:
                self._start_check(set(self.assigned), TEI_GROUP, now)
            return
        tei = free[0]
        self.assigned.add(tei)
        self._send(TeiMessage(TeiMessageType.IDENTITY_ASSIGNED, msg.ri, tei))
        self._out.indications.append(TeiAssigned(tei))

    def _start_check(self, teis: set[int], ai: int, now: float) -> None:
        teis &= self.assigned
        if not teis:
            return
        self._checking |= teis
        self._answers = {t: n for t, n in self._answers.items() if t in self._checking}
        self._check_rounds = 1
        self._send(TeiMessage(TeiMessageType.IDENTITY_CHECK_REQUEST, 0, ai if len(teis) > 1 else next(iter(teis))))
        self._out.timers[T201] = now + self.params.T201

    def _free(self, tei: int) -> None:
        self.assigned.discard(tei)
        self._out.indications.append(TeiRemoved(tei))

    def _send(self, msg: TeiMessage) -> None:
        self._out.transmit.append(msg.frame(self.side))

    def _flush(self) -> Output:
        out, self._out = self._out, Output()
        return out
