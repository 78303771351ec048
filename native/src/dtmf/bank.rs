//! Many DTMF detectors side by side, for the media engine: one call per
//! block of all channels.

use super::detect::{DtmfDetector, DtmfEvent};

pub struct DtmfDetectorBank {
    detectors: Vec<DtmfDetector>,
    scratch: Vec<u8>,
}

impl DtmfDetectorBank {
    pub fn new(channels: usize) -> Self {
        Self { detectors: vec![DtmfDetector::new(); channels], scratch: Vec::new() }
    }

    pub fn channels(&self) -> usize {
        self.detectors.len()
    }

    /// `block` is row-major [channels][n]. Appends (channel, digit) for every
    /// digit recognised, channel by channel, each channel's digits in order.
    pub fn process(&mut self, block: &[i16], channels: usize, n: usize, out: &mut Vec<(usize, u8)>) {
        assert_eq!(channels, self.detectors.len(), "channel count");
        assert_eq!(block.len(), channels * n, "block size");
        if n == 0 {
            return;
        }
        for (ch, (det, row)) in self.detectors.iter_mut().zip(block.chunks_exact(n)).enumerate() {
            self.scratch.clear();
            det.process(row, &mut self.scratch);
            out.extend(self.scratch.iter().map(|&d| (ch, d)));
        }
    }

    /// Completed digits of all channels, as (channel, event), channel by channel.
    pub fn take_events(&mut self) -> Vec<(usize, DtmfEvent)> {
        let mut out = Vec::new();
        for (ch, det) in self.detectors.iter_mut().enumerate() {
            out.extend(det.take_events().into_iter().map(|e| (ch, e)));
        }
        out
    }

    pub fn flush(&mut self) {
        self.detectors.iter_mut().for_each(DtmfDetector::flush);
    }

    pub fn reset(&mut self, channel: usize) {
        self.detectors[channel].reset();
    }

    pub fn detector(&self, channel: usize) -> &DtmfDetector {
        &self.detectors[channel]
    }
}
