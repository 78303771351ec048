//! DTMF (ITU-T Q.23 signal, Q.24 receiver), generator beside detector.
//!
//! Receiver limits used throughout (the column we chose, stated once here):
//! the European column of Q.24 Table A-1 (CEPT, carried over by ETSI
//! ES 201 235-3, which also serves China's E1 networks), with these figures:
//! - frequency: operate within +-1.5 %, non-operate at +-3.5 % or more
//!   (Q.24 Table A-1) -- we cut at +-2.5 %;
//! - twist: operate with the low group up to 8 dB louder than the high group,
//!   and the high group up to 4 dB louder (Q.24 Table A-1);
//! - timing: tones of 40 ms or more recognised, under 20 ms never; an
//!   interruption of 10 ms or less bridged; a pause of 40 ms or more separates
//!   two digits (ES 201 235-3 timing clause, as quoted in Asterisk's dsp.c);
//! - levels: operate from -36 to -3 dBm0 per tone.
//!
//! The Recommendation's table itself could not be opened while writing this
//! (docs/research/dsp.md section 1.1 marks the figures as quoted from
//! secondary sources); the figures above are the ones the tests assert.

pub mod bank;
pub mod detect;
pub mod generate;
mod tables;

pub use bank::DtmfDetectorBank;
pub use detect::{DtmfDetector, DtmfEvent};
pub use generate::{generate, GenerateError};

/// Low-group (row) frequencies, Hz (Q.23 Figure 1).
pub const ROW_FREQS: [f64; 4] = [697.0, 770.0, 852.0, 941.0];
/// High-group (column) frequencies, Hz (Q.23 Figure 1).
pub const COL_FREQS: [f64; 4] = [1209.0, 1336.0, 1477.0, 1633.0];

/// The keypad (Q.23 Figure 1): KEYPAD[row][column].
pub const KEYPAD: [[u8; 4]; 4] = [
    *b"123A",
    *b"456B",
    *b"789C",
    *b"*0#D",
];

/// (row, column) of a digit, or None for a character that is not a DTMF digit.
/// Lower-case a-d are accepted as A-D.
pub fn digit_position(digit: u8) -> Option<(usize, usize)> {
    let d = digit.to_ascii_uppercase();
    for (r, row) in KEYPAD.iter().enumerate() {
        for (c, &k) in row.iter().enumerate() {
            if k == d {
                return Some((r, c));
            }
        }
    }
    None
}

/// The two frequencies (low, high) of a digit.
pub fn digit_freqs(digit: u8) -> Option<(f64, f64)> {
    digit_position(digit).map(|(r, c)| (ROW_FREQS[r], COL_FREQS[c]))
}
