//! [`DahdiBackend`]: the [`Backend`] over the real DAHDI kernel, built on the layers of
//! this module (SPECIFY and errors in `channel`, SPANSTAT in `span`, /proc in `procfs`).
//!
//! What a program sees matches the sim backend: read and write give ELAST (errno 500)
//! while events are queued and the program drains them with `get_event` (§3.2); raw
//! HDLC I/O carries the 2 FCS bytes (§4); channels open exclusively (§1.3); alarm bits
//! come from SPANSTAT, events mark transitions only (§3.3). After open a B-channel (or
//! CAS channel) has blocks of 160 samples with 4 buffers each way (chan_dahdi's voice
//! default, §1.4 step 3), audio mode, DAHDI's echo canceller off (ours runs, issue 3)
//! and buffer events on; a D-channel has 32 buffers of 1024 bytes (§1.4 D-channel step 3).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::abi::*;
use super::channel::Channel as RawChannel;
use super::clock::{ClockShared, TrunkClock, NO_ONSET, PSEUDO_DEVICE};
use super::device::DahdiDevice;
use super::error::{DahdiError, Errno};
use super::fd::{DahdiFd, CHANNEL_DEVICE, CTL_DEVICE};
use super::span::{span_status_by_number, SpanStatus as RawSpanStatus};
use super::sysfs::SPANS_BUS;
use super::uevent::{refresh_span_owners, UeventSocket};
use crate::backend::{Backend, Channel};
use crate::error::{Error, Result};
use crate::hdlc::FCS_LEN;
use crate::types::*;

/// Voice buffers each way after open: chan_dahdi's default (§1.4 step 3), as hw-sim.
pub const VOICE_BUFFERS: usize = DEFAULT_VOICE_BUFFERS;
/// D-channel buffers after open: ISDN's 32 x 1024 (§1.4 D-channel step 3), as hw-sim.
pub const HDLC_BUFFERS: usize = DEFAULT_HDLC_BUFFERS;
pub const HDLC_BUFFER_SIZE: usize = DEFAULT_HDLC_BUFFER_SIZE;
/// Clock samples to let pass before buffer events are switched on after open, so that
/// the idle transmitter's first underrun is noted silently by the kernel (it raises
/// WRITE_UNDERRUN only on the first empty tick of an episode, B `__dahdi_getbuf_chunk`):
/// a program gets WRITE_UNDERRUN only after it has written and then fallen behind.
const SETTLE_SAMPLES: u64 = 16;

/// Device paths; `Default` is the real system.
#[derive(Debug, Clone)]
pub struct DahdiPaths {
    pub channel: PathBuf,
    pub ctl: PathBuf,
    pub pseudo: PathBuf,
    pub spans_bus: PathBuf,
    pub proc_root: PathBuf,
}

impl Default for DahdiPaths {
    fn default() -> Self {
        DahdiPaths {
            channel: CHANNEL_DEVICE.into(),
            ctl: CTL_DEVICE.into(),
            pseudo: PSEUDO_DEVICE.into(),
            spans_bus: SPANS_BUS.into(),
            proc_root: "/proc".into(),
        }
    }
}

/// A backend error from a low-level one, with DAHDI's errno kept (§1.3 for open).
pub fn backend_error(e: DahdiError) -> Error {
    match e {
        DahdiError::ChannelBusy { .. } => Error::Busy(e.to_string()),
        DahdiError::ChannelNotConfigured { .. } => Error::NotConfigured(e.to_string()),
        DahdiError::NoSuchChannel { .. } => Error::Invalid(e.to_string()),
        DahdiError::ChannelRemoved { .. } => Error::Removed(e.to_string()),
        DahdiError::InvalidArgument { .. } | DahdiError::WrongSignalling { .. } => Error::Invalid(e.to_string()),
        DahdiError::Ioctl { errno, .. } | DahdiError::SpanIoctl { errno, .. } | DahdiError::CtlIoctl { errno, .. } => {
            errno_error(errno, e.to_string())
        }
        _ => Error::Io(e.to_string()),
    }
}

