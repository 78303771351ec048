//! `SimBackend`: the [`Backend`] over a connection to hw-sim.
//!
//! hw-sim plays the card and the kernel: it owns channels (exclusive open),
//! clocks the line, and pushes received blocks, frames and events. This side
//! keeps what DAHDI keeps per open file: the event queue (64 deep, ELAST while
//! non-empty), the receive buffers (numbufs, READ_OVERRUN when full) and the
//! transmit credit (numbufs blocks in flight, EAGAIN beyond).
//!
//! If hw-sim goes away, every span turns red (an ALARM event on every open
//! channel whose span had none), writes are swallowed as a dead line would, and
//! a background thread reconnects every 20 ms; once hw-sim is back, open
//! channels are re-opened with their block size and buffers, and spans without
//! alarm give NOALARM.

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use super::protocol::*;
use crate::backend::{Backend, Channel};
use crate::error::{Error, Result};
use crate::hdlc::FCS_LEN;
use crate::types::*;

/// DAHDI keeps 64 events per channel and drops new ones when full (dahdi.md 3.2).
pub const EVENT_QUEUE_DEPTH: usize = 64;
/// How long a request waits for hw-sim's answer (wall time, not protocol time).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Retry interval while hw-sim is unreachable.
const RECONNECT_EVERY: Duration = Duration::from_millis(20);

struct ChanState {
    params: ChannelParams,
    events: VecDeque<ChannelEvent>,
    rx: VecDeque<Vec<u8>>,
    written: u64,
    tx_done: u64,
    removed: bool,
}

impl ChanState {
    fn queue(&mut self, event: ChannelEvent) {
        if self.events.len() < EVENT_QUEUE_DEPTH {
            self.events.push_back(event);
        }
    }
    fn audio(&self) -> bool {
        matches!(self.params.kind, ChannelKind::Bearer | ChannelKind::Cas)
    }
    fn can_write(&self) -> bool {
        self.written.saturating_sub(self.tx_done) < self.params.num_buffers as u64
    }
}

struct State {
    connected: bool,
    generation: u64,
    time: TrunkTime,
    spans: HashMap<SpanNo, SpanStatus>,
    channels: HashMap<ChannelNo, ChanState>,
    replies: HashMap<u32, std::result::Result<Reply, WireError>>,
    hotplug: Vec<HotplugEvent>,
    shutdown: bool,
    /// Added to every time from the current hw-sim process, so that trunk time
    /// stays monotonic when hw-sim restarts from 0.
    offset: TrunkTime,
    /// The loss of hw-sim was reported and it has not come back since (report once).
    loss_reported: bool,
}

struct Inner {
    socket: PathBuf,
    state: Mutex<State>,
    changed: Condvar,
    writer: Mutex<Option<UnixStream>>,
    next_id: AtomicU32,
}

/// A client of hw-sim implementing [`Backend`].
pub struct SimBackend {
    inner: Arc<Inner>,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn send(&self, msg: &ClientMessage) -> Result<()> {
        let mut w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        match w.as_mut() {
            Some(stream) => stream.write_all(&msg.encode()).map_err(|e| Error::Disconnected(e.to_string())),
            None => Err(Error::Disconnected("hw-sim is not connected".into())),
        }
    }

