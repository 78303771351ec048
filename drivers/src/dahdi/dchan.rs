//! Signalling channels (ISDN D-channel, SS7 link): whole HDLC frames in and out (§4).
//!
//! DAHDI's convention: every write carries 2 placeholder bytes at the end, which the
//! kernel (soft HDLC) overwrites with the FCS or the card (hard HDLC) strips and replaces;
//! every read returns one whole frame followed by its 2 FCS bytes, already checked (bad
//! frames are dropped and become BADFCS events). This module hides both: callers write
//! and read bare frames.

use super::abi::*;
use super::channel::Channel;
use super::device::DahdiDevice;
use super::error::DahdiError;
use super::span::{span_status, SpanStatus};

/// Bytes DAHDI appends to / expects at the end of every frame for the FCS (§4).
pub const FCS_PLACEHOLDER_LEN: usize = 2;

/// Reads shorter than the FCS skipped in one `read_frame` call before it returns None.
const MAX_RUNT_READS_PER_CALL: usize = 16;

/// Who does the HDLC work, from the channel's configured signalling (§4, §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HdlcMode {
    /// `dchan=`/`fcshdlc=`: the kernel flags, stuffs and computes CRC-16/X.25.
    SoftFcs,
    /// `hardhdlc=`: the card's framer (BRI cards, some E1 cards).
    Hardware,
    /// `mtp2=`: soft HDLC that repeats the last frame and drops repeated receptions.
    Mtp2,
}

impl HdlcMode {
    pub fn from_sigtype(sigtype: i32) -> Option<Self> {
        match sigtype {
            DAHDI_SIG_HDLCFCS => Some(Self::SoftFcs),
            DAHDI_SIG_HARDHDLC => Some(Self::Hardware),
            DAHDI_SIG_MTP2 => Some(Self::Mtp2),
            _ => None,
        }
    }
}

/// Buffer set-up for SET_BUFINFO (§1.4 D-channel step 3, §11 item 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DChannelConfig {
    pub numbufs: i32,
    /// The largest frame that can be received whole, FCS bytes included.
    pub bufsize: i32,
}

impl DChannelConfig {
    /// ISDN PRI/BRI, as chan_dahdi: 32 buffers of 1024 bytes, immediate policy.
    pub const ISDN: DChannelConfig = DChannelConfig {
        numbufs: 32,
        bufsize: 1024,
    };
    /// SS7 links, as chan_dahdi: 32 buffers of 512 bytes (MTP2 MSUs are at most 279
    /// octets plus header, Q.703 §2.3.8).
    pub const SS7: DChannelConfig = DChannelConfig {
        numbufs: 32,
        bufsize: 512,
    };

    fn validate(&self, channo: i32) -> Result<(), DahdiError> {
        // Kernel limits, SET_BUFINFO row of §2.
        let ok = (16..=DAHDI_MAX_BLOCKSIZE).contains(&self.bufsize)
            && (1..=DAHDI_MAX_NUM_BUFS).contains(&self.numbufs)
            && self.bufsize * self.numbufs <= DAHDI_MAX_BUF_SPACE;
        if ok {
            Ok(())
        } else {
            Err(DahdiError::InvalidArgument {
                channo,
                message: format!(
                    "HDLC buffers {}x{} outside DAHDI's limits (bufsize 16..8192, numbufs 1..32, \
                     total <= 32768)",
                    self.numbufs, self.bufsize
                ),
            })
        }
    }
}

/// Appends the FCS placeholder to `frame` into `out` (cleared first).
pub fn frame_for_write(frame: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(frame);
    out.extend_from_slice(&[0; FCS_PLACEHOLDER_LEN]);
}

/// The frame inside what read() returned, without its FCS bytes; None for a read shorter
/// than the FCS (never a frame).
pub fn frame_from_read(read: &[u8]) -> Option<&[u8]> {
    read.len()
        .checked_sub(FCS_PLACEHOLDER_LEN)
        .map(|len| &read[..len])
}

