//! Conformance tests of the R2 kernel (signals pass through A-law, as on E1).

use super::detector::{Event, BLOCK};
use super::*;
use crate::common::level::sine_peak;
use crate::common::noise::Rng;
use crate::common::{Law, SAMPLE_RATE};
use crate::g711;
use std::f64::consts::TAU;

fn alaw(x: &[f64]) -> Vec<i16> {
    x.iter()
        .map(|&v| g711::alaw_to_linear(g711::linear_to_alaw(v.round().clamp(-32768.0, 32767.0) as i16)))
        .collect()
}

/// Tones (freq Hz, level dBm0, phase) over n samples.
fn tones(parts: &[(f64, f64, f64)], n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| {
            parts
                .iter()
                .map(|&(f, l, p)| sine_peak(Law::Alaw, l) * (TAU * f * i as f64 / SAMPLE_RATE + p).sin())
                .sum()
        })
        .collect()
}

fn ms(v: f64) -> usize {
    (v * 8.0).round() as usize
}

/// Silence, `pulse` then silence, through A-law; returns (onsets, events).
fn detect(direction: Direction, signal: &[f64], lead: usize, tail: usize) -> (Vec<u8>, Vec<Event>) {
    let mut x = vec![0.0; lead];
    x.extend_from_slice(signal);
    x.extend(std::iter::repeat_n(0.0, tail));
    let pcm = alaw(&x);
    let mut d = R2Detector::new(direction);
    let mut onsets = Vec::new();
    d.process(&pcm, &mut onsets);
    (onsets, d.take_events())
}

#[allow(clippy::too_many_arguments)] // a test helper: levels and offsets of both tones
fn pair(signal: u8, direction: Direction, la: f64, lb: f64, da: f64, db: f64, rng: &mut Rng, n: usize) -> Vec<f64> {
    let (fa, fb) = signal_frequencies(signal, direction).unwrap();
    tones(&[(fa + da, la, rng.uniform() * TAU), (fb + db, lb, rng.uniform() * TAU)], n)
}

const DIRS: [Direction; 2] = [Direction::Forward, Direction::Backward];

