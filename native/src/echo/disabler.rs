//! The tone disabler of G.165 clause 4 / G.168 clause 6.4 (answer tone 2100 Hz,
//! with or without phase reversals), watched in both directions.
//!
//! Each direction is cut into 10 ms blocks. 2100 Hz makes exactly 21 cycles in
//! 80 samples, so the tone's complex DFT bin keeps its phase from block to block
//! and a phase reversal shows as a sign change of the bin.

use crate::common::level::dbm0_to_power;
use crate::common::Law;

const BLOCK: usize = 80;
/// 2100 Hz +- 21 Hz (V.25) falls well inside the bin (nulls at +-100 Hz).
const TONE_HZ: f64 = 2100.0;
/// Tone present when the bin holds this share of the block energy.
const PURITY: f32 = 0.7;
/// G.165 3.1: the disabler detects the tone from -31 dBm0; we allow 2 dB margin.
const DETECT_DBM0: f64 = -33.0;
/// Holding: a direction is "quiet" below this level.
const QUIET_DBM0: f64 = -40.0;
/// Released 250 ms after both directions went quiet (G.165 4.4.3: 250 +- 150 ms).
const RELEASE_BLOCKS: u32 = 25;
/// Plain 2100 Hz for this long disables the NLP (fax CED).
const CED_BLOCKS: u32 = 60;
/// Missing blocks tolerated inside a tone (a reversal smears one block).
const MAX_GAP: u32 = 3;

/// What the disabler asks of the canceller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Normal cancelling.
    Normal,
    /// 2100 Hz without reversals (fax): NLP and comfort noise off, adaptation frozen.
    NlpOff,
    /// 2100 Hz with phase reversals (V.8/V.32 modems): Sout = Sin.
    Bypass,
}

impl Mode {
    pub fn event_name(self) -> &'static str {
        match self {
            Mode::Normal => "enabled",
            Mode::NlpOff => "nlp_disabled",
            Mode::Bypass => "disabled",
        }
    }
}

#[derive(Clone, Debug)]
struct Direction {
    re: f32,
    im: f32,
    power: f32,
    last: Option<(f32, f32)>,
    gap: u32,
    run: u32,
    reversed: bool,
    quiet: bool,
}

impl Direction {
    fn new() -> Self {
        Self { re: 0.0, im: 0.0, power: 0.0, last: None, gap: 0, run: 0, reversed: false, quiet: true }
    }

    fn end_block(&mut self, detect: f32, quiet: f32) {
        let bin = self.re * self.re + self.im * self.im;
        // A pure tone of amplitude A gives |bin|^2 = (A N/2)^2 and block energy A^2 N/2.
        let tonal = self.power > 0.0 && 2.0 * bin / (BLOCK as f32 * self.power) > PURITY;
        let mean = self.power / BLOCK as f32;
        self.quiet = mean < quiet;
        if tonal && mean >= detect {
            if let Some((lr, li)) = self.last {
                let dotp = self.re * lr + self.im * li;
                let mag = (bin * (lr * lr + li * li)).sqrt();
                // Opposite phase (beyond 135 degrees) after at least 50 ms of tone.
                if self.run >= 5 && dotp < -0.707 * mag {
                    self.reversed = true;
                }
            }
            self.last = Some((self.re, self.im));
            self.run += 1 + self.gap;
            self.gap = 0;
        } else if self.last.is_some() && self.gap < MAX_GAP {
            self.gap += 1;
        } else {
            self.last = None;
            self.gap = 0;
            self.run = 0;
            self.reversed = false;
        }
        self.re = 0.0;
        self.im = 0.0;
        self.power = 0.0;
    }
}

#[derive(Clone, Debug)]
pub struct ToneDisabler {
    cos: [f32; BLOCK],
    sin: [f32; BLOCK],
    phase: usize,
    dirs: [Direction; 2],
    mode: Mode,
    quiet_blocks: u32,
    detect: f32,
    quiet: f32,
}

