"""tshark as the independent oracle for the messages call control builds: end-to-end
scenarios traced to pcap (LINKTYPE_LINUX_LAPD, at the user side, both directions) must
dissect with zero malformed packets, every Q.931 message as the message type, call
reference, flag, cause, channel, progress and call state we meant, and in the expected
sequence."""

import pytest

import tshark
from cti_daemon.signalling.isdn.q931 import decode_message
from cti_daemon.signalling.isdn.q931.calls import NumberCompleteness
from cti_daemon.signalling.isdn.q931.ies import CallState, Cause, ChannelIdentification, ProgressIndicator, \
    RestartIndicator
from cti_daemon.signalling.trace import LINKTYPE_LINUX_LAPD, PcapWriter
from q931_pair import NETWORK, USER, Pair

N, U = NETWORK, USER


def meant(data: bytes) -> list[str]:
    """What a Q.931 message is, in tshark's field formats."""
    m = decode_message(data).message
    cause, ch, pi, cs, ri = (m.get(k) for k in (Cause, ChannelIdentification, ProgressIndicator, CallState,
                                                RestartIndicator))
    return [
        f"0x{int(m.message_type):02x}",
        m.call_reference.value.to_bytes(m.call_reference.length, "big").hex(), "1" if m.call_reference.flag else "0",
        str(int(cause.value)) if cause else "", ",".join(str(c) for c in ch.channels) if ch and ch.channels else "",
        f"0x{int(pi.description):02x}" if pi else "", f"0x{int(cs.value):02x}" if cs else "",
        f"0x{int(ri.restart_class):02x}" if ri else "",
    ]


FIELDS = ("q931.message_type", "q931.call_ref", "q931.call_ref_flag", "q931.cause_value", "q931.channel.number",
          "q931.progress_indicator.description", "q931.call_state", "q931.restart_indicator")


def scenario_calls(p):
    c = p.outgoing(U, "95588", calling="13800138000")
    p.run()
    n = p.call_on(N)
    p.do(N, "progress_request", n, 1)
    p.do(N, "alerting_request", n, progress=8)
    p.do(N, "connect_request", n)
    p.run()
    p.do(U, "disconnect_request", c, 16)
    p.run()
    n = p.outgoing(N, "8001")
    p.run()
    p.do(U, "disconnect_request", p.call_on(U), 17)  # busy
    c = p.outgoing(U, "95588")
    p.run()
    p.do(N, "disconnect_request", p.call_on(N), 1, in_band=True)  # vacant number, announcement
    p.run(5.0)
    p.do(U, "release_request", c)
    p.run()


def scenario_overlap_restart_status(p):
    p.user.layer3.numbering = NumberCompleteness({"9": 8})
    n = p.outgoing(N, "9", sending_complete=False)
    p.run()
    p.do(N, "info_request", n, "1234567")
    p.run()
    p.do(U, "connect_request", p.call_on(U))
    p.run()
    p.user.layer3._status_enquiry(p.user.layer3.by_id[p.call_on(U)], p.wire.now)
    p.wire.apply(U, p.user._up(p.user.layer3._flush(), p.wire.now))
    p.run()
    p.do(N, "restart_request", (1,))
    p.run()
    p.inject(N, bytes([0x08, 0x02, 0x00, 0x33, 0x41]))  # unknown message type on an unknown call: 81
    p.run()


@pytest.mark.parametrize("scenario", [scenario_calls, scenario_overlap_restart_status])
def test_traced_scenario_dissects_as_meant(tmp_path, scenario):
    path = tmp_path / f"{scenario.__name__}.pcap"
    with PcapWriter.open(path, LINKTYPE_LINUX_LAPD) as trace:
        p = Pair(trace=trace).up()
        scenario(p)
    assert tshark.malformed(path) == 0
    rows = [r for r in tshark.fields(path, *FIELDS) if r[0]]
    sent_by_user = [meant(d) for who, d in p.sent if who == U]
    sent_by_network = [meant(d) for who, d in p.sent if who == N]
    # The user side's trace holds every message of both sides; per sender, in order.
    dirs = [r[0] for r in tshark.fields(path, "lapd.direction", "q931.message_type") if r[1]]
    assert len(rows) == len(p.sent) == len(dirs)
    from_user = [r for r, d in zip(rows, dirs) if d == "0"]
    from_network = [r for r, d in zip(rows, dirs) if d == "1"]
    assert from_user == sent_by_user
    assert from_network == sent_by_network
