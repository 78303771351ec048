//! Kernel-level checks of the whole canceller (the G.168 conformance tests with
//! A-law, CSS and speech run from Python in tests/test_echo_*.py).

use super::*;
use crate::common::level::{dbm0_to_power, power_to_dbm0};
use crate::common::noise::Rng;
use crate::common::Law;
use crate::g711::{alaw_to_linear, linear_to_alaw};

fn alaw(v: f64) -> i16 {
    alaw_to_linear(linear_to_alaw(v.round().clamp(-32768.0, 32767.0) as i16))
}

/// Bursty coloured noise (a crude speech stand-in): first-order low-pass noise
/// gated on and off every 200 ms.
fn far_signal(n: usize, dbm0: f64, seed: u64) -> Vec<f64> {
    let mut r = Rng::new(seed);
    let sd = dbm0_to_power(Law::Alaw, dbm0).sqrt();
    let mut lp = 0.0;
    (0..n)
        .map(|i| {
            lp = 0.6 * lp + r.gaussian();
            if (i / 1600) % 4 == 3 { 0.0 } else { lp * sd * 0.8 }
        })
        .collect()
}

fn convolve(x: &[f64], h: &[f64], delay: usize) -> Vec<f64> {
    (0..x.len())
        .map(|i| {
            let mut acc = 0.0;
            for (k, hk) in h.iter().enumerate() {
                if i >= delay + k {
                    acc += hk * x[i - delay - k];
                }
            }
            acc
        })
        .collect()
}

fn power(x: impl Iterator<Item = f64>) -> f64 {
    let (mut s, mut n) = (0.0, 0usize);
    for v in x {
        s += v * v;
        n += 1;
    }
    s / n.max(1) as f64
}

struct Run {
    echo: Vec<f64>,
    sout: Vec<i16>,
}

fn run(model: &str, erl: f64, delay: usize, cfg: Config, secs: f64) -> Run {
    let n = (secs * 8000.0) as usize;
    let rin_f = far_signal(n, -20.0, 7);
    let rin: Vec<i16> = rin_f.iter().map(|&v| alaw(v)).collect();
    let rin_lin: Vec<f64> = rin.iter().map(|&v| v as f64).collect();
    let echo = convolve(&rin_lin, &g168_echo_path(model, erl).unwrap(), delay);
    let sin: Vec<i16> = echo.iter().map(|&v| alaw(v)).collect();
    let mut ec = EchoCanceller::new(cfg).unwrap();
    let mut sout = vec![0i16; n];
    ec.process(&sin, &rin, &mut sout);
    Run { echo, sout }
}

fn reduction_db(r: &Run, from: usize, to: usize) -> f64 {
    let pe = power(r.echo[from..to].iter().copied());
    let po = power(r.sout[from..to].iter().map(|&v| v as f64));
    10.0 * (pe / po.max(1e-9)).log10()
}

#[test]
fn converges_fast_on_every_model() {
    let cfg = Config { nlp: false, ..Config::default() };
    for (i, m) in paths::MODELS.iter().enumerate() {
        let delay = [0, 400, 860][i % 3];
        let r = run(m, 6.0, delay, cfg, 2.0);
        let early = reduction_db(&r, 1200, 4000);
        let late = reduction_db(&r, 12000, 16000);
        eprintln!("{m} delay {delay}: early {early:.1} dB, late {late:.1} dB");
        assert!(early >= 20.0, "{m}: early {early:.1}");
        assert!(late >= 30.0, "{m}: late {late:.1}");
    }
}

#[test]
fn scalar_and_simd_give_the_same_output() {
    let a = run("D.5", 12.0, 300, Config { nlp: true, force_scalar: false, tail_ms: 64 }, 1.5);
    let b = run("D.5", 12.0, 300, Config { nlp: true, force_scalar: true, tail_ms: 64 }, 1.5);
    let diff = a.sout.iter().zip(&b.sout).map(|(x, y)| (*x as i32 - *y as i32).abs()).max().unwrap();
    // Float sums in another order: the outputs may differ by rounding only.
    assert!(diff <= 2, "max difference {diff} LSB");
}

#[test]
fn bank_equals_single_channels() {
    let cfg = Config::default();
    let n = 4000;
    let mut bank = EchoCancellerBank::new(3, cfg).unwrap();
    let mut singles: Vec<_> = (0..3).map(|_| EchoCanceller::new(cfg).unwrap()).collect();
    let sig: Vec<Vec<i16>> = (0..3).map(|c| far_signal(n, -20.0, c as u64 + 1).iter().map(|&v| alaw(v)).collect()).collect();
    let echo: Vec<Vec<i16>> = sig
        .iter()
        .map(|r| convolve(&r.iter().map(|&v| v as f64).collect::<Vec<_>>(), &g168_echo_path("D.3", 10.0).unwrap(), 50))
        .map(|e| e.iter().map(|&v| alaw(v)).collect())
        .collect();
    let mut out = vec![];
    // In 160-sample blocks for the bank, one go for the singles.
    let mut bank_out = vec![vec![]; 3];
    for b in (0..n).step_by(160) {
        let (mut bs, mut br) = (vec![], vec![]);
        for c in 0..3 {
            bs.extend(&echo[c][b..b + 160]);
            br.extend(&sig[c][b..b + 160]);
        }
        bank.process(&bs, &br, 160, &mut out);
        for c in 0..3 {
            bank_out[c].extend(&out[c * 160..(c + 1) * 160]);
        }
    }
    for c in 0..3 {
        let mut o = vec![0; n];
        singles[c].process(&echo[c], &sig[c], &mut o);
        assert_eq!(o, bank_out[c], "channel {c}");
    }
}

#[test]
fn state_fits_24_kib_at_128_ms() {
    let ec = EchoCanceller::new(Config::default()).unwrap();
    let bytes = ec.state_bytes();
    eprintln!("state at 128 ms: {bytes} bytes");
    assert!(bytes <= 24 * 1024, "{bytes}");
}

#[test]
fn rejects_bad_tails() {
    for t in [0, 8, 100, 256] {
        assert!(EchoCanceller::new(Config { tail_ms: t, ..Config::default() }).is_err());
    }
}

#[test]
fn nlp_returns_echo_below_minus_65() {
    let r = run("D.4", 6.0, 200, Config::default(), 3.0);
    let late = power(r.sout[8000..].iter().map(|&v| v as f64));
    let db = power_to_dbm0(Law::Alaw, late);
    assert!(db < -65.0, "{db}");
}

#[test]
fn solve_cost_is_reported() {
    // Times one least-squares solve (three candidate windows) on a converging search.
    let tail = 1024;
    let mut hist = filter::History::new(tail + 1);
    let mut search = delay::Search::new(tail, SHORT_TAPS);
    let mut r = Rng::new(3);
    for _ in 0..4000 {
        let x = (r.gaussian() * 1000.0) as f32;
        hist.push(x);
        search.accumulate(simd::detect(), x * 0.3, &hist);
    }
    let prior = vec![0.0f32; SHORT_TAPS];
    let t = std::time::Instant::now();
    let reps = 5;
    for _ in 0..reps {
        search.solve(simd::detect(), &hist, SHORT_TAPS, SHORT_TAPS, (0, &prior), delay::RIDGE_FIRST, |_, _| ()).unwrap();
    }
    eprintln!("solve: {:.2} ms", t.elapsed().as_secs_f64() * 1e3 / reps as f64);
}
