//! `/dev/dahdi/ctl`: span and channel configuration (§1.5), in dahdi_cfg's order when a
//! caller applies a whole configuration (§6.1: DYNAMIC_DESTROY/SPANCONFIG, DYNAMIC_CREATE,
//! CHANCONFIG + ATTACH_ECHOCAN per channel, STARTUP). The daemon normally leaves this to
//! dahdi_cfg; the real-kernel CI stage (QEMU, §9.3) uses it to build `dahdi_dynamic_loc`
//! loopback spans without dahdi-tools in the guest.

use std::path::Path;

use libc::{c_char, c_int, c_ulong, c_void};

use super::abi::*;
use super::device::SysResult;
use super::error::{DahdiError, Errno};
use super::fd::{DahdiFd, CTL_DEVICE};

/// The ctl-device system calls, so that tests can stand in for the kernel.
pub trait CtlDevice {
    fn span_config(&mut self, line: &DahdiLineConfig) -> SysResult<()>;
    fn chan_config(&mut self, chan: &DahdiChanConfig) -> SysResult<()>;
    /// Fills `span.spanno` (0 while Debian's auto_assign_spans=0 leaves it unassigned, §7.1).
    fn dynamic_create(&mut self, span: &mut DahdiDynamicSpan) -> SysResult<()>;
    fn dynamic_destroy(&mut self, span: &DahdiDynamicSpan) -> SysResult<()>;
    fn attach_echocan(&mut self, attach: &DahdiAttachEchocan) -> SysResult<()>;
    fn version(&mut self) -> SysResult<DahdiVersionInfo>;
    /// STARTUP / SHUTDOWN by span number.
    fn span_command(&mut self, request: c_ulong, spanno: c_int) -> SysResult<()>;
}

impl DahdiFd {
    fn ctl_ioctl<T>(&mut self, request: c_ulong, arg: *mut T) -> SysResult<()> {
        use std::os::fd::AsRawFd;
        // SAFETY: `arg` points to a live value of the type `request` encodes.
        let rc = unsafe { libc::ioctl(self.as_raw_fd(), request, arg.cast::<c_void>()) };
        if rc < 0 {
            Err(Errno::last())
        } else {
            Ok(())
        }
    }
}

impl CtlDevice for DahdiFd {
    fn span_config(&mut self, line: &DahdiLineConfig) -> SysResult<()> {
        let mut copy = *line;
        self.ctl_ioctl(DAHDI_SPANCONFIG, &mut copy)
    }
    fn chan_config(&mut self, chan: &DahdiChanConfig) -> SysResult<()> {
        let mut copy = *chan;
        self.ctl_ioctl(DAHDI_CHANCONFIG, &mut copy)
    }
    fn dynamic_create(&mut self, span: &mut DahdiDynamicSpan) -> SysResult<()> {
        self.ctl_ioctl(DAHDI_DYNAMIC_CREATE, span)
    }
    fn dynamic_destroy(&mut self, span: &DahdiDynamicSpan) -> SysResult<()> {
        let mut copy = *span;
        self.ctl_ioctl(DAHDI_DYNAMIC_DESTROY, &mut copy)
    }
    fn attach_echocan(&mut self, attach: &DahdiAttachEchocan) -> SysResult<()> {
        let mut copy = *attach;
        self.ctl_ioctl(DAHDI_ATTACH_ECHOCAN, &mut copy)
    }
    fn version(&mut self) -> SysResult<DahdiVersionInfo> {
        let mut info = DahdiVersionInfo::zeroed();
        self.ctl_ioctl(DAHDI_GETVERSION, &mut info)?;
        Ok(info)
    }
    fn span_command(&mut self, request: c_ulong, spanno: c_int) -> SysResult<()> {
        let mut value = spanno;
        self.ctl_ioctl(request, &mut value)
    }
}

/// Copies `text` into a C char array, NUL-terminated; None if it does not fit.
pub fn fill_c_string(target: &mut [c_char], text: &str) -> Option<()> {
    if text.len() >= target.len() || text.contains('\0') {
        return None;
    }
    target.fill(0);
    for (slot, byte) in target.iter_mut().zip(text.bytes()) {
        *slot = byte as c_char;
    }
    Some(())
}

/// The control device.
#[derive(Debug)]
pub struct Ctl<D: CtlDevice> {
    device: D,
}

impl Ctl<DahdiFd> {
    pub fn open() -> Result<Self, DahdiError> {
        Self::open_at(Path::new(CTL_DEVICE))
    }

    pub fn open_at(path: &Path) -> Result<Self, DahdiError> {
        Ok(Ctl {
            device: DahdiFd::open(path)?,
        })
    }
}

fn ctl_error(target: String, request: &'static str, errno: Errno) -> DahdiError {
    DahdiError::CtlIoctl {
        target,
        request,
        errno,
    }
}

fn too_long(target: String, what: &str, text: &str, capacity: usize) -> DahdiError {
    DahdiError::CtlArgument {
        target,
        message: format!("{what} {text:?} is longer than {} bytes", capacity - 1),
    }
}

impl<D: CtlDevice> Ctl<D> {
    pub fn new(device: D) -> Self {
        Ctl { device }
    }

    pub fn device(&self) -> &D {
        &self.device
    }

