"""Basic rate point-to-multipoint against libpri (pri_new_bri_cb, EuroISDN): TEI
management and the data link with window k = 1, in both roles (libpri NT against our
terminal `ptmp.UserTerminal`, libpri TE against our `ptmp.NetworkBus`). Real time, short.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import tshark
from libpri_peer import Interop, LibpriPeer, build_peer

from cti_daemon.signalling.isdn.q921 import DlDataIndication, DlEstablishConfirm, DlEstablishIndication, State
from cti_daemon.signalling.isdn.q921.ptmp import NetworkBus, UserTerminal
from cti_daemon.signalling.isdn.q921.tei import TeiAssigned
from cti_daemon.signalling.isdn.q931 import CallReference, Direction, Message, MessageType, decode_message
from cti_daemon.signalling.trace.pcap import LINKTYPE_LINUX_LAPD, PcapWriter


EXPERT_ERROR = "8388608"  # tshark's expert severity "error"
BRI_CALL_REFERENCE_LENGTH = 1  # Q.931 4.3: one octet on a basic rate access
AUTOMATIC_TEIS = range(64, 127)  # Q.921 5.3.1: automatic TEI assignment, 64-126


@pytest.fixture(scope="module")
def peer_binary(tmp_path_factory):
    assert tshark.available(), "tshark is missing (scripts/setup.sh installs it)"
    return build_peer(tmp_path_factory.mktemp("libpri_peer"))


@contextmanager
def bus(binary, role, path):
    """libpri NT with our terminal (role "network") or libpri TE with our network side
    (role "cpe") on one point-to-multipoint D-channel, traced to `path`."""
    endpoint = UserTerminal() if role == "network" else NetworkBus()
    with PcapWriter.open(path, LINKTYPE_LINUX_LAPD) as trace, LibpriPeer(binary, role, bri="ptmp") as peer:
        interop = Interop(endpoint, peer, side=endpoint.side, trace=trace)
        if role == "network":
            interop.do(endpoint.establish_request)  # our terminal asks for a TEI, then SABME
        # libpri TE asks for its TEI and sends SABME as it starts.
        assert interop.run_until(lambda: interop.received(DlEstablishConfirm) or interop.received(DlEstablishIndication),
                                 3.0), peer.events
        assert interop.run_until(lambda: peer.events_named("dchan_up"), 1.0)
        yield interop


def assert_clean(interop: Interop, path, *fields: str) -> list[list[str]]:
    assert interop.peer.errors() == []
    rows = tshark.fields(path, "_ws.expert.severity", "_ws.malformed", *fields)
    assert len(rows) == interop.trace.frames == len(interop.sent_frames) + len(interop.received_frames)
    assert [r for r in rows if r[1] or EXPERT_ERROR in r[0].split(",")] == []
    return [r[2:] for r in rows]


@pytest.mark.parametrize("role", ["network", "cpe"], ids=["libpri-nt-vs-our-terminal", "libpri-te-vs-our-network"])
def test_tei_is_assigned_and_the_link_comes_up_on_it(peer_binary, role, tmp_path):
    path = tmp_path / "tei.pcap"
    with bus(peer_binary, role, path) as interop:
        interop.run_for(0.1)
        endpoint = interop.endpoint
    assigned = interop.received(TeiAssigned)
    assert len(assigned) == 1 and assigned[0].tei in AUTOMATIC_TEIS
    tei = assigned[0].tei
    if role == "network":
        assert endpoint.tei == tei and endpoint.link.state is State.MULTIPLE_FRAME_ESTABLISHED
        assert interop.received(DlEstablishConfirm) == [DlEstablishConfirm(tei)]
    else:
        assert list(endpoint.links) == [tei]
        assert endpoint.links[tei].state is State.MULTIPLE_FRAME_ESTABLISHED
        assert interop.received(DlEstablishIndication) == [DlEstablishIndication(tei)]
    rows = assert_clean(interop, path, "tei.msg", "tei.action", "lapd.tei", "lapd.control.u_modifier_cmd",
                        "lapd.control.u_modifier_resp")
    management = [r[:2] for r in rows if r[0]]
    # Q.921 5.3.2 / Table 8: Identity request (1) with Ai = 127, Identity assigned (2) with
    # Ai = the TEI. (libpri NT first removes every TEI, Identity remove (6) Ai = 127.)
    requests = [r for r in management if r[0] == "1"]
    assert requests == [["1", "127"]]
    assert [r for r in management if r[0] == "2"] == [["2", str(tei)]]
    assert management.index(["1", "127"]) < management.index(["2", str(tei)])
    link = [r[2:] for r in rows if not r[0]]
    assert link == [[str(tei), "0x1b", ""], [str(tei), "", "0x18"]]  # SABME, UA on the assigned TEI


@pytest.mark.parametrize("role", ["network", "cpe"], ids=["libpri-nt-vs-our-terminal", "libpri-te-vs-our-network"])
def test_i_frames_with_window_of_one_are_acknowledged(peer_binary, role, tmp_path):
    path = tmp_path / "bri_i.pcap"
    count = 5
    with bus(peer_binary, role, path) as interop:
        endpoint = interop.endpoint
        tei = interop.received(TeiAssigned)[0].tei
        link = endpoint.link if role == "network" else endpoint.links[tei]
        for value in range(1, count + 1):
            octets = Message(MessageType.STATUS_ENQUIRY, CallReference(value, BRI_CALL_REFERENCE_LENGTH)).encode()
            if role == "network":
                interop.do(lambda now, o=octets: endpoint.data_request(o, now))
            else:
                interop.do(lambda now, o=octets: endpoint.data_request(tei, o, now))
        assert (link.vs - link.va) % 128 == 1  # k = 1 on basic access (Q.921 5.9.5): one at a time
        assert interop.run_until(lambda: len(interop.received(DlDataIndication)) == count and link.va == link.vs,
                                 3.0)
        interop.run_for(0.05)
    assert link.stats["i_sent"] == link.stats["i_acknowledged"] == count
    assert link.stats["t200_expiries"] == 0 and link.mdl_errors == {}
    direction = Direction.NETWORK_TO_USER if role == "network" else Direction.USER_TO_NETWORK
    answers = [decode_message(d.data, call_reference_length=BRI_CALL_REFERENCE_LENGTH, direction=direction)
               for d in interop.received(DlDataIndication)]
    assert [a.report.findings for a in answers] == [[]] * count
    assert [a.message.call_reference for a in answers] == \
        [CallReference(v, BRI_CALL_REFERENCE_LENGTH, flag=True) for v in range(1, count + 1)]
    rows = assert_clean(interop, path, "q931.message_type", "q931.call_ref_len")
    q931 = [r for r in rows if r[0]]
    assert sorted(q931) == [["0x5a", "1"]] * count + [["0x75", "1"]] * count  # RELEASE COMPLETE, STATUS ENQUIRY
