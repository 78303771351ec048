//! Kernel conformance tests: every plan tone generated, passed through A-law,
//! and recognised at the right time; near misses rejected.

use super::*;
use crate::g711;

fn alaw(x: &[i16]) -> Vec<i16> {
    x.iter().map(|&s| g711::alaw_to_linear(g711::linear_to_alaw(s))).collect()
}

fn gen(plan: &str, name: ToneName, ms: f64, level: Option<f64>) -> Vec<i16> {
    let p = plan::plan(plan).unwrap();
    alaw(&generate(&p, name, ms, level).unwrap())
}

fn silence(ms: f64) -> Vec<i16> {
    vec![0; (ms * 8.0) as usize]
}

fn run(plan: &str, x: &[i16]) -> (Vec<ToneName>, Vec<ToneEvent>) {
    let mut d = ToneDetector::with_plan(plan).unwrap();
    let mut out = Vec::new();
    d.process(x, &mut out);
    (out, d.take_events())
}

fn names(v: &[ToneName]) -> Vec<&'static str> {
    v.iter().map(|n| n.as_str()).collect()
}

#[test]
fn each_cn_tone_recognised_once() {
    for (name, ms) in [
        (ToneName::Dial, 3000.0),
        (ToneName::Busy, 4000.0),
        (ToneName::Congestion, 6000.0),
        (ToneName::Ringback, 12000.0),
        (ToneName::CallWaiting, 12000.0),
        (ToneName::Vacant, 5000.0),
        (ToneName::Sit, 6000.0),
        (ToneName::FaxCng, 8000.0),
        (ToneName::FaxCed, 3500.0),
        (ToneName::AnsPr, 3300.0),
    ] {
        let mut x = silence(200.0);
        x.extend(gen("cn", name, ms, None));
        x.extend(silence(8000.0));
        let (out, ev) = run("cn", &x);
        assert_eq!(names(&out), vec![name.as_str()], "{}", name.as_str());
        assert_eq!(ev.len(), 2, "{}: {ev:?}", name.as_str());
        assert_eq!(ev[1].kind, EventKind::End);
    }
}

#[test]
fn chunking_does_not_matter() {
    let mut x = gen("cn", ToneName::Busy, 3000.0, Some(-20.0));
    x.extend(silence(500.0));
    x.extend(gen("cn", ToneName::AnsPr, 3000.0, None));
    let (whole, ev) = run("cn", &x);
    let mut d = ToneDetector::with_plan("cn").unwrap();
    let mut out = Vec::new();
    let mut i = 0;
    let mut step = 0;
    while i < x.len() {
        let n = [0usize, 1, 7, 80, 161, 3][step % 6].min(x.len() - i);
        d.process(&x[i..i + n], &mut out);
        i += n;
        step += 1;
    }
    assert_eq!(out, whole);
    assert_eq!(d.take_events(), ev);
}

#[test]
fn sine_fit_explains_pure_tones_exactly() {
    use super::analysis::{Bin, BinTables, BLOCK};
    use std::f64::consts::TAU;
    // Any frequency within 40 Hz of the bin and any phase: the fitted tone
    // energy equals the block energy (no image leak, no roll-off).
    for bin in [425.0, 450.0, 950.0 - 25.0, 2100.0] {
        let t = BinTables::new(&[bin]);
        for df in [-40.0, -25.0, -7.0, 0.0, 13.0, 25.0, 40.0] {
            for ph in [0.0, 0.7, 2.0, 4.4] {
                let f = bin + df;
                let mut x = [0f32; BLOCK];
                for (n, v) in x.iter_mut().enumerate() {
                    *v = (3000.0 * (TAU * f * n as f64 / 8000.0 + ph).sin()) as f32;
                }
                let mut b = [Bin::default()];
                let e = t.analyse(&x, &mut b) as f64;
                let fit = super::sinefit::SineFit::new(TAU * f / 8000.0, TAU * bin / 8000.0);
                let ratio = fit.tone_energy(b[0]) / e;
                assert!((ratio - 1.0).abs() < 1e-3, "bin {bin} df {df} ph {ph}: {ratio}");
            }
        }
    }
}

