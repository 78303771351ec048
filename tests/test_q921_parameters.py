"""Q.921 system parameters (clause 5.9): defaults, PRI/BRI window, per-link overrides."""

import pytest

from cti_daemon.signalling.isdn.q921 import Parameters, Side
from cti_daemon.signalling.isdn.q921.datalink import DataLink

# Q.921 5.9 (and libpri's pri_default_timers, docs/research/signalling.md 1.3).
DEFAULTS = [("T200", 1.0), ("N200", 3), ("N201", 260), ("N202", 3), ("T201", 1.0), ("T202", 2.0), ("T203", 10.0)]


@pytest.mark.parametrize("name,value", DEFAULTS)
def test_defaults_are_the_recommendation_values(name, value):
    assert getattr(Parameters(), name) == value
    assert getattr(Parameters.basic_rate(), name) == value


def test_window_is_7_on_primary_rate_and_1_on_basic_rate():
    assert Parameters.primary_rate().k == 7  # Q.921 5.9.5
    assert Parameters.basic_rate().k == 1


def test_every_value_can_be_overridden_per_link():
    params = Parameters.primary_rate(T200=0.5, N200=5, T203=30.0, k=3)
    assert (params.T200, params.N200, params.T203, params.k) == (0.5, 5, 30.0, 3)
    assert Parameters.basic_rate(k=2).k == 2
    assert params.replace(N201=300).N201 == 300
    link = DataLink(Side.USER, params)
    assert link.establish_request(0.0).timers == {"T200": 0.5}


@pytest.mark.parametrize("overrides", [
    {"T200": 0}, {"T203": -1.0}, {"T200": "1"}, {"N200": 0}, {"k": 128}, {"k": 0}, {"N201": 0}, {"N202": True},
    {"T201": float("nan")}, {"T202": float("inf")},
])
def test_nonsense_values_are_refused_with_a_clear_error(overrides):
    with pytest.raises(ValueError, match=next(iter(overrides))):
        Parameters(**overrides)
