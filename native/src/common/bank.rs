//! The batch form shared by the per-channel detectors: one detector per channel,
//! fed a row-major `[channels][n]` block per call, so that the media engine makes one
//! call per block for all channels.

/// A detector that consumes blocks of one channel and reports items as they are
/// recognised and events once they are complete.
pub trait BlockDetector {
    type Item: Copy;
    type Event;
    fn process(&mut self, pcm: &[i16], out: &mut Vec<Self::Item>);
    fn take_events(&mut self) -> Vec<Self::Event>;
    fn reset(&mut self);
}

pub struct DetectorBank<D: BlockDetector> {
    detectors: Vec<D>,
    scratch: Vec<D::Item>,
}

impl<D: BlockDetector> DetectorBank<D> {
    pub fn from_fn(channels: usize, make: impl FnMut(usize) -> D) -> Self {
        DetectorBank { detectors: (0..channels).map(make).collect(), scratch: Vec::new() }
    }

    pub fn channels(&self) -> usize {
        self.detectors.len()
    }

    /// `block` holds `channels * n` samples, channel after channel. Appends
    /// (channel, item) for everything recognised, channel by channel, each
    /// channel's items in order.
    pub fn process(&mut self, block: &[i16], channels: usize, n: usize, out: &mut Vec<(usize, D::Item)>) {
        assert_eq!(channels, self.detectors.len(), "channel count");
        assert_eq!(block.len(), channels * n, "block size");
        if n == 0 {
            return;
        }
        for (c, (det, row)) in self.detectors.iter_mut().zip(block.chunks_exact(n)).enumerate() {
            self.scratch.clear();
            det.process(row, &mut self.scratch);
            out.extend(self.scratch.iter().map(|&item| (c, item)));
        }
    }

    /// Completed events of all channels, as (channel, event), channel by channel.
    pub fn take_events(&mut self) -> Vec<(usize, D::Event)> {
        let mut all = Vec::new();
        for (c, det) in self.detectors.iter_mut().enumerate() {
            all.extend(det.take_events().into_iter().map(|e| (c, e)));
        }
        all
    }

    pub fn reset(&mut self, channel: usize) {
        self.detectors[channel].reset();
    }

    pub fn detector(&self, channel: usize) -> &D {
        &self.detectors[channel]
    }

    pub fn detectors_mut(&mut self) -> impl Iterator<Item = &mut D> {
        self.detectors.iter_mut()
    }
}
