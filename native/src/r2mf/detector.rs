//! R2 receiver for one channel (Q.455): six Goertzels over fixed 67-sample
//! blocks, a per-block 2-out-of-6 decision, and block persistence for the
//! timing rules.
//!
//! Why 67 samples: the R2 frequencies are 120 Hz apart, and a rectangular
//! window of N samples has its spectral nulls every 8000/N Hz. At N = 67 that
//! spacing is 119.4 Hz, so every other R2 frequency of the same direction falls
//! on a null of each bin: the bins do not leak into each other, even with both
//! tones 10 Hz off (leakage then -19 to -21 dB into the adjacent bin).
//!
//! Why 3 blocks to operate and 3 to release:
//! - A pulse shorter than 7 ms (56 samples) touches at most 2 consecutive blocks
//!   (67 > 56), so it can never make 3 consecutive blocks pass: no response to
//!   pulses < 7 ms (Q.455: no response to -5 dBm0 pulses under 7 ms),
//!   deterministically, whatever the phase and alignment.
//! - An interruption of up to 7 ms likewise spoils at most 2 consecutive blocks,
//!   so a release needing 3 failing blocks never happens inside one (Q.455).
//! - Operate: the first block wholly inside the tone ends at most 66+67 samples
//!   after the start; two more blocks confirm: <= 267 samples. Release: the
//!   block holding the end may still pass, three more fail: <= 267 samples.
//!   Operate plus release <= 534 samples = 66.8 ms <= 80 ms (Q.455).

use super::{signal_of_pair, Direction};
use crate::common::goertzel::coefficient;
use crate::common::level::dbm0_to_power;
use crate::common::Law;

/// Samples per Goertzel block (see the module comment).
pub const BLOCK: usize = 67;
/// Consecutive passing blocks needed to recognise a signal.
pub const OPERATE_BLOCKS: u8 = 3;
/// Consecutive blocks without the signal needed to release it.
pub const RELEASE_BLOCKS: u8 = 3;

/// Weakest tone accepted: 3 dB below the lowest operate level of -35 dBm0
/// (Q.455 receiver operate range -5 to -35 dBm0), leaving room for A-law
/// quantisation and +-10 Hz.
pub const MIN_LEVEL_DBM0: f64 = -38.0;
/// Largest level difference between the two tones. Q.455 asks to accept 5 dB
/// (adjacent) and 7 dB (non-adjacent) and to reject 20 dB; 11 dB sits between
/// with margin on both sides.
pub const MAX_TWIST_DB: f64 = 11.0;
/// Every other bin must be this far below the weaker tone: a third frequency
/// (or speech) is not a 2-out-of-6 signal. Not more: a tone 10 Hz off leaks up
/// to about -19 dB (measured, through A-law) into the adjacent bin, and with the
/// weaker tone up to 11 dB down that leak is only 8 dB below it.
pub const GUARD_DB: f64 = 6.0;
/// The two tones must carry this share of the block's whole energy: speech and
/// noise spread their energy outside the six bins, and a block only partly
/// filled with tone carries about its filled fraction. Clean R2 signals through
/// A-law give 0.97-0.99; with 0.8 every signal is still recognised with white
/// noise 8 dB below the two tones' power (measured; 6 dB loses some).
/// Measured on 64 channel-minutes of espeak-ng Mandarin at -15 dBm0: false
/// signals 39 at 0.6, 6 at 0.7, none at 0.8.
pub const MIN_TONE_SHARE: f64 = 0.8;

/// An onset or release of a signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub signal: u8,
    pub on: bool,
    /// Index (from the start of the stream or the last reset) of the last sample
    /// of the block on which the decision was made.
    pub sample: u64,
}

/// The per-block decision thresholds, precomputed in Goertzel units.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Thresholds {
    /// Minimum squared Goertzel magnitude of each tone.
    min_bin: f32,
    twist: f32,
    guard: f32,
    /// Multiplier turning a squared bin magnitude into the tone's block energy.
    bin_to_energy: f32,
    share: f32,
}

