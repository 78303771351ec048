//! The one interface every card backend gives (real DAHDI, hw-sim).

use std::time::Duration;

use crate::error::{Error, Result};
use crate::hdlc::FCS_LEN;
use crate::types::*;

/// A set of cards: spans to inspect, channels to open, hotplug events.
pub trait Backend: Send + Sync {
    /// Every span the hardware has now, in span-number order.
    fn spans(&self) -> Result<Vec<SpanStatus>>;

    /// One span's alarms, counters, clock source and law. Alarm events only mark
    /// transitions (dahdi.md 3.3): this is where the exact bits are read.
    fn span_status(&self, span: SpanNo) -> Result<SpanStatus>;

    /// Open a channel exclusively (DAHDI: /dev/dahdi/channel + DAHDI_SPECIFY):
    /// EINVAL for no such channel, ENXIO for an unconfigured one, EBUSY if it is
    /// already open. Opening resets the channel: events flushed, default block size.
    fn open(&self, channel: ChannelNo) -> Result<Box<dyn Channel>>;

    /// Cards added or removed since the last call.
    fn hotplug_events(&self) -> Vec<HotplugEvent>;

    /// The latest trunk-clock time this backend has seen.
    fn now(&self) -> TrunkTime;
}

/// One open channel. Dropping it closes the channel (the card then sends its idle
/// code and idle bits).
pub trait Channel: Send {
    fn params(&self) -> Result<ChannelParams>;

    /// B-channel block size in samples: 16..=8192 in steps of 8, else EINVAL.
    fn set_block_size(&mut self, samples: usize) -> Result<()>;

    /// Number and size of buffers (DAHDI_SET_BUFINFO): for B-channels the number of
    /// blocks queued each way; for D-channels frames queued and the largest frame.
    fn set_buffers(&mut self, count: usize, size: usize) -> Result<()>;

    /// Raw read (DAHDI read()): one B-channel block, or one whole HDLC frame with
    /// its 2 FCS bytes at the end. ELAST while events are queued; EAGAIN when
    /// nothing is ready. A buffer shorter than the frame gets its start; the rest
    /// is discarded (dahdi.md 4).
    fn read(&mut self, buf: &mut [u8]) -> Result<usize>;

    /// Raw write (DAHDI write()): one B-channel block (1..=block size octets), or
    /// one HDLC frame followed by 2 placeholder bytes for the FCS. ELAST while
    /// events are queued; EAGAIN when every transmit buffer is full.
    fn write(&mut self, data: &[u8]) -> Result<usize>;

    /// Next queued event (DAHDI_GETEVENT), or None when the queue is empty.
    fn get_event(&mut self) -> Result<Option<ChannelEvent>>;

    /// Send ABCD bits on a CAS channel (A = 8 ... D = 1); EINVAL on other kinds.
    fn set_tx_bits(&mut self, abcd: u8) -> Result<()>;

    /// Received ABCD bits, masked with 0xF (dahdi.md 5).
    fn rx_bits(&mut self) -> Result<u8>;

    /// Wait until the channel is readable, writable or has an event (poll() with
    /// POLLIN|POLLOUT|POLLPRI), at most `timeout` of wall time. Events are always
    /// waited for, as a DAHDI program always polls POLLPRI.
    fn wait(&mut self, want_read: bool, want_write: bool, timeout: Duration) -> Result<Ready>;

    /// Write one HDLC frame, adding the 2 placeholder FCS bytes.
    fn write_frame(&mut self, payload: &[u8]) -> Result<()> {
        let mut raw = Vec::with_capacity(payload.len() + FCS_LEN);
        raw.extend_from_slice(payload);
        raw.extend_from_slice(&[0; FCS_LEN]);
        self.write(&raw).map(|_| ())
    }

    /// Read one HDLC frame and drop its 2 FCS bytes.
    fn read_frame(&mut self, buf: &mut [u8]) -> Result<usize> {
        let n = self.read(buf)?;
        if n < FCS_LEN {
            return Err(Error::Protocol(format!("HDLC read of {n} bytes has no FCS")));
        }
        Ok(n - FCS_LEN)
    }

    /// Drain every queued event (what a program does on ELAST before retrying).
    fn drain_events(&mut self) -> Result<Vec<ChannelEvent>> {
        let mut events = Vec::new();
        while let Some(e) = self.get_event()? {
            events.push(e);
        }
        Ok(events)
    }
}
