//! Many R2 receivers at once, for the media engine: channels are processed
//! LANES at a time, one channel per SIMD lane, with exactly the arithmetic of
//! the single `R2Detector` (same f32 operations in the same order per lane), so
//! a bank gives bit-for-bit the single-channel results.

use super::detector::{coefficients, Event, Lanes, Persistence, Thresholds, BLOCK};
use super::{Direction, R2Error};

/// Channels processed side by side (8 f32 lanes: one AVX register, two SSE).
pub const LANES: usize = 8;

/// The Goertzel loop, on AVX when the CPU has it (one 8-lane register per
/// state instead of two SSE halves). Only plain AVX, never FMA: FMA would round
/// differently and break bit-equality with the single detector.
#[inline]
fn run_lanes(lanes: &mut Lanes<LANES>, coef: &[f32; 6], xs: &[[f32; LANES]]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU supports AVX (checked just above).
            unsafe { run_lanes_avx(lanes, coef, xs) };
            return;
        }
    }
    lanes.run(coef, xs);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn run_lanes_avx(lanes: &mut Lanes<LANES>, coef: &[f32; 6], xs: &[[f32; LANES]]) {
    lanes.run(coef, xs);
}

/// Rows first..first+used of a row-major [channels][n] block into one
/// [f32; LANES] per sample (unused lanes zero). Done in 8x8 tiles so that every
/// row is read and every output written contiguously.
fn transpose(block: &[i16], n: usize, first: usize, used: usize, out: &mut [[f32; LANES]]) {
    let rows: [&[i16]; LANES] = std::array::from_fn(|l| {
        if l < used {
            &block[(first + l) * n..(first + l + 1) * n]
        } else {
            &[]
        }
    });
    const TILE: usize = 8;
    let whole = n / TILE * TILE;
    for t in (0..whole).step_by(TILE) {
        let mut tile = [[0i16; TILE]; LANES];
        for l in 0..used {
            tile[l].copy_from_slice(&rows[l][t..t + TILE]);
        }
        for j in 0..TILE {
            out[t + j] = std::array::from_fn(|l| tile[l][j] as f32);
        }
    }
    for t in whole..n {
        out[t] = std::array::from_fn(|l| if l < used { rows[l][t] as f32 } else { 0.0 });
    }
}

#[derive(Clone, Debug)]
struct Group {
    lanes: Lanes<LANES>,
    /// Samples already in each lane's current block. Lanes differ only after a
    /// reset of one channel; the loop then cuts segments at every lane's block end.
    fill: [usize; LANES],
}

#[derive(Clone, Debug)]
pub struct R2DetectorBank {
    direction: Direction,
    channels: usize,
    coef: [f32; 6],
    thresholds: Thresholds,
    groups: Vec<Group>,
    samples: Vec<u64>,
    persistence: Vec<Persistence>,
    events: Vec<(usize, Event)>,
    /// Transposed input of one group: one [f32; LANES] per sample.
    scratch: Vec<[f32; LANES]>,
    onsets_scratch: Vec<u8>,
    events_scratch: Vec<Event>,
}

impl R2DetectorBank {
    pub fn new(channels: usize, direction: Direction) -> Self {
        let groups = channels.div_ceil(LANES);
        Self {
            direction,
            channels,
            coef: coefficients(direction),
            thresholds: Thresholds::new(),
            groups: vec![Group { lanes: Lanes::new(), fill: [0; LANES] }; groups],
            samples: vec![0; channels],
            persistence: vec![Persistence::default(); channels],
            events: Vec::new(),
            scratch: Vec::new(),
            onsets_scratch: Vec::new(),
            events_scratch: Vec::new(),
        }
    }

    pub fn channels(&self) -> usize {
        self.channels
    }

    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// Process a row-major [channels][n] block. Onsets are appended to `out`
    /// as (channel, signal), in channel order, then time order.
    pub fn process(
        &mut self,
        block: &[i16],
        channels: usize,
        n: usize,
        out: &mut Vec<(usize, u8)>,
    ) -> Result<(), R2Error> {
        if channels != self.channels || channels.checked_mul(n) != Some(block.len()) {
            return Err(R2Error::BadShape { channels: self.channels, got: (channels, n, block.len()) });
        }
        if n == 0 {
            return Ok(());
        }
        self.scratch.resize(n, [0.0; LANES]);
        let (out_start, events_start) = (out.len(), self.events.len());
        for g in 0..self.groups.len() {
            let first = g * LANES;
            let used = (self.channels - first).min(LANES);
            transpose(block, n, first, used, &mut self.scratch);
            self.run_group(g, used, n, out);
        }
        // Block ends of different lanes interleave in time, so put this call's
        // results in channel order (stable: each channel keeps its time order).
        out[out_start..].sort_by_key(|&(ch, _)| ch);
        self.events[events_start..].sort_by_key(|&(ch, _)| ch);
        Ok(())
    }

    fn run_group(&mut self, g: usize, used: usize, n: usize, out: &mut Vec<(usize, u8)>) {
        let first = g * LANES;
        let mut i = 0;
        while i < n {
            let group = &mut self.groups[g];
            let to_block_end = group.fill[..used].iter().map(|&f| BLOCK - f).min().unwrap_or(BLOCK);
            let seg = (n - i).min(to_block_end);
            run_lanes(&mut group.lanes, &self.coef, &self.scratch[i..i + seg]);
            i += seg;
            for l in 0..used {
                let ch = first + l;
                group.fill[l] += seg;
                self.samples[ch] += seg as u64;
                if group.fill[l] == BLOCK {
                    let (bins, total) = group.lanes.block(&self.coef, l);
                    let detected = self.thresholds.classify(&bins, total);
                    self.onsets_scratch.clear();
                    self.events_scratch.clear();
                    self.persistence[ch].step(
                        detected,
                        self.samples[ch] - 1,
                        &mut self.onsets_scratch,
                        &mut self.events_scratch,
                    );
                    out.extend(self.onsets_scratch.iter().map(|&s| (ch, s)));
                    self.events.extend(self.events_scratch.iter().map(|&e| (ch, e)));
                    group.lanes.clear(l);
                    group.fill[l] = 0;
                }
            }
        }
    }

    /// Take the events since the last call, as (channel, event).
    pub fn take_events(&mut self) -> Vec<(usize, Event)> {
        std::mem::take(&mut self.events)
    }

    /// Signal recognised now on `channel`, 0 if none.
    pub fn current(&self, channel: usize) -> u8 {
        self.persistence[channel].current()
    }

    /// Put one channel back to the state of a new detector; its pending events
    /// are dropped, as a new single detector would have none.
    pub fn reset(&mut self, channel: usize) -> Result<(), R2Error> {
        if channel >= self.channels {
            return Err(R2Error::BadChannel { channel, channels: self.channels });
        }
        let (g, l) = (channel / LANES, channel % LANES);
        self.groups[g].lanes.clear(l);
        self.groups[g].fill[l] = 0;
        self.samples[channel] = 0;
        self.persistence[channel] = Persistence::default();
        self.events.retain(|&(ch, _)| ch != channel);
        Ok(())
    }
}
