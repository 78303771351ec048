"""DTMF talk-off: speech and music must not be taken for digits.

Requirement: at most 1 false digit per hour, on more than 2 hours of varied
speech (espeak-ng, Mandarin and English voices, -30 to -5 dBm0) and on 30
minutes of synthesised music (sustained notes with harmonics, chords, notes
within 1 % of DTMF frequencies). Both corpora come from `tests/corpora.py`,
already through A-law. The whole corpus goes through one detector, and again
through a bank in 160-sample blocks (the media engine's way), which must agree.
"""

from __future__ import annotations

import numpy as np
import pytest

import corpora
from cti_daemon import dsp


def _false_digits(pcm: np.ndarray) -> tuple[str, list]:
    det = dsp.DtmfDetector()
    digits = det.process(np.ascontiguousarray(pcm, dtype=np.int16))
    det.flush()
    return digits, det.events()


@pytest.mark.parametrize("name,min_hours", [("speech", 2.0), ("music", 0.5)])
def test_talk_off_at_most_one_per_hour(name, min_hours):
    pcm = corpora.speech_corpus() if name == "speech" else corpora.music_corpus()
    hours = pcm.size / 8000 / 3600
    assert hours >= min_hours
    digits, events = _false_digits(pcm)
    where = [(d, round(s / 8000, 2)) for d, s, _ in events]
    assert len(digits) <= hours * 1.0, f"{len(digits)} false digits in {hours:.2f} h: {where}"


def test_talk_off_bank_agrees_with_single_detector():
    # Ten minutes of speech cut into 4 channels, fed in 160-sample blocks.
    pcm = np.ascontiguousarray(corpora.speech_corpus()[: 4 * 8000 * 150], dtype=np.int16)
    block = pcm.reshape(4, -1)
    bank = dsp.DtmfDetectorBank(4)
    got = []
    for i in range(0, block.shape[1], 160):
        got += bank.process(block[:, i:i + 160])
    expect = []
    for ch in range(4):
        det = dsp.DtmfDetector()
        expect += [(ch, d) for d in det.process(block[ch])]
    assert sorted(got) == sorted(expect)
