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
fn busy_start_within_two_cycles() {
    let mut x = gen("cn", ToneName::Busy, 5000.0, None);
    x.extend(silence(2000.0));
    let (_, ev) = run("cn", &x);
    let first_on_end = 350 * 8;
    assert!(ev[0].sample >= first_on_end && ev[0].sample <= first_on_end + 2 * 700 * 8, "{:?}", ev[0]);
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
