//! [`DahdiFd`]: the real [`DahdiDevice`], a DAHDI device node opened with libc.

use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;

use libc::{c_int, c_ulong, c_void};

use super::abi::*;
use super::device::{DahdiDevice, SysResult};
use super::error::{DahdiError, Errno};

/// The generic channel selector: open it, then DAHDI_SPECIFY the channel number. This
/// works for every channel number (the per-channel nodes fail for channels 250, 253,
/// 254, 255 and are root-only in devtmpfs, §1.2).
pub const CHANNEL_DEVICE: &str = "/dev/dahdi/channel";
/// The control device: SPANSTAT by span number, span/channel configuration (§1.5).
pub const CTL_DEVICE: &str = "/dev/dahdi/ctl";

#[derive(Debug)]
pub struct DahdiFd {
    fd: OwnedFd,
}

impl DahdiFd {
    /// Opens a DAHDI node read-write, non-blocking (every wait is a poll with POLLPRI),
    /// close-on-exec.
    pub fn open(path: &Path) -> Result<Self, DahdiError> {
        let c_path = CString::new(path.as_os_str().as_encoded_bytes()).map_err(|_| {
            DahdiError::DeviceOpen {
                path: path.to_path_buf(),
                errno: Errno(libc::EINVAL),
            }
        })?;
        // SAFETY: c_path is a valid NUL-terminated string.
        let fd = unsafe {
            libc::open(
                c_path.as_ptr(),
                libc::O_RDWR | libc::O_NONBLOCK | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(DahdiError::DeviceOpen {
                path: path.to_path_buf(),
                errno: Errno::last(),
            });
        }
        // SAFETY: fd was just returned by open() and is owned by nobody else.
        Ok(DahdiFd {
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    fn ioctl_ptr(&mut self, request: c_ulong, arg: *mut c_void) -> SysResult<c_int> {
        // SAFETY: callers pass a pointer to a live value of the type `request` encodes.
        let rc = unsafe { libc::ioctl(self.fd.as_raw_fd(), request, arg) };
        if rc < 0 {
            Err(Errno::last())
        } else {
            Ok(rc)
        }
    }
}

impl AsRawFd for DahdiFd {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl DahdiDevice for DahdiFd {
    fn read(&mut self, buf: &mut [u8]) -> SysResult<usize> {
        // SAFETY: buf is valid for buf.len() bytes.
        let n = unsafe { libc::read(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            Err(Errno::last())
        } else {
            Ok(n as usize)
        }
    }

    fn write(&mut self, buf: &[u8]) -> SysResult<usize> {
        // SAFETY: buf is valid for buf.len() bytes.
        let n = unsafe { libc::write(self.fd.as_raw_fd(), buf.as_ptr().cast(), buf.len()) };
        if n < 0 {
            Err(Errno::last())
        } else {
            Ok(n as usize)
        }
    }

    fn ioctl_put_int(&mut self, request: c_ulong, value: c_int) -> SysResult<()> {
        let mut value = value;
        self.ioctl_ptr(request, (&mut value as *mut c_int).cast())
            .map(|_| ())
    }

    fn ioctl_get_int(&mut self, request: c_ulong) -> SysResult<c_int> {
        let mut value: c_int = 0;
        self.ioctl_ptr(request, (&mut value as *mut c_int).cast())?;
        Ok(value)
    }

    fn get_params(&mut self, params: &mut DahdiParams) -> SysResult<()> {
        self.ioctl_ptr(DAHDI_GET_PARAMS, (params as *mut DahdiParams).cast())
            .map(|_| ())
    }

    fn span_stat(&mut self, info: &mut DahdiSpanInfo) -> SysResult<()> {
        self.ioctl_ptr(DAHDI_SPANSTAT, (info as *mut DahdiSpanInfo).cast())
            .map(|_| ())
    }

    fn set_bufinfo(&mut self, info: &DahdiBufferInfo) -> SysResult<()> {
        let mut copy = *info;
        self.ioctl_ptr(
            DAHDI_SET_BUFINFO,
            (&mut copy as *mut DahdiBufferInfo).cast(),
        )
        .map(|_| ())
    }

    fn get_bufinfo(&mut self) -> SysResult<DahdiBufferInfo> {
        let mut info = DahdiBufferInfo::zeroed();
        self.ioctl_ptr(
            DAHDI_GET_BUFINFO,
            (&mut info as *mut DahdiBufferInfo).cast(),
        )?;
        Ok(info)
    }

    fn echocancel_params(
        &mut self,
        header: &DahdiEchoCanParams,
        params: &[DahdiEchoCanParam],
    ) -> SysResult<()> {
        let mut buffer = echocancel_buffer(header, params);
        self.ioctl_ptr(DAHDI_ECHOCANCEL_PARAMS, buffer.as_mut_ptr().cast())
            .map(|_| ())
    }

    fn poll(&mut self, events: i16, timeout_ms: i32) -> SysResult<i16> {
        let mut pollfd = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events,
            revents: 0,
        };
        loop {
            // SAFETY: one valid pollfd.
            let rc = unsafe { libc::poll(&mut pollfd, 1, timeout_ms) };
            if rc >= 0 {
                return Ok(pollfd.revents);
            }
            let errno = Errno::last();
            if errno.0 != libc::EINTR {
                return Err(errno);
            }
        }
    }

    fn raw_fd(&self) -> Option<RawFd> {
        Some(self.fd.as_raw_fd())
    }
}

/// The DAHDI_ECHOCANCEL_PARAMS argument: the 8-byte header, then `param_count` 20-byte
/// entries right behind it (user.h flexible array `params[0]`, §1.4 step 6). Held in u32
/// words so that the buffer is aligned for both structs (sizes are multiples of 4).
pub fn echocancel_buffer(header: &DahdiEchoCanParams, params: &[DahdiEchoCanParam]) -> Vec<u32> {
    let header_len = std::mem::size_of::<DahdiEchoCanParams>();
    let params_len = std::mem::size_of_val(params);
    let mut buffer = vec![0u32; (header_len + params_len).div_ceil(4)];
    let bytes = buffer.as_mut_ptr().cast::<u8>();
    // SAFETY: buffer holds header_len + params_len bytes; both sources are plain data.
    unsafe {
        std::ptr::copy_nonoverlapping(
            (header as *const DahdiEchoCanParams).cast::<u8>(),
            bytes,
            header_len,
        );
        std::ptr::copy_nonoverlapping(
            params.as_ptr().cast::<u8>(),
            bytes.add(header_len),
            params_len,
        );
    }
    buffer
}