    fn request(&self, request: Request) -> Result<Reply> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let generation = {
            let st = self.lock();
            if !st.connected {
                return Err(Error::Disconnected(format!("hw-sim at {} is not reachable", self.socket.display())));
            }
            st.generation
        };
        self.send(&ClientMessage::Request { id, request })?;
        let deadline = Instant::now() + REQUEST_TIMEOUT;
        let mut st = self.lock();
        loop {
            if let Some(r) = st.replies.remove(&id) {
                return r.map_err(|e| Error::from_errno(e.errno, e.message));
            }
            if st.generation != generation || !st.connected {
                return Err(Error::Disconnected("hw-sim went away during the request".into()));
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::Protocol("hw-sim did not answer within 10 s".into()));
            }
            st = self.changed.wait_timeout(st, deadline - now).unwrap_or_else(|p| p.into_inner()).0;
        }
    }

    /// Apply one pushed message or reply.
    fn apply(&self, mut msg: ServerMessage) {
        let mut st = self.lock();
        if let ServerMessage::Reply { result: Ok(Reply::Hello { time, .. }), .. } = &msg {
            st.offset = st.time.saturating_sub(*time);
        }
        shift_times(&mut msg, st.offset);
        match msg {
            ServerMessage::Reply { id, result } => {
                if let Ok(Reply::Opened(p)) = &result {
                    // Insert here, before any push for the channel is read, so none is lost.
                    let ch = st.channels.entry(p.channel).or_insert_with(|| ChanState {
                        params: p.clone(),
                        events: VecDeque::new(),
                        rx: VecDeque::new(),
                        written: 0,
                        tx_done: 0,
                        removed: false,
                    });
                    ch.params = p.clone();
                    ch.rx.clear();
                    ch.written = 0;
                    ch.tx_done = 0;
                    ch.removed = false;
                }
                if let Ok(Reply::Done { time } | Reply::Hello { time, .. }) = &result {
                    st.time = st.time.max(*time);
                }
                st.replies.insert(id, result);
            }
            ServerMessage::RxBlock { channel, time, tx_done, data } => {
                st.time = st.time.max(time);
                if let Some(ch) = st.channels.get_mut(&channel) {
                    ch.tx_done = tx_done;
                    if ch.rx.len() >= ch.params.num_buffers {
                        ch.queue(ChannelEvent { kind: EventKind::ReadOverrun, time, value: 0 });
                    } else {
                        ch.rx.push_back(data);
                    }
                }
            }
            ServerMessage::RxFrame { channel, time, data } => {
                st.time = st.time.max(time);
                if let Some(ch) = st.channels.get_mut(&channel) {
                    if ch.rx.len() >= ch.params.num_buffers {
                        ch.queue(ChannelEvent { kind: EventKind::HdlcOverrun, time, value: 0 });
                    } else {
                        ch.rx.push_back(data);
                    }
                }
            }
            ServerMessage::TxDone { channel, time, tx_done } => {
                st.time = st.time.max(time);
                if let Some(ch) = st.channels.get_mut(&channel) {
                    ch.tx_done = tx_done;
                }
            }
            ServerMessage::Event { channel, event } => {
                st.time = st.time.max(event.time);
                if let Some(ch) = st.channels.get_mut(&channel) {
                    match event.kind {
                        EventKind::BitsChanged => ch.params.rx_bits = (event.value & 0xF) as u8,
                        EventKind::Removed => ch.removed = true,
                        _ => {}
                    }
                    ch.queue(event);
                }
            }
            ServerMessage::SpanAlarms { span, time, alarms } => {
                st.time = st.time.max(time);
                if let Some(s) = st.spans.get_mut(&span) {
                    s.alarms = alarms;
                }
            }
            ServerMessage::Hotplug(h) => st.hotplug.push(h),
        }
        drop(st);
        self.changed.notify_all();
    }

    /// The connection died: every span red, ALARM where a span had none.
    fn lost(&self) {
        *self.writer.lock().unwrap_or_else(|p| p.into_inner()) = None;
        let mut st = self.lock();
        st.connected = false;
        st.generation += 1;
        let time = st.time;
        let was_clear: Vec<SpanNo> = st.spans.values().filter(|s| !s.alarms.any()).map(|s| s.span).collect();
        for s in st.spans.values_mut() {
            s.alarms = AlarmBits(AlarmBits::RED | AlarmBits::LOS);
        }
        for ch in st.channels.values_mut() {
            if was_clear.contains(&ch.params.span) && !ch.removed {
                ch.queue(ChannelEvent { kind: EventKind::Alarm, time, value: 0 });
            }
        }
        drop(st);
        self.changed.notify_all();
    }

    /// After (re)connecting: greet, learn the spans, re-open what was open.
    fn resync(&self) -> Result<()> {
        match self.request(Request::Hello { version: PROTOCOL_VERSION })? {
            Reply::Hello { version: PROTOCOL_VERSION, .. } => {}
            other => return Err(Error::Protocol(format!("unexpected answer to Hello: {other:?}"))),
        }
        let spans = match self.request(Request::ListSpans)? {
            Reply::Spans(s) => s,
            other => return Err(Error::Protocol(format!("unexpected answer to ListSpans: {other:?}"))),
        };
        let reopen: Vec<ChannelParams> = {
            let st = self.lock();
            st.channels.values().filter(|c| !c.removed).map(|c| c.params.clone()).collect()
        };
        let mut failed = Vec::new();
        for p in &reopen {
            let ok = self.request(Request::Open { channel: p.channel }).is_ok()
                && self
                    .request(Request::SetBuffers {
                        channel: p.channel,
                        count: p.num_buffers as u32,
                        size: if p.kind == ChannelKind::Hdlc { p.buffer_size } else { p.block_size } as u32,
                    })
                    .is_ok();
            if !ok {
                failed.push(p.channel);
            }
        }
        let mut st = self.lock();
        let time = st.time;
        let previous = std::mem::take(&mut st.spans);
        for s in spans {
            let was_alarm = previous.get(&s.span).map(|p| p.alarms.any()).unwrap_or(false);
            if was_alarm && !s.alarms.any() {
                for ch in st.channels.values_mut().filter(|c| c.params.span == s.span && !c.removed) {
                    ch.queue(ChannelEvent { kind: EventKind::NoAlarm, time, value: 0 });
                }
            }
            st.spans.insert(s.span, s);
        }
        st.loss_reported = false;
        for no in failed {
            if let Some(ch) = st.channels.get_mut(&no) {
                ch.removed = true;
                ch.queue(ChannelEvent { kind: EventKind::Removed, time, value: 0 });
            }
        }
        drop(st);
        self.changed.notify_all();
        Ok(())
    }
}