#[test]
fn every_plan_recognises_its_own_generated_tones() {
    for plan_name in PLAN_NAMES {
        let p = plan::plan(plan_name).unwrap();
        for spec in &p.tones {
            let ms = match spec.name {
                ToneName::FaxCed | ToneName::AnsPr => 3300.0,
                _ => 11000.0,
            };
            let mut x = silence(200.0);
            x.extend(gen(plan_name, spec.name, ms, None));
            x.extend(silence(7000.0));
            let (out, _) = run(plan_name, &x);
            assert_eq!(names(&out), vec![spec.name.as_str()], "{plan_name}");
        }
    }
}

#[test]
fn level_limits() {
    for (level, want) in [(-36.0, true), (-3.0, true), (-50.0, false), (-60.0, false)] {
        let mut x = gen("cn", ToneName::Busy, 5000.0, Some(level));
        x.extend(silence(2000.0));
        let (out, _) = run("cn", &x);
        assert_eq!(out == vec![ToneName::Busy], want, "{level}");
    }
}

#[test]
fn recognised_within_the_cycles_from_the_first_start() {
    // Busy and congestion within two cadence cycles of the start of the first
    // on-period, ringback within one; and not before the second on-period (busy,
    // congestion) or the off-period's minimum (ringback) is over.
    for (name, deadline_ms, soonest_ms) in
        [(ToneName::Busy, 1400.0, 1050.0), (ToneName::Congestion, 2800.0, 2100.0), (ToneName::Ringback, 5000.0, 4600.0)]
    {
        let mut x = gen("cn", name, 12000.0, None);
        x.extend(silence(2000.0));
        let (_, ev) = run("cn", &x);
        assert_eq!(ev[0].name, name);
        assert!(ev[0].sample as f64 >= soonest_ms * 8.0 && ev[0].sample as f64 <= deadline_ms * 8.0, "{:?}", ev[0]);
    }
}

#[test]
fn bank_matches_single_channels() {
    let a = gen("cn", ToneName::Vacant, 4000.0, None);
    let b = gen("cn", ToneName::Congestion, 4000.0, Some(-30.0));
    let n = a.len().min(b.len());
    let plan = CompiledPlan::by_name("cn").unwrap();
    let mut bank = ToneDetectorBank::new(plan, 2);
    let mut out = Vec::new();
    // Row-major [2][16] chunks.
    for i in (0..n - 16).step_by(16) {
        let mut chunk = a[i..i + 16].to_vec();
        chunk.extend_from_slice(&b[i..i + 16]);
        bank.process(&chunk, 2, 16, &mut out);
    }
    let ev = bank.take_events();
    for (c, sig) in [&a, &b].iter().enumerate() {
        let len = (n - 16) / 16 * 16;
        let (single, sev) = run("cn", &sig[..len]);
        let mine: Vec<ToneName> = out.iter().filter(|(ch, _)| *ch == c).map(|(_, t)| *t).collect();
        assert_eq!(mine, single);
        let mine_ev: Vec<ToneEvent> = ev.iter().filter(|(ch, _)| *ch == c).map(|(_, e)| *e).collect();
        assert_eq!(mine_ev, sev);
        assert!(!single.is_empty());
    }
}

