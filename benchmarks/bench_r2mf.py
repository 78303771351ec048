"""R2 MF detection throughput: channels per core with the bank on speech-like input."""

from __future__ import annotations

import numpy as np
import spandsp_baseline
from harness import Result, channels_per_core, speech_like

from cti_daemon import dsp

CHANNELS = 512
TARGET = 50_000  # channels per core; SpanDSP 0.0.6 r2_mf_rx is about 20 000


def _bank_runner(direction: str, block: int):
    """A process_block() that feeds successive blocks of speech-like input to every channel."""
    seconds = 4.0
    pcm = speech_like(seconds, dbm0=-20.0, seed=3)
    n = pcm.size // block * block
    # Each channel starts at its own offset into the speech so channels differ.
    offsets = (np.arange(CHANNELS) * 997) % n
    rows = np.stack([np.roll(pcm[:n], -int(o)) for o in offsets])
    blocks = [np.ascontiguousarray(rows[:, i : i + block]) for i in range(0, n, block)]
    bank = dsp.R2DetectorBank(CHANNELS, direction)
    state = {"i": 0}

    def process_block():
        i = state["i"]
        bank.process(blocks[i])
        state["i"] = (i + 1) % len(blocks)

    return process_block


def run() -> list[Result]:
    out = []
    g = f"R2 MF detection (R2DetectorBank, {CHANNELS} channels, speech-like input)"
    for direction in ("forward", "backward"):
        for block in (160, 16):
            cpc = channels_per_core(_bank_runner(direction, block), CHANNELS, block)
            out.append(Result(g, f"ours, {direction}, {block}-sample blocks", cpc, "channels/core",
                              f">= {TARGET}", cpc >= TARGET))
    for direction in ("forward", "backward"):
        out += spandsp_baseline.rows(g, f"r2_{direction}", f"r2_mf_rx, {direction}", speech_like(12.0, dbm0=-20.0))
    # For reference: one R2Detector per channel (no lanes), Python loop over channels.
    pcm = speech_like(4.0, dbm0=-20.0, seed=3)
    singles = [dsp.R2Detector("forward") for _ in range(64)]
    frames = [pcm[i : i + 160] for i in range(0, pcm.size - 159, 160)]
    state = {"i": 0}

    def single_block():
        frame = frames[state["i"]]
        for d in singles:
            d.process(frame)
        state["i"] = (state["i"] + 1) % len(frames)

    cpc = channels_per_core(single_block, len(singles), 160)
    out.append(Result(g, "single R2Detector per channel, 160-sample blocks", cpc, "channels/core",
                      note="includes one Python call per channel per block"))
    return out


if __name__ == "__main__":
    for r in run():
        print(f"{r.name}: {r.value:,.0f} {r.unit} (target {r.target}, met {r.met})")
