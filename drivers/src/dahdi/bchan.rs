//! Bearer channels: blocks of law-coded audio in and out (§1.4 B-channel recipe).
//!
//! Channels stay law-coded: DAHDI_SETLINEAR is never called (it is not even declared in
//! `abi`), because all G.711, tones and mixing are ours and DAHDI's mu-law encoder differs
//! from G.191 (issue 3). Echo cancellation on a voice channel is exactly one of: the
//! card's hardware canceller, or ours in the media engine with DAHDI's software canceller
//! switched off (tap length 0). Never both, never none; the choice is per channel and
//! visible through [`BChannel::echo_canceller`].

use super::abi::*;
use super::channel::Channel;
use super::device::DahdiDevice;
use super::error::DahdiError;

/// Block size default: 160 samples = 20 ms at 8000 samples/s, chan_dahdi's READ_SIZE (§1.4).
pub const DEFAULT_BLOCK_SIZE: usize = 160;
/// Block size limits the interface offers: DAHDI accepts 16..=8192 (§1.4 step 2); the
/// issue asks for steps of 8 samples (1 ms), the transport's unit (§9.1 TDMoE).
pub const MIN_BLOCK_SIZE: usize = 16;
pub const MAX_BLOCK_SIZE: usize = DAHDI_MAX_BLOCKSIZE as usize;
pub const BLOCK_SIZE_STEP: usize = 8;

/// Tap lengths DAHDI's cancellers accept; anything else non-zero becomes the module's
/// `deftaps` (§1.4 step 6). 8 taps per ms.
pub const VALID_TAP_LENGTHS: [u32; 6] = [32, 64, 128, 256, 512, 1024];

/// Which canceller removes the line echo on a voice channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EchoCanceller {
    /// The card's hardware canceller (system.conf `echocanceller=hwec,...` or a VPM
    /// module): zero host CPU, the media engine's canceller stays off on this channel.
    CardHardware { tap_length: u32 },
    /// The media engine's canceller; DAHDI's is switched off with tap length 0.
    MediaEngine,
}

/// What the bearer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BearerUse {
    /// Speech or 3.1 kHz audio: audio mode on, one echo canceller.
    Voice(EchoCanceller),
    /// 64 kbit/s unrestricted data: audio mode stays off, no echo canceller (§11 item 4).
    UnrestrictedData,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BChannelConfig {
    /// Samples (= bytes, law-coded) per read and write.
    pub block_size: usize,
    pub bearer: BearerUse,
    /// Kernel buffers of `block_size` each way (SET_BUFINFO): more buffers absorb a late
    /// media thread at the cost of latency. None keeps DAHDI's 2 (§1.3); chan_dahdi uses 4.
    pub buffer_count: Option<i32>,
}

impl BChannelConfig {
    pub fn voice(echo: EchoCanceller) -> Self {
        BChannelConfig {
            block_size: DEFAULT_BLOCK_SIZE,
            bearer: BearerUse::Voice(echo),
            buffer_count: None,
        }
    }
}

/// Checks a block size against the interface's limits, naming the channel.
pub fn validate_block_size(channo: i32, block_size: usize) -> Result<(), DahdiError> {
    if (MIN_BLOCK_SIZE..=MAX_BLOCK_SIZE).contains(&block_size) && block_size % BLOCK_SIZE_STEP == 0
    {
        return Ok(());
    }
    Err(DahdiError::InvalidArgument {
        channo,
        message: format!(
            "block size {block_size} samples: must be {MIN_BLOCK_SIZE}..={MAX_BLOCK_SIZE} in steps of {BLOCK_SIZE_STEP}"
        ),
    })
}

/// A bearer channel set up for block I/O.
#[derive(Debug)]
pub struct BChannel<D: DahdiDevice> {
    channel: Channel<D>,
    config: BChannelConfig,
    /// CAS channels (`cas=`, R2 lines) carry audio too; their bits go through [`super::cas`].
    is_cas: bool,
}

