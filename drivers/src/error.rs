//! Errors of the backend interface, each mapped to the errno DAHDI gives for it.

use std::fmt;

/// `ELAST` as DAHDI defines it (dahdi.md 3.2): Linux has none of its own.
pub const ELAST: i32 = 500;
pub const EINVAL: i32 = 22;
pub const ENXIO: i32 = 6;
pub const EBUSY: i32 = 16;
pub const ENODEV: i32 = 19;
pub const EAGAIN: i32 = 11;
pub const ENOTCONN: i32 = 107;
pub const EIO: i32 = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The channel is already open (by this or another program): EBUSY (dahdi.md 1.3).
    Busy(String),
    /// The channel exists but is not configured: ENXIO (dahdi.md 1.3).
    NotConfigured(String),
    /// No such channel or span, or a bad argument: EINVAL.
    Invalid(String),
    /// Events are queued on the channel: read and write fail until they are drained
    /// with `get_event` (errno 500, ELAST; dahdi.md 3.2).
    EventsPending,
    /// Nothing to read, or no free transmit buffer: EAGAIN.
    WouldBlock,
    /// The channel's card was removed: ENODEV.
    Removed(String),
    /// The hardware (hw-sim process) is not reachable; the backend keeps retrying.
    Disconnected(String),
    /// A message from the peer could not be decoded, or a peer did not answer.
    Protocol(String),
    /// An operating-system error.
    Io(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// The errno a DAHDI program would see for this error.
    pub fn errno(&self) -> i32 {
        match self {
            Error::Busy(_) => EBUSY,
            Error::NotConfigured(_) => ENXIO,
            Error::Invalid(_) => EINVAL,
            Error::EventsPending => ELAST,
            Error::WouldBlock => EAGAIN,
            Error::Removed(_) => ENODEV,
            Error::Disconnected(_) => ENOTCONN,
            Error::Protocol(_) | Error::Io(_) => EIO,
        }
    }

    /// Rebuild an error from an errno and a message (as carried on the wire).
    pub fn from_errno(errno: i32, message: String) -> Error {
        match errno {
            EBUSY => Error::Busy(message),
            ENXIO => Error::NotConfigured(message),
            EINVAL => Error::Invalid(message),
            ELAST => Error::EventsPending,
            EAGAIN => Error::WouldBlock,
            ENODEV => Error::Removed(message),
            ENOTCONN => Error::Disconnected(message),
            _ => Error::Io(format!("errno {errno}: {message}")),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Busy(m) => write!(f, "busy (EBUSY): {m}"),
            Error::NotConfigured(m) => write!(f, "not configured (ENXIO): {m}"),
            Error::Invalid(m) => write!(f, "invalid (EINVAL): {m}"),
            Error::EventsPending => write!(f, "events pending (ELAST 500): drain get_event first"),
            Error::WouldBlock => write!(f, "would block (EAGAIN)"),
            Error::Removed(m) => write!(f, "removed (ENODEV): {m}"),
            Error::Disconnected(m) => write!(f, "hardware not reachable: {m}"),
            Error::Protocol(m) => write!(f, "protocol error: {m}"),
            Error::Io(m) => write!(f, "I/O error: {m}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e.to_string())
    }
}
