//! dBm0 levels.
//!
//! 0 dBm0 is defined as the power of the G.711 digital milliwatt decoded with
//! our own decoder (G.711 Tables 5 and 6), so levels are exact for the law of
//! the channel: peak about 22 824 in A-law, 22 651 in mu-law.

use super::Law;
use crate::g711;

/// Digital milliwatt octet sequences (G.711 Tables 5 and 6).
pub const ALAW_DIGITAL_MILLIWATT: [u8; 8] = [0x34, 0x21, 0x21, 0x34, 0xB4, 0xA1, 0xA1, 0xB4];
pub const ULAW_DIGITAL_MILLIWATT: [u8; 8] = [0x1E, 0x0B, 0x0B, 0x1E, 0x9E, 0x8B, 0x8B, 0x9E];

/// Mean power (in linear units squared) of 0 dBm0 for a law.
pub fn reference_power(law: Law) -> f64 {
    let seq = match law {
        Law::Alaw => ALAW_DIGITAL_MILLIWATT,
        Law::Ulaw => ULAW_DIGITAL_MILLIWATT,
    };
    let sum: f64 = seq
        .iter()
        .map(|&c| {
            let v = match law {
                Law::Alaw => g711::alaw_to_linear(c),
                Law::Ulaw => g711::ulaw_to_linear(c),
            } as f64;
            v * v
        })
        .sum();
    sum / seq.len() as f64
}

/// Power in linear units squared of a signal at `dbm0`.
pub fn dbm0_to_power(law: Law, dbm0: f64) -> f64 {
    reference_power(law) * 10f64.powf(dbm0 / 10.0)
}

/// Peak amplitude of a sine wave at `dbm0`.
pub fn sine_peak(law: Law, dbm0: f64) -> f64 {
    (2.0 * dbm0_to_power(law, dbm0)).sqrt()
}

/// Level in dBm0 of a mean power.
pub fn power_to_dbm0(law: Law, power: f64) -> f64 {
    10.0 * (power.max(1e-20) / reference_power(law)).log10()
}

/// The coder's overload point as this project counts it: the largest
/// magnitude the law decodes to (A-law 32 256, mu-law 32 124: the largest
/// values our G.711 decoder returns, checked in the tests below). A signal
/// whose peaks stay within it is never flattened by the coder.
pub fn overload_peak(law: Law) -> f64 {
    match law {
        Law::Alaw => 32256.0,
        Law::Ulaw => 32124.0,
    }
}

/// Highest per-tone level of an `n`-tone signal that never exceeds the coder's
/// overload point: the one overload rule of every generator. The tones' peaks
/// can add up (their phases drift through every combination), so the rule is
/// that the sum of the peaks stays within `overload_peak`; for `n` equal tones
/// that is this level. `tones_fit` is the same rule for unequal levels.
pub fn max_tone_dbm0(law: Law, tones: usize) -> f64 {
    20.0 * (overload_peak(law) / tones as f64 / sine_peak(law, 0.0)).log10()
}

/// Whether tones at these per-tone levels (dBm0 of `law`) stay within the
/// coder's overload point: the rule of `max_tone_dbm0` for unequal levels
/// (sum of the peaks at most `overload_peak`). Equal tones at exactly
/// `max_tone_dbm0(law, n)` fit: the comparison allows for the rounding of the
/// dB conversions (1e-9 relative, about 1e-8 dB).
pub fn tones_fit(law: Law, levels_dbm0: &[f64]) -> bool {
    let sum: f64 = levels_dbm0.iter().map(|&l| sine_peak(law, l)).sum();
    sum <= overload_peak(law) * (1.0 + 1e-9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliwatt_peaks_match_g711() {
        // Peak of the decoded digital milliwatt is about 22 824 (A) / 22 651 (mu).
        assert!((sine_peak(Law::Alaw, 0.0) - 22824.0).abs() < 30.0);
        assert!((sine_peak(Law::Ulaw, 0.0) - 22651.0).abs() < 30.0);
    }

    #[test]
    fn round_trip_levels() {
        for law in [Law::Alaw, Law::Ulaw] {
            for db in [-50.0, -10.0, 0.0, 3.0] {
                let p = dbm0_to_power(law, db);
                assert!((power_to_dbm0(law, p) - db).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn overload_point() {
        // A full-scale A-law sine is about +3.14 dBm0; one tone cannot exceed that.
        let one = max_tone_dbm0(Law::Alaw, 1);
        assert!((one - 3.0).abs() < 0.2, "{one}");
        assert!((max_tone_dbm0(Law::Alaw, 2) - (one - 6.02)).abs() < 0.01);
    }

    #[test]
    fn overload_peak_is_the_largest_decoded_value() {
        let a = (0..=255u8).map(|c| (g711::alaw_to_linear(c) as f64).abs()).fold(0.0, f64::max);
        let u = (0..=255u8).map(|c| (g711::ulaw_to_linear(c) as f64).abs()).fold(0.0, f64::max);
        assert_eq!((a, u), (overload_peak(Law::Alaw), overload_peak(Law::Ulaw)));
    }

    #[test]
    fn tones_fit_is_the_rule_of_max_tone_dbm0() {
        for law in [Law::Alaw, Law::Ulaw] {
            for n in 1..=3 {
                let max = max_tone_dbm0(law, n);
                assert!(tones_fit(law, &vec![max; n]), "{law:?} {n}");
                assert!(!tones_fit(law, &vec![max + 0.01; n]), "{law:?} {n}");
            }
            // Unequal levels: the louder tone may go above the equal-level
            // limit as long as the peaks still sum to the overload point.
            let lo = max_tone_dbm0(law, 2) + 1.0;
            let room = overload_peak(law) - sine_peak(law, lo);
            let hi = 20.0 * (room / sine_peak(law, 0.0)).log10();
            assert!(tones_fit(law, &[lo, hi]) && !tones_fit(law, &[lo, hi + 0.01]));
        }
        // Two equal A-law tones: limit -3.016 dBm0 (peaks 2 x 16 128); mu-law -2.986.
        assert!((max_tone_dbm0(Law::Alaw, 2) + 3.016).abs() < 0.001, "{}", max_tone_dbm0(Law::Alaw, 2));
        assert!((max_tone_dbm0(Law::Ulaw, 2) + 2.986).abs() < 0.001, "{}", max_tone_dbm0(Law::Ulaw, 2));
    }
}