fn shift_times(msg: &mut ServerMessage, offset: TrunkTime) {
    match msg {
        ServerMessage::Reply { result: Ok(Reply::Done { time } | Reply::Hello { time, .. }), .. } => *time += offset,
        ServerMessage::Reply { result: Ok(Reply::Span(s)), .. } => s.time += offset,
        ServerMessage::Reply { result: Ok(Reply::Spans(v)), .. } => v.iter_mut().for_each(|s| s.time += offset),
        ServerMessage::Reply { result: Ok(Reply::Counters(c)), .. } => c.time += offset,
        ServerMessage::Reply { .. } => {}
        ServerMessage::RxBlock { time, .. }
        | ServerMessage::RxFrame { time, .. }
        | ServerMessage::TxDone { time, .. }
        | ServerMessage::SpanAlarms { time, .. } => *time += offset,
        ServerMessage::Event { event, .. } => event.time += offset,
        ServerMessage::Hotplug(HotplugEvent::CardAdded { time, .. } | HotplugEvent::CardRemoved { time, .. }) => {
            *time += offset
        }
    }
}

fn read_loop(inner: Arc<Inner>, mut stream: UnixStream) {
    loop {
        loop {
            let msg = match read_frame(&mut stream) {
                Ok(body) => ServerMessage::decode(&body).map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match msg {
                Ok(m) => inner.apply(m),
                Err(why) => {
                    let mut st = inner.lock();
                    if !st.shutdown && !st.loss_reported {
                        eprintln!("sim backend: connection to hw-sim lost: {why}; reconnecting");
                        st.loss_reported = true;
                    }
                    break;
                }
            }
        }
        inner.lost();
        // Reconnect until hw-sim is back or the backend is dropped.
        loop {
            if inner.lock().shutdown {
                return;
            }
            thread::sleep(RECONNECT_EVERY);
            if let Ok(s) = UnixStream::connect(&inner.socket) {
                if let Ok(w) = s.try_clone() {
                    stream = s;
                    *inner.writer.lock().unwrap_or_else(|p| p.into_inner()) = Some(w);
                    break;
                }
            }
        }
        {
            let mut st = inner.lock();
            st.connected = true;
            st.generation += 1;
        }
        let again = inner.clone();
        thread::spawn(move || {
            if let Err(e) = again.resync() {
                eprintln!("sim backend: resynchronising with hw-sim failed: {e}");
            }
        });
    }
}

impl SimBackend {
    /// Connect to hw-sim listening on `socket`.
    pub fn connect(socket: &Path) -> Result<SimBackend> {
        let stream = UnixStream::connect(socket)
            .map_err(|e| Error::Disconnected(format!("cannot reach hw-sim at {}: {e}", socket.display())))?;
        let writer = stream.try_clone()?;
        let inner = Arc::new(Inner {
            socket: socket.to_path_buf(),
            state: Mutex::new(State {
                connected: true,
                generation: 0,
                time: 0,
                spans: HashMap::new(),
                channels: HashMap::new(),
                replies: HashMap::new(),
                hotplug: Vec::new(),
                shutdown: false,
                offset: 0,
                loss_reported: false,
            }),
            changed: Condvar::new(),
            writer: Mutex::new(Some(writer)),
            next_id: AtomicU32::new(1),
        });
        let reader = inner.clone();
        thread::spawn(move || read_loop(reader, stream));
        inner.resync()?;
        Ok(SimBackend { inner })
    }

    /// Send a control request (cut a patch, step the clock, ...). Its reply comes
    /// after everything hw-sim pushed to this connection before it.
    pub fn control(&self, control: Control) -> Result<Reply> {
        self.inner.request(Request::Control(control))
    }

    /// Round trip: everything hw-sim pushed before it has been applied on return.
    pub fn sync(&self) -> Result<TrunkTime> {
        match self.inner.request(Request::Ping)? {
            Reply::Done { time } => Ok(time),
            other => Err(Error::Protocol(format!("unexpected answer to Ping: {other:?}"))),
        }
    }

    pub fn is_connected(&self) -> bool {
        self.inner.lock().connected
    }
}

impl SimBackend {
    /// Disconnect for good: no reconnection, no "connection lost" report.
    pub fn shutdown(&self) {
        self.inner.lock().shutdown = true;
        if let Some(s) = self.inner.writer.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }
}

impl Drop for SimBackend {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl Backend for SimBackend {
    fn spans(&self) -> Result<Vec<SpanStatus>> {
        match self.inner.request(Request::ListSpans) {
            Ok(Reply::Spans(s)) => Ok(s),
            Ok(other) => Err(Error::Protocol(format!("unexpected answer to ListSpans: {other:?}"))),
            Err(Error::Disconnected(_)) => {
                let st = self.inner.lock();
                let mut v: Vec<SpanStatus> = st.spans.values().cloned().collect();
                v.sort_by_key(|s| s.span);
                Ok(v)
            }
            Err(e) => Err(e),
        }
    }

    fn span_status(&self, span: SpanNo) -> Result<SpanStatus> {
        match self.inner.request(Request::SpanStatus { span }) {
            Ok(Reply::Span(s)) => Ok(s),
            Ok(other) => Err(Error::Protocol(format!("unexpected answer to SpanStatus: {other:?}"))),
            Err(Error::Disconnected(m)) => {
                // What a program sees of a span whose hardware is gone: red, loss of signal.
                self.inner.lock().spans.get(&span).cloned().ok_or(Error::Disconnected(m))
            }
            Err(e) => Err(e),
        }
    }

    fn open(&self, channel: ChannelNo) -> Result<Box<dyn Channel>> {
        match self.inner.request(Request::Open { channel })? {
            Reply::Opened(_) => Ok(Box::new(SimChannel { inner: self.inner.clone(), no: channel })),
            other => Err(Error::Protocol(format!("unexpected answer to Open: {other:?}"))),
        }
    }

    fn hotplug_events(&self) -> Vec<HotplugEvent> {
        std::mem::take(&mut self.inner.lock().hotplug)
    }

    fn now(&self) -> TrunkTime {
        self.inner.lock().time
    }
}

/// One open channel of the sim backend.
pub struct SimChannel {
    inner: Arc<Inner>,
    no: ChannelNo,
}

impl SimChannel {
    fn with<T>(&self, f: impl FnOnce(&mut ChanState, bool) -> Result<T>) -> Result<T> {
        let mut st = self.inner.lock();
        let connected = st.connected;
        match st.channels.get_mut(&self.no) {
            Some(ch) => f(ch, connected),
            None => Err(Error::Invalid(format!("channel {} is not open", self.no))),
        }
    }

    fn ready(ch: &ChanState, want_read: bool, want_write: bool) -> Ready {
        Ready {
            readable: want_read && !ch.rx.is_empty(),
            writable: want_write && ch.can_write(),
            event: !ch.events.is_empty(),
        }
    }
}

impl Drop for SimChannel {
    fn drop(&mut self) {
        let removed = {
            let mut st = self.inner.lock();
            st.channels.remove(&self.no).map(|c| c.removed).unwrap_or(true)
        };
        if !removed {
            let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
            let _ = self.inner.send(&ClientMessage::Request { id, request: Request::Close { channel: self.no } });
        }
    }
}

impl Channel for SimChannel {
    fn params(&self) -> Result<ChannelParams> {
        self.with(|ch, _| Ok(ch.params.clone()))
    }

    fn set_block_size(&mut self, samples: usize) -> Result<()> {
        self.with(|ch, _| {
            if !ch.audio() {
                return Err(Error::Invalid(format!("channel {} is a D-channel: set its buffers instead", ch.params.channel)));
            }
            if !valid_block_size(samples) {
                return Err(Error::Invalid(format!("block size {samples}: 16 to 8192 samples in steps of 8")));
            }
            Ok(())
        })?;
        self.inner.request(Request::SetBlockSize { channel: self.no, samples: samples as u32 })?;
        self.with(|ch, _| {
            ch.params.block_size = samples;
            ch.params.buffer_size = samples;
            ch.rx.clear();
            Ok(())
        })
    }

    fn set_buffers(&mut self, count: usize, size: usize) -> Result<()> {
        self.inner.request(Request::SetBuffers { channel: self.no, count: count as u32, size: size as u32 })?;
        self.with(|ch, _| {
            ch.params.num_buffers = count;
            if ch.audio() {
                ch.params.block_size = size;
                ch.rx.clear();
            }
            ch.params.buffer_size = size;
            Ok(())
        })
    }

    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        self.with(|ch, _| {
            if !ch.events.is_empty() {
                return Err(Error::EventsPending);
            }
            if ch.removed {
                return Err(Error::Removed(format!("channel {}", ch.params.channel)));
            }
            let data = ch.rx.pop_front().ok_or(Error::WouldBlock)?;
            let n = data.len().min(buf.len());
            buf[..n].copy_from_slice(&data[..n]);
            Ok(n)
        })
    }

    fn write(&mut self, data: &[u8]) -> Result<usize> {
        let connected = self.with(|ch, connected| {
            if !ch.events.is_empty() {
                return Err(Error::EventsPending);
            }
            if ch.removed {
                return Err(Error::Removed(format!("channel {}", ch.params.channel)));
            }
            if ch.audio() && (data.is_empty() || data.len() > ch.params.block_size) {
                return Err(Error::Invalid(format!("write of {} octets: 1 to the block size {}", data.len(), ch.params.block_size)));
            }
            if ch.params.kind == ChannelKind::Hdlc && (data.len() < FCS_LEN + 1 || data.len() > ch.params.buffer_size) {
                return Err(Error::Invalid(format!(
                    "HDLC write of {} bytes: a frame plus 2 FCS placeholder bytes, at most {}",
                    data.len(),
                    ch.params.buffer_size
                )));
            }
            if !connected {
                return Ok(false); // a dead line takes anything
            }
            if !ch.can_write() {
                return Err(Error::WouldBlock);
            }
            ch.written += 1;
            Ok(true)
        })?;
        if connected {
            // A failure here means hw-sim just went away: the data is lost as on a dead line.
            let _ = self.inner.send(&ClientMessage::Write { channel: self.no, data: data.to_vec() });
        }
        Ok(data.len())
    }

    fn get_event(&mut self) -> Result<Option<ChannelEvent>> {
        self.with(|ch, _| Ok(ch.events.pop_front()))
    }

    fn set_tx_bits(&mut self, abcd: u8) -> Result<()> {
        self.with(|ch, _| {
            if ch.params.kind != ChannelKind::Cas {
                return Err(Error::Invalid(format!("channel {} is not a CAS channel", ch.params.channel)));
            }
            Ok(())
        })?;
        self.inner.request(Request::SetTxBits { channel: self.no, bits: abcd & 0xF })?;
        self.with(|ch, _| {
            ch.params.tx_bits = abcd & 0xF;
            Ok(())
        })
    }

    fn rx_bits(&mut self) -> Result<u8> {
        self.with(|ch, _| Ok(ch.params.rx_bits & 0xF))
    }

    fn wait(&mut self, want_read: bool, want_write: bool, timeout: Duration) -> Result<Ready> {
        let deadline = Instant::now() + timeout;
        let mut st = self.inner.lock();
        loop {
            let Some(ch) = st.channels.get(&self.no) else {
                return Err(Error::Invalid(format!("channel {} is not open", self.no)));
            };
            let r = Self::ready(ch, want_read, want_write);
            if r.readable || r.writable || r.event {
                return Ok(r);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(r);
            }
            st = self.inner.changed.wait_timeout(st, deadline - now).unwrap_or_else(|p| p.into_inner()).0;
        }
    }
}
