"""G.711 encode and decode throughput, beside CPython's audioop."""

from __future__ import annotations

import warnings

from harness import Result, cpu_seconds, speech_like

from cti_daemon import dsp

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop


def run() -> list[Result]:
    pcm = speech_like(100.0)  # 800 000 samples
    n = pcm.size
    raw = pcm.tobytes()
    codes = dsp.alaw_encode(pcm)
    out = []
    ours_enc = n / cpu_seconds(lambda: dsp.alaw_encode(pcm)) / 1e6
    base_enc = n / cpu_seconds(lambda: audioop.lin2alaw(raw, 2)) / 1e6
    ours_uenc = n / cpu_seconds(lambda: dsp.ulaw_encode(pcm)) / 1e6
    base_uenc = n / cpu_seconds(lambda: audioop.lin2ulaw(raw, 2)) / 1e6
    ours_dec = n / cpu_seconds(lambda: dsp.alaw_decode(codes)) / 1e6
    base_dec = n / cpu_seconds(lambda: audioop.alaw2lin(codes.tobytes(), 1)) / 1e6
    g = "G.711 (speech-like input, 100 s per call)"
    out.append(Result(g, "A-law encode, ours", ours_enc, "Msample/s", ">= 1000 and >= 10x audioop",
                      ours_enc >= 1000 and ours_enc >= 10 * base_enc))
    out.append(Result(g, "A-law encode, audioop", base_enc, "Msample/s"))
    out.append(Result(g, "mu-law encode, ours", ours_uenc, "Msample/s", ">= 1000 and >= 10x audioop",
                      ours_uenc >= 1000 and ours_uenc >= 10 * base_uenc))
    out.append(Result(g, "mu-law encode, audioop", base_uenc, "Msample/s"))
    out.append(Result(g, "A-law decode, ours", ours_dec, "Msample/s"))
    out.append(Result(g, "A-law decode, audioop", base_dec, "Msample/s"))
    return out
