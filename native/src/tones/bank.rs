//! The batch form: one tone detector per channel (the shared `DetectorBank`).

use super::detector::{CompiledPlan, ToneDetector, ToneEvent};
use super::plan::ToneName;
use crate::common::bank::{BlockDetector, DetectorBank};
use std::sync::Arc;

impl BlockDetector for ToneDetector {
    type Item = ToneName;
    type Event = ToneEvent;
    fn process(&mut self, pcm: &[i16], out: &mut Vec<ToneName>) {
        ToneDetector::process(self, pcm, out)
    }
    fn take_events(&mut self) -> Vec<ToneEvent> {
        ToneDetector::take_events(self)
    }
    fn reset(&mut self) {
        ToneDetector::reset(self)
    }
}

pub type ToneDetectorBank = DetectorBank<ToneDetector>;

impl DetectorBank<ToneDetector> {
    pub fn new(plan: Arc<CompiledPlan>, channels: usize) -> Self {
        Self::from_fn(channels, |_| ToneDetector::new(plan.clone()))
    }
}
