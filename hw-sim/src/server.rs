//! hw-sim's socket server and clock: one engine thread owns the [`World`];
//! a reader and a writer thread per connection move frames to and from it.
//!
//! The clock runs at `speed` times real time (8000 frames/s at 1.0) in 1-ms
//! chunks of 8 frames, scheduled against absolute wall-clock deadlines so jitter
//! never accumulates; at speed 0 only `Step` requests move it. The wall clock
//! is read here and nowhere else: everything a client sees is trunk time.

use std::collections::HashMap;
use std::io::Write;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender, TrySendError};
use std::thread;
use std::time::{Duration, Instant};

use cti_drivers::sim::protocol::*;
use cti_drivers::{error as errno, FRAMES_PER_SECOND};

use crate::channel::ConnId;
use crate::world::{Target, World, CHUNK};

/// Batches queued toward one client before it counts as stuck and is dropped
/// (about 4 s of 1-ms batches): a stalled client must not stall the trunk clock.
const CLIENT_QUEUE: usize = 4096;
/// Largest single step: one hour of trunk time, so one request cannot wedge the clock.
const MAX_STEP: u64 = 3600 * FRAMES_PER_SECOND;
/// Fastest clock: 10000 times real time (as the config allows).
const MAX_SPEED_MILLI: u32 = 10_000_000;
/// A real-time chunk finished later than this after its due time counts as late.
const LATE_AFTER: Duration = Duration::from_millis(1);

enum Inbound {
    Connected(ConnId, SyncSender<Vec<u8>>),
    Message(ConnId, ClientMessage),
    Malformed(ConnId, String),
    Gone(ConnId),
}

pub struct Clock {
    speed: f64,
    epoch_wall: Instant,
    epoch_frames: u64,
}

impl Clock {
    fn new(speed: f64, frames: u64) -> Clock {
        Clock { speed, epoch_wall: Instant::now(), epoch_frames: frames }
    }
    /// Frames that should have elapsed by now.
    fn target(&self, now: Instant) -> u64 {
        if self.speed <= 0.0 {
            return 0;
        }
        let secs = now.duration_since(self.epoch_wall).as_secs_f64();
        self.epoch_frames + (secs * FRAMES_PER_SECOND as f64 * self.speed) as u64
    }
    /// Wall time at which frame `f` is due.
    fn due(&self, f: u64) -> Instant {
        let secs = (f.saturating_sub(self.epoch_frames)) as f64 / (FRAMES_PER_SECOND as f64 * self.speed);
        self.epoch_wall + Duration::from_secs_f64(secs)
    }
}

pub fn serve(world: World, speed: f64, socket: &Path) -> std::io::Result<()> {
    if socket.exists() {
        if UnixStream::connect(socket).is_ok() {
            return Err(std::io::Error::new(std::io::ErrorKind::AddrInUse, "another hw-sim is listening there"));
        }
        std::fs::remove_file(socket)?; // left behind by a hw-sim that died
    }
    let listener = UnixListener::bind(socket)?;
    let (tx, rx) = mpsc::channel::<Inbound>();
    thread::spawn(move || accept_loop(listener, tx));
    run_engine(world, speed, rx);
    Ok(())
}

fn accept_loop(listener: UnixListener, tx: Sender<Inbound>) {
    let mut next_id: ConnId = 1;
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let id = next_id;
        next_id += 1;
        let Ok(write_half) = stream.try_clone() else { continue };
        let (out_tx, out_rx) = mpsc::sync_channel::<Vec<u8>>(CLIENT_QUEUE);
        if tx.send(Inbound::Connected(id, out_tx)).is_err() {
            return;
        }
        thread::spawn(move || writer(write_half, out_rx));
        let tx = tx.clone();
        thread::spawn(move || reader(id, stream, tx));
    }
}

