"""DTMF detector throughput: channels per core with the bank, on speech-like input."""

from __future__ import annotations

import numpy as np
import spandsp_baseline
from harness import Result, channels_per_core, cpu_seconds, speech_like

from cti_daemon import dsp

TARGET = 50_000


def _bank_rate(channels: int, block: int, seconds: float = 2.0) -> float:
    # Each channel gets its own slice of speech-like signal, so blocks differ.
    pcm = speech_like(seconds * channels, dbm0=-20.0).reshape(channels, -1)
    blocks = [np.ascontiguousarray(pcm[:, i:i + block]) for i in range(0, pcm.shape[1] - block + 1, block)]
    bank = dsp.DtmfDetectorBank(channels)
    state = {"i": 0}

    def one_block():
        bank.process(blocks[state["i"]])
        state["i"] = (state["i"] + 1) % len(blocks)

    return channels_per_core(one_block, channels, block)


def run() -> list[Result]:
    g = "DTMF detection (bank, speech-like input at -20 dBm0)"
    out = []
    for block in (160, 16):
        rate = _bank_rate(256, block)
        out.append(Result(g, f"ours, {block}-sample blocks, 256 channels", rate, "channels/core",
                          f">= {TARGET}", rate >= TARGET))
    out += spandsp_baseline.rows(g, "dtmf", "dtmf_rx", speech_like(12.0, dbm0=-20.0))
    # A single detector fed one long array: the kernel's own ceiling.
    pcm = speech_like(60.0, dbm0=-20.0)
    det = dsp.DtmfDetector()
    per = cpu_seconds(lambda: det.process(pcm))
    out.append(Result(g, "ours, one detector, 60 s per call", pcm.size / per / 8000, "channels/core"))
    return out


if __name__ == "__main__":
    for r in run():
        print(r)
