//! One echo path on one timeslot: the receiving side's own transmitted samples,
//! delayed by a pure delay and filtered by a G.168 Annex D model, scaled to an
//! echo return loss (the models are the DSP crate's, `cti_native::echo::paths`).

use cti_drivers::sim::EchoPath;

use cti_native::echo::paths::{g168_echo_path, MODELS};

pub struct EchoFilter {
    /// Taps reversed, so that a dot product with the history slice ending at the
    /// newest sample gives the output.
    taps_rev: Vec<f32>,
    delay: usize,
    /// Past transmitted samples, oldest first; `len` valid from `start`.
    history: Vec<f32>,
    start: usize,
}

impl EchoFilter {
    pub fn new(path: &EchoPath) -> EchoFilter {
        let name = MODELS[(path.model - 2) as usize];
        let taps = g168_echo_path(name, path.erl_db).expect("model checked by Impairments::validate");
        let taps_rev: Vec<f32> = taps.iter().rev().map(|&v| v as f32).collect();
        let delay = path.delay_frames as usize;
        let span = taps_rev.len() + delay;
        EchoFilter { taps_rev, delay, history: vec![0.0; span * 4], start: 0 }
    }

    /// Push the `tx` samples just transmitted and add their echo to `rx`
    /// (`rx[k]` is heard at the same frame as `tx[k]` is sent).
    pub fn process(&mut self, tx: &[f32], rx: &mut [f32]) {
        let n_taps = self.taps_rev.len();
        let span = n_taps + self.delay;
        for (k, &x) in tx.iter().enumerate() {
            // Append x: the window history[start .. start + span] moves on by one.
            if self.start + span < self.history.len() {
                self.start += 1;
            } else {
                // Slide to the front; one copy per 3 spans of samples.
                self.history.copy_within(self.start + 1..self.start + span, 0);
                self.start = 0;
            }
            self.history[self.start + span - 1] = x;
            // y[n] = sum_j h[j] x[n - delay - j]: the window's oldest `n_taps`
            // samples end `delay` samples before the newest.
            let window = &self.history[self.start..self.start + n_taps];
            rx[k] += dot(window, &self.taps_rev);
        }
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_impulse_comes_back_after_the_delay_as_the_model() {
        let path = EchoPath { model: 2, delay_frames: 40, erl_db: 6.0 };
        let h = g168_echo_path("D.2", 6.0).unwrap();
        let mut f = EchoFilter::new(&path);
        let n = (40 + h.len() + 300) / 8 * 8 + 8;
        let mut out = vec![0f32; n];
        // Feed in chunks of 8 (as the world does), an impulse of 1000 at frame 0.
        for k in (0..n).step_by(8) {
            let tx: Vec<f32> = (k..k + 8).map(|i| if i == 0 { 1000.0 } else { 0.0 }).collect();
            f.process(&tx, &mut out[k..k + 8]);
        }
        for (i, &y) in out.iter().enumerate() {
            let want = if (40..40 + h.len()).contains(&i) { 1000.0 * h[i - 40] as f32 } else { 0.0 };
            assert!((y - want).abs() < 1e-2, "frame {i}: {y} vs {want}");
        }
    }
}
