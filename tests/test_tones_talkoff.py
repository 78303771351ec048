"""Talk-off: the tone detector must not report tones in speech or music.

Requirement: at most one false tone per hour, on the integrator's corpora
(`corpora.speech_corpus()`: about 2 h of espeak-ng Mandarin and English speech;
`corpora.music_corpus()`: about 30 min of synthesised music with sustained notes
at 440 and 466 Hz, inside China's 450 +- 25 Hz band). Both arrive through A-law.
Every plan is run over both; a false tone is any "start" event.
"""

from __future__ import annotations

import numpy as np
import pytest

import corpora
from cti_daemon import dsp

RATE = 8000


@pytest.fixture(scope="module")
def speech():
    return np.ascontiguousarray(corpora.speech_corpus())


@pytest.fixture(scope="module")
def music():
    return np.ascontiguousarray(corpora.music_corpus())


CHANNELS = 64


def false_tones(pcm, plan):
    """Start events over `pcm`, fed in 20 ms (160-sample) blocks as the media
    engine would. To keep that fast the corpus is cut into CHANNELS equal
    pieces, one per channel of a bank, all fed together (each piece starts on a
    fresh detector, as a new call would)."""
    n = pcm.size // CHANNELS // 160 * 160
    pieces = np.ascontiguousarray(pcm[: n * CHANNELS].reshape(CHANNELS, n))
    bank = dsp.ToneDetectorBank(CHANNELS, plan=plan)
    for i in range(0, n, 160):
        bank.process(pieces[:, i:i + 160])
    # The remainder (under 64 blocks of 160) on its own detector.
    rest = dsp.ToneDetector(plan=plan)
    rest.process(pcm[n * CHANNELS:])
    starts = [(name, c * n + sample) for c, name, kind, sample in bank.events() if kind == "start"]
    starts += [(name, n * CHANNELS + sample) for name, kind, sample in rest.events() if kind == "start"]
    return [(name, "start", sample) for name, sample in starts]


_RESULTS: dict = {}


def cached_false_tones(pcm, plan):
    key = (pcm.size, plan)
    if key not in _RESULTS:
        _RESULTS[key] = false_tones(pcm, plan)
    return _RESULTS[key]


@pytest.mark.parametrize("plan", ["cn", "e180", "eu425"])
def test_speech_talk_off(speech, plan):
    hours = speech.size / RATE / 3600
    assert hours >= 2.0
    hits = cached_false_tones(speech, plan)
    assert len(hits) <= hours * 1.0, [(name, round(sample / RATE, 1)) for name, _, sample in hits]


@pytest.mark.parametrize("plan", ["cn", "e180", "eu425"])
def test_music_talk_off(music, plan):
    hours = music.size / RATE / 3600
    assert hours >= 0.5
    hits = cached_false_tones(music, plan)
    assert len(hits) <= hours * 1.0, [(name, round(sample / RATE, 1)) for name, _, sample in hits]


def test_combined_rate(speech, music):
    """All plans over speech and music together: under one false tone per hour of audio."""
    hours = (speech.size + music.size) / RATE / 3600
    total = sum(len(cached_false_tones(x, plan)) for x in (speech, music) for plan in ("cn", "e180", "eu425"))
    assert total / (3 * hours) <= 1.0
