//! DTMF generator (Q.23): two phase-continuous sines per digit, then silence.

use super::digit_freqs;
use crate::common::level::sine_peak;
use crate::common::oscillator::{mix_into, Oscillator};
use crate::common::{Law, SAMPLE_RATE};
use std::fmt;

/// Largest sum of the two tone peaks the generator accepts: beyond it the
/// int16 output (and so the coder) would clip.
pub const MAX_PEAK_SUM: f64 = 32767.0;
/// Longest on or off time accepted, so a typo cannot allocate gigabytes.
pub const MAX_DURATION_MS: f64 = 60_000.0;
/// Longest output of one call: one hour.
pub const MAX_TOTAL_SAMPLES: usize = 3600 * 8000;

#[derive(Debug, Clone, PartialEq)]
pub enum GenerateError {
    UnknownDigit(char),
    Overload { low_dbm0: f64, high_dbm0: f64, peak_sum: f64 },
    BadLevel(f64),
    BadDuration(f64),
    TooLong(usize),
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenerateError::UnknownDigit(c) => {
                write!(f, "unknown DTMF digit {c:?} (expected 0-9, *, #, A-D)")
            }
            GenerateError::Overload { low_dbm0, high_dbm0, peak_sum } => write!(
                f,
                "levels {low_dbm0} / {high_dbm0} dBm0 overload the coder: sum of peaks {peak_sum:.0} > {MAX_PEAK_SUM}"
            ),
            GenerateError::BadLevel(v) => write!(f, "level {v} dBm0 is not a finite number"),
            GenerateError::TooLong(n) => {
                write!(f, "{n} samples is longer than the {MAX_TOTAL_SAMPLES} the generator makes in one call")
            }
            GenerateError::BadDuration(v) => {
                write!(f, "duration {v} ms must be finite and within 0..={MAX_DURATION_MS}")
            }
        }
    }
}

impl std::error::Error for GenerateError {}

fn samples_for(ms: f64) -> Result<usize, GenerateError> {
    if !ms.is_finite() || !(0.0..=MAX_DURATION_MS).contains(&ms) {
        return Err(GenerateError::BadDuration(ms));
    }
    Ok((ms * SAMPLE_RATE / 1000.0).round() as usize)
}

/// PCM (A-law levels) for `digits`: each digit is `on_ms` of its two tones
/// (low tone at `low_dbm0`, high tone at `high_dbm0`, each level per tone)
/// followed by `off_ms` of silence.
pub fn generate(
    digits: &str,
    on_ms: f64,
    off_ms: f64,
    low_dbm0: f64,
    high_dbm0: f64,
) -> Result<Vec<i16>, GenerateError> {
    for v in [low_dbm0, high_dbm0] {
        if !v.is_finite() {
            return Err(GenerateError::BadLevel(v));
        }
    }
    let on = samples_for(on_ms)?;
    let off = samples_for(off_ms)?;
    let low_peak = sine_peak(Law::Alaw, low_dbm0);
    let high_peak = sine_peak(Law::Alaw, high_dbm0);
    let peak_sum = low_peak + high_peak;
    if peak_sum > MAX_PEAK_SUM {
        return Err(GenerateError::Overload { low_dbm0, high_dbm0, peak_sum });
    }
    let mut pairs = Vec::with_capacity(digits.len());
    for ch in digits.chars() {
        let f = if ch.is_ascii() { digit_freqs(ch as u8) } else { None };
        pairs.push(f.ok_or(GenerateError::UnknownDigit(ch))?);
    }
    let total = pairs.len().saturating_mul(on + off);
    if total > MAX_TOTAL_SAMPLES {
        return Err(GenerateError::TooLong(total));
    }
    let mut out = Vec::with_capacity(total);
    for (lo, hi) in pairs {
        let mut oscs = [Oscillator::new(lo, low_peak), Oscillator::new(hi, high_peak)];
        mix_into(&mut oscs, on, &mut out);
        out.resize(out.len() + off, 0);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::level::{max_tone_dbm0, power_to_dbm0};

    #[test]
    fn length_and_level() {
        let pcm = generate("1", 100.0, 50.0, -10.0, -10.0).unwrap();
        assert_eq!(pcm.len(), 1200);
        let p: f64 = pcm[..800].iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / 800.0;
        // Two tones at -10 dBm0 each: -6.99 dBm0 in all.
        assert!((power_to_dbm0(Law::Alaw, p) + 6.99).abs() < 0.05);
        assert!(pcm[800..].iter().all(|&v| v == 0));
    }

    #[test]
    fn refuses_overload_and_unknown_digits() {
        let max = max_tone_dbm0(Law::Alaw, 2);
        assert!(generate("5", 50.0, 50.0, max, max).is_ok());
        assert!(generate("5", 50.0, 50.0, -3.0, -3.0).is_ok());
        assert!(matches!(generate("5", 50.0, 50.0, -2.8, -2.8), Err(GenerateError::Overload { .. })));
        assert!(matches!(generate("5E", 50.0, 50.0, -10.0, -10.0), Err(GenerateError::UnknownDigit('E'))));
        assert!(generate("5", -1.0, 50.0, -10.0, -10.0).is_err());
        assert!(generate("5", 50.0, 50.0, f64::NAN, -10.0).is_err());
    }
}