fn writer(mut stream: UnixStream, rx: Receiver<Vec<u8>>) {
    while let Ok(bytes) = rx.recv() {
        if stream.write_all(&bytes).is_err() {
            break;
        }
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

fn reader(id: ConnId, mut stream: UnixStream, tx: Sender<Inbound>) {
    loop {
        let msg = match read_frame(&mut stream) {
            Ok(body) => match ClientMessage::decode(&body) {
                Ok(m) => Inbound::Message(id, m),
                Err(e) => Inbound::Malformed(id, e.to_string()),
            },
            Err(ReadError::Closed) => Inbound::Gone(id),
            Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::ConnectionReset => Inbound::Gone(id),
            Err(ReadError::Io(e)) => Inbound::Malformed(id, format!("read failed: {e}")),
            Err(ReadError::Protocol(e)) => Inbound::Malformed(id, e.to_string()),
        };
        let stop = !matches!(msg, Inbound::Message(..));
        if tx.send(msg).is_err() || stop {
            return;
        }
    }
}

struct Engine {
    world: World,
    clock: Clock,
    conns: HashMap<ConnId, (SyncSender<Vec<u8>>, Vec<u8>)>,
}

fn run_engine(world: World, speed: f64, rx: Receiver<Inbound>) {
    let clock = Clock::new(speed, 0);
    let mut e = Engine { world, clock, conns: HashMap::new() };
    loop {
        let wait = if e.clock.speed > 0.0 {
            e.clock.due(e.world.time + CHUNK as u64).saturating_duration_since(Instant::now())
        } else {
            Duration::from_secs(3600)
        };
        match rx.recv_timeout(wait) {
            Ok(m) => {
                e.handle(m);
                while let Ok(m) = rx.try_recv() {
                    e.handle(m);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        if e.clock.speed > 0.0 {
            let now = Instant::now();
            let target = e.clock.target(now);
            while e.world.time + CHUNK as u64 <= target {
                let due = e.clock.due(e.world.time + CHUNK as u64);
                e.world.advance(CHUNK as u64);
                if now > due + LATE_AFTER {
                    e.world.late_ticks += 1;
                }
            }
        }
        e.flush();
    }
}

impl Engine {
    fn reply(&mut self, conn: ConnId, id: u32, result: Result<Reply, WireError>) {
        self.world.outbox.push((Target::Conn(conn), ServerMessage::Reply { id, result }));
    }

    fn handle(&mut self, m: Inbound) {
        match m {
            Inbound::Connected(id, tx) => {
                self.conns.insert(id, (tx, Vec::new()));
            }
            Inbound::Gone(id) => self.drop_conn(id),
            Inbound::Malformed(id, why) => {
                eprintln!("hw-sim: connection {id}: {why}; closing it");
                self.reply(id, 0, Err(WireError { errno: errno::EINVAL, message: format!("malformed message: {why}") }));
                self.flush();
                self.drop_conn(id);
            }
            Inbound::Message(id, ClientMessage::Write { channel, data }) => self.world.write(id, channel, data),
            Inbound::Message(conn, ClientMessage::Request { id, request }) => {
                let w = &mut self.world;
                let result = match request {
                    Request::Hello { version } if version == PROTOCOL_VERSION => {
                        Ok(Reply::Hello { version: PROTOCOL_VERSION, time: w.time })
                    }
                    Request::Hello { version } => Err(WireError {
                        errno: errno::EINVAL,
                        message: format!("protocol version {version} not supported (hw-sim speaks {PROTOCOL_VERSION})"),
                    }),
                    Request::ListSpans => Ok(w.list_spans()),
                    Request::SpanStatus { span } => w.get_span(span),
                    Request::Open { channel } => w.open(conn, channel).map(Reply::Opened),
                    Request::Close { channel } => {
                        w.close(conn, channel);
                        Ok(Reply::Done { time: w.time })
                    }
                    Request::SetBlockSize { channel, samples } => w.set_block_size(conn, channel, samples),
                    Request::SetBuffers { channel, count, size } => w.set_buffers(conn, channel, count, size),
                    Request::SetTxBits { channel, bits } => w.set_tx_bits(conn, channel, bits),
                    Request::Ping => Ok(Reply::Done { time: w.time }),
                    Request::Control(Control::Step { frames }) if frames > MAX_STEP => Err(WireError {
                        errno: errno::EINVAL,
                        message: format!("step of {frames} frames: at most {MAX_STEP} (one hour) per request"),
                    }),
                    Request::Control(Control::SetSpeed { speed_milli }) if speed_milli > MAX_SPEED_MILLI => Err(WireError {
                        errno: errno::EINVAL,
                        message: format!("speed {}: at most {}", speed_milli as f64 / 1000.0, MAX_SPEED_MILLI / 1000),
                    }),
                    Request::Control(Control::Step { frames }) => {
                        w.advance(frames);
                        // Keep real-time mode continuous from the new time.
                        self.clock = Clock::new(self.clock.speed, self.world.time);
                        Ok(Reply::Done { time: self.world.time })
                    }
                    Request::Control(Control::SetSpeed { speed_milli }) => {
                        self.clock = Clock::new(speed_milli as f64 / 1000.0, w.time);
                        Ok(Reply::Done { time: w.time })
                    }
                    Request::Control(c) => w.control(&c),
                };
                self.reply(conn, id, result);
            }
        }
    }

    fn drop_conn(&mut self, id: ConnId) {
        self.conns.remove(&id);
        self.world.close_all(id);
    }

    /// Encode everything the world produced, one write per connection.
    fn flush(&mut self) {
        for (target, msg) in self.world.outbox.drain(..) {
            let bytes = msg.encode();
            match target {
                Target::Conn(id) => {
                    if let Some((_, buf)) = self.conns.get_mut(&id) {
                        buf.extend_from_slice(&bytes);
                    }
                }
                Target::All => {
                    for (_, buf) in self.conns.values_mut() {
                        buf.extend_from_slice(&bytes);
                    }
                }
            }
        }
        let mut stuck = Vec::new();
        for (id, (tx, buf)) in self.conns.iter_mut() {
            if buf.is_empty() {
                continue;
            }
            match tx.try_send(std::mem::take(buf)) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) => {
                    eprintln!("hw-sim: connection {id} stopped reading; closing it");
                    stuck.push(*id);
                }
                Err(TrySendError::Disconnected(_)) => stuck.push(*id),
            }
        }
        for id in stuck {
            self.drop_conn(id);
        }
    }
}