/// A signalling channel set up for frame I/O.
#[derive(Debug)]
pub struct DChannel<D: DahdiDevice> {
    channel: Channel<D>,
    mode: HdlcMode,
    read_buffer: Vec<u8>,
    write_buffer: Vec<u8>,
    /// Reads shorter than the FCS, skipped.
    runt_reads: u64,
}

impl<D: DahdiDevice> DChannel<D> {
    /// Checks the channel is configured for HDLC and sets its buffers.
    pub fn setup(mut channel: Channel<D>, config: DChannelConfig) -> Result<Self, DahdiError> {
        let channo = channel.channo();
        config.validate(channo)?;
        let params = channel.params()?;
        let mode = HdlcMode::from_sigtype(params.sigtype).ok_or(DahdiError::WrongSignalling {
            channo,
            sigtype: params.sigtype,
            expected: "HDLC (dchan=, hardhdlc= or mtp2= in system.conf)",
        })?;
        let mut info = DahdiBufferInfo::zeroed();
        info.txbufpolicy = DAHDI_POLICY_IMMEDIATE;
        info.rxbufpolicy = DAHDI_POLICY_IMMEDIATE;
        info.numbufs = config.numbufs;
        info.bufsize = config.bufsize;
        channel
            .device_mut()
            .set_bufinfo(&info)
            .map_err(|errno| channel.ioctl_error("DAHDI_SET_BUFINFO", errno))?;
        Ok(DChannel {
            channel,
            mode,
            // A read smaller than the frame loses the rest of it (§4): read with bufsize.
            read_buffer: vec![0; config.bufsize as usize],
            write_buffer: Vec::with_capacity(config.bufsize as usize),
            runt_reads: 0,
        })
    }

    pub fn mode(&self) -> HdlcMode {
        self.mode
    }

    pub fn channel(&self) -> &Channel<D> {
        &self.channel
    }

    pub fn channel_mut(&mut self) -> &mut Channel<D> {
        &mut self.channel
    }

    pub fn runt_reads(&self) -> u64 {
        self.runt_reads
    }

    /// The span's state right after open (the open flushed the ALARM/NOALARM history,
    /// §3.3): start layer 2 as down if any alarm is set.
    pub fn initial_span_status(&mut self) -> Result<SpanStatus, DahdiError> {
        span_status(&mut self.channel, 0)
    }

    /// Sends one frame. `Ok(false)`: no free buffer now (wait writable and retry).
    pub fn write_frame(&mut self, frame: &[u8]) -> Result<bool, DahdiError> {
        let channo = self.channel.channo();
        let capacity = self.read_buffer.len();
        if frame.is_empty() || frame.len() + FCS_PLACEHOLDER_LEN > capacity {
            return Err(DahdiError::InvalidArgument {
                channo,
                message: format!(
                    "HDLC frame of {} bytes: must be 1..={} (buffer {capacity} minus {FCS_PLACEHOLDER_LEN} FCS)",
                    frame.len(),
                    capacity - FCS_PLACEHOLDER_LEN
                ),
            });
        }
        frame_for_write(frame, &mut self.write_buffer);
        let expected = self.write_buffer.len();
        match self.channel.write(&self.write_buffer)? {
            None => Ok(false),
            Some(n) if n == expected => Ok(true),
            Some(written) => Err(DahdiError::ShortWrite {
                channo,
                written,
                expected,
            }),
        }
    }

    /// Receives one frame without its FCS bytes. `Ok(None)`: no frame now.
    pub fn read_frame(&mut self) -> Result<Option<&[u8]>, DahdiError> {
        // Bounded so that a device returning 0 bytes forever cannot spin us.
        for _ in 0..MAX_RUNT_READS_PER_CALL {
            let Some(n) = self.channel.read(&mut self.read_buffer)? else {
                return Ok(None);
            };
            if n < FCS_PLACEHOLDER_LEN {
                self.runt_reads += 1;
                continue;
            }
            return Ok(frame_from_read(&self.read_buffer[..n]));
        }
        Ok(None)
    }
}
