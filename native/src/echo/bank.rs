//! Many channels at once, for the media engine: one canceller state per channel
//! over row-major [channels][n] blocks.

use super::canceller::{BadTail, Config, EchoCanceller, Event};

#[derive(Clone, Debug)]
pub struct EchoCancellerBank {
    chans: Vec<EchoCanceller>,
}

impl EchoCancellerBank {
    pub fn new(channels: usize, cfg: Config) -> Result<Self, BadTail> {
        let one = EchoCanceller::new(cfg)?;
        Ok(Self { chans: vec![one; channels] })
    }

    pub fn channels(&self) -> usize {
        self.chans.len()
    }

    /// `sin`, `rin`: [channels][n] row-major; `out` is resized to match.
    pub fn process(&mut self, sin: &[i16], rin: &[i16], n: usize, out: &mut Vec<i16>) {
        let ch = self.chans.len();
        out.clear();
        out.resize(ch * n, 0);
        for (c, canc) in self.chans.iter_mut().enumerate() {
            let r = c * n..(c + 1) * n;
            canc.process(&sin[r.clone()], &rin[r.clone()], &mut out[r]);
        }
    }

    pub fn reset(&mut self, channel: usize) {
        self.chans[channel].reset();
    }

    pub fn channel(&self, c: usize) -> &EchoCanceller {
        &self.chans[c]
    }

    /// Drain every channel's events as (channel, event).
    pub fn take_events(&mut self) -> Vec<(usize, Event)> {
        let mut all = Vec::new();
        for (c, canc) in self.chans.iter_mut().enumerate() {
            all.extend(canc.take_events().into_iter().map(|e| (c, e)));
        }
        all
    }
}
