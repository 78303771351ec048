//! One simulated channel as DAHDI keeps it: owner, buffers, HDLC queue, CAS bits,
//! line-side counters.

use std::collections::VecDeque;

use cti_drivers::hdlc;
use cti_drivers::sim::protocol::{ChannelLineCounters, WireError};
use cti_drivers::{error as errno, ChannelEvent, ChannelKind, ChannelNo, ChannelParams, EventKind, Law, TrunkTime};
use cti_drivers::{valid_block_size, DEFAULT_BLOCK_SIZE};

pub type ConnId = u64;

/// Voice default of Asterisk's SET_BUFINFO: 4 buffers (dahdi.md 1.4 step 3).
pub const AUDIO_BUFFERS: usize = 4;
/// PRI D-channel SET_BUFINFO: 32 buffers of 1024 bytes (dahdi.md 1.4, D-channel step 3).
pub const HDLC_BUFFERS: usize = 32;
pub const HDLC_BUFFER_SIZE: usize = 1024;
/// DAHDI_MAX_NUM_BUFS.
pub const MAX_BUFFERS: usize = 32;

pub struct Chan {
    pub no: ChannelNo,
    pub span: usize,
    pub timeslot: u32,
    pub kind: ChannelKind,
    pub law: Law,
    pub idle_bits: u8,
    pub owner: Option<ConnId>,
    pub block_size: usize,
    pub num_buffers: usize,
    pub buffer_size: usize,
    tx_blocks: VecDeque<Vec<u8>>,
    tx_pos: usize,
    pub tx_done: u64,
    tx_started: bool,
    in_underrun: bool,
    rx_block: Vec<u8>,
    hdlc_tx: VecDeque<Vec<u8>>,
    hdlc_progress: usize,
    /// Frames per HDLC octet: 1 on an E1 timeslot (64 kbit/s), 4 on a BRI
    /// D-channel (16 kbit/s, I.430).
    pub frames_per_octet: u64,
    /// Frames already counted toward the next HDLC octet.
    hdlc_phase: u64,
    /// A frame from the far end was partly received when the last chunk ended.
    pub rx_partial: bool,
    pub tx_bits: u8,
    pub rx_bits: u8,
    pub counters: ChannelLineCounters,
}

/// What a channel wants pushed to its owner.
pub enum Push {
    Event(ChannelEvent),
    RxBlock { time: TrunkTime, data: Vec<u8> },
    RxFrame { time: TrunkTime, data: Vec<u8> },
    TxDone { time: TrunkTime },
}

fn werr(errno: i32, message: String) -> WireError {
    WireError { errno, message }
}

impl Chan {
    pub fn new(no: ChannelNo, span: usize, timeslot: u32, kind: ChannelKind, law: Law, idle_bits: u8) -> Self {
        let mut c = Chan {
            no,
            span,
            timeslot,
            kind,
            law,
            idle_bits,
            owner: None,
            block_size: DEFAULT_BLOCK_SIZE,
            num_buffers: AUDIO_BUFFERS,
            buffer_size: DEFAULT_BLOCK_SIZE,
            tx_blocks: VecDeque::new(),
            tx_pos: 0,
            tx_done: 0,
            tx_started: false,
            in_underrun: false,
            rx_block: Vec::new(),
            hdlc_tx: VecDeque::new(),
            hdlc_progress: 0,
            frames_per_octet: 1,
            hdlc_phase: 0,
            rx_partial: false,
            tx_bits: idle_bits,
            rx_bits: 0,
            counters: ChannelLineCounters { channel: no, ..Default::default() },
        };
        c.reset(None);
        c
    }

