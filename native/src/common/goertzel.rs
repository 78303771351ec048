//! Goertzel single-bin DFT, the workhorse of the tone detectors.

use super::SAMPLE_RATE;
use std::f64::consts::PI;

/// Coefficient 2*cos(2*pi*f/fs) for a Goertzel at `freq` Hz.
pub fn coefficient(freq: f64) -> f32 {
    (2.0 * (2.0 * PI * freq / SAMPLE_RATE).cos()) as f32
}

/// Running state of one Goertzel filter.
#[derive(Clone, Copy, Debug, Default)]
pub struct Goertzel {
    pub coef: f32,
    s1: f32,
    s2: f32,
}

impl Goertzel {
    pub fn new(freq: f64) -> Self {
        Self { coef: coefficient(freq), s1: 0.0, s2: 0.0 }
    }

    #[inline(always)]
    pub fn push(&mut self, x: f32) {
        let s = x + self.coef * self.s1 - self.s2;
        self.s2 = self.s1;
        self.s1 = s;
    }

    /// Squared magnitude of the bin over the samples pushed since the last reset.
    #[inline]
    pub fn energy(&self) -> f32 {
        self.s1 * self.s1 + self.s2 * self.s2 - self.coef * self.s1 * self.s2
    }

    #[inline]
    pub fn reset(&mut self) {
        self.s1 = 0.0;
        self.s2 = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_its_frequency() {
        let n = 205;
        let mut on = Goertzel::new(697.0);
        let mut off = Goertzel::new(941.0);
        for i in 0..n {
            let x = (2.0 * PI * 697.0 * i as f64 / SAMPLE_RATE).sin() as f32 * 1000.0;
            on.push(x);
            off.push(x);
        }
        // A full-block sine of amplitude A gives energy about (A*N/2)^2.
        let expect = (1000.0 * n as f32 / 2.0).powi(2);
        assert!((on.energy() / expect - 1.0).abs() < 0.05, "{}", on.energy() / expect);
        assert!(off.energy() < expect * 0.01);
    }
}
