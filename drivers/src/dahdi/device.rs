//! The file-descriptor boundary of the `dahdi` backend: every system call the backend
//! makes on a DAHDI fd goes through [`DahdiDevice`]. The real implementation is
//! [`super::fd::DahdiFd`] (libc); tests use a fake that imitates the measured kernel
//! behaviour (errno 500 while events are pending, one frame per read, ...), so that the
//! logic above this trait is tested without a card.

use libc::{c_int, c_ulong};

use super::abi::{
    DahdiBufferInfo, DahdiEchoCanParam, DahdiEchoCanParams, DahdiParams, DahdiSpanInfo,
};
use super::error::Errno;

pub type SysResult<T> = Result<T, Errno>;

pub trait DahdiDevice {
    /// read(2): one block (B-channel) or one whole frame with its 2 FCS bytes (D-channel).
    fn read(&mut self, buf: &mut [u8]) -> SysResult<usize>;
    /// write(2): one block, or one frame followed by 2 placeholder FCS bytes.
    fn write(&mut self, buf: &[u8]) -> SysResult<usize>;
    /// An ioctl whose argument is one `int` given to the kernel (SPECIFY, SET_BLOCKSIZE,
    /// AUDIOMODE, BUFFER_EVENTS, SETTXBITS, ...).
    fn ioctl_put_int(&mut self, request: c_ulong, value: c_int) -> SysResult<()>;
    /// An ioctl whose argument is one `int` the kernel fills (GETEVENT, GETRXBITS, ...).
    fn ioctl_get_int(&mut self, request: c_ulong) -> SysResult<c_int>;
    /// DAHDI_GET_PARAMS; `params.channo` selects the channel (0 = this fd's).
    fn get_params(&mut self, params: &mut DahdiParams) -> SysResult<()>;
    /// DAHDI_SPANSTAT; `info.spanno` selects the span (0 = this fd's).
    fn span_stat(&mut self, info: &mut DahdiSpanInfo) -> SysResult<()>;
    fn set_bufinfo(&mut self, info: &DahdiBufferInfo) -> SysResult<()>;
    fn get_bufinfo(&mut self) -> SysResult<DahdiBufferInfo>;
    /// DAHDI_ECHOCANCEL_PARAMS: the header followed in memory by `params`.
    fn echocancel_params(
        &mut self,
        header: &DahdiEchoCanParams,
        params: &[DahdiEchoCanParam],
    ) -> SysResult<()>;
    /// poll(2) on this fd alone: returns the revents bits.
    fn poll(&mut self, events: i16, timeout_ms: i32) -> SysResult<i16>;
    /// The raw fd, for polling many channels at once ([`super::poll::PollSet`]); None for fakes.
    fn raw_fd(&self) -> Option<std::os::fd::RawFd>;
}