    /// What every open (and close) resets (dahdi.md 1.3).
    pub fn reset(&mut self, owner: Option<ConnId>) {
        self.owner = owner;
        self.block_size = DEFAULT_BLOCK_SIZE;
        (self.num_buffers, self.buffer_size) = match self.kind {
            ChannelKind::Hdlc => (HDLC_BUFFERS, HDLC_BUFFER_SIZE),
            _ => (AUDIO_BUFFERS, DEFAULT_BLOCK_SIZE),
        };
        self.tx_blocks.clear();
        self.tx_pos = 0;
        self.tx_done = 0;
        self.tx_started = false;
        self.in_underrun = false;
        self.rx_block.clear();
        self.hdlc_tx.clear();
        self.hdlc_progress = 0;
        // A closed channel sends its idle bits (dahdi.md 5, B dahdi_hangup).
        self.tx_bits = self.idle_bits;
    }

    pub fn params(&self) -> ChannelParams {
        ChannelParams {
            channel: self.no,
            span: self.span as u32 + 1,
            timeslot: self.timeslot,
            kind: self.kind,
            law: self.law,
            idle_bits: self.idle_bits,
            rx_bits: self.rx_bits,
            tx_bits: self.tx_bits,
            block_size: self.block_size,
            num_buffers: self.num_buffers,
            buffer_size: self.buffer_size,
        }
    }

    fn audio(&self) -> bool {
        matches!(self.kind, ChannelKind::Bearer | ChannelKind::Cas)
    }

    pub fn set_block_size(&mut self, samples: usize) -> Result<(), WireError> {
        if !self.audio() {
            return Err(werr(errno::EINVAL, format!("channel {} is a D-channel: set its buffers instead", self.no)));
        }
        if !valid_block_size(samples) {
            return Err(werr(errno::EINVAL, format!("block size {samples}: 16 to 8192 samples in steps of 8")));
        }
        self.block_size = samples;
        self.buffer_size = samples;
        self.rx_block.clear();
        Ok(())
    }

    pub fn set_buffers(&mut self, count: usize, size: usize) -> Result<(), WireError> {
        if !(1..=MAX_BUFFERS).contains(&count) {
            return Err(werr(errno::EINVAL, format!("buffer count {count}: 1 to {MAX_BUFFERS}")));
        }
        if self.audio() {
            self.set_block_size(size)?;
        } else if !(hdlc::FCS_LEN + 1..=8192).contains(&size) {
            return Err(werr(errno::EINVAL, format!("buffer size {size}: 3 to 8192 bytes")));
        } else {
            self.buffer_size = size;
        }
        self.num_buffers = count;
        Ok(())
    }

    pub fn set_tx_bits(&mut self, bits: u8) -> Result<(), WireError> {
        if self.kind != ChannelKind::Cas {
            // dahdi.md 5: SETTXBITS is valid only for sig == CAS.
            return Err(werr(errno::EINVAL, format!("channel {} is not a CAS channel", self.no)));
        }
        self.tx_bits = bits & 0xF;
        Ok(())
    }

    /// A write from the owner: one block, or one HDLC frame with 2 placeholder bytes.
    pub fn write(&mut self, mut data: Vec<u8>) {
        if self.audio() {
            if data.is_empty() || data.len() > self.block_size || self.tx_blocks.len() >= self.num_buffers {
                return; // the client checks these before sending; a broken client loses the block
            }
            if self.in_underrun {
                self.counters.late_blocks += 1;
                self.in_underrun = false;
            }
            self.tx_started = true;
            self.tx_blocks.push_back(data);
        } else if self.kind == ChannelKind::Hdlc {
            if data.len() < hdlc::FCS_LEN || data.len() > self.buffer_size || self.hdlc_tx.len() >= self.num_buffers {
                return;
            }
            // Soft HDLC overwrites the placeholder with the FCS (dahdi.md 4).
            hdlc::put_fcs(&mut data);
            self.hdlc_tx.push_back(data);
        }
    }