impl ToneDisabler {
    pub fn new() -> Self {
        let mut cos = [0.0; BLOCK];
        let mut sin = [0.0; BLOCK];
        for i in 0..BLOCK {
            let w = 2.0 * std::f64::consts::PI * TONE_HZ * i as f64 / crate::common::SAMPLE_RATE;
            cos[i] = w.cos() as f32;
            sin[i] = w.sin() as f32;
        }
        Self {
            cos,
            sin,
            phase: 0,
            dirs: [Direction::new(), Direction::new()],
            mode: Mode::Normal,
            quiet_blocks: 0,
            detect: dbm0_to_power(Law::Alaw, DETECT_DBM0) as f32,
            quiet: dbm0_to_power(Law::Alaw, QUIET_DBM0) as f32,
        }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// Feed one sample of each direction; returns the new mode when it changed.
    #[inline(always)]
    pub fn push(&mut self, sin: f32, rin: f32) -> Option<Mode> {
        let (c, s) = (self.cos[self.phase], self.sin[self.phase]);
        for (d, x) in self.dirs.iter_mut().zip([sin, rin]) {
            d.re += x * c;
            d.im -= x * s;
            d.power += x * x;
        }
        self.phase += 1;
        if self.phase < BLOCK {
            return None;
        }
        self.phase = 0;
        let (detect, quiet) = (self.detect, self.quiet);
        for d in self.dirs.iter_mut() {
            d.end_block(detect, quiet);
        }
        let old = self.mode;
        let reversed = self.dirs.iter().any(|d| d.reversed);
        let ced = self.dirs.iter().any(|d| d.run >= CED_BLOCKS);
        if reversed {
            self.mode = Mode::Bypass;
        } else if ced && self.mode == Mode::Normal {
            self.mode = Mode::NlpOff;
        }
        if self.mode != Mode::Normal {
            // Holding (G.165 4.4.3): any signal in either direction keeps the state.
            if self.dirs.iter().all(|d| d.quiet) {
                self.quiet_blocks += 1;
                if self.quiet_blocks >= RELEASE_BLOCKS {
                    self.mode = Mode::Normal;
                    self.quiet_blocks = 0;
                    for d in self.dirs.iter_mut() {
                        *d = Direction::new();
                    }
                }
            } else {
                self.quiet_blocks = 0;
            }
        }
        (self.mode != old).then_some(self.mode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::level::sine_peak;

    fn tone(n: usize, freq: f64, dbm0: f64, reversal_every: Option<usize>) -> Vec<f32> {
        let a = sine_peak(Law::Alaw, dbm0);
        let mut ph = 0.0f64;
        (0..n)
            .map(|i| {
                if let Some(r) = reversal_every {
                    if i > 0 && i % r == 0 {
                        ph += std::f64::consts::PI;
                    }
                }
                (a * (2.0 * std::f64::consts::PI * freq * i as f64 / 8000.0 + ph).sin()) as f32
            })
            .collect()
    }

    fn run(d: &mut ToneDisabler, sin: &[f32], rin: &[f32]) -> Vec<(Mode, usize)> {
        let mut ev = vec![];
        for i in 0..sin.len() {
            if let Some(m) = d.push(sin[i], rin[i]) {
                ev.push((m, i));
            }
        }
        ev
    }

    #[test]
    fn ans_with_reversals_bypasses_and_releases() {
        let mut d = ToneDisabler::new();
        // ANS with reversals every 450 ms (V.25), 2 s, on Sin, then 1 s silence.
        let mut s = tone(16000, 2100.0, -12.0, Some(3600));
        s.extend(vec![0.0; 8000]);
        let z = vec![0.0; s.len()];
        let ev = run(&mut d, &s, &z);
        assert_eq!(ev[0].0, Mode::Bypass, "{ev:?}");
        assert!(ev[0].1 > 3600 && ev[0].1 < 3600 + 800, "{ev:?}");
        assert_eq!(ev[1].0, Mode::Normal);
        let release_ms = (ev[1].1 - 16000) as f64 / 8.0;
        assert!((100.0..=400.0).contains(&release_ms), "{release_ms}");
    }

    #[test]
    fn ced_turns_nlp_off_after_600ms() {
        let mut d = ToneDisabler::new();
        let r = tone(8000, 2100.0, -12.0, None);
        let z = vec![0.0; r.len()];
        let ev = run(&mut d, &z, &r);
        assert_eq!(ev.len(), 1, "{ev:?}");
        assert_eq!(ev[0].0, Mode::NlpOff);
        let at_ms = (ev[0].1 + 1) as f64 / 8.0;
        assert!((600.0..=700.0).contains(&at_ms), "{at_ms}");
    }

    #[test]
    fn other_tones_do_not_trigger() {
        for f in [1800.0, 2000.0, 2250.0, 1004.0] {
            let mut d = ToneDisabler::new();
            let r = tone(16000, f, -10.0, Some(3600));
            let z = vec![0.0; r.len()];
            assert!(run(&mut d, &z, &r).is_empty(), "{f}");
        }
    }
}