#[test]
fn all_signals_levels_offsets_twist() {
    let mut rng = Rng::new(1);
    let mut checked = 0;
    for dir in DIRS {
        for s in 1..=15u8 {
            let (i, j) = SIGNAL_PAIRS[s as usize - 1];
            // Q.455: 5 dB accepted between adjacent frequencies, 7 dB between others.
            let twist = if j - i == 1 { 5.0 } else { 7.0 };
            for (da, db) in [(0.0, 0.0), (10.0, 10.0), (-10.0, -10.0), (10.0, -10.0), (-10.0, 10.0)] {
                for (la, lb) in [
                    (-35.0, -35.0),
                    (-5.0, -5.0),
                    (-20.0, -20.0),
                    (-35.0 + twist, -35.0),
                    (-35.0, -35.0 + twist),
                    (-5.0, -5.0 - twist),
                    (-5.0 - twist, -5.0),
                ] {
                    let len = ms(60.0) + (rng.uniform() * 67.0) as usize;
                    let sig = pair(s, dir, la, lb, da, db, &mut rng, len);
                    let lead = (rng.uniform() * 200.0) as usize;
                    let (onsets, events) = detect(dir, &sig, lead, 400);
                    assert_eq!(onsets, vec![s], "{dir:?} signal {s} levels {la}/{lb} offsets {da}/{db}");
                    assert_eq!(events.len(), 2);
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 2 * 15 * 5 * 7);
}

#[test]
fn never_with_20_db_difference_or_single_tone() {
    let mut rng = Rng::new(2);
    for dir in DIRS {
        for s in 1..=15u8 {
            for (da, db) in [(0.0, 0.0), (10.0, -10.0), (-10.0, 10.0)] {
                for (la, lb) in [(-5.0, -25.0), (-25.0, -5.0), (-15.0, -35.0), (-35.0, -15.0), (-5.0, -60.0)] {
                    let sig = pair(s, dir, la, lb, da, db, &mut rng, ms(200.0));
                    let (onsets, _) = detect(dir, &sig, 30, 400);
                    assert!(onsets.is_empty(), "{dir:?} {s} {la}/{lb}: {onsets:?}");
                }
            }
        }
        for &f in dir.frequencies() {
            for d in [-10.0, 0.0, 10.0] {
                for l in [-5.0, -20.0, -35.0] {
                    let sig = tones(&[(f + d, l, rng.uniform() * TAU)], ms(200.0));
                    let (onsets, _) = detect(dir, &sig, 30, 400);
                    assert!(onsets.is_empty(), "single tone {f}+{d} at {l}: {onsets:?}");
                }
            }
        }
    }
}

#[test]
fn no_response_to_pulses_under_7_ms() {
    // Q.455: no response to pulses shorter than 7 ms; 1000 random trials of 6.9 ms at -5 dBm0.
    let mut rng = Rng::new(3);
    let mut answered = 0;
    for trial in 0..1000 {
        let dir = DIRS[trial % 2];
        let s = 1 + (rng.next_u64() % 15) as u8;
        let sig = pair(s, dir, -5.0, -5.0, 0.0, 0.0, &mut rng, 55);
        let lead = (rng.uniform() * 300.0) as usize;
        let (onsets, _) = detect(dir, &sig, lead, 300);
        answered += onsets.len();
    }
    assert_eq!(answered, 0);
}

#[test]
fn interruptions_up_to_7_ms_do_not_release() {
    let mut rng = Rng::new(4);
    for trial in 0..300 {
        let dir = DIRS[trial % 2];
        let s = 1 + (rng.next_u64() % 15) as u8;
        let gap = 1 + (rng.next_u64() % 56) as usize;
        let mut x = pair(s, dir, -20.0, -20.0, 0.0, 0.0, &mut rng, ms(80.0));
        x.extend(std::iter::repeat_n(0.0, gap));
        x.extend(pair(s, dir, -20.0, -20.0, 0.0, 0.0, &mut rng, ms(80.0)));
        let (onsets, events) = detect(dir, &x, (rng.uniform() * 67.0) as usize, 400);
        assert_eq!(onsets, vec![s], "gap {gap}");
        assert_eq!(events.len(), 2, "gap {gap}: {events:?}");
    }
}

#[test]
fn operate_plus_release_within_80_ms() {
    // Q.455: operate time plus release time at most 80 ms = 640 samples.
    let mut rng = Rng::new(5);
    let mut worst = 0;
    for trial in 0..500 {
        let dir = DIRS[trial % 2];
        let s = 1 + (rng.next_u64() % 15) as u8;
        let lead = 100 + (rng.next_u64() % BLOCK as u64) as usize;
        let len = ms(40.0) + (rng.next_u64() % 400) as usize;
        let sig = pair(s, dir, -35.0, -35.0, 10.0, -10.0, &mut rng, len);
        let (_, events) = detect(dir, &sig, lead, 800);
        assert_eq!(events.len(), 2, "{events:?}");
        let operate = events[0].sample as i64 - lead as i64;
        let release = events[1].sample as i64 - (lead + len) as i64;
        assert!(operate > 0 && release > 0);
        worst = worst.max(operate + release);
    }
    assert!(worst <= 640, "{worst}");
    eprintln!("worst operate + release: {worst} samples");
}

#[test]
fn chunking_does_not_change_results() {
    let mut rng = Rng::new(6);
    let mut x = Vec::new();
    for _ in 0..20 {
        let s = 1 + (rng.next_u64() % 15) as u8;
        let len = 300 + (rng.next_u64() % 500) as usize;
        x.extend(pair(s, Direction::Forward, -12.0, -15.0, 3.0, -4.0, &mut rng, len));
        x.extend(std::iter::repeat_n(0.0, (rng.next_u64() % 400) as usize));
    }
    let pcm = alaw(&x);
    let mut whole = R2Detector::new(Direction::Forward);
    let mut whole_on = Vec::new();
    whole.process(&pcm, &mut whole_on);
    let whole_ev = whole.take_events();
    assert!(whole_on.len() >= 15);
    for _ in 0..20 {
        let mut d = R2Detector::new(Direction::Forward);
        let mut on = Vec::new();
        let mut at = 0;
        while at < pcm.len() {
            let step = [0, 1, 2, 66, 67, 68, 160][(rng.next_u64() % 7) as usize].min(pcm.len() - at);
            d.process(&pcm[at..at + step], &mut on);
            at += step;
        }
        assert_eq!(on, whole_on);
        assert_eq!(d.take_events(), whole_ev);
    }
}

#[test]
fn bank_matches_single_detectors() {
    let mut rng = Rng::new(7);
    let channels = 19; // two full groups of 8 and a partial one
    let n_total = 8000;
    let mut rows: Vec<Vec<i16>> = Vec::new();
    for c in 0..channels {
        let mut x = Vec::new();
        while x.len() < n_total {
            let s = 1 + (rng.next_u64() % 15) as u8;
            let len = 200 + (rng.next_u64() % 600) as usize;
            x.extend(pair(s, Direction::Backward, -10.0 - c as f64, -12.0, 0.0, 5.0, &mut rng, len));
            x.extend(std::iter::repeat_n(0.0, (rng.next_u64() % 300) as usize));
        }
        x.truncate(n_total);
        rows.push(alaw(&x));
    }
    let mut bank = R2DetectorBank::new(channels, Direction::Backward);
    let mut singles: Vec<R2Detector> = (0..channels).map(|_| R2Detector::new(Direction::Backward)).collect();
    let mut at = 0;
    let mut reset_done = false;
    while at < n_total {
        let n = [16, 160, 1, 0, 67, 100][(rng.next_u64() % 6) as usize].min(n_total - at);
        let mut block = Vec::with_capacity(channels * n);
        for row in &rows {
            block.extend_from_slice(&row[at..at + n]);
        }
        let mut out = Vec::new();
        bank.process(&block, channels, n, &mut out).unwrap();
        let mut expect = Vec::new();
        for (c, d) in singles.iter_mut().enumerate() {
            let mut on = Vec::new();
            d.process(&rows[c][at..at + n], &mut on);
            expect.extend(on.into_iter().map(|s| (c, s)));
        }
        assert_eq!(out, expect);
        let ev = bank.take_events();
        let expect_ev: Vec<(usize, Event)> = singles
            .iter_mut()
            .enumerate()
            .flat_map(|(c, d)| d.take_events().into_iter().map(move |e| (c, e)))
            .collect();
        assert_eq!(ev, expect_ev);
        at += n;
        if !reset_done && at > 3000 {
            // Misalign one lane of the first group: a reset restarts its blocks.
            bank.reset(3).unwrap();
            singles[3].reset();
            bank.reset(17).unwrap();
            singles[17].reset();
            reset_done = true;
        }
    }
    assert!(bank.process(&[0; 5], channels, 1, &mut Vec::new()).is_err());
    assert!(bank.reset(channels).is_err());
}