    /// Fill `out` with this channel's transmitted octets for frames starting at `time`.
    pub fn transmit_audio(&mut self, out: &mut [u8], time: TrunkTime, push: &mut Vec<Push>) {
        let idle = self.law.idle_code();
        if self.owner.is_none() || !self.audio() {
            out.fill(idle);
            return;
        }
        let mut i = 0;
        while i < out.len() {
            let Some(front) = self.tx_blocks.front() else {
                out[i..].fill(idle);
                if self.tx_started {
                    self.counters.idle_frames += (out.len() - i) as u64;
                    if !self.in_underrun {
                        // DAHDI_EVENT_WRITE_UNDERRUN with buffer events on (dahdi.md 3.1).
                        self.in_underrun = true;
                        self.counters.underruns += 1;
                        push.push(Push::Event(ChannelEvent {
                            kind: EventKind::WriteUnderrun,
                            time: time + i as u64,
                            value: 0,
                        }));
                    }
                }
                return;
            };
            let take = (front.len() - self.tx_pos).min(out.len() - i);
            out[i..i + take].copy_from_slice(&front[self.tx_pos..self.tx_pos + take]);
            i += take;
            self.tx_pos += take;
            if self.tx_pos == front.len() {
                self.tx_blocks.pop_front();
                self.tx_pos = 0;
                self.tx_done += 1;
            }
        }
    }

    /// Send queued HDLC frames for `frames` frames starting at `time`; returns the
    /// frames whose last octet went out, with the frame time just after it. Each
    /// frame takes its length plus one flag octet, one octet every
    /// `frames_per_octet` frames.
    pub fn transmit_hdlc(&mut self, frames: usize, time: TrunkTime, push: &mut Vec<Push>) -> Vec<(TrunkTime, Vec<u8>)> {
        let fpo = self.frames_per_octet;
        let phase = self.hdlc_phase;
        let octets = ((phase + frames as u64) / fpo) as usize;
        self.hdlc_phase = (phase + frames as u64) % fpo;
        let mut done = Vec::new();
        let mut used = 0;
        while used < octets {
            let Some(front) = self.hdlc_tx.front() else { break };
            let need = front.len() + 1 - self.hdlc_progress;
            if need <= octets - used {
                used += need;
                self.hdlc_progress = 0;
                let frame = self.hdlc_tx.pop_front().unwrap();
                self.tx_done += 1;
                let at = time + used as u64 * fpo - phase;
                done.push((at, frame));
                if self.owner.is_some() {
                    push.push(Push::TxDone { time: at });
                }
            } else {
                self.hdlc_progress += octets - used;
                used = octets;
            }
        }
        done
    }

    pub fn frame_in_progress(&self) -> bool {
        self.hdlc_progress > 0
    }

    /// Whether frames wait to be sent.
    pub fn hdlc_pending(&self) -> bool {
        !self.hdlc_tx.is_empty()
    }

    /// Whether the owner has written audio since open: on a passive bus only such
    /// a terminal drives its B-channel; others leave binary ones (I.430).
    pub fn drives_bus(&self) -> bool {
        self.owner.is_some() && self.tx_started
    }

    pub fn is_audio(&self) -> bool {
        self.audio()
    }

    /// Received octets of a voice channel; pushes a block when one is complete.
    pub fn receive_audio(&mut self, octets: &[u8], time: TrunkTime, push: &mut Vec<Push>) {
        if self.owner.is_none() || !self.audio() {
            return;
        }
        let mut i = 0;
        while i < octets.len() {
            let take = (self.block_size - self.rx_block.len()).min(octets.len() - i);
            self.rx_block.extend_from_slice(&octets[i..i + take]);
            i += take;
            if self.rx_block.len() == self.block_size {
                let data = std::mem::replace(&mut self.rx_block, Vec::with_capacity(self.block_size));
                push.push(Push::RxBlock { time: time + i as u64, data });
            }
        }
    }

    /// A whole HDLC frame (with FCS) arrived from the line.
    pub fn receive_frame(&mut self, frame: Vec<u8>, time: TrunkTime, span_in_alarm: bool, push: &mut Vec<Push>) {
        if self.owner.is_none() || self.kind != ChannelKind::Hdlc {
            return;
        }
        // HDLC error events are queued only while the span has no alarm (dahdi.md 3.3).
        let event = |kind| Push::Event(ChannelEvent { kind, time, value: 0 });
        if !hdlc::fcs_ok(&frame) {
            if !span_in_alarm {
                push.push(event(EventKind::BadFcs));
            }
        } else if frame.len() > self.buffer_size {
            if !span_in_alarm {
                push.push(event(EventKind::HdlcOverrun));
            }
        } else {
            push.push(Push::RxFrame { time, data: frame });
        }
    }

