//! Voice activity detector: speech start and end with sample times.
//!
//! Energy over 10 ms blocks against a configurable threshold (dBm0, G.711
//! digital milliwatt reference), with a start confirmation and a hangover:
//! - start: two consecutive blocks at or above the threshold (a click or a
//!   single noise burst of under 10 ms does not start speech); the reported
//!   sample is the first sample of the first of them at or above the
//!   threshold's amplitude, so onsets are located to the sample;
//! - end: `hangover_ms` of blocks below the threshold; the reported sample is
//!   where the hangover ran out (end of the last loud block plus the hangover),
//!   so pauses shorter than the hangover are bridged.
//!
//! Used for end of voicemail, answer timing (human or machine) and talker indication.

use crate::common::bank::{BlockDetector, DetectorBank};
use crate::common::level;
use crate::common::{Law, SAMPLE_RATE};

pub const VAD_BLOCK: usize = 80;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoiceEventKind {
    SpeechStart,
    SpeechEnd,
}

impl VoiceEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VoiceEventKind::SpeechStart => "speech_start",
            VoiceEventKind::SpeechEnd => "speech_end",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VoiceEvent {
    pub kind: VoiceEventKind,
    pub sample: u64,
}

/// Why a configuration was refused.
#[derive(Debug, PartialEq)]
pub enum VadConfigError {
    Threshold,
    Hangover,
}

/// Threshold limits (dBm0): below -80 the A-law idle noise itself is "speech".
pub const THRESHOLD_RANGE: (f64, f64) = (-80.0, 3.0);
/// Longest hangover accepted (ms).
pub const MAX_HANGOVER_MS: f64 = 60_000.0;

#[derive(Clone, Debug)]
pub struct VoiceDetector {
    threshold_energy: f64,
    threshold_amplitude: f64,
    hangover_blocks: u64,
    buf: [i16; VAD_BLOCK],
    fill: usize,
    block: u64,
    in_speech: bool,
    /// Blocks at/above threshold in a row while not in speech, and the onset sample of the first.
    loud_run: u32,
    onset: u64,
    quiet_blocks: u64,
    events: Vec<VoiceEvent>,
}

impl VoiceDetector {
    pub fn new(threshold_dbm0: f64, hangover_ms: f64) -> Result<Self, VadConfigError> {
        if !threshold_dbm0.is_finite() || threshold_dbm0 < THRESHOLD_RANGE.0 || threshold_dbm0 > THRESHOLD_RANGE.1 {
            return Err(VadConfigError::Threshold);
        }
        if !hangover_ms.is_finite() || !(0.0..=MAX_HANGOVER_MS).contains(&hangover_ms) {
            return Err(VadConfigError::Hangover);
        }
        let block_ms = 1000.0 * VAD_BLOCK as f64 / SAMPLE_RATE;
        Ok(VoiceDetector {
            threshold_energy: level::dbm0_to_power(Law::Alaw, threshold_dbm0) * VAD_BLOCK as f64,
            // Peak of a sine at the threshold: the onset is the first sample this loud.
            threshold_amplitude: level::sine_peak(Law::Alaw, threshold_dbm0),
            hangover_blocks: (hangover_ms / block_ms).ceil() as u64,
            buf: [0; VAD_BLOCK],
            fill: 0,
            block: 0,
            in_speech: false,
            loud_run: 0,
            onset: 0,
            quiet_blocks: 0,
            events: Vec::new(),
        })
    }

    pub fn reset(&mut self) {
        self.fill = 0;
        self.block = 0;
        self.in_speech = false;
        self.loud_run = 0;
        self.onset = 0;
        self.quiet_blocks = 0;
        self.events.clear();
    }

    /// Feed samples; events found go to `out` (and are kept for `take_events`).
    pub fn process(&mut self, pcm: &[i16], out: &mut Vec<VoiceEvent>) {
        let mut rest = pcm;
        while !rest.is_empty() {
            let take = (VAD_BLOCK - self.fill).min(rest.len());
            self.buf[self.fill..self.fill + take].copy_from_slice(&rest[..take]);
            self.fill += take;
            rest = &rest[take..];
            if self.fill == VAD_BLOCK {
                self.fill = 0;
                self.block_done(out);
            }
        }
    }

