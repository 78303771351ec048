//! R2 signal generator: two tones at the same level, starting and stopping on
//! the same sample.

use super::{signal_frequencies, Direction, R2Error};
use crate::common::level::{max_tone_dbm0, sine_peak};
use crate::common::oscillator::{mix_into, Oscillator};
use crate::common::{Law, SAMPLE_RATE};

/// Q.454 sending level: -11.5 dBm0 +-1 dB per frequency.
pub const DEFAULT_LEVEL_DBM0: f64 = -11.5;

/// Longest signal generated in one call (R2 signals last at most a few seconds;
/// this only bounds the allocation).
pub const MAX_DURATION_MS: f64 = 600_000.0;

/// Highest level per tone whose two-tone peak never overloads the A-law coder
/// (`level::max_tone_dbm0`: peaks summing to the largest decoded value; the
/// DTMF generator applies the same rule through `level::tones_fit`).
pub fn max_level_dbm0() -> f64 {
    max_tone_dbm0(Law::Alaw, 2)
}

/// Samples in `duration_ms`, rounded to the nearest sample.
pub fn duration_samples(duration_ms: f64) -> Result<usize, R2Error> {
    if !duration_ms.is_finite() || !(0.0..=MAX_DURATION_MS).contains(&duration_ms) {
        return Err(R2Error::BadDuration(duration_ms));
    }
    Ok((duration_ms * SAMPLE_RATE / 1000.0).round() as usize)
}

/// `duration_ms` of signal 1..=15 with each tone at `level_dbm0` (A-law reference).
///
/// Both oscillators start at phase zero on sample 0 and are cut after the last
/// sample together, so the tones are aligned to the sample (Q.454 asks for 1 ms).
pub fn generate(
    signal: u8,
    direction: Direction,
    duration_ms: f64,
    level_dbm0: f64,
) -> Result<Vec<i16>, R2Error> {
    let (fa, fb) = signal_frequencies(signal, direction)?;
    if !level_dbm0.is_finite() || level_dbm0 > max_level_dbm0() {
        return Err(R2Error::BadLevel(level_dbm0));
    }
    let n = duration_samples(duration_ms)?;
    let peak = sine_peak(Law::Alaw, level_dbm0);
    let mut oscs = [Oscillator::new(fa, peak), Oscillator::new(fb, peak)];
    let mut out = Vec::with_capacity(n);
    mix_into(&mut oscs, n, &mut out);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::level::power_to_dbm0;
    use crate::common::goertzel::Goertzel;

    #[test]
    fn level_and_alignment() {
        let x = generate(6, Direction::Forward, 1000.0, DEFAULT_LEVEL_DBM0).unwrap();
        assert_eq!(x.len(), 8000);
        // Two equal tones: total power is the per-tone power + 3.01 dB.
        let p: f64 = x.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / x.len() as f64;
        let per_tone = power_to_dbm0(Law::Alaw, p) - 10.0 * 2f64.log10();
        assert!((per_tone - DEFAULT_LEVEL_DBM0).abs() < 0.05, "{per_tone}");
        // Energy at the two frequencies, none elsewhere.
        let energy = |f: f64| {
            let mut g = Goertzel::new(f);
            x.iter().for_each(|&v| g.push(v as f32));
            g.energy()
        };
        let on = energy(1620.0).min(energy(1740.0));
        let off = energy(1500.0).max(energy(1860.0));
        assert!(on > off * 1e6, "{on} {off}");
    }

    #[test]
    fn refuses_bad_requests() {
        assert_eq!(generate(0, Direction::Forward, 10.0, -11.5), Err(R2Error::BadSignal(0)));
        assert!(matches!(generate(1, Direction::Forward, 10.0, 0.0), Err(R2Error::BadLevel(_))));
        assert!(matches!(generate(1, Direction::Forward, 10.0, f64::NAN), Err(R2Error::BadLevel(_))));
        assert!(matches!(generate(1, Direction::Forward, -1.0, -11.5), Err(R2Error::BadDuration(_))));
        assert!(generate(1, Direction::Forward, 10.0, max_level_dbm0()).is_ok());
        assert_eq!(generate(1, Direction::Backward, 0.0, -11.5).unwrap().len(), 0);
    }
}