/// Keyed tone in samples: `lead` samples of noise, then `(on, off)` sample
/// pairs of `freq` at `level` (random phase per burst), white noise at
/// `noise_dbm0` throughout (None: none), through A-law.
fn keyed_samples(freq: f64, level: f64, lead: usize, parts: &[(usize, usize)], noise_dbm0: Option<f64>, rng: &mut crate::common::noise::Rng) -> Vec<i16> {
    use crate::common::level::{dbm0_to_power, sine_peak};
    use crate::common::Law;
    let peak = sine_peak(Law::Alaw, level);
    let mut x = vec![0.0f64; lead];
    for &(on, off) in parts {
        let ph = rng.uniform() * std::f64::consts::TAU;
        x.extend((0..on).map(|n| peak * (std::f64::consts::TAU * freq * n as f64 / 8000.0 + ph).sin()));
        x.extend(std::iter::repeat_n(0.0, off));
    }
    if let Some(nl) = noise_dbm0 {
        let sd = dbm0_to_power(Law::Alaw, nl).sqrt();
        for v in x.iter_mut() {
            *v += sd * rng.gaussian();
        }
    }
    let pcm: Vec<i16> = x.iter().map(|&v| v.round().clamp(-32768.0, 32767.0) as i16).collect();
    alaw(&pcm)
}

/// Segment durations are measured to a fraction of a millisecond whatever the
/// edges' places in the 10 ms blocks: this is the error `MEASURE_ERROR_MS`
/// allows for. Tones 425-475 Hz (cn plan), 1100 Hz and the SIT
/// frequencies (e180 plan), -36 to -3 dBm0, clean and with white noise 24 dB down.
#[test]
fn segment_durations_are_exact() {
    let mut rng = crate::common::noise::Rng::new(7);
    let mut worst: f64 = 0.0;
    for trial in 0..400 {
        let freq: f64 = [425.0, 430.0, 450.0, 470.0, 475.0, 1100.0, 950.0, 1800.0][trial % 8];
        let level = -36.0 + 33.0 * rng.uniform();
        let noise = if trial % 3 == 0 { None } else { Some(level - 24.0) };
        // Durations in samples, anything from 80 to 700 ms.
        let parts: Vec<(usize, usize)> =
            (0..4).map(|_| (640 + (rng.uniform() * 5000.0) as usize, 640 + (rng.uniform() * 5000.0) as usize)).collect();
        let lead = 800 + (rng.uniform() * 80.0) as usize;
        let plan = if freq < 1000.0 && (freq - 450.0).abs() <= 30.0 { "cn" } else { "e180" };
        let x = keyed_samples(freq, level, lead, &parts, noise, &mut rng);
        let mut d = ToneDetector::with_plan(plan).unwrap();
        let mut out = Vec::new();
        d.process(&x, &mut out);
        let segs = d.segments();
        // on, off, on, off, on, off, on (the last off has no end).
        assert_eq!(segs.len(), 7, "trial {trial} {freq} Hz {level:.1} dBm0: {segs:?}");
        for (i, s) in segs.iter().enumerate() {
            let (on, off) = parts[i / 2];
            let want = if i % 2 == 0 { on } else { off } as f64 / 8.0;
            assert_eq!(s.on, i % 2 == 0);
            worst = worst.max((s.ms - want).abs());
        }
    }
    eprintln!("worst duration error {worst:.2} ms");
    assert!(worst <= plan::MEASURE_ERROR_MS, "{worst}");
}


#[test]
fn ringback_then_busy_is_a_transition() {
    // CN ringback 1/4 s straight into busy 0.35/0.35 s (the called party rejects
    // the call): ringback ends where busy began, busy within two busy cycles.
    let ring = gen("cn", ToneName::Ringback, 5000.0, None);
    let mut x = ring.clone();
    x.extend(gen("cn", ToneName::Busy, 2800.0, None));
    x.extend(silence(6000.0));
    let (out, ev) = run("cn", &x);
    assert_eq!(names(&out), vec!["ringback", "busy"]);
    let brk = ring.len() as i64;
    assert_eq!((ev[1].name, ev[1].kind), (ToneName::Ringback, EventKind::End));
    assert!((ev[1].sample as i64 - brk).abs() <= 160, "{ev:?}");
    assert_eq!((ev[2].name, ev[2].kind), (ToneName::Busy, EventKind::Start));
    assert!(ev[2].sample as i64 - brk >= 1050 * 8 && ev[2].sample as i64 - brk <= 1400 * 8, "{ev:?}");
}
