//! A small seeded random source (SplitMix64) for impairments, so that a run is
//! reproducible from its seed and no crate is needed for a few draws per ms.

#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box-Muller).
    pub fn gaussian(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // (0, 1]
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Trials before the next success of a Bernoulli(p) sequence (geometric,
    /// 0 = the very next trial): the gap to the next errored bit at rate p.
    pub fn gap(&mut self, p: f64) -> u64 {
        if p <= 0.0 {
            return u64::MAX;
        }
        if p >= 1.0 {
            return 0;
        }
        let u = 1.0 - self.uniform();
        let g = (u.ln() / (1.0 - p).ln()).floor();
        if g >= u64::MAX as f64 { u64::MAX } else { g as u64 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaussian_has_unit_power_and_gaps_have_mean_1_over_p() {
        let mut r = Rng::new(7);
        let n = 200_000;
        let power: f64 = (0..n).map(|_| r.gaussian().powi(2)).sum::<f64>() / n as f64;
        assert!((power - 1.0).abs() < 0.01, "{power}");
        let p = 0.01;
        let mean: f64 = (0..n).map(|_| r.gap(p) as f64).sum::<f64>() / n as f64;
        // Mean of failures before a success: (1 - p) / p = 99.
        assert!((mean - 99.0).abs() < 1.0, "{mean}");
    }
}
