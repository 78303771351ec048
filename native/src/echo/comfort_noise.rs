//! Background-noise estimate and comfort-noise generator (G.168 test 9).

use crate::common::noise::Rng;

/// Tracks the near-end background as the lower envelope of the residual power,
/// updated only while no echo can be present (Rin silent under the filter):
/// it follows drops within ~10 ms and rises with a 0.5 s time constant, so
/// near-end speech barely lifts it. WHY not during echo: the residual echo
/// would lift the estimate and the comfort noise would carry echo level.
#[derive(Clone, Debug)]
pub struct Background {
    short: f32,
    level: f32,
}

impl Background {
    pub fn new() -> Self {
        Self { short: 0.0, level: 0.0 }
    }

    #[inline(always)]
    pub fn update(&mut self, e: f32, echo_free: bool) {
        if !echo_free {
            return;
        }
        // 32 ms power average over echo-free samples only: a white background's
        // power is then steady to about +-0.5 dB, so the lower envelope sits
        // close to its mean.
        self.short += (e * e - self.short) * (1.0 / 256.0);
        if self.short < self.level {
            self.level += (self.short - self.level) * (1.0 / 80.0);
        } else {
            self.level += (self.short - self.level) * (1.0 / 4000.0);
        }
    }

    /// Mean power of the background, linear units squared.
    pub fn power(&self) -> f32 {
        self.level
    }
}

/// White noise at a given power, from a cheap approximately Gaussian source
/// (sum of four uniforms: smooth enough to avoid the "crackly" sound of clipped
/// residual, far cheaper than Box-Muller).
#[derive(Clone, Debug)]
pub struct ComfortNoise {
    rng: Rng,
}

impl ComfortNoise {
    pub fn new(seed: u64) -> Self {
        Self { rng: Rng::new(seed) }
    }

    #[inline(always)]
    pub fn sample(&mut self, power: f32) -> f32 {
        let r = self.rng.next_u64();
        let sum = (r & 0xFFFF) + ((r >> 16) & 0xFFFF) + ((r >> 32) & 0xFFFF) + (r >> 48);
        // Four U(0,1) sum to mean 2, variance 1/3.
        let g = (sum as f32 / 65536.0 - 2.0) * 1.732_050_8;
        g * power.max(0.0).sqrt()
    }
}
