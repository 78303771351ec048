"""The test-signal helpers measure what they claim, so every level-based test rests on them."""

import numpy as np

from signals import amplitude, power_dbm0, through_alaw, tone, white_noise


def test_milliwatt_amplitudes():
    assert abs(amplitude(0.0, "alaw") - 22824) < 30
    assert abs(amplitude(0.0, "ulaw") - 22651) < 30


def test_tone_and_noise_levels():
    rng = np.random.default_rng(1)
    assert abs(power_dbm0(tone([1000], -10.0, 1000)) + 10.0) < 0.01
    # Two tones at -10 dBm0 each carry -7 dBm0 together.
    assert abs(power_dbm0(tone([697, 1209], -10.0, 1000, rng=rng)) + 6.99) < 0.05
    assert abs(power_dbm0(white_noise(-30.0, 80000, rng)) + 30.0) < 0.05


def test_alaw_line_keeps_level():
    x = through_alaw(tone([1004], -20.0, 1000))
    assert x.dtype == np.int16
    assert abs(power_dbm0(x) + 20.0) < 0.1