    /// The line went dead in the middle of a frame from the far end.
    pub fn receive_abort(&mut self, time: TrunkTime, span_in_alarm: bool, push: &mut Vec<Push>) {
        if self.owner.is_some() && self.kind == ChannelKind::Hdlc && !span_in_alarm {
            push.push(Push::Event(ChannelEvent { kind: EventKind::HdlcAbort, time, value: 0 }));
        }
    }

    /// New ABCD bits arrived.
    pub fn receive_bits(&mut self, bits: u8, time: TrunkTime, push: &mut Vec<Push>) {
        if bits == self.rx_bits {
            return;
        }
        self.rx_bits = bits;
        if self.owner.is_some() {
            push.push(Push::Event(ChannelEvent { kind: EventKind::BitsChanged, time, value: bits as u32 }));
        }
    }

    /// ABCD bits this channel puts on the line now.
    pub fn line_bits(&self) -> u8 {
        if self.owner.is_some() {
            self.tx_bits
        } else {
            self.idle_bits
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hdlc_channel() -> Chan {
        let mut c = Chan::new(16, 0, 16, ChannelKind::Hdlc, Law::ALaw, 0b1101);
        c.reset(Some(1));
        c
    }

    #[test]
    fn bad_fcs_gives_event_8_and_drops_the_frame_unless_in_alarm() {
        let mut c = hdlc_channel();
        let mut frame = b"frame\0\0".to_vec();
        hdlc::put_fcs(&mut frame);
        frame[1] ^= 0x04; // a bit error on the line
        let mut push = Vec::new();
        c.receive_frame(frame.clone(), 77, false, &mut push);
        assert!(matches!(push.as_slice(), [Push::Event(ChannelEvent { kind: EventKind::BadFcs, time: 77, .. })]));
        assert_eq!(EventKind::BadFcs.dahdi_code(), 8);
        push.clear();
        // HDLC error events are not queued while the span is in alarm (dahdi.md 3.3).
        c.receive_frame(frame, 78, true, &mut push);
        assert!(push.is_empty());
    }

    #[test]
    fn transmit_puts_the_fcs_and_takes_one_octet_per_frame() {
        let mut c = hdlc_channel();
        c.write(b"ABCDEF".to_vec());
        let mut push = Vec::new();
        assert!(c.transmit_hdlc(6, 0, &mut push).is_empty()); // 6 bytes + flag = 7 octets
        let done = c.transmit_hdlc(8, 6, &mut push);
        assert_eq!(done, vec![(7, vec![0x41, 0x42, 0x43, 0x44, 0x32, 0x2d])]);
        assert!(matches!(push.as_slice(), [Push::TxDone { time: 7 }]));
    }

    #[test]
    fn bri_d_channel_sends_one_octet_every_4_frames() {
        let mut c = hdlc_channel();
        c.frames_per_octet = 4;
        c.write(b"ABCDEF".to_vec()); // 6 bytes + flag = 7 octets = 28 frames
        let mut push = Vec::new();
        let mut done = Vec::new();
        for t in (0..40).step_by(8) {
            done.extend(c.transmit_hdlc(8, t, &mut push));
        }
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].0, 28);
    }

    #[test]
    fn closed_voice_channel_sends_the_law_idle_code() {
        let mut a = Chan::new(1, 0, 1, ChannelKind::Bearer, Law::ALaw, 0b1101);
        let mut m = Chan::new(2, 0, 2, ChannelKind::Bearer, Law::MuLaw, 0b1101);
        let mut out = [0u8; 8];
        let mut push = Vec::new();
        a.transmit_audio(&mut out, 0, &mut push);
        assert_eq!(out, [0xD5; 8]);
        m.transmit_audio(&mut out, 0, &mut push);
        assert_eq!(out, [0xFF; 8]);
        assert!(push.is_empty(), "no underrun on a channel nobody holds");
    }
}
