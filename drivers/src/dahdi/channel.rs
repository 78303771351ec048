//! One open DAHDI channel: opening through `/dev/dahdi/channel` + DAHDI_SPECIFY with
//! clear errors, read/write that drain the event queue on errno 500 (ELAST) and retry,
//! and waits that always include POLLPRI (§1.2, §1.3, §3.2, §11 items 1-2).

use std::collections::VecDeque;
use std::path::Path;

use libc::{c_int, c_ulong};

use super::abi::*;
use super::device::DahdiDevice;
use super::error::{DahdiError, Errno};
use super::event::DahdiEvent;
use super::fd::{DahdiFd, CHANNEL_DEVICE};

/// Drain-and-retry rounds before giving up with [`DahdiError::EventStorm`]. One drain
/// empties the ring (at most 63 events, §3.2); needing more than a few rounds means
/// events arrive as fast as we drain them.
pub const MAX_ELAST_ROUNDS: u32 = 8;

/// What a wait asks for besides events (POLLPRI is always asked for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Interest {
    pub readable: bool,
    pub writable: bool,
}

impl Interest {
    pub const READ: Interest = Interest {
        readable: true,
        writable: false,
    };
    pub const WRITE: Interest = Interest {
        readable: false,
        writable: true,
    };
    pub const EVENTS_ONLY: Interest = Interest {
        readable: false,
        writable: false,
    };

    /// poll(2) event bits; POLLPRI always, because DAHDI signals queued events with it and
    /// a read/write would fail with ELAST until they are drained (§3.2).
    pub fn poll_events(self) -> i16 {
        let mut events = libc::POLLPRI;
        if self.readable {
            events |= libc::POLLIN;
        }
        if self.writable {
            events |= libc::POLLOUT;
        }
        events
    }
}

/// What a wait found. Events found are already drained into the channel's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Readiness {
    pub readable: bool,
    pub writable: bool,
    /// At least one event was drained by this wait.
    pub events: bool,
    /// POLLERR/POLLHUP/POLLNVAL: the fd is unusable (card removed).
    pub failed: bool,
}

impl Readiness {
    pub fn from_revents(revents: i16) -> Self {
        Readiness {
            readable: revents & libc::POLLIN != 0,
            writable: revents & libc::POLLOUT != 0,
            events: revents & libc::POLLPRI != 0,
            failed: revents & (libc::POLLERR | libc::POLLHUP | libc::POLLNVAL) != 0,
        }
    }
}

/// Per-channel counts kept by the channel itself (not by the kernel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChannelStats {
    /// read()/write() calls that failed with ELAST and were retried after a drain.
    pub elast_retries: u64,
    pub events_drained: u64,
    /// READ_OVERRUN events: receive blocks lost because we read late.
    pub read_overruns: u64,
    /// WRITE_UNDERRUN events: the line got idle code because we wrote late.
    pub write_underruns: u64,
    pub bad_fcs: u64,
    pub hdlc_aborts: u64,
    pub hdlc_overruns: u64,
}

impl ChannelStats {
    fn count(&mut self, event: DahdiEvent) {
        self.events_drained += 1;
        match event {
            DahdiEvent::ReadOverrun => self.read_overruns += 1,
            DahdiEvent::WriteUnderrun => self.write_underruns += 1,
            DahdiEvent::BadFcs => self.bad_fcs += 1,
            DahdiEvent::HdlcAbort => self.hdlc_aborts += 1,
            DahdiEvent::HdlcOverrun => self.hdlc_overruns += 1,
            _ => {}
        }
    }
}

/// An open, specified DAHDI channel over any [`DahdiDevice`].
#[derive(Debug)]
pub struct Channel<D: DahdiDevice> {
    device: D,
    channo: i32,
    events: VecDeque<DahdiEvent>,
    stats: ChannelStats,
    removed: bool,
}

impl Channel<DahdiFd> {
    /// Opens channel `channo` the one way that works for every channel number (§1.2).
    pub fn open(channo: i32) -> Result<Self, DahdiError> {
        Self::open_at(Path::new(CHANNEL_DEVICE), channo)
    }

    /// As [`Channel::open`] with another selector node (e.g. a test root).
    pub fn open_at(channel_device: &Path, channo: i32) -> Result<Self, DahdiError> {
        Channel::specify(DahdiFd::open(channel_device)?, channo)
    }
}

impl<D: DahdiDevice> Channel<D> {
    /// DAHDI_SPECIFY on a freshly opened selector fd; the kernel's refusals become errors
    /// naming the channel (§1.3: EBUSY open elsewhere, ENXIO unconfigured, EINVAL none).
    pub fn specify(mut device: D, channo: i32) -> Result<Self, DahdiError> {
        // Channel numbers index a kernel array of DAHDI_MAX_CHANNELS entries; 0 is unused.
        if !(1..DAHDI_MAX_CHANNELS).contains(&channo) {
            return Err(DahdiError::NoSuchChannel { channo });
        }
        match device.ioctl_put_int(DAHDI_SPECIFY, channo) {
            Ok(()) => {}
            Err(Errno(libc::EBUSY)) => return Err(DahdiError::ChannelBusy { channo }),
            Err(Errno(libc::ENXIO)) => return Err(DahdiError::ChannelNotConfigured { channo }),
            Err(Errno(libc::EINVAL)) => return Err(DahdiError::NoSuchChannel { channo }),
            Err(errno) => {
                return Err(DahdiError::Ioctl {
                    channo,
                    request: "DAHDI_SPECIFY",
                    errno,
                })
            }
        }
        // Opening flushed the event queue (§1.3), so nothing is lost by starting empty;
        // the caller reads the current alarm state with SPANSTAT.
        Ok(Channel {
            device,
            channo,
            events: VecDeque::new(),
            stats: ChannelStats::default(),
            removed: false,
        })
    }

