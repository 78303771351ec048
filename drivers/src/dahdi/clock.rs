//! The trunk clock of the `dahdi` backend, counted in blocks: a thread reads a pseudo
//! channel (§1.6), which DAHDI fills at the pace of its master span (a card's line clock,
//! or the core timer when no span can provide timing, §9.1), and adds up the samples.
//! No wall clock is read for protocol time.
//!
//! The same thread notes when each open channel's event queue becomes non-empty
//! (POLLPRI, §3.2) so that events get the trunk time at which they were queued, to one
//! clock block, rather than the time at which the program drained them.

use std::os::fd::RawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::abi::*;
use super::device::DahdiDevice;
use super::fd::DahdiFd;
use crate::types::TrunkTime;

/// Samples per pseudo-channel read: 4 ms, the core timer's granularity at HZ=250 (§1.6).
pub const CLOCK_BLOCK: i32 = 32;
/// Buffers of the pseudo channel: 32 x 4 ms = 128 ms before a late clock thread loses
/// samples (DAHDI drops blocks that find every buffer full, §2 SET_BUFINFO limits).
const CLOCK_BUFFERS: i32 = 32;
/// `onset` value meaning "no event pending".
pub const NO_ONSET: u64 = u64::MAX;

/// Where the default pseudo device lives (§1.1).
pub const PSEUDO_DEVICE: &str = "/dev/dahdi/pseudo";

struct Watch {
    fd: RawFd,
    onset: Arc<AtomicU64>,
}

pub struct ClockShared {
    samples: AtomicU64,
    stop: AtomicBool,
    watches: Mutex<Vec<Watch>>,
    failure: Mutex<Option<String>>,
}

impl ClockShared {
    pub fn now(&self) -> TrunkTime {
        self.samples.load(Ordering::Acquire)
    }

    /// Watch `fd` for queued events; `onset` gets the trunk time they first appeared.
    pub fn watch(&self, fd: RawFd, onset: Arc<AtomicU64>) {
        self.watches.lock().unwrap_or_else(|p| p.into_inner()).push(Watch { fd, onset });
    }

    /// Stop watching `fd`; returns once the clock thread no longer polls it, so the
    /// caller may close it.
    pub fn unwatch(&self, fd: RawFd) {
        self.watches.lock().unwrap_or_else(|p| p.into_inner()).retain(|w| w.fd != fd);
    }

    /// Why the clock stopped, if it did.
    pub fn failure(&self) -> Option<String> {
        self.failure.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// The running clock; stops its thread when dropped.
pub struct TrunkClock {
    shared: Arc<ClockShared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl TrunkClock {
    /// Opens the pseudo device at `pseudo` and starts counting.
    pub fn start(pseudo: &Path) -> Result<TrunkClock, String> {
        let mut fd = DahdiFd::open(pseudo).map_err(|e| e.to_string())?;
        fd.ioctl_put_int(DAHDI_SET_BLOCKSIZE, CLOCK_BLOCK)
            .map_err(|e| format!("{}: DAHDI_SET_BLOCKSIZE: {e}", pseudo.display()))?;
        let mut info = DahdiBufferInfo::zeroed();
        info.numbufs = CLOCK_BUFFERS;
        info.bufsize = CLOCK_BLOCK;
        fd.set_bufinfo(&info).map_err(|e| format!("{}: DAHDI_SET_BUFINFO: {e}", pseudo.display()))?;
        let shared = Arc::new(ClockShared {
            samples: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            watches: Mutex::new(Vec::new()),
            failure: Mutex::new(None),
        });
        let thread_shared = shared.clone();
        let path: PathBuf = pseudo.to_path_buf();
        let thread = std::thread::Builder::new()
            .name("dahdi-trunk-clock".into())
            .spawn(move || run(fd, &thread_shared, &path))
            .map_err(|e| format!("cannot start the clock thread: {e}"))?;
        Ok(TrunkClock { shared, thread: Mutex::new(Some(thread)) })
    }

    pub fn shared(&self) -> &Arc<ClockShared> {
        &self.shared
    }

    pub fn now(&self) -> TrunkTime {
        self.shared.now()
    }
}

impl Drop for TrunkClock {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = t.join();
        }
    }
}

fn run(mut pseudo: DahdiFd, shared: &ClockShared, path: &Path) {
    let pseudo_fd = pseudo.raw_fd().expect("a real fd");
    let mut buf = [0u8; CLOCK_BLOCK as usize];
    let mut pollfds: Vec<libc::pollfd> = Vec::new();
    let mut onsets: Vec<Arc<AtomicU64>> = Vec::new();
    while !shared.stop.load(Ordering::Acquire) {
        // The lock is held across the poll so that a channel is never closed while it is
        // polled here (unwatch waits at most one clock block).
        let watches = shared.watches.lock().unwrap_or_else(|p| p.into_inner());
        pollfds.clear();
        onsets.clear();
        pollfds.push(libc::pollfd { fd: pseudo_fd, events: libc::POLLIN | libc::POLLPRI, revents: 0 });
        for w in watches.iter().filter(|w| w.onset.load(Ordering::Acquire) == NO_ONSET) {
            pollfds.push(libc::pollfd { fd: w.fd, events: libc::POLLPRI, revents: 0 });
            onsets.push(w.onset.clone());
        }
        // SAFETY: pollfds is a valid array of pollfds.len() entries.
        let rc = unsafe { libc::poll(pollfds.as_mut_ptr(), pollfds.len() as libc::nfds_t, 50) };
        if rc > 0 {
            if pollfds[0].revents & (libc::POLLIN | libc::POLLPRI) != 0 {
                loop {
                    match pseudo.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            shared.samples.fetch_add(n as u64, Ordering::AcqRel);
                        }
                        Err(e) if e.0 == ELAST => {
                            while matches!(pseudo.ioctl_get_int(DAHDI_GETEVENT), Ok(c) if c != 0) {}
                        }
                        Err(_) => break, // EAGAIN: nothing more this tick
                    }
                }
            }
            let now = shared.now();
            for (p, onset) in pollfds[1..].iter().zip(&onsets) {
                // Removed channels answer poll with an error mask (nodev fops): also an onset.
                if p.revents != 0 {
                    let _ = onset.compare_exchange(NO_ONSET, now, Ordering::AcqRel, Ordering::Acquire);
                }
            }
        } else if rc < 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            *shared.failure.lock().unwrap_or_else(|p| p.into_inner()) =
                Some(format!("{}: poll failed: {}", path.display(), std::io::Error::last_os_error()));
            return;
        }
        drop(watches);
    }
}
