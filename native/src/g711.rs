//! G.711 A-law and mu-law (ITU-T G.711, bit-exact with the G.191 STL reference).
//!
//! Encoding follows the STL rule: negative inputs are reduced with the one's
//! complement before quantisation (this differs from CPython's audioop mu-law
//! encoder at 508 negative inputs; the STL is the reference). The A-law code
//! depends only on the 13 most significant bits and the mu-law code on the 14
//! most significant bits, so both encoders are single lookups in tables that
//! fit the L1 cache (8 KiB and 16 KiB).

use std::sync::OnceLock;

/// Octet a channel carries when idle (positive zero).
pub const ALAW_IDLE: u8 = 0xD5;
pub const ULAW_IDLE: u8 = 0xFF;

/// STL `alaw_compress` for one sample.
pub const fn alaw_encode_reference(x: i16) -> u8 {
    let mut ix: i32 = if x < 0 { (!x as i32) >> 4 } else { (x as i32) >> 4 };
    if ix > 15 {
        let mut iexp = 1;
        while ix > 16 + 15 {
            ix >>= 1;
            iexp += 1;
        }
        ix -= 16;
        ix += iexp << 4;
    }
    if x >= 0 {
        ix |= 0x80;
    }
    (ix ^ 0x55) as u8
}

/// STL `alaw_expand` for one code.
pub const fn alaw_decode_reference(code: u8) -> i16 {
    let ix = ((code ^ 0x55) & 0x7F) as i32;
    let iexp = ix >> 4;
    let mut mant = ix & 0x0F;
    if iexp > 0 {
        mant += 16;
    }
    mant = (mant << 4) + 8;
    if iexp > 1 {
        mant <<= iexp - 1;
    }
    (if code > 127 { mant } else { -mant }) as i16
}

/// STL `ulaw_compress` for one sample.
pub const fn ulaw_encode_reference(x: i16) -> u8 {
    let mut absno: i32 = if x < 0 { ((!x as i32) >> 2) + 33 } else { ((x as i32) >> 2) + 33 };
    if absno > 0x1FFF {
        absno = 0x1FFF;
    }
    let mut i = absno >> 6;
    let mut segno = 1;
    while i != 0 {
        segno += 1;
        i >>= 1;
    }
    let high = 8 - segno;
    let low = 0x0F - ((absno >> segno) & 0x0F);
    let mut code = (high << 4) | low;
    if x >= 0 {
        code |= 0x80;
    }
    code as u8
}

/// STL `ulaw_expand` for one code.
pub const fn ulaw_decode_reference(code: u8) -> i16 {
    let sign: i32 = if code < 0x80 { -1 } else { 1 };
    let m = !code as i32;
    let exponent = (m >> 4) & 0x07;
    let segment = exponent + 1;
    let mantissa = m & 0x0F;
    let step = 4 << segment;
    (sign * ((0x80 << exponent) + step * mantissa + step / 2 - 4 * 33)) as i16
}

struct Tables {
    alaw_enc: Box<[u8; 8192]>,
    ulaw_enc: Box<[u8; 16384]>,
    alaw_dec: [i16; 256],
    ulaw_dec: [i16; 256],
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut alaw_enc = Box::new([0u8; 8192]);
        for (i, slot) in alaw_enc.iter_mut().enumerate() {
            // Index is the 13 most significant bits, as an unsigned offset.
            let x = (((i as i32) - 4096) << 3) as i16;
            *slot = alaw_encode_reference(x);
        }
        let mut ulaw_enc = Box::new([0u8; 16384]);
        for (i, slot) in ulaw_enc.iter_mut().enumerate() {
            let x = (((i as i32) - 8192) << 2) as i16;
            *slot = ulaw_encode_reference(x);
        }
        let mut alaw_dec = [0i16; 256];
        let mut ulaw_dec = [0i16; 256];
        for c in 0..256 {
            alaw_dec[c] = alaw_decode_reference(c as u8);
            ulaw_dec[c] = ulaw_decode_reference(c as u8);
        }
        Tables { alaw_enc, ulaw_enc, alaw_dec, ulaw_dec }
    })
}

#[inline(always)]
pub fn linear_to_alaw(x: i16) -> u8 {
    tables().alaw_enc[((x >> 3) as i32 + 4096) as usize]
}

#[inline(always)]
pub fn linear_to_ulaw(x: i16) -> u8 {
    tables().ulaw_enc[((x >> 2) as i32 + 8192) as usize]
}

#[inline(always)]
pub fn alaw_to_linear(c: u8) -> i16 {
    tables().alaw_dec[c as usize]
}

#[inline(always)]
pub fn ulaw_to_linear(c: u8) -> i16 {
    tables().ulaw_dec[c as usize]
}