    pub fn channo(&self) -> i32 {
        self.channo
    }

    pub fn stats(&self) -> ChannelStats {
        self.stats
    }

    /// True once a REMOVED event or ENODEV was seen: close the channel (§7.4 step 5).
    pub fn is_removed(&self) -> bool {
        self.removed
    }

    pub fn device_mut(&mut self) -> &mut D {
        &mut self.device
    }

    pub fn device(&self) -> &D {
        &self.device
    }

    /// Events drained so far (by waits or by ELAST retries), oldest first.
    pub fn take_events(&mut self) -> Vec<DahdiEvent> {
        self.events.drain(..).collect()
    }

    /// Reads DAHDI_GETEVENT until it returns 0, queueing what it gets; returns how many.
    pub fn drain_events(&mut self) -> Result<usize, DahdiError> {
        let mut drained = 0;
        loop {
            let code = self
                .device
                .ioctl_get_int(DAHDI_GETEVENT)
                .map_err(|errno| self.ioctl_error("DAHDI_GETEVENT", errno))?;
            if code == DAHDI_EVENT_NONE {
                return Ok(drained);
            }
            let event = DahdiEvent::from_code(code);
            if event == DahdiEvent::Removed {
                self.removed = true;
            }
            self.stats.count(event);
            self.events.push_back(event);
            drained += 1;
            // The kernel ring holds at most DAHDI_MAX_EVENTSIZE-1 events; more than a few
            // rings' worth in one drain means a runaway source: stop and let I/O retry.
            if drained >= 4 * DAHDI_MAX_EVENTSIZE as usize {
                return Ok(drained);
            }
        }
    }

    /// One read(). `Ok(None)`: nothing to read yet (EAGAIN). ELAST drains the events
    /// and retries (§3.2).
    pub fn read(&mut self, buf: &mut [u8]) -> Result<Option<usize>, DahdiError> {
        self.retrying_elast("read", |device| device.read(buf))
    }

    /// One write(). `Ok(None)`: no free buffer yet (EAGAIN). ELAST drains and retries.
    pub fn write(&mut self, buf: &[u8]) -> Result<Option<usize>, DahdiError> {
        self.retrying_elast("write", |device| device.write(buf))
    }

    fn retrying_elast(
        &mut self,
        operation: &'static str,
        mut io: impl FnMut(&mut D) -> Result<usize, Errno>,
    ) -> Result<Option<usize>, DahdiError> {
        for _ in 0..MAX_ELAST_ROUNDS {
            match io(&mut self.device) {
                Ok(n) => return Ok(Some(n)),
                Err(Errno(ELAST)) => {
                    self.stats.elast_retries += 1;
                    self.drain_events()?;
                }
                Err(Errno(libc::EAGAIN)) => return Ok(None),
                Err(Errno(libc::EINTR)) => {}
                Err(Errno(libc::ENODEV)) => {
                    self.removed = true;
                    return Err(DahdiError::ChannelRemoved {
                        channo: self.channo,
                    });
                }
                Err(errno) => {
                    return Err(DahdiError::Io {
                        channo: self.channo,
                        operation,
                        errno,
                    })
                }
            }
        }
        Err(DahdiError::EventStorm {
            channo: self.channo,
            rounds: MAX_ELAST_ROUNDS,
        })
    }

    /// Waits up to `timeout_ms` (-1: forever) for `interest` or an event; POLLPRI is
    /// always included and any pending events are drained before returning.
    pub fn wait(&mut self, interest: Interest, timeout_ms: i32) -> Result<Readiness, DahdiError> {
        let revents = self
            .device
            .poll(interest.poll_events(), timeout_ms)
            .map_err(|errno| DahdiError::Io {
                channo: self.channo,
                operation: "poll",
                errno,
            })?;
        let mut readiness = Readiness::from_revents(revents);
        if readiness.events {
            readiness.events = self.drain_events()? > 0;
        }
        Ok(readiness)
    }

    /// An int-argument ioctl, its failure named.
    pub fn put_int(
        &mut self,
        request: c_ulong,
        name: &'static str,
        value: c_int,
    ) -> Result<(), DahdiError> {
        self.device
            .ioctl_put_int(request, value)
            .map_err(|errno| self.ioctl_error(name, errno))
    }

    /// An int-result ioctl, its failure named.
    pub fn get_int(&mut self, request: c_ulong, name: &'static str) -> Result<c_int, DahdiError> {
        self.device
            .ioctl_get_int(request)
            .map_err(|errno| self.ioctl_error(name, errno))
    }

    /// DAHDI_GET_PARAMS for this channel.
    pub fn params(&mut self) -> Result<DahdiParams, DahdiError> {
        let mut params = DahdiParams::zeroed();
        params.channo = self.channo;
        self.device
            .get_params(&mut params)
            .map_err(|errno| self.ioctl_error("DAHDI_GET_PARAMS", errno))?;
        Ok(params)
    }

    pub(crate) fn ioctl_error(&mut self, request: &'static str, errno: Errno) -> DahdiError {
        if errno.0 == libc::ENODEV {
            self.removed = true;
            return DahdiError::ChannelRemoved {
                channo: self.channo,
            };
        }
        DahdiError::Ioctl {
            channo: self.channo,
            request,
            errno,
        }
    }
}
