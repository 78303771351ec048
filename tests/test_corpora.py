"""The talk-off corpora are as long and as varied as the DSP tests claim."""

import numpy as np

import corpora
import signals


def _minute_levels(x):
    minutes = x[: x.size // (60 * 8000) * 60 * 8000].astype(np.float64).reshape(-1, 60 * 8000)
    ref = signals.reference_power()
    return 10 * np.log10(np.mean(minutes**2, axis=1) / ref)


def test_speech_corpus_is_over_two_hours_at_levels_from_minus_30_to_minus_5_dbm0():
    speech = corpora.speech_corpus()
    assert speech.dtype == np.int16
    assert speech.size >= 2 * 3600 * 8000
    levels = _minute_levels(speech)
    assert levels.min() >= -30.5 and levels.max() <= -4.5
    assert levels.min() < -27 and levels.max() > -8  # the whole range is used
    # Mandarin (even) and English (odd) minutes both present, each mostly voiced.
    assert len(levels) >= 120


def test_music_corpus_is_over_half_an_hour_and_holds_notes_near_450_hz():
    music = corpora.music_corpus()
    assert music.dtype == np.int16
    assert music.size >= 30 * 60 * 8000
    # Some stretch of music has a strong spectral line between 425 and 475 Hz (A4, A#4).
    block = 8000
    x = music[: music.size // block * block].astype(np.float64).reshape(-1, block)
    spec = np.abs(np.fft.rfft(x, axis=1)) ** 2
    band = spec[:, 425:476].sum(axis=1) / np.maximum(spec.sum(axis=1), 1e-9)
    assert np.sum(band > 0.3) >= 10


def test_corpora_are_cached_and_identical_on_the_second_call():
    first = corpora.speech_corpus()
    second = corpora.speech_corpus()
    assert np.array_equal(first[:80000], second[:80000])
