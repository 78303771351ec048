//! Waiting on many channels at once; every entry always asks for POLLPRI, because DAHDI
//! signals queued events with it and read/write fail with ELAST until they are drained
//! (§3.2, §11 item 2).

use std::os::fd::RawFd;

use super::channel::{Interest, Readiness};
use super::error::Errno;

#[derive(Debug, Default)]
pub struct PollSet {
    fds: Vec<libc::pollfd>,
}

impl PollSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an fd; returns its index for [`PollSet::readiness`].
    pub fn add(&mut self, fd: RawFd, interest: Interest) -> usize {
        self.fds.push(libc::pollfd {
            fd,
            events: interest.poll_events(),
            revents: 0,
        });
        self.fds.len() - 1
    }

    pub fn len(&self) -> usize {
        self.fds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fds.is_empty()
    }

    /// The poll(2) event mask of entry `index` (tests check POLLPRI is in every one).
    pub fn requested(&self, index: usize) -> i16 {
        self.fds[index].events
    }

    /// poll(2); returns how many entries have something. EINTR is retried.
    pub fn poll(&mut self, timeout_ms: i32) -> Result<usize, Errno> {
        loop {
            // SAFETY: fds is a valid array of fds.len() pollfd structs.
            let rc = unsafe {
                libc::poll(
                    self.fds.as_mut_ptr(),
                    self.fds.len() as libc::nfds_t,
                    timeout_ms,
                )
            };
            if rc >= 0 {
                return Ok(rc as usize);
            }
            let errno = Errno::last();
            if errno.0 != libc::EINTR {
                return Err(errno);
            }
        }
    }

    /// What entry `index` reported in the last poll. `events` means: drain this channel
    /// ([`super::channel::Channel::drain_events`]) before its next read or write.
    pub fn readiness(&self, index: usize) -> Readiness {
        Readiness::from_revents(self.fds[index].revents)
    }
}
