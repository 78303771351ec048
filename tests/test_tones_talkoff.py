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


def false_tones(pcm, plan):
    det = dsp.ToneDetector(plan=plan)
    # Fed in 20 ms blocks as the media engine would.
    step = 160 * 500
    for i in range(0, pcm.size, step):
        det.process(pcm[i:i + step])
    return [e for e in det.events() if e[1] == "start"]


@pytest.mark.parametrize("plan", ["cn", "e180", "eu425"])
def test_speech_talk_off(speech, plan):
    hours = speech.size / RATE / 3600
    assert hours >= 2.0
    hits = false_tones(speech, plan)
    assert len(hits) <= hours * 1.0, [(name, round(sample / RATE, 1)) for name, _, sample in hits]


@pytest.mark.parametrize("plan", ["cn", "e180", "eu425"])
def test_music_talk_off(music, plan):
    hours = music.size / RATE / 3600
    assert hours >= 0.5
    hits = false_tones(music, plan)
    assert len(hits) <= hours * 1.0, [(name, round(sample / RATE, 1)) for name, _, sample in hits]


def test_combined_rate(speech, music):
    """All plans over speech and music together: under one false tone per hour of audio."""
    hours = (speech.size + music.size) / RATE / 3600
    total = sum(len(false_tones(x, plan)) for x in (speech, music) for plan in ("cn", "e180", "eu425"))
    assert total / (3 * hours) <= 1.0
