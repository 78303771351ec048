//! The non-linear processor: after the linear canceller, replaces the residual
//! by comfort noise while only echo (no near-end speech) is present.

/// Decides per sample whether the residual is echo only.
#[derive(Clone, Debug)]
pub struct Nlp {
    hang: u32,
}

/// Keep the NLP on for 10 ms after the last sample that asked for it, so that
/// it does not chatter on the residual's own fluctuation.
const HANGOVER: u32 = 80;

impl Nlp {
    pub fn new() -> Self {
        Self { hang: 0 }
    }

    /// `far_active`: Rin carried speech within the tail; `residual_power`,
    /// `sin_power`: short-term powers of the residual and of Sin;
    /// `background`: the near-end background power.
    #[inline(always)]
    pub fn decide(&mut self, far_active: bool, residual_power: f32, sin_power: f32, background: f32) -> bool {
        // Echo only when the canceller already took at least 6 dB off Sin (near-end
        // speech as loud as the echo keeps the ratio above 1/4) or when the
        // residual is no louder than the background it will be replaced by.
        let echo_only = residual_power < 0.25 * sin_power || residual_power < 2.0 * background;
        if far_active && echo_only {
            self.hang = HANGOVER;
        } else if self.hang > 0 {
            self.hang -= 1;
        }
        far_active && self.hang > 0
    }

    pub fn reset(&mut self) {
        self.hang = 0;
    }
}