pub fn alaw_encode_slice(pcm: &[i16], out: &mut [u8]) {
    let t = &tables().alaw_enc;
    for (o, &x) in out.iter_mut().zip(pcm) {
        *o = t[((x >> 3) as i32 + 4096) as usize];
    }
}

pub fn ulaw_encode_slice(pcm: &[i16], out: &mut [u8]) {
    let t = &tables().ulaw_enc;
    for (o, &x) in out.iter_mut().zip(pcm) {
        *o = t[((x >> 2) as i32 + 8192) as usize];
    }
}

pub fn alaw_decode_slice(codes: &[u8], out: &mut [i16]) {
    let t = &tables().alaw_dec;
    for (o, &c) in out.iter_mut().zip(codes) {
        *o = t[c as usize];
    }
}

pub fn ulaw_decode_slice(codes: &[u8], out: &mut [i16]) {
    let t = &tables().ulaw_dec;
    for (o, &c) in out.iter_mut().zip(codes) {
        *o = t[c as usize];
    }
}

/// mu-law to A-law conversion, G.711 Table 3, written as octets on the line
/// (mu-law all bits inverted, A-law even bits inverted). These differ from
/// decode-and-re-encode at 44 codes; G.711 defines the table.
pub const ULAW_TO_ALAW: [u8; 256] = [
    42, 43, 40, 41, 46, 47, 44, 45, 34, 35, 32, 33, 38, 39, 36, 37,
    58, 59, 56, 57, 62, 63, 60, 61, 50, 51, 48, 49, 54, 55, 52, 53,
    10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 26,
    27, 24, 25, 30, 31, 28, 29, 18, 19, 16, 17, 22, 23, 20, 21, 106,
    104, 105, 110, 111, 108, 109, 98, 99, 96, 97, 102, 103, 100, 101, 122, 120,
    126, 127, 124, 125, 114, 115, 112, 113, 118, 119, 116, 117, 75, 73, 79, 77,
    66, 67, 64, 65, 70, 71, 68, 69, 90, 91, 88, 89, 94, 95, 92, 93,
    82, 82, 83, 83, 80, 80, 81, 81, 86, 86, 87, 87, 84, 84, 85, 85,
    170, 171, 168, 169, 174, 175, 172, 173, 162, 163, 160, 161, 166, 167, 164, 165,
    186, 187, 184, 185, 190, 191, 188, 189, 178, 179, 176, 177, 182, 183, 180, 181,
    138, 139, 136, 137, 142, 143, 140, 141, 130, 131, 128, 129, 134, 135, 132, 154,
    155, 152, 153, 158, 159, 156, 157, 146, 147, 144, 145, 150, 151, 148, 149, 234,
    232, 233, 238, 239, 236, 237, 226, 227, 224, 225, 230, 231, 228, 229, 250, 248,
    254, 255, 252, 253, 242, 243, 240, 241, 246, 247, 244, 245, 203, 201, 207, 205,
    194, 195, 192, 193, 198, 199, 196, 197, 218, 219, 216, 217, 222, 223, 220, 221,
    210, 210, 211, 211, 208, 208, 209, 209, 214, 214, 215, 215, 212, 212, 213, 213,
];

/// A-law to mu-law conversion, G.711 Table 4, as octets on the line.
pub const ALAW_TO_ULAW: [u8; 256] = [
    42, 43, 40, 41, 46, 47, 44, 45, 34, 35, 32, 33, 38, 39, 36, 37,
    57, 58, 55, 56, 61, 62, 59, 60, 49, 50, 47, 48, 53, 54, 51, 52,
    10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5,
    26, 27, 24, 25, 30, 31, 28, 29, 18, 19, 16, 17, 22, 23, 20, 21,
    98, 99, 96, 97, 102, 103, 100, 101, 93, 93, 92, 92, 95, 95, 94, 94,
    116, 118, 112, 114, 124, 126, 120, 122, 106, 107, 104, 105, 110, 111, 108, 109,
    72, 73, 70, 71, 76, 77, 74, 75, 64, 65, 63, 63, 68, 69, 66, 67,
    86, 87, 84, 85, 90, 91, 88, 89, 79, 79, 78, 78, 82, 83, 80, 81,
    170, 171, 168, 169, 174, 175, 172, 173, 162, 163, 160, 161, 166, 167, 164, 165,
    185, 186, 183, 184, 189, 190, 187, 188, 177, 178, 175, 176, 181, 182, 179, 180,
    138, 139, 136, 137, 142, 143, 140, 141, 130, 131, 128, 129, 134, 135, 132, 133,
    154, 155, 152, 153, 158, 159, 156, 157, 146, 147, 144, 145, 150, 151, 148, 149,
    226, 227, 224, 225, 230, 231, 228, 229, 221, 221, 220, 220, 223, 223, 222, 222,
    244, 246, 240, 242, 252, 254, 248, 250, 234, 235, 232, 233, 238, 239, 236, 237,
    200, 201, 198, 199, 204, 205, 202, 203, 192, 193, 191, 191, 196, 197, 194, 195,
    214, 215, 212, 213, 218, 219, 216, 217, 207, 207, 206, 206, 210, 211, 208, 209,
];