impl<D: DahdiDevice> BChannel<D> {
    /// Sets block size, audio mode, buffer events and the echo canceller, in chan_dahdi's
    /// order (§1.4: blocksize, audiomode, then echo canceller parameters).
    pub fn setup(mut channel: Channel<D>, config: BChannelConfig) -> Result<Self, DahdiError> {
        let channo = channel.channo();
        validate_block_size(channo, config.block_size)?;
        if let BearerUse::Voice(EchoCanceller::CardHardware { tap_length }) = config.bearer {
            if !VALID_TAP_LENGTHS.contains(&tap_length) {
                return Err(DahdiError::InvalidArgument {
                    channo,
                    message: format!("echo canceller tap length {tap_length}: must be one of {VALID_TAP_LENGTHS:?}"),
                });
            }
        }
        if let Some(count) = config.buffer_count {
            // Kernel limits (§2 SET_BUFINFO): at most 32 buffers and 32768 bytes in all;
            // fewer than 2 would leave no buffer to fill while one is sent.
            if !(2..=DAHDI_MAX_NUM_BUFS).contains(&count)
                || count as usize * config.block_size > DAHDI_MAX_BUF_SPACE as usize
            {
                return Err(DahdiError::InvalidArgument {
                    channo,
                    message: format!(
                        "{count} buffers of {} bytes: need 2..={DAHDI_MAX_NUM_BUFS} buffers and at most {DAHDI_MAX_BUF_SPACE} bytes",
                        config.block_size
                    ),
                });
            }
        }
        let sigtype = channel.params()?.sigtype;
        let is_cas = match sigtype {
            DAHDI_SIG_CLEAR => false,
            DAHDI_SIG_CAS => true,
            _ => {
                return Err(DahdiError::WrongSignalling {
                    channo,
                    sigtype,
                    expected: "a bearer (bchan= or cas= in system.conf)",
                })
            }
        };
        if is_cas && config.bearer == BearerUse::UnrestrictedData {
            return Err(DahdiError::InvalidArgument {
                channo,
                message: "a CAS channel is always in audio mode; it cannot carry unrestricted data"
                    .into(),
            });
        }

        channel.put_int(
            DAHDI_SET_BLOCKSIZE,
            "DAHDI_SET_BLOCKSIZE",
            config.block_size as i32,
        )?;
        if let Some(count) = config.buffer_count {
            let mut info = DahdiBufferInfo::zeroed();
            info.txbufpolicy = DAHDI_POLICY_IMMEDIATE;
            info.rxbufpolicy = DAHDI_POLICY_IMMEDIATE;
            info.numbufs = count;
            info.bufsize = config.block_size as i32;
            channel
                .device_mut()
                .set_bufinfo(&info)
                .map_err(|errno| channel.ioctl_error("DAHDI_SET_BUFINFO", errno))?;
        }
        if let BearerUse::Voice(echo) = config.bearer {
            // CLEAR channels open in non-audio mode (§1.3); CAS channels are audio already
            // and AUDIOMODE is refused on them (valid only for sig == CLEAR).
            if !is_cas {
                channel.put_int(DAHDI_AUDIOMODE, "DAHDI_AUDIOMODE", 1)?;
            }
            let tap_length = match echo {
                EchoCanceller::CardHardware { tap_length } => tap_length,
                EchoCanceller::MediaEngine => 0,
            };
            let header = DahdiEchoCanParams {
                tap_length,
                param_count: 0,
            };
            channel
                .device_mut()
                .echocancel_params(&header, &[])
                .map_err(|errno| channel.ioctl_error("DAHDI_ECHOCANCEL_PARAMS", errno))?;
        }
        // Underruns and overruns become events, counted per channel (issue 3).
        channel.put_int(DAHDI_BUFFER_EVENTS, "DAHDI_BUFFER_EVENTS", 1)?;
        Ok(BChannel {
            channel,
            config,
            is_cas,
        })
    }

    pub fn block_size(&self) -> usize {
        self.config.block_size
    }

    /// The echo canceller in charge of this channel; None for unrestricted data.
    pub fn echo_canceller(&self) -> Option<EchoCanceller> {
        match self.config.bearer {
            BearerUse::Voice(echo) => Some(echo),
            BearerUse::UnrestrictedData => None,
        }
    }

    pub fn is_cas(&self) -> bool {
        self.is_cas
    }

    pub fn channel(&self) -> &Channel<D> {
        &self.channel
    }

    pub fn channel_mut(&mut self) -> &mut Channel<D> {
        &mut self.channel
    }

    /// Reads one block into `block` (exactly `block_size` bytes). `Ok(false)`: not yet.
    pub fn read_block(&mut self, block: &mut [u8]) -> Result<bool, DahdiError> {
        self.check_len(block.len())?;
        match self.channel.read(block)? {
            None => Ok(false),
            Some(n) if n == block.len() => Ok(true),
            Some(got) => Err(DahdiError::PartialBlock {
                channo: self.channel.channo(),
                got,
                expected: block.len(),
            }),
        }
    }

    /// Writes one block (exactly `block_size` bytes). `Ok(false)`: no free buffer yet.
    pub fn write_block(&mut self, block: &[u8]) -> Result<bool, DahdiError> {
        self.check_len(block.len())?;
        let channo = self.channel.channo();
        match self.channel.write(block)? {
            None => Ok(false),
            Some(n) if n == block.len() => Ok(true),
            Some(written) => Err(DahdiError::ShortWrite {
                channo,
                written,
                expected: block.len(),
            }),
        }
    }

    fn check_len(&self, len: usize) -> Result<(), DahdiError> {
        if len == self.config.block_size {
            return Ok(());
        }
        Err(DahdiError::InvalidArgument {
            channo: self.channel.channo(),
            message: format!(
                "block of {len} bytes on a channel set to {}",
                self.config.block_size
            ),
        })
    }
}
