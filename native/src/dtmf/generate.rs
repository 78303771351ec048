//! DTMF generator (Q.23): two phase-continuous sines per digit, then silence.

use super::digit_freqs;
use crate::common::level::{overload_peak, sine_peak, tones_fit};
use crate::common::oscillator::{mix_into, Oscillator};
use crate::common::{Law, SAMPLE_RATE};
use std::fmt;

/// Longest on or off time accepted, so a typo cannot allocate gigabytes.
pub const MAX_DURATION_MS: f64 = 60_000.0;
/// Longest output of one call: one hour.
pub const MAX_TOTAL_SAMPLES: usize = 3600 * 8000;

#[derive(Debug, Clone, PartialEq)]
pub enum GenerateError {
    UnknownDigit(char),
    Overload { law: Law, low_dbm0: f64, high_dbm0: f64, peak_sum: f64 },
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
            GenerateError::Overload { law, low_dbm0, high_dbm0, peak_sum } => {
                let name = match law {
                    Law::Alaw => "A-law",
                    Law::Ulaw => "mu-law",
                };
                write!(
                    f,
                    "levels {low_dbm0} / {high_dbm0} dBm0 overload the {name} coder: sum of peaks \
                     {peak_sum:.0} > {:.0}, its largest decoded value",
                    overload_peak(*law)
                )
            }
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

/// PCM for `digits`: each digit is `on_ms` of its two tones (low tone at
/// `low_dbm0`, high tone at `high_dbm0`, each level per tone, in dBm0 of
/// `law`: 0 dBm0 is that law's digital milliwatt through our own decoder)
/// followed by `off_ms` of silence. Levels whose peaks sum beyond the law's
/// largest decoded value are refused (`tones_fit`, the rule of
/// `max_tone_dbm0`, which the R2 generator uses too).
pub fn generate(
    digits: &str,
    on_ms: f64,
    off_ms: f64,
    low_dbm0: f64,
    high_dbm0: f64,
    law: Law,
) -> Result<Vec<i16>, GenerateError> {
    for v in [low_dbm0, high_dbm0] {
        if !v.is_finite() {
            return Err(GenerateError::BadLevel(v));
        }
    }
    let on = samples_for(on_ms)?;
    let off = samples_for(off_ms)?;
    let low_peak = sine_peak(law, low_dbm0);
    let high_peak = sine_peak(law, high_dbm0);
    if !tones_fit(law, &[low_dbm0, high_dbm0]) {
        return Err(GenerateError::Overload { law, low_dbm0, high_dbm0, peak_sum: low_peak + high_peak });
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

    /// Level in dBm0 of `law` of one tone, by projection on its exact
    /// frequency (over a whole number of cycles of both tones: 1 s).
    fn tone_dbm0(pcm: &[i16], f: f64, law: Law) -> f64 {
        let (mut a, mut b) = (0.0, 0.0);
        for (n, &v) in pcm.iter().enumerate() {
            let w = std::f64::consts::TAU * f * n as f64 / SAMPLE_RATE;
            a += v as f64 * w.cos();
            b += v as f64 * w.sin();
        }
        let amp = 2.0 * (a * a + b * b).sqrt() / pcm.len() as f64;
        power_to_dbm0(law, amp * amp / 2.0)
    }

    #[test]
    fn length_and_level() {
        let pcm = generate("1", 100.0, 50.0, -10.0, -10.0, Law::Alaw).unwrap();
        assert_eq!(pcm.len(), 1200);
        let p: f64 = pcm[..800].iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / 800.0;
        // Two tones at -10 dBm0 each: -6.99 dBm0 in all.
        assert!((power_to_dbm0(Law::Alaw, p) + 6.99).abs() < 0.05);
        assert!(pcm[800..].iter().all(|&v| v == 0));
    }

    #[test]
    fn levels_in_each_law() {
        // The same request gives each law's own dBm0: mu-law's 0 dBm0 is
        // 0.066 dB below A-law's (peaks 22 651 and 22 824).
        for law in [Law::Alaw, Law::Ulaw] {
            let pcm = generate("9", 1000.0, 0.0, -7.0, -12.0, law).unwrap();
            assert!((tone_dbm0(&pcm, 852.0, law) + 7.0).abs() < 0.01, "{law:?}");
            assert!((tone_dbm0(&pcm, 1477.0, law) + 12.0).abs() < 0.01, "{law:?}");
        }
        let a = generate("9", 1000.0, 0.0, -10.0, -10.0, Law::Alaw).unwrap();
        let u = generate("9", 1000.0, 0.0, -10.0, -10.0, Law::Ulaw).unwrap();
        let ratio_db = tone_dbm0(&a, 852.0, Law::Ulaw) - tone_dbm0(&u, 852.0, Law::Ulaw);
        assert!((ratio_db - 0.066).abs() < 0.01, "{ratio_db}");
    }

    #[test]
    fn refuses_overload_at_the_law_limit() {
        for law in [Law::Alaw, Law::Ulaw] {
            let max = max_tone_dbm0(law, 2);
            let pcm = generate("5", 50.0, 50.0, max, max, law).unwrap();
            assert!(pcm.iter().map(|&v| (v as i32).abs()).max().unwrap() as f64 <= overload_peak(law));
            let over = generate("5", 50.0, 50.0, max + 0.01, max, law);
            assert!(matches!(over, Err(GenerateError::Overload { .. })), "{law:?}");
        }
        // -3 dBm0 per tone: peaks 2 x 16 158 = 32 316 exceed A-law's 32 256
        // (limit -3.016 dBm0) but not mu-law's 32 124 (peaks 2 x 16 036,
        // limit -2.986 dBm0).
        assert!(generate("5", 50.0, 50.0, -3.0, -3.0, Law::Alaw).is_err());
        assert!(generate("5", 50.0, 50.0, -3.0, -3.0, Law::Ulaw).is_ok());
        // Unequal levels: the same sum-of-peaks rule.
        assert!(generate("5", 50.0, 50.0, -1.0, -6.0, Law::Alaw).is_ok());
        assert!(generate("5", 50.0, 50.0, -1.0, -5.5, Law::Alaw).is_err());
    }

    #[test]
    fn refuses_bad_requests() {
        assert!(matches!(generate("5E", 50.0, 50.0, -10.0, -10.0, Law::Alaw), Err(GenerateError::UnknownDigit('E'))));
        assert!(generate("5", -1.0, 50.0, -10.0, -10.0, Law::Alaw).is_err());
        assert!(generate("5", 50.0, 50.0, f64::NAN, -10.0, Law::Alaw).is_err());
    }
}
