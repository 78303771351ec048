//! Pieces shared by the DSP modules: level references, Goertzel filters,
//! oscillators and the white-noise source used by self-tests.

pub mod bank;
pub mod level;
pub mod goertzel;
pub mod oscillator;
pub mod noise;

/// Sampling rate of every E1/T1 channel.
pub const SAMPLE_RATE: f64 = 8000.0;

/// The companding law of a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Law {
    Alaw,
    Ulaw,
}
