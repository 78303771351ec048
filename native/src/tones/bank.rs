//! The batch form: one detector per channel.

use super::detector::{CompiledPlan, ToneDetector, ToneEvent};
use super::plan::ToneName;
use std::sync::Arc;

/// One detector per channel over row-major `[channels][n]` blocks.
pub struct ToneDetectorBank {
    channels: Vec<ToneDetector>,
    scratch: Vec<ToneName>,
}

impl ToneDetectorBank {
    pub fn new(plan: Arc<CompiledPlan>, channels: usize) -> Self {
        ToneDetectorBank { channels: (0..channels).map(|_| ToneDetector::new(plan.clone())).collect(), scratch: Vec::new() }
    }

    pub fn channels(&self) -> usize {
        self.channels.len()
    }

    /// `block` holds `channels * n` samples, channel after channel.
    pub fn process(&mut self, block: &[i16], channels: usize, n: usize, out: &mut Vec<(usize, ToneName)>) {
        assert_eq!(channels, self.channels.len());
        assert_eq!(block.len(), channels * n);
        for (c, det) in self.channels.iter_mut().enumerate() {
            self.scratch.clear();
            det.process(&block[c * n..(c + 1) * n], &mut self.scratch);
            out.extend(self.scratch.iter().map(|&t| (c, t)));
        }
    }

    pub fn take_events(&mut self) -> Vec<(usize, ToneEvent)> {
        let mut all = Vec::new();
        for (c, det) in self.channels.iter_mut().enumerate() {
            all.extend(det.take_events().into_iter().map(|e| (c, e)));
        }
        all
    }

    pub fn reset(&mut self, channel: usize) {
        self.channels[channel].reset();
    }
}
