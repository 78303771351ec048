"""Tone disabler (G.165 clause 4 / G.168): 2100 Hz with phase reversals bypasses
the canceller (Sout = Sin); plain 2100 Hz for 600 ms (fax CED) turns NLP and
comfort noise off and freezes adaptation. Either direction; holding while
either direction carries signal; release 250 +- 150 ms after both go quiet."""

import numpy as np
import pytest
import signals as S
from echo_cases import make_case, reduction

from cti_daemon import dsp

SEC = S.samples(1000)


def ans_with_reversals(ms: float, level: float = -12.0) -> np.ndarray:
    # V.25 ANS: 2100 Hz, phase reversed every 450 ms.
    t = np.arange(S.samples(ms)) / S.SAMPLE_RATE
    phase = np.pi * (np.floor(t / 0.45) % 2)
    return S.amplitude(level) * np.sin(2 * np.pi * 2100 * t + phase)


def session(speech_ms, tone, data_ms, quiet_ms, tone_on_sin: bool, seed=1):
    """Speech for convergence, then the answer tone on one side, then a modem
    session (noise both ways), then silence, then speech again."""
    rng = np.random.default_rng(seed)
    far = [S.css(speech_ms, -20.0, seed=seed)]
    near = [np.zeros(S.samples(speech_ms))]
    if tone_on_sin:
        near.append(tone)
        far.append(np.zeros(tone.size))
    else:
        far.append(tone)
        near.append(np.zeros(tone.size))
    far.append(S.white_noise(-15.0, S.samples(data_ms), rng))
    near.append(S.white_noise(-15.0, S.samples(data_ms), rng))
    far.append(S.silence(quiet_ms))
    near.append(S.silence(quiet_ms))
    far.append(S.css(2000, -20.0, seed=seed + 1))
    near.append(np.zeros(S.samples(2000)))
    return np.concatenate(far), np.concatenate(near)


@pytest.mark.parametrize("tone_on_sin", [True, False])
def test_phase_reversals_bypass_until_quiet(tone_on_sin):
    speech, tone_ms, data, quiet = 2000, 2000, 2000, 1000
    far, near = session(speech, ans_with_reversals(tone_ms), data, quiet, tone_on_sin)
    case = make_case(far, "D.3", 12.0, 200, near=near)
    ec = dsp.EchoCanceller(nlp=True)
    out = ec.process(case.sin, case.rin)
    ev = ec.events()
    print(ev)
    assert [name for name, _ in ev] == ["disabled", "enabled"]
    tone_start = S.samples(speech)
    at = ev[0][1]
    # The first reversal comes 450 ms into the tone; detection within 150 ms of it.
    assert tone_start + S.samples(450) <= at <= tone_start + S.samples(600)
    end_of_signal = S.samples(speech + tone_ms + data)
    release_ms = (ev[1][1] - end_of_signal) / 8.0
    assert 100.0 <= release_ms <= 400.0, release_ms
    # Bypassed: Sout is exactly Sin from the event to the release.
    assert np.array_equal(out[at:ev[1][1]], case.sin[at:ev[1][1]])
    # Afterwards the canceller works again as before.
    before, _ = reduction(case, out, S.samples(1000), S.samples(2000))
    after_start = ev[1][1] + S.samples(1500)
    after, _ = reduction(case, out, after_start, after_start + SEC)
    assert after >= before - 3.0, (before, after)


@pytest.mark.parametrize("tone_on_sin", [False, True])
def test_ced_turns_nlp_off_and_freezes(tone_on_sin):
    speech, tone_ms, data, quiet = 2000, 2600, 3000, 1000
    ced = S.tone(2100.0, -12.0, tone_ms)
    far, near = session(speech, ced, data, quiet, tone_on_sin, seed=3)
    case = make_case(far, "D.6", 6.0, 600, near=near)
    with_nlp = dsp.EchoCanceller(nlp=True)
    out = with_nlp.process(case.sin, case.rin)
    ev = with_nlp.events()
    print(ev)
    assert [name for name, _ in ev] == ["nlp_disabled", "enabled"]
    tone_start = S.samples(speech)
    at = ev[0][1]
    # `at` is the first sample handled in the new state; the tone, including it, lasted 600-700 ms.
    assert S.samples(600) <= at + 1 - tone_start <= S.samples(700)
    end_of_signal = S.samples(speech + tone_ms + data)
    release_ms = (ev[1][1] - end_of_signal) / 8.0
    assert 100.0 <= release_ms <= 400.0, release_ms
    # NLP and comfort noise off: Sout equals what the linear canceller alone gives.
    plain = dsp.EchoCanceller(nlp=False).process(case.sin, case.rin)
    assert np.array_equal(out[at:ev[1][1]], plain[at:ev[1][1]])
    # ...while before the tone the NLP was acting (the outputs differ).
    assert not np.array_equal(out[SEC:2 * SEC], plain[SEC:2 * SEC])
    # Adaptation frozen through tone and data (noise both ways would otherwise
    # mis-train it): right after release, reduction on speech as before.
    before, _ = reduction(case, plain, SEC, 2 * SEC)
    after_start = ev[1][1] + S.samples(200)
    after, _ = reduction(case, plain, after_start, after_start + SEC)
    assert after >= before - 3.0, (before, after)


def test_short_2100_or_other_tones_do_nothing():
    far = S.concat(S.css(1000, -20.0), S.tone(2100.0, -12.0, 400), S.tone(1800.0, -12.0, 2000),
                   S.tone(2300.0, -12.0, 2000))
    case = make_case(far, "D.2", 12.0, 100)
    ec = dsp.EchoCanceller()
    ec.process(case.sin, case.rin)
    assert ec.events() == []


def test_reset_releases():
    ec = dsp.EchoCanceller()
    tone = S.through_alaw(ans_with_reversals(1000))
    ec.process(tone, np.zeros(tone.size, np.int16))
    assert [n for n, _ in ec.events()] == ["disabled"]
    ec.reset()
    assert ec.events() == []
    case = make_case(S.css(2000, -20.0), "D.2", 6.0, 100)
    out = ec.process(case.sin, case.rin)
    assert S.power_dbm0(out[SEC:]) < S.power_dbm0(case.sin[SEC:]) - 20.0


def test_bank_reports_events_per_channel():
    tone = S.through_alaw(ans_with_reversals(1000))
    z = np.zeros(tone.size, np.int16)
    bank = dsp.EchoCancellerBank(3)
    out = bank.process(np.stack([z, tone, z]), np.stack([z, z, tone]))
    ev = bank.events()
    assert sorted((c, name) for c, name, _ in ev) == [(1, "disabled"), (2, "disabled")]
    assert np.array_equal(out[1, ev[0][2]:], tone[ev[0][2]:])