    pub fn take_events(&mut self) -> Vec<VoiceEvent> {
        std::mem::take(&mut self.events)
    }

    fn emit(&mut self, kind: VoiceEventKind, sample: u64, out: &mut Vec<VoiceEvent>) {
        let e = VoiceEvent { kind, sample };
        out.push(e);
        self.events.push(e);
    }

    fn block_done(&mut self, out: &mut Vec<VoiceEvent>) {
        let start = self.block * VAD_BLOCK as u64;
        self.block += 1;
        let energy: f64 = self.buf.iter().map(|&s| (s as i32 * s as i32) as f64).sum();
        let loud = energy >= self.threshold_energy;
        if self.in_speech {
            if loud {
                self.quiet_blocks = 0;
            } else {
                self.quiet_blocks += 1;
                if self.quiet_blocks >= self.hangover_blocks.max(1) {
                    let last_loud_end = start + VAD_BLOCK as u64 - self.quiet_blocks * VAD_BLOCK as u64;
                    let at = last_loud_end + self.hangover_blocks * VAD_BLOCK as u64;
                    self.in_speech = false;
                    self.quiet_blocks = 0;
                    self.emit(VoiceEventKind::SpeechEnd, at, out);
                }
            }
        } else if loud {
            if self.loud_run == 0 {
                let first = self.buf.iter().position(|&s| (s as f64).abs() >= self.threshold_amplitude).unwrap_or(0);
                self.onset = start + first as u64;
            }
            self.loud_run += 1;
            if self.loud_run >= 2 {
                self.in_speech = true;
                self.loud_run = 0;
                self.quiet_blocks = 0;
                let onset = self.onset;
                self.emit(VoiceEventKind::SpeechStart, onset, out);
            }
        } else {
            self.loud_run = 0;
        }
    }
}

impl BlockDetector for VoiceDetector {
    type Item = VoiceEvent;
    type Event = VoiceEvent;
    fn process(&mut self, pcm: &[i16], out: &mut Vec<VoiceEvent>) {
        VoiceDetector::process(self, pcm, out)
    }
    fn take_events(&mut self) -> Vec<VoiceEvent> {
        VoiceDetector::take_events(self)
    }
    fn reset(&mut self) {
        VoiceDetector::reset(self)
    }
}

/// One voice detector per channel over row-major `[channels][n]` blocks.
pub type VoiceDetectorBank = DetectorBank<VoiceDetector>;

impl DetectorBank<VoiceDetector> {
    pub fn new(channels: usize, threshold_dbm0: f64, hangover_ms: f64) -> Result<Self, VadConfigError> {
        let one = VoiceDetector::new(threshold_dbm0, hangover_ms)?;
        Ok(Self::from_fn(channels, |_| one.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::noise::Rng;

    fn burst(level_dbm0: f64, n: usize, rng: &mut Rng) -> Vec<i16> {
        let sigma = level::dbm0_to_power(Law::Alaw, level_dbm0).sqrt();
        (0..n).map(|_| (rng.gaussian() * sigma).round().clamp(-32768.0, 32767.0) as i16).collect()
    }

    #[test]
    fn start_and_end_located() {
        let mut rng = Rng::new(1);
        let mut x = vec![0i16; 4000];
        x.extend(burst(-20.0, 8000, &mut rng));
        x.extend(vec![0i16; 8000]);
        let mut v = VoiceDetector::new(-40.0, 300.0).unwrap();
        let mut out = Vec::new();
        v.process(&x, &mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].kind, VoiceEventKind::SpeechStart);
        assert!((out[0].sample as i64 - 4000).abs() <= 160, "{:?}", out[0]);
        assert!((out[1].sample as i64 - (12000 + 2400)).abs() <= 160, "{:?}", out[1]);
    }

    #[test]
    fn quiet_noise_never_triggers() {
        let mut rng = Rng::new(2);
        let x = burst(-60.0, 8000 * 60, &mut rng);
        let mut v = VoiceDetector::new(-40.0, 300.0).unwrap();
        let mut out = Vec::new();
        v.process(&x, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn bad_configuration_refused() {
        assert_eq!(VoiceDetector::new(f64::NAN, 300.0).err(), Some(VadConfigError::Threshold));
        assert_eq!(VoiceDetector::new(-40.0, -1.0).err(), Some(VadConfigError::Hangover));
    }
}