fn errno_error(errno: Errno, message: String) -> Error {
    Error::from_errno(errno.0, message)
}

struct Hotplug {
    socket: Option<UeventSocket>,
    /// device name -> its span numbers, as last seen in sysfs.
    owners: HashMap<String, Vec<u32>>,
}

pub struct DahdiBackend {
    paths: DahdiPaths,
    ctl: Mutex<DahdiFd>,
    clock: TrunkClock,
    hotplug: Mutex<Hotplug>,
}

impl DahdiBackend {
    pub fn open() -> Result<DahdiBackend> {
        Self::open_with(DahdiPaths::default())
    }

    pub fn open_with(paths: DahdiPaths) -> Result<DahdiBackend> {
        let ctl = DahdiFd::open(&paths.ctl).map_err(backend_error)?;
        let clock = TrunkClock::start(&paths.pseudo).map_err(Error::Io)?;
        let mut hotplug = Hotplug { socket: UeventSocket::open().ok(), owners: HashMap::new() };
        refresh_span_owners(&paths.spans_bus, &mut hotplug.owners);
        Ok(DahdiBackend { paths, ctl: Mutex::new(ctl), clock, hotplug: Mutex::new(hotplug) })
    }

    pub fn clock(&self) -> &Arc<ClockShared> {
        self.clock.shared()
    }

    fn raw_status(&self, span: SpanNo) -> Result<RawSpanStatus> {
        if span == 0 || span > DAHDI_MAX_SPANS as u32 {
            return Err(Error::Invalid(format!("span {span} does not exist")));
        }
        let mut ctl = self.ctl.lock().unwrap_or_else(|p| p.into_inner());
        span_status_by_number(&mut *ctl, span as i32).map_err(|e| match e {
            DahdiError::SpanIoctl { errno: Errno(libc::EINVAL), .. } => Error::Invalid(format!("span {span} does not exist")),
            other => backend_error(other),
        })
    }

    fn channel_params(&self, channo: i32) -> Option<DahdiParams> {
        let mut params = DahdiParams::zeroed();
        params.channo = channo;
        let mut ctl = self.ctl.lock().unwrap_or_else(|p| p.into_inner());
        ctl.get_params(&mut params).ok().map(|_| params)
    }

    /// The span's first channel: sysfs `basechan` (§7.1), else the first channel line of
    /// /proc/dahdi/N.
    fn first_channel(&self, span: SpanNo) -> Result<ChannelNo> {
        let path = self.paths.spans_bus.join(format!("span-{span}")).join("basechan");
        if let Some(n) = std::fs::read_to_string(&path).ok().and_then(|t| t.trim().parse().ok()) {
            return Ok(n);
        }
        let proc = super::procfs::read_proc_span(&self.paths.proc_root, span as i32).map_err(backend_error)?;
        proc.channels
            .first()
            .map(|c| c.channo as u32)
            .ok_or_else(|| Error::Io(format!("span {span}: no basechan in sysfs and no channels in /proc")))
    }

    fn status(&self, span: SpanNo) -> Result<SpanStatus> {
        let raw = self.raw_status(span)?;
        let first_channel = self.first_channel(span)?;
        // The law of the span: that of its first configured channel (CHANCONFIG deflaw);
        // E1's A-law when none is configured.
        let law = (0..raw.total_channels.max(0) as u32)
            .filter_map(|k| self.channel_params((first_channel + k) as i32))
            .find(|p| p.sigtype != DAHDI_SIG_NONE)
            .map(|p| if p.curlaw == DAHDI_LAW_MULAW { Law::MuLaw } else { Law::ALaw })
            .unwrap_or(Law::ALaw);
        // Slips are only in /proc (§3.5); a span without /proc text reports 0.
        let timingslips = super::procfs::read_proc_span(&self.paths.proc_root, span as i32)
            .map(|p| p.counters.timing_slips as u32)
            .unwrap_or(0);
        let c = raw.counters;
        Ok(SpanStatus {
            span,
            name: raw.name,
            alarms: AlarmBits(raw.alarms.0),
            counters: SpanCounters {
                bpv: c.bipolar_violations,
                crc4: c.crc4_errors,
                ebit: c.ebit_errors,
                fas: c.fas_errors,
                fe: c.framing_errors,
                cv: c.code_violations,
                be: c.bit_errors,
                prbs: c.prbs,
                errsec: c.errored_seconds,
                timingslips,
            },
            // DAHDI does not report a span's configured timing priority; it reports which
            // span is the sync source now (syncsrc). A span that is the source runs on
            // its recovered line clock; every other span follows the master (§10 Sync).
            clock_source: if raw.sync_source == span as i32 { ClockSource::Line(1) } else { ClockSource::Internal },
            law,
            first_channel,
            channels: raw.total_channels.max(0) as u32,
            time: self.clock.now(),
        })
    }
}

