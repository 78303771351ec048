//! G.711 A-law and mu-law, 16-bit linear in and out, for hw-sim's impairments
//! (echo, noise, gain are computed on decoded samples and re-encoded in the
//! span's law) and for behaviour tests that measure levels on received audio.
//!
//! Decoding follows G.711 Tables 1 and 2 (A-law: even-bit inversion 0x55; mu-law:
//! all bits inverted, bias 33), scaled to 16 bits as G.191 does; encoding picks the
//! code whose decision interval holds the sample. The media engine has its own
//! copy in `native/src/g711.rs`; the integrator may unify them.

use crate::types::Law;

fn alaw_decode(code: u8) -> i16 {
    let c = code ^ 0x55;
    let seg = (c >> 4) & 7;
    let mant = (c & 0x0F) as i32;
    let mag = if seg == 0 { (mant << 4) + 8 } else { ((mant << 4) + 0x108) << (seg - 1) };
    (if c & 0x80 != 0 { mag } else { -mag }) as i16
}

fn ulaw_decode(code: u8) -> i16 {
    let c = !code;
    let seg = (c >> 4) & 7;
    let mant = (c & 0x0F) as i32;
    let mag = (((mant << 3) + 0x84) << seg) - 0x84;
    (if c & 0x80 != 0 { -mag } else { mag }) as i16
}

fn alaw_encode(x: i16) -> u8 {
    let (sign, mag) = if x >= 0 { (0x80u8, x as i32 >> 3) } else { (0x00u8, (-(x as i32) - 1) >> 3) };
    let mag = mag.min(0x0FFF);
    let code = if mag < 32 {
        (mag >> 1) as u8
    } else {
        let seg = 31 - (mag as u32).leading_zeros() - 4; // 1..=7
        ((seg as u8) << 4) | ((mag >> seg) & 0x0F) as u8
    };
    (code | sign) ^ 0x55
}

fn ulaw_encode(x: i16) -> u8 {
    const BIAS: i32 = 0x84;
    let (sign, mag) = if x < 0 { (0x80u8, -(x as i32)) } else { (0u8, x as i32) };
    let mag = (mag.min(32635) + BIAS) as u32;
    let seg = 31 - mag.leading_zeros() - 7; // 0..=7
    let mant = ((mag >> (seg + 3)) & 0x0F) as u8;
    !(sign | ((seg as u8) << 4) | mant)
}

/// Decode one octet of `law` to 16-bit linear.
pub fn decode(law: Law, code: u8) -> i16 {
    match law {
        Law::ALaw => alaw_decode(code),
        Law::MuLaw => ulaw_decode(code),
    }
}

/// Encode one 16-bit linear sample in `law`.
pub fn encode(law: Law, x: i16) -> u8 {
    match law {
        Law::ALaw => alaw_encode(x),
        Law::MuLaw => ulaw_encode(x),
    }
}

/// Encode a sample computed in floating point, saturating at the 16-bit limits.
pub fn encode_f32(law: Law, x: f32) -> u8 {
    encode(law, x.round().clamp(-32768.0, 32767.0) as i16)
}

/// The G.711 digital milliwatt (Tables 5 and 6): the 0 dBm0 reference.
const ALAW_MILLIWATT: [u8; 8] = [0x34, 0x21, 0x21, 0x34, 0xB4, 0xA1, 0xA1, 0xB4];
const ULAW_MILLIWATT: [u8; 8] = [0x1E, 0x0B, 0x0B, 0x1E, 0x9E, 0x8B, 0x8B, 0x9E];

/// Mean power (linear units squared) of 0 dBm0: the decoded digital milliwatt,
/// the same definition as the media engine's `common/level.rs`.
pub fn reference_power(law: Law) -> f64 {
    let seq = match law {
        Law::ALaw => ALAW_MILLIWATT,
        Law::MuLaw => ULAW_MILLIWATT,
    };
    seq.iter().map(|&c| (decode(law, c) as f64).powi(2)).sum::<f64>() / 8.0
}

/// Mean power of a level in dBm0.
pub fn dbm0_to_power(law: Law, dbm0: f64) -> f64 {
    reference_power(law) * 10f64.powf(dbm0 / 10.0)
}

/// Level in dBm0 of a mean power.
pub fn power_to_dbm0(law: Law, power: f64) -> f64 {
    10.0 * (power / reference_power(law)).log10()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_survives_decode_then_encode() {
        for law in [Law::ALaw, Law::MuLaw] {
            for c in 0..=255u8 {
                let back = encode(law, decode(law, c));
                // mu-law has two codes for zero (0x7F, 0xFF); the encoder gives 0xFF.
                let want = if law == Law::MuLaw && c == 0x7F { 0xFF } else { c };
                assert_eq!(back, want, "{law:?} code {c:#04x}");
            }
        }
    }

    #[test]
    fn known_values_and_idle_codes() {
        assert_eq!(decode(Law::ALaw, 0xD5), 8);
        assert_eq!(decode(Law::ALaw, 0x55), -8);
        assert_eq!(decode(Law::ALaw, 0xAA), 32256);
        assert_eq!(decode(Law::MuLaw, 0xFF), 0);
        assert_eq!(decode(Law::MuLaw, 0x80), 32124);
        assert_eq!(encode(Law::ALaw, 0), 0xD5);
        assert_eq!(encode(Law::MuLaw, 0), 0xFF);
        assert_eq!(encode(Law::ALaw, 32767), 0xAA);
        assert_eq!(encode(Law::MuLaw, -32768), 0x00);
    }

    #[test]
    fn milliwatt_is_zero_dbm0() {
        for law in [Law::ALaw, Law::MuLaw] {
            assert!((power_to_dbm0(law, reference_power(law))).abs() < 1e-9);
            // Peak of the milliwatt sine about 22.8k (A-law) and 22.7k (mu-law).
            let peak = (2.0 * reference_power(law)).sqrt();
            assert!((22_000.0..23_500.0).contains(&peak), "{law:?} {peak}");
        }
    }
}