    /// DAHDI_GETVERSION: (DAHDI version, compiled-in echo cancellers).
    pub fn version(&mut self) -> Result<(String, String), DahdiError> {
        let info = self
            .device
            .version()
            .map_err(|e| ctl_error("ctl".into(), "DAHDI_GETVERSION", e))?;
        Ok((
            super::span::c_string(&info.version),
            super::span::c_string(&info.echo_canceller),
        ))
    }

    /// SPANCONFIG: line settings of a span (system.conf `span=`; lineconfig bits §2.2;
    /// `sync` = timing priority, 0 never a clock source).
    pub fn configure_span(
        &mut self,
        spanno: i32,
        lbo: i32,
        lineconfig: i32,
        sync: i32,
    ) -> Result<(), DahdiError> {
        let mut line = DahdiLineConfig::zeroed();
        line.span = spanno;
        line.lbo = lbo;
        line.lineconfig = lineconfig;
        line.sync = sync;
        self.device
            .span_config(&line)
            .map_err(|e| ctl_error(format!("span {spanno}"), "DAHDI_SPANCONFIG", e))
    }

    /// CHANCONFIG: a channel's signalling (EINVAL when the span cannot do it, e.g.
    /// hardhdlc on a dynamic span, §4). `idlebits` is the CAS idle nibble.
    pub fn configure_channel(
        &mut self,
        channo: i32,
        sigtype: i32,
        deflaw: i32,
        idlebits: i32,
    ) -> Result<(), DahdiError> {
        let mut chan = DahdiChanConfig::zeroed();
        chan.chan = channo;
        chan.sigtype = sigtype;
        chan.deflaw = deflaw;
        chan.idlebits = idlebits;
        self.device
            .chan_config(&chan)
            .map_err(|e| ctl_error(format!("channel {channo}"), "DAHDI_CHANCONFIG", e))
    }

    /// ATTACH_ECHOCAN: which canceller DAHDI uses on a channel; "" attaches none.
    pub fn attach_echo_canceller(&mut self, channo: i32, name: &str) -> Result<(), DahdiError> {
        let mut attach = DahdiAttachEchocan::zeroed();
        attach.chan = channo;
        let capacity = attach.echocan.len();
        fill_c_string(&mut attach.echocan, name).ok_or_else(|| {
            too_long(
                format!("channel {channo}"),
                "echo canceller name",
                name,
                capacity,
            )
        })?;
        self.device
            .attach_echocan(&attach)
            .map_err(|e| ctl_error(format!("channel {channo}"), "DAHDI_ATTACH_ECHOCAN", e))
    }

    fn dynamic_span(
        driver: &str,
        address: &str,
        numchans: i32,
        timing: i32,
    ) -> Result<DahdiDynamicSpan, DahdiError> {
        let target = || format!("dynamic span {driver}/{address}");
        let mut span = DahdiDynamicSpan::zeroed();
        let driver_capacity = span.driver.len();
        let address_capacity = span.addr.len();
        fill_c_string(&mut span.driver, driver)
            .ok_or_else(|| too_long(target(), "driver", driver, driver_capacity))?;
        fill_c_string(&mut span.addr, address)
            .ok_or_else(|| too_long(target(), "address", address, address_capacity))?;
        if !(1..=255).contains(&numchans) {
            return Err(DahdiError::CtlArgument {
                target: target(),
                message: format!("{numchans} channels: a dynamic span has 1..=255 (§9.1)"),
            });
        }
        span.numchans = numchans;
        span.timing = timing;
        Ok(span)
    }

    /// DYNAMIC_CREATE; returns the span number (0 while unassigned, §7.1). Loopback
    /// (`loc`) spans need timing 0, or they stop each other's clock (§9.1).
    pub fn create_dynamic_span(
        &mut self,
        driver: &str,
        address: &str,
        numchans: i32,
        timing: i32,
    ) -> Result<i32, DahdiError> {
        let mut span = Self::dynamic_span(driver, address, numchans, timing)?;
        self.device.dynamic_create(&mut span).map_err(|e| {
            ctl_error(
                format!("dynamic span {driver}/{address}"),
                "DAHDI_DYNAMIC_CREATE",
                e,
            )
        })?;
        Ok(span.spanno)
    }

    pub fn destroy_dynamic_span(
        &mut self,
        driver: &str,
        address: &str,
        numchans: i32,
    ) -> Result<(), DahdiError> {
        let span = Self::dynamic_span(driver, address, numchans, 0)?;
        self.device.dynamic_destroy(&span).map_err(|e| {
            ctl_error(
                format!("dynamic span {driver}/{address}"),
                "DAHDI_DYNAMIC_DESTROY",
                e,
            )
        })
    }

    /// STARTUP: 0 at once if the span already runs (§2).
    pub fn start_span(&mut self, spanno: i32) -> Result<(), DahdiError> {
        self.device
            .span_command(DAHDI_STARTUP, spanno)
            .map_err(|e| ctl_error(format!("span {spanno}"), "DAHDI_STARTUP", e))
    }

    /// SHUTDOWN: also unconfigures every channel of the span (sig 0, §2, §9.4).
    pub fn shut_down_span(&mut self, spanno: i32) -> Result<(), DahdiError> {
        self.device
            .span_command(DAHDI_SHUTDOWN, spanno)
            .map_err(|e| ctl_error(format!("span {spanno}"), "DAHDI_SHUTDOWN", e))
    }
}
