//! Errors of the `dahdi` backend. Every variant names the channel (or span, or file and
//! line) it is about, so that a log line alone tells an engineer what to look at.

use std::fmt;
use std::path::PathBuf;

/// A raw errno from the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Errno(pub i32);

impl Errno {
    /// The errno of the last failed libc call on this thread.
    pub fn last() -> Self {
        Errno(std::io::Error::last_os_error().raw_os_error().unwrap_or(0))
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == super::abi::ELAST {
            // Linux has no ELAST; strerror(500) would print "Unknown error 500".
            return write!(f, "ELAST (errno 500, DAHDI events pending)");
        }
        write!(
            f,
            "{} (errno {})",
            std::io::Error::from_raw_os_error(self.0),
            self.0
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DahdiError {
    /// Opening a DAHDI device node failed (ENOENT: DAHDI is not loaded; EACCES: the
    /// daemon's user is not in the dahdi device group, §1.2).
    DeviceOpen { path: PathBuf, errno: Errno },
    /// SPECIFY gave EBUSY: another program holds the channel (a channel opens once
    /// only), or it is a slave, DACS or HDLC netdev channel (§1.3).
    ChannelBusy { channo: i32 },
    /// SPECIFY gave ENXIO: the channel exists but is not configured (sig 0; run dahdi_cfg
    /// or check system.conf, §1.3).
    ChannelNotConfigured { channo: i32 },
    /// SPECIFY gave EINVAL: no such channel (span not assigned? §7.3).
    NoSuchChannel { channo: i32 },
    /// The card was removed: REMOVED event or ENODEV (§7.4 step 5).
    ChannelRemoved { channo: i32 },
    /// An ioctl failed; `request` is its C name.
    Ioctl {
        channo: i32,
        request: &'static str,
        errno: Errno,
    },
    /// A span-level ioctl on the ctl device failed (EINVAL: no such span, §1.5).
    SpanIoctl {
        spanno: i32,
        request: &'static str,
        errno: Errno,
    },
    /// A ctl-device ioctl failed; `target` names what it configured ("span 2",
    /// "channel 47", "dynamic span loc/1:0").
    CtlIoctl {
        target: String,
        request: &'static str,
        errno: Errno,
    },
    /// A ctl-device argument the kernel would refuse or truncate, caught before the ioctl.
    CtlArgument { target: String, message: String },
    /// read() or write() failed with something other than EAGAIN / ELAST.
    Io {
        channo: i32,
        operation: &'static str,
        errno: Errno,
    },
    /// read()/write() still gave ELAST after this many drain-and-retry rounds: events
    /// arrive faster than they can be drained.
    EventStorm { channo: i32, rounds: u32 },
    /// The channel's signalling type does not fit the use (e.g. `dchan` expected).
    WrongSignalling {
        channo: i32,
        sigtype: i32,
        expected: &'static str,
    },
    /// A value the kernel would refuse, caught before the ioctl.
    InvalidArgument { channo: i32, message: String },
    /// A short write: DAHDI writes a block or a frame whole or not at all.
    ShortWrite {
        channo: i32,
        written: usize,
        expected: usize,
    },
    /// read() returned less than a block: the block size changed under us, or end of file.
    PartialBlock {
        channo: i32,
        got: usize,
        expected: usize,
    },
    /// A /proc or sysfs text that does not parse.
    Parse {
        source: String,
        line: usize,
        message: String,
    },
}

impl fmt::Display for DahdiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DahdiError::*;
        match self {
            DeviceOpen { path, errno } => write!(f, "cannot open {}: {errno}", path.display()),
            ChannelBusy { channo } => write!(
                f,
                "DAHDI channel {channo} is busy: another program has it open \
                 (or it is a slave/DACS/netdev channel)"
            ),
            ChannelNotConfigured { channo } => write!(
                f,
                "DAHDI channel {channo} is not configured (sig 0): check system.conf and run dahdi_cfg"
            ),
            NoSuchChannel { channo } => write!(
                f,
                "DAHDI channel {channo} does not exist (is its span assigned? see assigned-spans.conf)"
            ),
            ChannelRemoved { channo } => write!(f, "DAHDI channel {channo} was removed (card gone)"),
            Ioctl { channo, request, errno } => {
                write!(f, "DAHDI channel {channo}: ioctl {request} failed: {errno}")
            }
            SpanIoctl { spanno, request, errno } => {
                write!(f, "DAHDI span {spanno}: ioctl {request} failed: {errno}")
            }
            CtlIoctl { target, request, errno } => {
                write!(f, "DAHDI {target}: ioctl {request} failed: {errno}")
            }
            CtlArgument { target, message } => write!(f, "DAHDI {target}: {message}"),
            Io { channo, operation, errno } => {
                write!(f, "DAHDI channel {channo}: {operation} failed: {errno}")
            }
            EventStorm { channo, rounds } => write!(
                f,
                "DAHDI channel {channo}: I/O still blocked by pending events after {rounds} drains"
            ),
            WrongSignalling { channo, sigtype, expected } => write!(
                f,
                "DAHDI channel {channo} has signalling {} (0x{sigtype:X}); expected {expected}",
                super::signalling_name(*sigtype)
            ),
            InvalidArgument { channo, message } => write!(f, "DAHDI channel {channo}: {message}"),
            ShortWrite { channo, written, expected } => write!(
                f,
                "DAHDI channel {channo}: short write, {written} of {expected} bytes"
            ),
            PartialBlock { channo, got, expected } => write!(
                f,
                "DAHDI channel {channo}: read {got} bytes, expected a block of {expected}"
            ),
            Parse { source, line, message } => write!(f, "{source}:{line}: {message}"),
        }
    }
}

impl std::error::Error for DahdiError {}