impl Thresholds {
    pub(crate) fn new() -> Self {
        let n = BLOCK as f64;
        // A sine of power P over N samples gives |X|^2 = N^2 P / 2 and block
        // energy N P, so the tone's energy is 2 |X|^2 / N.
        Self {
            min_bin: (n * n * dbm0_to_power(Law::Alaw, MIN_LEVEL_DBM0) / 2.0) as f32,
            twist: 10f64.powf(MAX_TWIST_DB / 10.0) as f32,
            guard: 10f64.powf(-GUARD_DB / 10.0) as f32,
            bin_to_energy: (2.0 / n) as f32,
            share: MIN_TONE_SHARE as f32,
        }
    }

    /// Signal 1..=15 carried by one block, or 0.
    #[inline]
    pub(crate) fn classify(&self, bins: &[f32; 6], total: f32) -> u8 {
        // Quick exits for most speech and silence blocks, before ranking the
        // bins: the two tones cannot carry more than all six bins together (the
        // 0.999 covers rounding, so no block the full test accepts is lost).
        let all: f32 = bins.iter().sum();
        if all * self.bin_to_energy < self.share * total * 0.999 || all < self.min_bin {
            return 0;
        }
        let (mut a, mut b) = if bins[0] >= bins[1] { (0, 1) } else { (1, 0) };
        for k in 2..6 {
            if bins[k] > bins[a] {
                b = a;
                a = k;
            } else if bins[k] > bins[b] {
                b = k;
            }
        }
        let (strong, weak) = (bins[a], bins[b]);
        if weak < self.min_bin || strong > weak * self.twist {
            return 0;
        }
        let limit = weak * self.guard;
        if (0..6).any(|k| k != a && k != b && bins[k] > limit) {
            return 0;
        }
        if (strong + weak) * self.bin_to_energy < self.share * total {
            return 0;
        }
        signal_of_pair(a, b)
    }
}

/// Goertzel coefficients of a direction's six frequencies.
pub(crate) fn coefficients(direction: Direction) -> [f32; 6] {
    direction.frequencies().map(coefficient)
}

/// Goertzel states of L channels side by side, so that the bank runs L
/// channels per instruction; the single detector is the case L = 1. Every lane
/// does the same f32 operations in the same order, so results do not depend on L.
#[derive(Clone, Debug)]
pub(crate) struct Lanes<const L: usize> {
    s1: [[f32; L]; 6],
    s2: [[f32; L]; 6],
    energy: [f32; L],
}

impl<const L: usize> Lanes<L> {
    pub(crate) fn new() -> Self {
        Self { s1: [[0.0; L]; 6], s2: [[0.0; L]; 6], energy: [0.0; L] }
    }

    /// Push samples (one [f32; L] per time step) through every lane.
    #[inline(always)]
    pub(crate) fn run(&mut self, coef: &[f32; 6], xs: &[[f32; L]]) {
        let mut s1 = self.s1;
        let mut s2 = self.s2;
        let mut e = self.energy;
        for x in xs {
            for k in 0..6 {
                for l in 0..L {
                    // (x - s2) does not wait for the previous step's s1, so the
                    // loop-carried chain is one multiply and one add.
                    let s = (x[l] - s2[k][l]) + coef[k] * s1[k][l];
                    s2[k][l] = s1[k][l];
                    s1[k][l] = s;
                }
            }
            for l in 0..L {
                e[l] += x[l] * x[l];
            }
        }
        self.s1 = s1;
        self.s2 = s2;
        self.energy = e;
    }

    /// Squared bin magnitudes and total energy of one lane's block.
    #[inline]
    pub(crate) fn block(&self, coef: &[f32; 6], lane: usize) -> ([f32; 6], f32) {
        let mut bins = [0f32; 6];
        for k in 0..6 {
            let (s1, s2) = (self.s1[k][lane], self.s2[k][lane]);
            bins[k] = s1 * s1 + s2 * s2 - coef[k] * s1 * s2;
        }
        (bins, self.energy[lane])
    }