pub fn alaw_to_ulaw_slice(codes: &[u8], out: &mut [u8]) {
    for (o, &c) in out.iter_mut().zip(codes) {
        *o = ALAW_TO_ULAW[c as usize];
    }
}

pub fn ulaw_to_alaw_slice(codes: &[u8], out: &mut [u8]) {
    for (o, &c) in out.iter_mut().zip(codes) {
        *o = ULAW_TO_ALAW[c as usize];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CRC-32 (IEEE, as zlib) of the 16-bit little-endian words.
    fn crc32_words(words: impl Iterator<Item = u16>) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for w in words {
            for b in w.to_le_bytes() {
                crc ^= b as u32;
                for _ in 0..8 {
                    crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
                }
            }
        }
        !crc
    }

    fn sweep() -> impl Iterator<Item = i16> {
        i16::MIN..=i16::MAX
    }

    // The G.191 STL distributes sweep.src (every 16-bit value, ascending) and
    // its processed forms; its README lists their CRC-32 (little-endian
    // column). Matching the CRC of all 65 536 outputs is bit-exactness.
    #[test]
    fn stl_sweep_source() {
        assert_eq!(crc32_words(sweep().map(|x| x as u16)), 0xC8BA_7682);
    }

    #[test]
    fn stl_alaw_encode_sweep() {
        assert_eq!(crc32_words(sweep().map(|x| linear_to_alaw(x) as u16)), 0x7471_9FE4);
    }

    #[test]
    fn stl_alaw_encode_decode_sweep() {
        let crc = crc32_words(sweep().map(|x| alaw_to_linear(linear_to_alaw(x)) as u16));
        assert_eq!(crc, 0xABCE_AA69);
    }

    #[test]
    fn stl_ulaw_encode_sweep() {
        assert_eq!(crc32_words(sweep().map(|x| linear_to_ulaw(x) as u16)), 0xCD17_0E15);
    }

    #[test]
    fn stl_ulaw_encode_decode_sweep() {
        let crc = crc32_words(sweep().map(|x| ulaw_to_linear(linear_to_ulaw(x)) as u16));
        assert_eq!(crc, 0x6364_1C01);
    }

    #[test]
    fn tables_equal_reference_rule() {
        for x in sweep() {
            assert_eq!(linear_to_alaw(x), alaw_encode_reference(x));
            assert_eq!(linear_to_ulaw(x), ulaw_encode_reference(x));
        }
    }

    #[test]
    fn same_law_round_trip_is_identity() {
        for c in 0..=255u8 {
            assert_eq!(linear_to_alaw(alaw_to_linear(c)), c);
            if c != 0x7F {
                assert_eq!(linear_to_ulaw(ulaw_to_linear(c)), c, "mu-law {c:#x}");
            }
        }
        // mu-law has two zeros; -0 (0x7F) decodes to 0 and re-encodes as +0.
        assert_eq!(linear_to_ulaw(ulaw_to_linear(0x7F)), 0xFF);
    }

    #[test]
    fn idle_codes_decode_to_smallest_values() {
        assert_eq!(alaw_to_linear(ALAW_IDLE), 8);
        assert_eq!(ulaw_to_linear(ULAW_IDLE), 0);
    }

    #[test]
    fn conversion_tables_keep_sign_and_stay_within_a_step() {
        for c in 0..=255u8 {
            let a = ULAW_TO_ALAW[c as usize];
            assert_eq!(a & 0x80, c & 0x80, "sign of mu {c:#x}");
            let (vu, va) = (ulaw_to_linear(c) as i32, alaw_to_linear(a) as i32);
            // One A-law step at the value's segment bounds the error.
            let step = (alaw_to_linear(a ^ 0x01) as i32 - va).abs().max(16);
            assert!((vu - va).abs() <= step, "mu {c:#x}: {vu} vs {va}");
            let u = ALAW_TO_ULAW[c as usize];
            assert_eq!(u & 0x80, c & 0x80);
        }
        // Round trips through the tables move at most one code.
        for c in 0..=255u8 {
            let back = ULAW_TO_ALAW[ALAW_TO_ULAW[c as usize] as usize];
            let d = (alaw_to_linear(back) as i32 - alaw_to_linear(c) as i32).abs();
            assert!(d <= (alaw_to_linear(c) as i32).abs() / 8 + 16, "A {c:#x}");
        }
    }

    #[test]
    fn tables_differ_from_decode_reencode() {
        let differ = (0..=255u8)
            .filter(|&c| ULAW_TO_ALAW[c as usize] != linear_to_alaw(ulaw_to_linear(c)))
            .count();
        assert_eq!(differ, 44);
    }
}
