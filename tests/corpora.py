"""Talk-off corpora: hours of speech and music that must not look like signalling.

Both corpora are made on this machine (nothing is downloaded or committed) and cached
outside the repository, in $CTI_CORPUS_DIR or ~/.cache/cti-daemon/corpora, keyed by a
version string so that a change in how they are made rebuilds them.

- ``speech_corpus()``: a little over 2 hours of espeak-ng speech, half Mandarin and half
  English, many voices, speaking rates and pitches, each one-minute segment at its own
  level from -30 to -5 dBm0 (RMS over the segment, pauses included), with line noise in
  the pauses.
- ``music_corpus()``: a little over 30 minutes of synthesised music: melodies with
  sustained notes and vibrato, chords with bass, pentatonic colour-ringback-like loops,
  rich harmonics; notes include A4 = 440 Hz and A#4 = 466 Hz, which lie inside China's
  450 +- 25 Hz call-progress band, and equal-tempered notes that lie within 1 % of DTMF
  frequencies (F5 698.5 Hz, A#5 932.3 Hz, F#6 1480.0 Hz), though the melodies do not
  aim at DTMF pairs: two pure notes on a DTMF pair would be a valid digit under Q.24.

Both are returned as int16 at 8 kHz, already through the A-law coder, as a trunk would
deliver them. Generation is deterministic (fixed seeds).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

import signals

RATE = 8000
SPEECH_SECONDS = 2 * 3600 + 120
MUSIC_SECONDS = 30 * 60 + 60
_VERSION = "speech-v1/music-v1"

_SEGMENT_SECONDS = 60.0

_ENGLISH_WORDS = """
the a an your my our this that these those policy claim number account premium insurance
agent customer service department call line hold please thank you for calling welcome
press one two three four five six seven eight nine zero hash star option menu main
car home health life travel accident damage report payment card bank transfer date time
morning afternoon evening today tomorrow yesterday week month year renewal cover cost
price quote address name birth phone mobile email letter document form signature office
branch manager team help question answer problem issue request complaint refund delay
waiting queue minute second moment connect speak talk listen repeat again back next
previous confirm cancel change update check verify identity security code password
is are was were will would can could should must may might have has had do does did
go going come coming get getting make making take taking give giving see seeing know
think want need like love hate find found keep kept leave left right wrong good bad new
old big small long short high low early late fast slow easy hard open closed free busy
and or but so because if when while after before until since although however therefore
very quite really just only also still already even never always often sometimes
in on at by with from to of about over under between through during without within
I you he she it we they me him her us them who what where why how which whose
people family child children mother father friend doctor hospital school city street
road traffic weather rain snow sun wind river mountain sea island garden house window
door table chair kitchen bread rice water coffee tea dinner lunch breakfast money
hundred thousand million first second third last every each some many few more most
""".split()

_CHINESE_CHARS = (
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过"
    "家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本"
    "见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己"
    "话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平"
    "真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报"
    "立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务"
    "您好欢迎致电保险请问什么可以帮助保单号码理赔服务专员转接稍等查询缴费续保车险寿险健康意外"
    "谢谢再见确认取消修改密码身份证地址手机短信邮件银行卡余额账户客户经理投诉建议满意评价按键"
)

_CHINESE_DIGITS = "零一二三四五六七八九"
_ENGLISH_DIGITS = "zero one two three four five six seven eight nine".split()

_ENGLISH_VOICES = ["en-us", "en-gb", "en-gb-scotland", "en-029", "en-gb-x-rp", "en-gb-x-gbclan"]
_VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5",
             "klatt", "klatt2", "klatt3", "grandma", "grandpa", "steph", "iven2", "john"]


def cache_dir() -> Path:
    path = Path(os.environ.get("CTI_CORPUS_DIR", Path.home() / ".cache" / "cti-daemon" / "corpora"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _cached(name: str, seconds: int, build) -> np.ndarray:
    key = hashlib.sha1(f"{_VERSION}/{name}/{seconds}".encode()).hexdigest()[:12]
    path = cache_dir() / f"{name}-{key}.npy"
    if path.exists():
        return np.load(path, mmap_mode="r")
    data = build()
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, data)
    tmp.replace(path)
    return np.load(path, mmap_mode="r")


# ---------------------------------------------------------------- speech

def _english_text(rng: np.random.Generator, words: int) -> str:
    out = []
    while len(out) < words:
        sentence = list(rng.choice(_ENGLISH_WORDS, size=int(rng.integers(4, 16))))
        if rng.random() < 0.3:  # numbers read out: policy numbers, amounts, dates
            sentence += list(rng.choice(_ENGLISH_DIGITS, size=int(rng.integers(3, 11))))
        sentence[0] = sentence[0].capitalize()
        out.append(" ".join(sentence) + str(rng.choice([".", ".", "?", "!", ","])))
    return " ".join(out)


def _chinese_text(rng: np.random.Generator, chars: int) -> str:
    pool = np.array(list(_CHINESE_CHARS))
    out = []
    total = 0
    while total < chars:
        sentence = "".join(rng.choice(pool, size=int(rng.integers(4, 20))))
        if rng.random() < 0.3:
            sentence += "".join(rng.choice(list(_CHINESE_DIGITS), size=int(rng.integers(3, 12))))
        out.append(sentence + str(rng.choice(["。", "，", "？", "！"])))
        total += len(sentence)
    return "".join(out)


def _speak(text: str, voice: str, rate: int, pitch: int) -> np.ndarray:
    """espeak-ng to 8 kHz int16 through sox's resampler (guarded against clipping)."""
    espeak = subprocess.Popen(
        ["espeak-ng", "-v", voice, "-s", str(rate), "-p", str(pitch), "--stdout", "-b", "1"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    sox = subprocess.Popen(
        ["sox", "-G", "-D", "-t", "wav", "-", "-t", "raw", "-r", str(RATE), "-e", "signed",
         "-b", "16", "-c", "1", "-"],
        stdin=espeak.stdout, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    espeak.stdout.close()
    espeak.stdin.write(text.encode("utf-8"))
    espeak.stdin.close()
    raw = sox.stdout.read()
    if sox.wait() != 0 or espeak.wait() != 0:
        raise RuntimeError(f"espeak-ng/sox failed for voice {voice}")
    return np.frombuffer(raw, dtype="<i2").astype(np.float64)


def _speech_segment(index: int) -> np.ndarray:
    """One minute of one talker: Mandarin on even segments, English on odd ones."""
    rng = np.random.default_rng(10_000 + index)
    variant = str(rng.choice(_VARIANTS))
    rate = int(rng.integers(110, 221))
    pitch = int(rng.integers(15, 91))
    pieces = []
    have = 0.0
    while have < _SEGMENT_SECONDS * RATE:
        if index % 2 == 0:
            voice, text = f"cmn+{variant}", _chinese_text(rng, 60)
        else:
            voice, text = f"{rng.choice(_ENGLISH_VOICES)}+{variant}", _english_text(rng, 40)
        utterance = _speak(text, voice, rate, pitch)
        pause = np.zeros(int(rng.uniform(0.2, 2.5) * RATE))
        pieces += [utterance, pause]
        have += utterance.size + pause.size
    seg = np.concatenate(pieces)[: int(_SEGMENT_SECONDS * RATE)]
    level = rng.uniform(-30.0, -5.0)
    seg *= signals.amplitude(level) / np.sqrt(2) / max(np.sqrt(np.mean(seg**2)), 1e-9)
    # Line noise, about -65 dBm0, so that pauses are not digital silence.
    seg += rng.standard_normal(seg.size) * signals.amplitude(-65.0) / np.sqrt(2)
    return signals.through_alaw(seg)


def speech_corpus() -> np.ndarray:
    """A little over 2 hours of Mandarin and English speech, int16, through A-law."""

    def build() -> np.ndarray:
        count = int(np.ceil(SPEECH_SECONDS / _SEGMENT_SECONDS))
        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            segments = list(pool.map(_speech_segment, range(count)))
        return np.concatenate(segments)

    return _cached("speech", SPEECH_SECONDS, build)


# ---------------------------------------------------------------- music

_SCALES = {
    "major": [0, 2, 4, 5, 7, 9, 11],
    "minor": [0, 2, 3, 5, 7, 8, 10],
    "pentatonic": [0, 2, 4, 7, 9],  # the gong-shang-jue-zhi-yu scale of Chinese pop tunes
}


def _midi_hz(note: float) -> float:
    return 440.0 * 2.0 ** ((note - 69) / 12)


def _note(rng: np.random.Generator, hz: float, seconds: float, timbre: dict) -> np.ndarray:
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    vibrato = timbre["vibrato"] * np.sin(2 * np.pi * rng.uniform(4.5, 6.5) * t)
    phase = 2 * np.pi * np.cumsum(hz * (1 + vibrato)) / RATE
    wave = np.zeros(n)
    for k, amp in enumerate(timbre["harmonics"], start=1):
        if hz * k < 3800:
            wave += amp * np.sin(k * phase + rng.uniform(0, 2 * np.pi))
    attack = min(n, int(timbre["attack"] * RATE))
    release = min(n - attack, int(timbre["release"] * RATE))
    env = np.full(n, 1.0)
    env[:attack] = np.linspace(0, 1, attack, endpoint=False)
    if release:
        env[n - release:] *= np.linspace(1, 0, release)
    if timbre["decay"]:
        env *= np.exp(-t / timbre["decay"])
    return wave * env


def _timbre(rng: np.random.Generator) -> dict:
    kind = rng.choice(["flute", "string", "brass", "piano", "organ", "synth"])
    count = {"flute": 3, "string": 8, "brass": 10, "piano": 8, "organ": 6, "synth": 5}[kind]
    slope = {"flute": 1.8, "string": 1.0, "brass": 0.7, "piano": 1.3, "organ": 0.5, "synth": 1.0}[kind]
    harmonics = [1.0 / k**slope for k in range(1, count + 1)]
    return {
        "harmonics": harmonics,
        "vibrato": rng.uniform(0.002, 0.006) if kind in ("flute", "string") and rng.random() < 0.6 else 0.0,
        "attack": {"piano": 0.005}.get(kind, rng.uniform(0.01, 0.08)),
        "release": rng.uniform(0.02, 0.2),
        "decay": rng.uniform(0.6, 2.0) if kind == "piano" else 0.0,
    }


def _melody_track(rng: np.random.Generator, seconds: float, root: int, scale: list[int],
                  beat: float, sustained: bool) -> np.ndarray:
    out = np.zeros(int(seconds * RATE) + RATE)
    timbre = _timbre(rng)
    pos = 0
    degree = int(rng.integers(0, len(scale)))
    while pos < seconds * RATE:
        degree = int(np.clip(degree + rng.integers(-2, 3), -len(scale), 2 * len(scale)))
        octave, step = divmod(degree, len(scale))
        note = root + 12 * octave + scale[step]
        beats = rng.choice([0.5, 1, 1, 2, 3, 4, 6, 8] if sustained else [0.5, 0.5, 1, 1, 2])
        dur = beats * beat
        wave = _note(rng, _midi_hz(note), dur * rng.uniform(0.8, 1.0), timbre)
        out[pos: pos + wave.size] += wave[: max(0, out.size - pos)]
        pos += int(dur * RATE)
    return out[: int(seconds * RATE)]


def _chord_track(rng: np.random.Generator, seconds: float, root: int, scale: list[int],
                 beat: float) -> np.ndarray:
    out = np.zeros(int(seconds * RATE) + RATE)
    timbre = _timbre(rng)
    pos = 0
    while pos < seconds * RATE:
        base = int(rng.integers(0, len(scale)))
        notes = [root - 12 + scale[(base + k) % len(scale)] + 12 * ((base + k) // len(scale))
                 for k in (0, 2, 4)]
        notes.append(notes[0] - 12)  # bass
        dur = rng.choice([2, 4, 4, 8]) * beat
        for note in notes:
            wave = 0.6 * _note(rng, _midi_hz(note), dur, timbre)
            out[pos: pos + wave.size] += wave[: max(0, out.size - pos)]
        pos += int(dur * RATE)
    return out[: int(seconds * RATE)]


def _music_piece(index: int) -> np.ndarray:
    rng = np.random.default_rng(20_000 + index)
    seconds = float(rng.uniform(20, 60))
    scale_name = rng.choice(list(_SCALES))
    scale = _SCALES[scale_name]
    root = int(rng.integers(57, 72))  # A3..B4: melodies around 440 Hz and up to 2 kHz
    beat = 60.0 / rng.uniform(60, 140)
    style = index % 4
    if style == 3:
        # Colour-ringback-like loop: a few seconds of tune repeated.
        loop_seconds = float(rng.uniform(4, 9))
        loop = (_melody_track(rng, loop_seconds, root, scale, beat, False)
                + 0.7 * _chord_track(rng, loop_seconds, root, scale, beat))
        piece = np.tile(loop, int(np.ceil(seconds / loop_seconds)))[: int(seconds * RATE)]
    else:
        piece = _melody_track(rng, seconds, root, scale, beat, sustained=style != 1)
        if style != 2:  # style 2 is a solo line
            piece = piece + 0.7 * _chord_track(rng, seconds, root, scale, beat)
        if rng.random() < 0.5:
            piece = piece + 0.8 * _melody_track(rng, seconds, root + 12, scale, beat, True)
    level = rng.uniform(-30.0, -5.0)
    piece = piece * signals.amplitude(level) / np.sqrt(2) / max(np.sqrt(np.mean(piece**2)), 1e-9)
    piece += rng.standard_normal(piece.size) * signals.amplitude(-65.0) / np.sqrt(2)
    return signals.through_alaw(piece)


def music_corpus() -> np.ndarray:
    """A little over 30 minutes of synthesised music, int16, through A-law."""

    def build() -> np.ndarray:
        pieces = []
        total = 0
        index = 0
        while total < MUSIC_SECONDS * RATE:
            piece = _music_piece(index)
            pieces.append(piece)
            total += piece.size
            index += 1
        return np.concatenate(pieces)

    return _cached("music", MUSIC_SECONDS, build)