impl Backend for DahdiBackend {
    fn spans(&self) -> Result<Vec<SpanStatus>> {
        let mut out = Vec::new();
        for span in 1..=DAHDI_MAX_SPANS as u32 {
            match self.status(span) {
                Ok(s) => out.push(s),
                Err(Error::Invalid(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    fn span_status(&self, span: SpanNo) -> Result<SpanStatus> {
        self.status(span)
    }

    fn open(&self, channel: ChannelNo) -> Result<Box<dyn Channel>> {
        let channo = i32::try_from(channel).map_err(|_| Error::Invalid(format!("channel {channel} does not exist")))?;
        let raw = RawChannel::open_at(&self.paths.channel, channo).map_err(backend_error)?;
        DahdiChannel::set_up(raw, self.clock.shared().clone()).map(|c| Box::new(c) as Box<dyn Channel>)
    }

    fn hotplug_events(&self) -> Vec<HotplugEvent> {
        let mut hp = self.hotplug.lock().unwrap_or_else(|p| p.into_inner());
        let Hotplug { socket, owners } = &mut *hp;
        let events = socket.as_ref().map(|s| s.drain()).unwrap_or_default();
        let now = self.clock.now();
        let mut out = Vec::new();
        for ev in events.iter().filter(|e| e.subsystem() == "dahdi_devices") {
            let card = ev.name().to_string();
            match ev.action.as_str() {
                "add" => out.push(HotplugEvent::CardAdded { card, spans: Vec::new(), time: now }),
                "remove" => {
                    let spans = owners.remove(&card).unwrap_or_default();
                    out.push(HotplugEvent::CardRemoved { card, spans, time: now })
                }
                _ => {}
            }
        }
        refresh_span_owners(&self.paths.spans_bus, owners);
        out
    }

    fn now(&self) -> TrunkTime {
        self.clock.now()
    }
}

/// Lets [`SETTLE_SAMPLES`] of trunk time pass (wall time bounds a stalled clock only).
fn settle(clock: &ClockShared) {
    let start = clock.now();
    let deadline = Instant::now() + Duration::from_secs(2);
    while clock.now() < start + SETTLE_SAMPLES && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn kind_of(sigtype: i32) -> ChannelKind {
    match sigtype {
        DAHDI_SIG_CLEAR => ChannelKind::Bearer,
        DAHDI_SIG_CAS => ChannelKind::Cas,
        DAHDI_SIG_HDLCFCS | DAHDI_SIG_HARDHDLC | DAHDI_SIG_MTP2 => ChannelKind::Hdlc,
        _ => ChannelKind::Unconfigured,
    }
}

/// One open DAHDI channel behind the [`Channel`] trait.
pub struct DahdiChannel {
    /// None once the card is gone: the fd is closed so the kernel can free the channel.
    raw: Option<RawChannel<DahdiFd>>,
    channo: i32,
    kind: ChannelKind,
    block_size: usize,
    /// Largest HDLC write (frame + FCS bytes): the buffer size set with SET_BUFINFO.
    buffer_size: usize,
    onset: Arc<AtomicU64>,
    clock: Arc<ClockShared>,
    removed_reported: bool,
}

impl DahdiChannel {
    fn set_up(mut raw: RawChannel<DahdiFd>, clock: Arc<ClockShared>) -> Result<DahdiChannel> {
        let channo = raw.channo();
        let params = raw.params().map_err(backend_error)?;
        let kind = kind_of(params.sigtype);
        let mut info = DahdiBufferInfo::zeroed();
        info.txbufpolicy = DAHDI_POLICY_IMMEDIATE;
        info.rxbufpolicy = DAHDI_POLICY_IMMEDIATE;
        match kind {
            ChannelKind::Bearer | ChannelKind::Cas => {
                raw.put_int(DAHDI_SET_BLOCKSIZE, "DAHDI_SET_BLOCKSIZE", DEFAULT_BLOCK_SIZE as i32).map_err(backend_error)?;
                info.numbufs = VOICE_BUFFERS as i32;
                info.bufsize = DEFAULT_BLOCK_SIZE as i32;
                raw.device_mut().set_bufinfo(&info).map_err(|e| errno_error(e, format!("channel {channo}: DAHDI_SET_BUFINFO")))?;
                if kind == ChannelKind::Bearer {
                    // Clear channels open in non-audio mode (§1.3); CAS ones are audio already.
                    raw.put_int(DAHDI_AUDIOMODE, "DAHDI_AUDIOMODE", 1).map_err(backend_error)?;
                }
                // Our echo canceller runs in the media engine: DAHDI's is off (tap 0, §1.4 step 6).
                let off = DahdiEchoCanParams { tap_length: 0, param_count: 0 };
                raw.device_mut()
                    .echocancel_params(&off, &[])
                    .map_err(|e| errno_error(e, format!("channel {channo}: DAHDI_ECHOCANCEL_PARAMS")))?;
                settle(&clock);
                raw.put_int(DAHDI_BUFFER_EVENTS, "DAHDI_BUFFER_EVENTS", 1).map_err(backend_error)?;
            }
            ChannelKind::Hdlc => {
                info.numbufs = HDLC_BUFFERS as i32;
                info.bufsize = HDLC_BUFFER_SIZE as i32;
                raw.device_mut().set_bufinfo(&info).map_err(|e| errno_error(e, format!("channel {channo}: DAHDI_SET_BUFINFO")))?;
                // A closed HDLC channel sends all ones; the first frame written before the
                // open channel's idle flags have reached the far end is lost without an
                // event (seen in this stage; dahdi.md §4 saw it on rawhdlc). Let the
                // flags go out first, so that open returns a channel ready for frames.
                settle(&clock);
            }
            ChannelKind::Unconfigured => {}
        }
        let onset = Arc::new(AtomicU64::new(NO_ONSET));
        if let Some(fd) = raw.device().raw_fd() {
            clock.watch(fd, onset.clone());
        }
        Ok(DahdiChannel {
            raw: Some(raw),
            channo,
            kind,
            block_size: DEFAULT_BLOCK_SIZE,
            buffer_size: HDLC_BUFFER_SIZE,
            onset,
            clock,
            removed_reported: false,
        })
    }

    fn removed(&self) -> Error {
        Error::Removed(format!("DAHDI channel {} was removed (card gone)", self.channo))
    }

    fn raw(&mut self) -> Result<&mut RawChannel<DahdiFd>> {
        let e = self.removed();
        self.raw.as_mut().ok_or(e)
    }

    /// Close the fd of a removed channel (Asterisk destroys it, §7.4 step 5): until it is
    /// closed the kernel keeps the dynamic device referenced.
    fn close_removed(&mut self) {
        if let Some(raw) = self.raw.take() {
            if let Some(fd) = raw.device().raw_fd() {
                self.clock.unwatch(fd);
            }
        }
    }

    fn io_error(&mut self, errno: Errno, operation: &str) -> Error {
        match errno.0 {
            ELAST => Error::EventsPending,
            libc::EAGAIN => Error::WouldBlock,
            libc::ENODEV => self.removed(),
            _ => errno_error(errno, format!("DAHDI channel {}: {operation}", self.channo)),
        }
    }

    fn is_audio(&self) -> bool {
        matches!(self.kind, ChannelKind::Bearer | ChannelKind::Cas)
    }
}

impl Drop for DahdiChannel {
    fn drop(&mut self) {
        self.close_removed();
    }
}

impl Channel for DahdiChannel {
    fn params(&self) -> Result<ChannelParams> {
        let raw = self.raw.as_ref().ok_or_else(|| self.removed())?;
        // `params` takes &self while DahdiDevice calls take &mut: call the ioctls on the fd.
        let fd = raw.device().raw_fd().ok_or_else(|| Error::Io("no fd".into()))?;
        let mut params = DahdiParams::zeroed();
        params.channo = self.channo;
        // SAFETY: fd is open for the lifetime of self.raw; params is a live DahdiParams.
        if unsafe { libc::ioctl(fd, DAHDI_GET_PARAMS, &mut params as *mut DahdiParams) } < 0 {
            let errno = Errno::last();
            return Err(if errno.0 == libc::ENODEV { self.removed() } else { errno_error(errno, format!("channel {}: DAHDI_GET_PARAMS", self.channo)) });
        }
        let mut info = DahdiBufferInfo::zeroed();
        // SAFETY: as above, with a live DahdiBufferInfo.
        if unsafe { libc::ioctl(fd, DAHDI_GET_BUFINFO, &mut info as *mut DahdiBufferInfo) } < 0 {
            return Err(errno_error(Errno::last(), format!("channel {}: DAHDI_GET_BUFINFO", self.channo)));
        }
        // rxbits/txbits read back as -1 on clear and HDLC channels (§2.1).
        let nibble = |v: i32| if v < 0 { 0 } else { (v & DAHDI_BITS_ABCD) as u8 };
        Ok(ChannelParams {
            channel: params.channo as u32,
            span: params.spanno as u32,
            timeslot: params.chanpos as u32,
            kind: kind_of(params.sigtype),
            law: if params.curlaw == DAHDI_LAW_MULAW { Law::MuLaw } else { Law::ALaw },
            idle_bits: nibble(params.idlebits),
            rx_bits: nibble(params.rxbits),
            tx_bits: nibble(params.txbits),
            block_size: self.block_size,
            num_buffers: info.numbufs.max(0) as usize,
            buffer_size: info.bufsize.max(0) as usize,
        })
    }

    fn set_block_size(&mut self, samples: usize) -> Result<()> {
        if !self.is_audio() {
            return Err(Error::Invalid(format!("channel {} is a D-channel: set its buffers instead", self.channo)));
        }
        if !valid_block_size(samples) {
            return Err(Error::Invalid(format!("block size {samples}: 16 to 8192 samples in steps of 8")));
        }
        // SET_BLOCKSIZE keeps the number of buffers; their total must stay within
        // DAHDI_MAX_BUF_SPACE (§2), which 4 x 8192 does.
        self.raw()?.put_int(DAHDI_SET_BLOCKSIZE, "DAHDI_SET_BLOCKSIZE", samples as i32).map_err(backend_error)?;
        self.block_size = samples;
        Ok(())
    }

    fn set_buffers(&mut self, count: usize, size: usize) -> Result<()> {
        let mut info = DahdiBufferInfo::zeroed();
        info.txbufpolicy = DAHDI_POLICY_IMMEDIATE;
        info.rxbufpolicy = DAHDI_POLICY_IMMEDIATE;
        info.numbufs = i32::try_from(count).map_err(|_| Error::Invalid(format!("{count} buffers")))?;
        info.bufsize = i32::try_from(size).map_err(|_| Error::Invalid(format!("buffer size {size}")))?;
        let channo = self.channo;
        self.raw()?
            .device_mut()
            .set_bufinfo(&info)
            .map_err(|e| errno_error(e, format!("channel {channo}: DAHDI_SET_BUFINFO {count} x {size}")))?;
        if self.is_audio() {
            self.block_size = size;
        }
        self.buffer_size = size;
        Ok(())
    }

    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        let result = self.raw()?.device_mut().read(buf);
        result.map_err(|e| self.io_error(e, "read"))
    }

    fn write(&mut self, data: &[u8]) -> Result<usize> {
        if self.is_audio() && (data.is_empty() || data.len() > self.block_size) {
            return Err(Error::Invalid(format!("write of {} octets: 1 to the block size {}", data.len(), self.block_size)));
        }
        if self.kind == ChannelKind::Hdlc && (data.len() < FCS_LEN + 1 || data.len() > self.buffer_size) {
            // The kernel would send a frame of nothing but FCS for 1-2 bytes (§4).
            return Err(Error::Invalid(format!(
                "HDLC write of {} bytes: a frame plus 2 FCS placeholder bytes, at most {}",
                data.len(),
                self.buffer_size
            )));
        }
        let result = self.raw()?.device_mut().write(data);
        result.map_err(|e| self.io_error(e, "write"))
    }

    fn get_event(&mut self) -> Result<Option<ChannelEvent>> {
        loop {
            let Some(raw) = self.raw.as_mut() else {
                return Ok(None);
            };
            let code = match raw.device_mut().ioctl_get_int(DAHDI_GETEVENT) {
                Ok(code) => code,
                // The nodev fops of a removed channel (§7.4 step 5).
                Err(Errno(libc::ENODEV)) => DAHDI_EVENT_REMOVED,
                Err(e) => return Err(errno_error(e, format!("channel {}: DAHDI_GETEVENT", self.channo))),
            };
            if code == DAHDI_EVENT_NONE {
                self.onset.store(NO_ONSET, Ordering::Release);
                return Ok(None);
            }
            let onset = self.onset.load(Ordering::Acquire);
            let time = if onset == NO_ONSET { self.clock.now() } else { onset };
            let Some(kind) = EventKind::from_dahdi_code(code as u32) else {
                continue; // not part of the interface (echo canceller, timer, ...)
            };
            let mut value = 0;
            if kind == EventKind::BitsChanged {
                // The event carries no bits: read them now (GETRXBITS masked, §5).
                value = (raw.device_mut().ioctl_get_int(DAHDI_GETRXBITS).unwrap_or(0) & DAHDI_BITS_ABCD) as u32;
            }
            if kind == EventKind::Removed {
                if self.removed_reported {
                    self.close_removed();
                    return Ok(None);
                }
                self.removed_reported = true;
                self.close_removed();
            }
            return Ok(Some(ChannelEvent { kind, time, value }));
        }
    }

    fn set_tx_bits(&mut self, abcd: u8) -> Result<()> {
        self.raw()?.put_int(DAHDI_SETTXBITS, "DAHDI_SETTXBITS", (abcd & 0xF) as i32).map_err(backend_error)
    }

    fn rx_bits(&mut self) -> Result<u8> {
        let bits = self.raw()?.get_int(DAHDI_GETRXBITS, "DAHDI_GETRXBITS").map_err(backend_error)?;
        Ok((bits & DAHDI_BITS_ABCD) as u8)
    }

    fn wait(&mut self, want_read: bool, want_write: bool, timeout: Duration) -> Result<Ready> {
        let mut events = libc::POLLPRI;
        if want_read {
            events |= libc::POLLIN;
        }
        if want_write {
            events |= libc::POLLOUT;
        }
        let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
        let Some(raw) = self.raw.as_mut() else {
            return Err(self.removed());
        };
        let revents = raw.device_mut().poll(events, ms).map_err(|e| errno_error(e, "poll".into()))?;
        Ok(Ready {
            readable: revents & libc::POLLIN != 0,
            writable: revents & libc::POLLOUT != 0,
            event: revents & (libc::POLLPRI | libc::POLLERR | libc::POLLHUP) != 0,
        })
    }
}
