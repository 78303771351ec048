//! Many DTMF detectors side by side, for the media engine: one call per
//! block of all channels (the shared `DetectorBank`).

use super::detect::{DtmfDetector, DtmfEvent};
use crate::common::bank::{BlockDetector, DetectorBank};

impl BlockDetector for DtmfDetector {
    type Item = u8;
    type Event = DtmfEvent;
    fn process(&mut self, pcm: &[i16], out: &mut Vec<u8>) {
        DtmfDetector::process(self, pcm, out)
    }
    fn take_events(&mut self) -> Vec<DtmfEvent> {
        DtmfDetector::take_events(self)
    }
    fn reset(&mut self) {
        DtmfDetector::reset(self)
    }
}

pub type DtmfDetectorBank = DetectorBank<DtmfDetector>;

impl DetectorBank<DtmfDetector> {
    pub fn new(channels: usize) -> Self {
        Self::from_fn(channels, |_| DtmfDetector::new())
    }

    /// End of stream on every channel.
    pub fn flush(&mut self) {
        self.detectors_mut().for_each(DtmfDetector::flush);
    }
}
