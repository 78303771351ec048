"""The parts of Q.931 call control: timer tables per side (Q.931 Tables 9-1, 9-2),
channel selection and hunting (5.1.2, 5.2.3), number completeness, state names."""

import dataclasses

import pytest

from cti_daemon.signalling.isdn.q931.calls import (
    ChannelPool,
    GlobalState,
    Hunting,
    NetworkState,
    NumberCompleteness,
    Timers,
    UserState,
)
from cti_daemon.signalling.isdn.q931.ies import BriChannel, CallStateValue, ChannelIdentification

NETWORK_DEFAULTS = {  # Q.931 Table 9-1 (EN 300 403-1 clause 9)
    "T301": 180.0, "T302": 15.0, "T303": 4.0, "T304": 20.0, "T305": 30.0, "T306": 30.0, "T307": 180.0,
    "T308": 4.0, "T309": 90.0, "T310": 10.0, "T312": 6.0, "T314": 4.0, "T316": 120.0, "T317": 60.0,
    "T322": 4.0,
}
USER_DEFAULTS = {  # Q.931 Table 9-2
    "T301": 180.0, "T302": 15.0, "T303": 4.0, "T304": 30.0, "T305": 30.0, "T308": 4.0, "T309": 90.0,
    "T310": 30.0, "T313": 4.0, "T314": 4.0, "T316": 120.0, "T317": 60.0, "T318": 4.0, "T319": 4.0,
    "T322": 4.0,
}


@pytest.mark.parametrize("name, value", sorted(NETWORK_DEFAULTS.items()))
def test_network_timer_defaults(name, value):
    assert getattr(Timers.network(), name) == value


@pytest.mark.parametrize("name, value", sorted(USER_DEFAULTS.items()))
def test_user_timer_defaults(name, value):
    assert getattr(Timers.user(), name) == value


def test_timer_overrides_per_span():
    assert Timers.user().N316 == 2
    assert Timers.network().T312 == Timers.network().T303 + 2.0
    t = Timers.network(T303=5.0, T309=30.0)
    assert (t.T303, t.T312, t.T309) == (5.0, 7.0, 30.0)
    assert Timers.network(T303=5.0, T312=9.0).T312 == 9.0
    with pytest.raises(ValueError):
        Timers.user(T305=0)
    with pytest.raises(TypeError):
        Timers.user(T999=1.0)
    assert all(f.name.startswith(("T", "N", "in_band")) for f in dataclasses.fields(Timers))


def test_state_names_and_numbers_match_the_call_state_ie():
    assert [s.name for s in UserState] == ["U0", "U1", "U2", "U3", "U4", "U6", "U7", "U8", "U9", "U10", "U11",
                                           "U12", "U15", "U17", "U19", "U25"]
    assert "N22" in NetworkState.__members__
    for s in list(UserState) + list(NetworkState):
        assert CallStateValue(s.value).value == s.value
    assert [int(g) for g in GlobalState] == [0, 61, 62]


def test_e1_pool_never_offers_timeslot_16_and_hunts_each_way():
    up, down = ChannelPool.e1(Hunting.ASCENDING), ChannelPool.e1(Hunting.DESCENDING)
    assert 16 not in up.channels and len(up.channels) == 30
    assert up.hunt() == 1 and down.hunt() == 31
    up.reserve(1, "a")
    assert up.hunt() == 2
    with pytest.raises(ValueError):
        up.reserve(1, "b")
    up.release(1, "b")  # not the owner: nothing happens
    assert up.reserved() == [1]
    up.release(1, "a")
    assert up.reserved() == []


E1 = ChannelIdentification.e1


@pytest.mark.parametrize("busy, requested, channel, cause", [
    ((), None, 1, None),  # no channel IE: any
    ((), E1(), 1, None),  # "any channel"
    ((), E1(5, exclusive=True), 5, None),
    ((5,), E1(5, exclusive=True), None, 44),  # exclusive and busy: cause 44
    ((5,), E1(5, exclusive=False), 1, None),  # preferred and busy: another
    (tuple(range(1, 16)) + tuple(range(17, 32)), E1(5, exclusive=False), None, 34),  # nothing free: 34
    (tuple(range(1, 16)) + tuple(range(17, 32)), None, None, 34),
    ((), ChannelIdentification.bri(BriChannel.B1), None, 82),  # a BRI channel on an E1: does not exist
])
def test_channel_selection_table(busy, requested, channel, cause):
    pool = ChannelPool.e1()
    for c in busy:
        pool.reserve(c, c)
    result = pool.select(requested)
    assert (result.channel, None if result.cause is None else int(result.cause)) == (channel, cause)


def test_bri_pool_b1_b2():
    pool = ChannelPool.bri(Hunting.DESCENDING)
    assert pool.hunt() == 2
    assert pool.select(ChannelIdentification.bri(BriChannel.B1, exclusive=True)).channel == 1
    pool.reserve(1, "x")
    assert int(pool.select(ChannelIdentification.bri(BriChannel.B1, exclusive=True)).cause) == 44
    assert pool.identification(2) == ChannelIdentification.bri(BriChannel.B2, exclusive=True)


@pytest.mark.parametrize("lengths, digits, sending_complete, now, at_t302", [
    ({"1": 11, "10": 5}, "10086", False, True, True),  # longest prefix wins: 5
    ({"1": 11, "10": 5}, "1380013", False, False, False),
    ({"1": 11}, "13800138000", False, True, True),
    ({"1": 11}, "138", True, True, False),  # sending complete
    ({}, "95588", False, True, True),  # unknown: en bloc by default
    ({}, "", False, True, False),
])
def test_number_completeness(lengths, digits, sending_complete, now, at_t302):
    n = NumberCompleteness(lengths)
    assert n.complete_now(digits, sending_complete) is now
    assert n.complete_at_t302(digits) is at_t302
