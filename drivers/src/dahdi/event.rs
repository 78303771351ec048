//! Events returned by `DAHDI_GETEVENT` (§3.1), decoded.

use super::abi::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DahdiEvent {
    /// The span went from no alarm to some alarm. Only transitions are signalled; read
    /// the exact bits with SPANSTAT (§3.3).
    Alarm,
    /// The span went from some alarm to none (§3.3).
    NoAlarm,
    /// HDLC abort received; the frame was dropped (§4).
    HdlcAbort,
    /// HDLC frame longer than the read buffer; dropped (§4).
    HdlcOverrun,
    /// HDLC frame with a bad FCS; dropped (§4).
    BadFcs,
    /// New ABCD bits on a CAS channel (§5).
    BitsChanged,
    /// The card is gone; the fd will give ENODEV (§7.4).
    Removed,
    /// A receive block was lost: the program read too late (DAHDI_BUFFER_EVENTS, §2).
    ReadOverrun,
    /// The line got idle code: the program wrote too late (DAHDI_BUFFER_EVENTS, §2).
    WriteUnderrun,
    /// DAHDI's echo canceller disabled itself (e.g. on a 2100 Hz tone).
    EchoCancellerDisabled,
    TimerExpired,
    TimerPing,
    /// Any other code, kept as is.
    Other(i32),
}

impl DahdiEvent {
    /// Decodes a non-zero DAHDI_GETEVENT code.
    pub fn from_code(code: i32) -> Self {
        match code {
            DAHDI_EVENT_ALARM => Self::Alarm,
            DAHDI_EVENT_NOALARM => Self::NoAlarm,
            DAHDI_EVENT_ABORT => Self::HdlcAbort,
            DAHDI_EVENT_OVERRUN => Self::HdlcOverrun,
            DAHDI_EVENT_BADFCS => Self::BadFcs,
            DAHDI_EVENT_BITSCHANGED => Self::BitsChanged,
            DAHDI_EVENT_REMOVED => Self::Removed,
            DAHDI_EVENT_READ_OVERRUN => Self::ReadOverrun,
            DAHDI_EVENT_WRITE_UNDERRUN => Self::WriteUnderrun,
            DAHDI_EVENT_EC_DISABLED => Self::EchoCancellerDisabled,
            DAHDI_EVENT_TIMER_EXPIRED => Self::TimerExpired,
            DAHDI_EVENT_TIMER_PING => Self::TimerPing,
            other => Self::Other(other),
        }
    }
}
