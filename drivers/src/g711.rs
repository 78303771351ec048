//! G.711 for hw-sim's impairments (echo, noise and gain are computed on decoded
//! samples and re-encoded in the span's law) and for behaviour tests that measure
//! levels on received audio: the DSP crate's coder (bit-exact with G.191) and level
//! references, behind this crate's `Law`.

use cti_native::common::{level, Law as DspLaw};
use cti_native::g711 as dsp;

use crate::types::Law;

fn dsp_law(law: Law) -> DspLaw {
    match law {
        Law::ALaw => DspLaw::Alaw,
        Law::MuLaw => DspLaw::Ulaw,
    }
}

/// Decode one octet of `law` to 16-bit linear.
pub fn decode(law: Law, code: u8) -> i16 {
    match law {
        Law::ALaw => dsp::alaw_to_linear(code),
        Law::MuLaw => dsp::ulaw_to_linear(code),
    }
}

/// Encode one 16-bit linear sample in `law`.
pub fn encode(law: Law, x: i16) -> u8 {
    match law {
        Law::ALaw => dsp::linear_to_alaw(x),
        Law::MuLaw => dsp::linear_to_ulaw(x),
    }
}

/// Encode a sample computed in floating point, saturating at the 16-bit limits.
pub fn encode_f32(law: Law, x: f32) -> u8 {
    encode(law, x.round().clamp(-32768.0, 32767.0) as i16)
}

/// Power of the G.711 digital milliwatt (Tables 5 and 6) decoded: the 0 dBm0 reference.
pub fn reference_power(law: Law) -> f64 {
    level::reference_power(dsp_law(law))
}

/// Mean-square power of a signal at `dbm0`.
pub fn dbm0_to_power(law: Law, dbm0: f64) -> f64 {
    level::dbm0_to_power(dsp_law(law), dbm0)
}

/// Level in dBm0 of a mean-square power.
pub fn power_to_dbm0(law: Law, power: f64) -> f64 {
    level::power_to_dbm0(dsp_law(law), power)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_is_the_identity_on_codes() {
        for law in [Law::ALaw, Law::MuLaw] {
            for c in 0..=255u8 {
                if law == Law::MuLaw && c == 0x7F {
                    continue; // mu-law's negative zero decodes to 0, which encodes as 0xFF
                }
                assert_eq!(encode(law, decode(law, c)), c, "{law:?} {c:#04x}");
            }
        }
    }

    #[test]
    fn zero_dbm0_is_the_digital_milliwatt() {
        assert!((power_to_dbm0(Law::ALaw, reference_power(Law::ALaw))).abs() < 1e-9);
        assert!((dbm0_to_power(Law::MuLaw, -10.0) / reference_power(Law::MuLaw) - 0.1).abs() < 1e-12);
    }
}
