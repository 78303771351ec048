"""Hypothesis fuzz of the Q.931 decoders and the reassembler: no exception other than
Q931DecodeError, ever; what decodes re-encodes; the reassembler is never left in an
undefined state. Bounded (max_examples) so the file runs in seconds."""

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cti_daemon.signalling.isdn.q931 import Q931DecodeError, decode_message
from cti_daemon.signalling.isdn.q931.ies import TYPED_IES, RawIE, decode_ie
from cti_daemon.signalling.isdn.q931.segmentation import (
    MessageReady,
    Reassembler,
    ReassemblyState,
    SegmentsDiscarded,
    segment,
)
from q931_samples import SAMPLES

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VALID = [m.encode() for m in SAMPLES.values()]
HEADERS = [b"\x08\x02\x00\x01", b"\x08\x01\x05", b"\x08\x00", b"\x08\x02\x80\x00"]


def _decode_or_documented_error(data: bytes, **kw):
    try:
        return decode_message(data, **kw)
    except Q931DecodeError as e:
        assert e.kind.clause in str(e)
        return None


def _check_decoded(data: bytes):
    decoded = _decode_or_documented_error(data)
    if decoded is None:
        return
    for f in decoded.report.findings:
        assert f.detail and f.kind.clause
    again = decoded.message.encode()  # whatever decodes can be encoded
    second = _decode_or_documented_error(again)
    assert second is not None
    # A truncated IE is re-encoded whole, then its spare bits are normalised: after two
    # passes the encoding is a fixed point.
    twice = second.message.encode()
    third = _decode_or_documented_error(twice)
    assert third is not None and third.message.encode() == twice


@FUZZ
@given(st.binary(max_size=300))
def test_random_octets(data):
    _check_decoded(data)


@FUZZ
@given(st.sampled_from(HEADERS), st.integers(0, 255), st.binary(max_size=200))
def test_random_ies_after_a_valid_header(header, message_type, body):
    _check_decoded(header + bytes([message_type]) + body)


