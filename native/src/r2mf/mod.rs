//! MFC-R2 multi-frequency signalling, 2 out of 6 (ITU-T Q.441, Q.454, Q.455).
//!
//! Generator beside detector, as the rest of the media plane:
//! - [`generator`]: `generate()`, both tones of a signal at a level in dBm0.
//! - [`detector`]: `R2Detector`, one channel; block Goertzels plus persistence.
//! - [`bank`]: `R2DetectorBank`, many channels at once, lane-parallel, giving
//!   exactly the single-channel results.

pub mod bank;
pub mod detector;
pub mod generator;

pub use bank::R2DetectorBank;
pub use detector::{Event, R2Detector};
pub use generator::generate;

use std::fmt;

/// Forward frequencies f0..f5 (Groups I/II, Q.441).
pub const FORWARD_HZ: [f64; 6] = [1380.0, 1500.0, 1620.0, 1740.0, 1860.0, 1980.0];
/// Backward frequencies f0..f5 (Groups A/B, Q.441).
pub const BACKWARD_HZ: [f64; 6] = [1140.0, 1020.0, 900.0, 780.0, 660.0, 540.0];

/// Signal n (1..=15) is the pair `SIGNAL_PAIRS[n - 1]` of frequency indices,
/// Q.441: pairs ordered by the higher index, then the lower one.
pub const SIGNAL_PAIRS: [(usize, usize); 15] = [
    (0, 1),
    (0, 2),
    (1, 2),
    (0, 3),
    (1, 3),
    (2, 3),
    (0, 4),
    (1, 4),
    (2, 4),
    (3, 4),
    (0, 5),
    (1, 5),
    (2, 5),
    (3, 5),
    (4, 5),
];

/// Signal number of the pair (i, j), i != j, in either order.
pub fn signal_of_pair(i: usize, j: usize) -> u8 {
    let (lo, hi) = if i < j { (i, j) } else { (j, i) };
    // Signals of higher index `hi` start after the 0+1+..+(hi-1) pairs below it.
    (hi * (hi - 1) / 2 + lo + 1) as u8
}

/// Which way the register signals travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Outgoing register to incoming: Groups I and II.
    Forward,
    /// Incoming register back to outgoing: Groups A and B.
    Backward,
}

impl Direction {
    pub fn frequencies(self) -> &'static [f64; 6] {
        match self {
            Direction::Forward => &FORWARD_HZ,
            Direction::Backward => &BACKWARD_HZ,
        }
    }

    pub fn parse(name: &str) -> Result<Self, R2Error> {
        match name {
            "forward" => Ok(Direction::Forward),
            "backward" => Ok(Direction::Backward),
            other => Err(R2Error::BadDirection(other.to_string())),
        }
    }
}

/// The two frequencies (Hz) of signal 1..=15.
pub fn signal_frequencies(signal: u8, direction: Direction) -> Result<(f64, f64), R2Error> {
    if !(1..=15).contains(&signal) {
        return Err(R2Error::BadSignal(signal as i64));
    }
    let (i, j) = SIGNAL_PAIRS[signal as usize - 1];
    let f = direction.frequencies();
    Ok((f[i], f[j]))
}

/// Why an R2 request was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum R2Error {
    BadDirection(String),
    BadSignal(i64),
    BadLevel(f64),
    BadDuration(f64),
    /// A bank block whose shape does not match: expected channels, got (channels, n, len).
    BadShape { channels: usize, got: (usize, usize, usize) },
    BadChannel { channel: usize, channels: usize },
}

impl fmt::Display for R2Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            R2Error::BadDirection(d) => {
                write!(f, "direction must be \"forward\" or \"backward\", got {d:?}")
            }
            R2Error::BadSignal(s) => write!(f, "R2 signal must be 1..15, got {s}"),
            R2Error::BadLevel(l) => write!(
                f,
                "level_dbm0 {l} is not a finite level at or below the A-law overload point \
                 of two tones ({:.2} dBm0 per tone)",
                generator::max_level_dbm0()
            ),
            R2Error::BadDuration(d) => write!(
                f,
                "duration_ms must be finite and within 0..={} ms, got {d}",
                generator::MAX_DURATION_MS
            ),
            R2Error::BadShape { channels, got } => write!(
                f,
                "block must be {channels} channels x n samples, got {} x {} ({} samples)",
                got.0, got.1, got.2
            ),
            R2Error::BadChannel { channel, channels } => {
                write!(f, "channel {channel} out of range 0..{channels}")
            }
        }
    }
}

impl std::error::Error for R2Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_numbering_round_trips() {
        for (n, &(i, j)) in SIGNAL_PAIRS.iter().enumerate() {
            assert_eq!(signal_of_pair(i, j) as usize, n + 1);
            assert_eq!(signal_of_pair(j, i) as usize, n + 1);
        }
    }

    #[test]
    fn directions_parse() {
        assert_eq!(Direction::parse("forward"), Ok(Direction::Forward));
        assert_eq!(Direction::parse("backward"), Ok(Direction::Backward));
        assert!(Direction::parse("Forward").is_err());
        assert!(signal_frequencies(0, Direction::Forward).is_err());
        assert!(signal_frequencies(16, Direction::Forward).is_err());
        assert_eq!(signal_frequencies(15, Direction::Backward), Ok((660.0, 540.0)));
    }
}

#[cfg(test)]
mod conformance;
