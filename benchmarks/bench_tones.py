"""Call-progress / fax / answer tone detection and voice activity detection:
channels per core with the batch forms, on speech-like input."""

from __future__ import annotations

import numpy as np
from harness import Result, channels_per_core, speech_like

from cti_daemon import dsp

import spandsp_baseline

CHANNELS = 1000
TARGET = 50_000


def _noise(seconds: float) -> np.ndarray:
    """Continuous speech-band noise at -20 dBm0: no pauses, so every block is analysed."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal(int(seconds * 8000)) * 16139.0 * 10 ** (-20 / 20)
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def _blocks(block: int, seconds: float = 4.0, source=speech_like):
    """`seconds` of audio on CHANNELS channels, cut into (CHANNELS, block) arrays.
    Channels start at different points of the signal so that their branches differ."""
    src = source(seconds + 8.0)
    n = int(seconds * 8000) // block * block
    offsets = (np.arange(CHANNELS) * 7919) % (src.size - n)
    full = np.stack([src[o:o + n] for o in offsets])
    return [np.ascontiguousarray(full[:, i:i + block]) for i in range(0, n, block)]


def _rate(make_bank, block: int, source=speech_like) -> float:
    blocks = _blocks(block, source=source)
    bank = make_bank()
    state = {"i": 0}

    def step():
        bank.process(blocks[state["i"] % len(blocks)])
        state["i"] += 1

    return channels_per_core(step, CHANNELS, block, min_seconds=0.5)


def run() -> list[Result]:
    out = []
    g = "Call-progress / SIT / fax / answer tone detection (ToneDetectorBank, speech-like input)"
    for plan in ("cn", "e180"):
        for block in (160, 16):
            v = _rate(lambda: dsp.ToneDetectorBank(CHANNELS, plan=plan), block)
            out.append(Result(g, f"plan {plan}, {block}-sample blocks", v, "channels/core",
                              f">= {TARGET}", v >= TARGET))
    out += spandsp_baseline.rows(g, "tones_cn", "super_tone_rx (China set)", speech_like(12.0))
    v = _rate(lambda: dsp.ToneDetectorBank(CHANNELS, plan="cn"), 160, source=_noise)
    out.append(Result(g, "plan cn, 160-sample blocks, worst case (no pauses)", v, "channels/core",
                      note="continuous noise at -20 dBm0: every block analysed"))
    g = "Voice activity detection (VoiceDetectorBank, speech-like input)"
    for block in (160, 16):
        v = _rate(lambda: dsp.VoiceDetectorBank(CHANNELS), block)
        out.append(Result(g, f"{block}-sample blocks", v, "channels/core"))
    return out


if __name__ == "__main__":
    for r in run():
        print(f"{r.group[:40]:40s} {r.name:28s} {r.value:12.0f} {r.unit} {r.target} {r.met}")