@st.composite
def mutated(draw):
    data = bytearray(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "set":
            data[i] = draw(st.integers(0, 255))
        elif op == "insert":
            data.insert(i, draw(st.integers(0, 255)))
        elif op == "delete":
            del data[i]
        else:
            del data[i:]
    return bytes(data)


@FUZZ
@given(mutated())
def test_mutations_of_valid_messages(data):
    _check_decoded(data)


@FUZZ
@given(st.sampled_from(sorted(TYPED_IES)), st.binary(max_size=40))
def test_every_ie_decoder_is_a_fixed_point_or_reports(identifier, content):
    ie = decode_ie(identifier, content)
    if isinstance(ie, RawIE):
        assert ie.error and ie.content == content
    else:
        # Spare bits are sent as 0 (Q.931 4.5.1) and ignored on receipt, so a typed IE may
        # re-encode them as 0; otherwise it keeps every field it was given.
        again = ie.encode_content()
        assert len(again) == len(content)
        assert decode_ie(identifier, again) == ie


@st.composite
def reassembly_inputs(draw):
    segs = segment(draw(st.sampled_from(LONG)), max_length=draw(st.sampled_from([120, 200, 260])))
    events = []
    for _ in range(draw(st.integers(1, 14))):
        kind = draw(st.sampled_from(["segment", "segment", "mutated", "other", "expire", "garbage"]))
        if kind == "segment":
            events.append(("rx", draw(st.sampled_from(segs))))
        elif kind == "mutated":
            seg = bytearray(draw(st.sampled_from(segs)))
            i = draw(st.integers(0, min(len(seg) - 1, 10)))
            seg[i] = draw(st.integers(0, 255))
            events.append(("rx", bytes(seg)))
        elif kind == "other":
            events.append(("rx", draw(st.sampled_from(VALID))))
        elif kind == "garbage":
            events.append(("rx", draw(st.binary(max_size=12))))
        else:
            events.append(("expire", None))
    return events


def _long_messages():
    from test_q931_segmentation import long_setup
    return [long_setup(4), long_setup(8)]


LONG = _long_messages()


@FUZZ
@given(reassembly_inputs())
def test_reassembler_never_fails_and_keeps_t314_consistent(events):
    r = Reassembler()
    t314: float | None = None
    now = 0.0
    for what, data in events:
        now += 0.5
        out = r.expire("T314", now) if what == "expire" else r.receive(data, now)
        assert out.transmit == []
        for ind in out.indications:
            assert isinstance(ind, (MessageReady, SegmentsDiscarded))
        if "T314" in out.timers:
            t314 = out.timers["T314"]
            assert t314 is None or (math.isfinite(t314) and t314 > now)
        assert r.state in ReassemblyState
        # T314 runs exactly while a segmented message is being received.
        assert (t314 is not None) == (r.state is ReassemblyState.RECEIVING_SEGMENTED_MESSAGE)


# Every IE we can build, from random valid field values: encode then decode gives it back.
from cti_daemon.signalling.isdn.q931 import CallReference, Message, MessageType  # noqa: E402
from cti_daemon.signalling.isdn.q931.ies import (  # noqa: E402
    E1_B_CHANNELS,
    BearerCapability,
    BriChannel,
    CalledPartyNumber,
    CallingPartyNumber,
    CallState,
    CallStateValue,
    Cause,
    CauseValue,
    ChannelIdentification,
    DateTime,
    Display,
    HighLayerCharacteristics,
    HighLayerCompatibility,
    InformationTransferCapability,
    KeypadFacility,
    Location,
    LowLayerCompatibility,
    NumberingPlan,
    Presentation,
    ProgressDescription,
    ProgressIndicator,
    RedirectingNumber,
    RedirectionReason,
    RestartClass,
    RestartIndicator,
    Screening,
    Signal,
    SignalValue,
    TypeOfNumber,
    UserInfoLayer1,
    UserUser,
)

digits = st.text(alphabet="0123456789*#", max_size=20)
pres_screen = st.one_of(st.tuples(st.none(), st.none()),
                        st.tuples(st.sampled_from(Presentation), st.sampled_from(Screening)))


@st.composite
def calling_numbers(draw):
    p, s = draw(pres_screen)
    return CallingPartyNumber(draw(digits), draw(st.sampled_from(TypeOfNumber)), draw(st.sampled_from(NumberingPlan)), p, s)


@st.composite
def redirecting_numbers(draw):
    p, s = draw(pres_screen)
    reason = draw(st.sampled_from(RedirectionReason)) if p is not None and draw(st.booleans()) else None
    return RedirectingNumber(draw(digits), draw(st.sampled_from(TypeOfNumber)), draw(st.sampled_from(NumberingPlan)),
                             p, s, reason)


BUILT_IES = st.one_of(
    st.builds(BearerCapability, st.sampled_from(InformationTransferCapability),
              st.one_of(st.none(), st.sampled_from(UserInfoLayer1))),
    st.builds(LowLayerCompatibility, st.sampled_from(InformationTransferCapability),
              st.one_of(st.none(), st.sampled_from(UserInfoLayer1)), out_band_negotiation=st.one_of(st.none(), st.booleans())),
    st.builds(HighLayerCompatibility, st.sampled_from(HighLayerCharacteristics),
              st.one_of(st.none(), st.integers(0, 0x7F))),
    st.lists(st.sampled_from(E1_B_CHANNELS), min_size=0, max_size=5, unique=True).flatmap(
        lambda ts: st.builds(lambda ex: ChannelIdentification.e1(*ts, exclusive=ex), st.booleans())),
    st.builds(ChannelIdentification.bri, st.sampled_from(BriChannel), st.booleans()),
    st.builds(Cause, st.sampled_from(CauseValue), st.sampled_from(Location), st.binary(max_size=8),
              recommendation=st.one_of(st.none(), st.integers(0, 0x7F))),
    st.builds(ProgressIndicator, st.sampled_from(ProgressDescription), st.sampled_from(Location)),
    st.builds(CallState, st.sampled_from(CallStateValue)),
    st.builds(RestartIndicator, st.sampled_from(RestartClass)),
    st.builds(Signal, st.sampled_from(SignalValue)),
    st.builds(Display, st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=80)),
    st.builds(KeypadFacility, st.text(alphabet="0123456789*#", min_size=1, max_size=32)),
    st.builds(DateTime, st.integers(0, 99), st.integers(1, 12), st.integers(1, 31), st.integers(0, 23),
              st.integers(0, 59), st.one_of(st.none(), st.integers(0, 59))),
    st.builds(CalledPartyNumber, digits, st.sampled_from(TypeOfNumber), st.sampled_from(NumberingPlan)),
    calling_numbers(),
    redirecting_numbers(),
    st.builds(UserUser, st.binary(max_size=128), st.integers(0, 255)),
)


@FUZZ
@given(BUILT_IES)
def test_every_ie_we_build_round_trips(ie):
    data = ie.encode()
    assert decode_ie(data[0], data[2:]) == ie


@FUZZ
@given(st.sampled_from(list(MessageType)), st.lists(BUILT_IES, max_size=8), st.integers(0, 0x7FFF), st.booleans())
def test_every_message_we_build_round_trips(message_type, ies, value, flag):
    # IEs in ascending identifier order (Q.931 4.5.1), as our builders send them.
    ies = sorted(ies, key=lambda ie: ie.IDENTIFIER)
    message = Message(message_type, CallReference(value, 2, flag), ies)
    data = message.encode()
    decoded = decode_message(data)
    assert decoded.message == message and decoded.message.encode() == data
    assert all(f.kind.name in ("IE_REPEATED", "MANDATORY_IE_MISSING") for f in decoded.report.findings)