    #[inline]
    pub(crate) fn clear(&mut self, lane: usize) {
        for k in 0..6 {
            self.s1[k][lane] = 0.0;
            self.s2[k][lane] = 0.0;
        }
        self.energy[lane] = 0.0;
    }
}

/// The persistence state machine on top of per-block decisions.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Persistence {
    /// Signal recognised now, 0 if none.
    current: u8,
    /// Signal of the latest run of identical passing blocks, and its length.
    candidate: u8,
    run: u8,
    /// Consecutive blocks without `current`.
    misses: u8,
}

impl Persistence {
    /// Take the decision of the block ending at `sample`. Pushes an onset
    /// signal to `onsets` and events to `events`.
    #[inline]
    pub(crate) fn step(&mut self, detected: u8, sample: u64, onsets: &mut Vec<u8>, events: &mut Vec<Event>) {
        if detected != 0 && detected == self.candidate {
            self.run = self.run.saturating_add(1);
        } else {
            self.candidate = detected;
            self.run = (detected != 0) as u8;
        }
        if self.current != 0 {
            if detected == self.current {
                self.misses = 0;
            } else {
                self.misses += 1;
                if self.misses >= RELEASE_BLOCKS {
                    events.push(Event { signal: self.current, on: false, sample });
                    self.current = 0;
                    self.misses = 0;
                }
            }
        }
        if self.current == 0 && self.candidate != 0 && self.run >= OPERATE_BLOCKS {
            self.current = self.candidate;
            self.misses = 0;
            onsets.push(self.current);
            events.push(Event { signal: self.current, on: true, sample });
        }
    }

    pub(crate) fn current(&self) -> u8 {
        self.current
    }
}

/// R2 receiver for one channel.
#[derive(Clone, Debug)]
pub struct R2Detector {
    direction: Direction,
    coef: [f32; 6],
    thresholds: Thresholds,
    lanes: Lanes<1>,
    /// Samples already in the current block.
    fill: usize,
    /// Samples processed since creation or reset.
    samples: u64,
    persistence: Persistence,
    events: Vec<Event>,
}

impl R2Detector {
    pub fn new(direction: Direction) -> Self {
        Self {
            direction,
            coef: coefficients(direction),
            thresholds: Thresholds::new(),
            lanes: Lanes::new(),
            fill: 0,
            samples: 0,
            persistence: Persistence::default(),
            events: Vec::new(),
        }
    }

    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// Feed samples; signals recognised (onsets) are appended to `onsets`.
    pub fn process(&mut self, pcm: &[i16], onsets: &mut Vec<u8>) {
        let mut buf = [[0f32; 1]; BLOCK];
        let mut rest = pcm;
        while !rest.is_empty() {
            let take = rest.len().min(BLOCK - self.fill);
            let (now, later) = rest.split_at(take);
            for (b, &x) in buf.iter_mut().zip(now) {
                b[0] = x as f32;
            }
            self.lanes.run(&self.coef, &buf[..take]);
            self.fill += take;
            self.samples += take as u64;
            rest = later;
            if self.fill == BLOCK {
                let (bins, total) = self.lanes.block(&self.coef, 0);
                let detected = self.thresholds.classify(&bins, total);
                self.persistence.step(detected, self.samples - 1, onsets, &mut self.events);
                self.lanes.clear(0);
                self.fill = 0;
            }
        }
    }

    /// Take the events since the last call.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// Signal recognised now, 0 if none.
    pub fn current(&self) -> u8 {
        self.persistence.current()
    }

    /// Back to the state of a new detector (pending events are dropped).
    pub fn reset(&mut self) {
        *self = Self::new(self.direction);
    }
}
