//! Phase-continuous sine oscillators for the tone generators.
//!
//! Phase is kept in f64 so that frequencies are exact to far better than
//! 1 Hz over any duration; the output is rounded to the nearest integer.

use super::SAMPLE_RATE;
use std::f64::consts::TAU;

#[derive(Clone, Debug)]
pub struct Oscillator {
    step: f64,
    phase: f64,
    peak: f64,
}

impl Oscillator {
    pub fn new(freq: f64, peak: f64) -> Self {
        Self { step: TAU * freq / SAMPLE_RATE, phase: 0.0, peak }
    }

    pub fn with_phase(mut self, phase: f64) -> Self {
        self.phase = phase.rem_euclid(TAU);
        self
    }

    #[inline]
    pub fn next(&mut self) -> f64 {
        let v = self.peak * self.phase.sin();
        self.phase += self.step;
        if self.phase >= TAU {
            self.phase -= TAU;
        }
        v
    }

    /// Shift the phase by `radians` (phase reversals of ANS/, G.165).
    pub fn shift(&mut self, radians: f64) {
        self.phase = (self.phase + radians).rem_euclid(TAU);
    }
}

/// Saturate to the int16 range.
#[inline]
pub fn saturate(v: f64) -> i16 {
    v.round().clamp(-32768.0, 32767.0) as i16
}

/// Add `n` samples of the sum of `oscs` to `out`.
pub fn mix_into(oscs: &mut [Oscillator], n: usize, out: &mut Vec<i16>) {
    out.reserve(n);
    for _ in 0..n {
        let v: f64 = oscs.iter_mut().map(|o| o.next()).sum();
        out.push(saturate(v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequency_is_exact() {
        // Count zero crossings of 1 s of 1380 Hz: 2 * 1380.
        let mut o = Oscillator::new(1380.0, 10000.0).with_phase(0.1);
        let mut prev = o.next();
        let mut crossings = 0;
        for _ in 1..8000 {
            let v = o.next();
            if (prev < 0.0) != (v < 0.0) {
                crossings += 1;
            }
            prev = v;
        }
        assert!((crossings as i32 - 2760).abs() <= 1, "{crossings}");
    }
}
