//! A fake DAHDI channel fd imitating the kernel behaviour measured in dahdi.md: read and
//! write fail with errno 500 (ELAST) while any event is queued (§3.2); one read returns
//! one whole frame and a short buffer loses the rest of it (§4); poll reports POLLPRI
//! while events are queued. Every call is logged with the ioctl's C name.
#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};

use cti_drivers::dahdi::abi::*;
use cti_drivers::dahdi::device::{DahdiDevice, SysResult};
use cti_drivers::dahdi::Errno;
use libc::{c_int, c_ulong};

pub fn ioctl_name(request: c_ulong) -> &'static str {
    IOCTLS
        .iter()
        .find(|(_, value)| *value == request as i64)
        .map(|(name, _)| *name)
        .unwrap_or("UNKNOWN_IOCTL")
}

#[derive(Debug)]
pub struct FakeDevice {
    /// Errno SPECIFY fails with (None: succeeds).
    pub specify_errno: Option<i32>,
    pub params: DahdiParams,
    pub span_info: DahdiSpanInfo,
    /// Queued event codes, as the kernel ring.
    pub events: VecDeque<i32>,
    /// An event queued again before every read/write: a runaway event source.
    pub storm_event: Option<i32>,
    /// What reads return, one entry per read (a frame with FCS, or a block).
    pub rx: VecDeque<Vec<u8>>,
    pub written: Vec<Vec<u8>>,
    pub write_would_block: bool,
    /// Values returned by int-reading ioctls other than GETEVENT.
    pub int_values: HashMap<c_ulong, c_int>,
    /// Ioctls that fail, with their errno.
    pub failing_ioctls: HashMap<c_ulong, i32>,
    /// The card is gone: everything gives ENODEV.
    pub removed: bool,
    pub bufinfo: Option<DahdiBufferInfo>,
    pub echocancel: Option<(u32, u32)>,
    pub poll_requests: Vec<i16>,
    /// Every call in order: "read", "write 12", "DAHDI_SET_BLOCKSIZE 160", ...
    pub calls: Vec<String>,
}

impl FakeDevice {
    pub fn new() -> Self {
        FakeDevice {
            specify_errno: None,
            params: DahdiParams::zeroed(),
            span_info: DahdiSpanInfo::zeroed(),
            events: VecDeque::new(),
            storm_event: None,
            rx: VecDeque::new(),
            written: Vec::new(),
            write_would_block: false,
            int_values: HashMap::new(),
            failing_ioctls: HashMap::new(),
            removed: false,
            bufinfo: None,
            echocancel: None,
            poll_requests: Vec::new(),
            calls: Vec::new(),
        }
    }

    pub fn with_sigtype(sigtype: i32) -> Self {
        let mut device = Self::new();
        device.params.sigtype = sigtype;
        device
    }

    /// The ioctls called, by C name, in order (reads, writes and polls left out).
    pub fn ioctls(&self) -> Vec<String> {
        self.calls
            .iter()
            .filter(|c| c.starts_with("DAHDI_"))
            .cloned()
            .collect()
    }

    fn check(&self, request: c_ulong) -> SysResult<()> {
        if self.removed {
            return Err(Errno(libc::ENODEV));
        }
        match self.failing_ioctls.get(&request) {
            Some(&errno) => Err(Errno(errno)),
            None => Ok(()),
        }
    }

    fn io_gate(&mut self) -> SysResult<()> {
        if self.removed {
            return Err(Errno(libc::ENODEV));
        }
        if let Some(code) = self.storm_event {
            self.events.push_back(code);
        }
        if !self.events.is_empty() {
            return Err(Errno(ELAST));
        }
        Ok(())
    }
}

impl DahdiDevice for FakeDevice {
    fn read(&mut self, buf: &mut [u8]) -> SysResult<usize> {
        self.calls.push("read".into());
        self.io_gate()?;
        let frame = self.rx.pop_front().ok_or(Errno(libc::EAGAIN))?;
        // A buffer shorter than the frame gets its start; the rest is lost (§4).
        let n = frame.len().min(buf.len());
        buf[..n].copy_from_slice(&frame[..n]);
        Ok(n)
    }

    fn write(&mut self, buf: &[u8]) -> SysResult<usize> {
        self.calls.push(format!("write {}", buf.len()));
        self.io_gate()?;
        if self.write_would_block {
            return Err(Errno(libc::EAGAIN));
        }
        self.written.push(buf.to_vec());
        Ok(buf.len())
    }

    fn ioctl_put_int(&mut self, request: c_ulong, value: c_int) -> SysResult<()> {
        self.calls.push(format!("{} {value}", ioctl_name(request)));
        self.check(request)?;
        if request == DAHDI_SPECIFY {
            if let Some(errno) = self.specify_errno {
                return Err(Errno(errno));
            }
            self.params.channo = value;
        }
        Ok(())
    }

    fn ioctl_get_int(&mut self, request: c_ulong) -> SysResult<c_int> {
        self.calls.push(ioctl_name(request).to_string());
        self.check(request)?;
        if request == DAHDI_GETEVENT {
            return Ok(self.events.pop_front().unwrap_or(DAHDI_EVENT_NONE));
        }
        Ok(*self.int_values.get(&request).unwrap_or(&0))
    }

    fn get_params(&mut self, params: &mut DahdiParams) -> SysResult<()> {
        self.calls
            .push(format!("DAHDI_GET_PARAMS {}", params.channo));
        self.check(DAHDI_GET_PARAMS)?;
        *params = self.params;
        Ok(())
    }

    fn span_stat(&mut self, info: &mut DahdiSpanInfo) -> SysResult<()> {
        let spanno = info.spanno;
        self.calls.push(format!("DAHDI_SPANSTAT {spanno}"));
        self.check(DAHDI_SPANSTAT)?;
        *info = self.span_info;
        Ok(())
    }

    fn set_bufinfo(&mut self, info: &DahdiBufferInfo) -> SysResult<()> {
        self.calls.push(format!(
            "DAHDI_SET_BUFINFO {}x{}",
            info.numbufs, info.bufsize
        ));
        self.check(DAHDI_SET_BUFINFO)?;
        self.bufinfo = Some(*info);
        Ok(())
    }

    fn get_bufinfo(&mut self) -> SysResult<DahdiBufferInfo> {
        self.calls.push("DAHDI_GET_BUFINFO".into());
        self.check(DAHDI_GET_BUFINFO)?;
        Ok(self.bufinfo.unwrap_or_else(DahdiBufferInfo::zeroed))
    }

    fn echocancel_params(
        &mut self,
        header: &DahdiEchoCanParams,
        params: &[DahdiEchoCanParam],
    ) -> SysResult<()> {
        self.calls
            .push(format!("DAHDI_ECHOCANCEL_PARAMS {}", header.tap_length));
        self.check(DAHDI_ECHOCANCEL_PARAMS)?;
        self.echocancel = Some((header.tap_length, params.len() as u32));
        Ok(())
    }

    fn poll(&mut self, events: i16, _timeout_ms: i32) -> SysResult<i16> {
        self.calls.push("poll".into());
        self.poll_requests.push(events);
        let mut revents = 0;
        if !self.events.is_empty() {
            revents |= libc::POLLPRI & events;
        }
        if !self.rx.is_empty() {
            revents |= libc::POLLIN & events;
        }
        if !self.write_would_block {
            revents |= libc::POLLOUT & events;
        }
        Ok(revents)
    }

    fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        None
    }
}
