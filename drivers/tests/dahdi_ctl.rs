//! The ctl device (dahdi.md §1.5, §9.1): what each configuration call hands the kernel,
//! and refusals named by span, channel or dynamic span.

use std::path::Path;

use cti_drivers::dahdi::abi::*;
use cti_drivers::dahdi::ctl::{fill_c_string, Ctl, CtlDevice};
use cti_drivers::dahdi::device::SysResult;
use cti_drivers::dahdi::span::c_string;
use cti_drivers::dahdi::{DahdiError, Errno};
use libc::{c_int, c_ulong};

#[derive(Default)]
struct FakeCtl {
    calls: Vec<String>,
    fail_with: Option<i32>,
    next_spanno: c_int,
}

impl FakeCtl {
    fn result(&self) -> SysResult<()> {
        self.fail_with.map_or(Ok(()), |errno| Err(Errno(errno)))
    }
}

impl CtlDevice for FakeCtl {
    fn span_config(&mut self, line: &DahdiLineConfig) -> SysResult<()> {
        self.calls.push(format!(
            "SPANCONFIG span={} lbo={} lineconfig=0x{:X} sync={}",
            line.span, line.lbo, line.lineconfig, line.sync
        ));
        self.result()
    }
    fn chan_config(&mut self, chan: &DahdiChanConfig) -> SysResult<()> {
        self.calls.push(format!(
            "CHANCONFIG chan={} sigtype=0x{:X} deflaw={} idlebits={}",
            chan.chan, chan.sigtype, chan.deflaw, chan.idlebits
        ));
        self.result()
    }
    fn dynamic_create(&mut self, span: &mut DahdiDynamicSpan) -> SysResult<()> {
        self.calls.push(format!(
            "DYNAMIC_CREATE {}/{} numchans={} timing={}",
            c_string(&span.driver),
            c_string(&span.addr),
            span.numchans,
            span.timing
        ));
        self.result()?;
        span.spanno = self.next_spanno;
        Ok(())
    }
    fn dynamic_destroy(&mut self, span: &DahdiDynamicSpan) -> SysResult<()> {
        self.calls.push(format!(
            "DYNAMIC_DESTROY {}/{}",
            c_string(&span.driver),
            c_string(&span.addr)
        ));
        self.result()
    }
    fn attach_echocan(&mut self, attach: &DahdiAttachEchocan) -> SysResult<()> {
        self.calls.push(format!(
            "ATTACH_ECHOCAN chan={} echocan={:?}",
            attach.chan,
            c_string(&attach.echocan)
        ));
        self.result()
    }
    fn version(&mut self) -> SysResult<DahdiVersionInfo> {
        self.result()?;
        let mut info = DahdiVersionInfo::zeroed();
        fill_c_string(&mut info.version, "2.11.1.0.20170917").unwrap();
        fill_c_string(&mut info.echo_canceller, "").unwrap();
        Ok(info)
    }
    fn span_command(&mut self, request: c_ulong, spanno: c_int) -> SysResult<()> {
        let name = if request == DAHDI_STARTUP {
            "STARTUP"
        } else {
            "SHUTDOWN"
        };
        self.calls.push(format!("{name} {spanno}"));
        self.result()
    }
}

#[test]
fn a_loopback_pair_is_configured_as_dahdi_cfg_would() {
    // Two dahdi_dynamic_loc spans, PRI layout: timing 0 on every loc span (§9.1).
    let mut ctl = Ctl::new(FakeCtl {
        next_spanno: 0,
        ..Default::default()
    });
    assert_eq!(
        ctl.create_dynamic_span("loc", "1:0", 31, 0).unwrap(),
        0,
        "unassigned under auto_assign_spans=0"
    );
    ctl.configure_span(
        1,
        0,
        DAHDI_CONFIG_CCS | DAHDI_CONFIG_HDB3 | DAHDI_CONFIG_CRC4,
        0,
    )
    .unwrap();
    ctl.configure_channel(1, DAHDI_SIG_CLEAR, DAHDI_LAW_ALAW, 0)
        .unwrap();
    ctl.configure_channel(16, DAHDI_SIG_HDLCFCS, DAHDI_LAW_DEFAULT, 0)
        .unwrap();
    ctl.configure_channel(17, DAHDI_SIG_CAS, DAHDI_LAW_ALAW, 0b1101)
        .unwrap();
    ctl.attach_echo_canceller(1, "").unwrap();
    ctl.start_span(1).unwrap();
    ctl.shut_down_span(1).unwrap();
    ctl.destroy_dynamic_span("loc", "1:0", 31).unwrap();
    assert_eq!(
        ctl.device().calls,
        [
            "DYNAMIC_CREATE loc/1:0 numchans=31 timing=0",
            "SPANCONFIG span=1 lbo=0 lineconfig=0x700 sync=0",
            "CHANCONFIG chan=1 sigtype=0x80 deflaw=2 idlebits=0",
            "CHANCONFIG chan=16 sigtype=0x380 deflaw=0 idlebits=0",
            "CHANCONFIG chan=17 sigtype=0x8000 deflaw=2 idlebits=13",
            "ATTACH_ECHOCAN chan=1 echocan=\"\"",
            "STARTUP 1",
            "SHUTDOWN 1",
            "DYNAMIC_DESTROY loc/1:0",
        ]
    );
    assert_eq!(
        ctl.version().unwrap(),
        ("2.11.1.0.20170917".to_string(), String::new())
    );
}

#[test]
fn kernel_refusals_name_what_was_being_configured() {
    let mut ctl = Ctl::new(FakeCtl {
        fail_with: Some(libc::EINVAL),
        ..Default::default()
    });
    let error = ctl
        .configure_channel(16, DAHDI_SIG_HARDHDLC, 0, 0)
        .unwrap_err();
    assert_eq!(
        error,
        DahdiError::CtlIoctl {
            target: "channel 16".into(),
            request: "DAHDI_CHANCONFIG",
            errno: Errno(libc::EINVAL)
        }
    );
    assert!(
        error
            .to_string()
            .starts_with("DAHDI channel 16: ioctl DAHDI_CHANCONFIG failed: "),
        "{error}"
    );
    let error = ctl.configure_span(3, 0, 0x700, 1).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("DAHDI span 3: ioctl DAHDI_SPANCONFIG failed"),
        "{error}"
    );
    let error = ctl.create_dynamic_span("loc", "2:1", 31, 0).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("DAHDI dynamic span loc/2:1: ioctl DAHDI_DYNAMIC_CREATE failed"),
        "{error}"
    );
}

#[test]
fn arguments_that_would_be_truncated_are_refused_before_the_kernel() {
    let mut ctl = Ctl::new(FakeCtl::default());
    let error = ctl
        .attach_echo_canceller(1, "a-very-long-echo-canceller")
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "DAHDI channel 1: echo canceller name \"a-very-long-echo-canceller\" is longer than 15 bytes"
    );
    let long_address = "x".repeat(40);
    let error = ctl
        .create_dynamic_span("eth", &long_address, 31, 1)
        .unwrap_err();
    assert!(
        error.to_string().ends_with("is longer than 39 bytes"),
        "{error}"
    );
    let error = ctl.create_dynamic_span("loc", "1:0", 256, 0).unwrap_err();
    assert_eq!(
        error.to_string(),
        "DAHDI dynamic span loc/1:0: 256 channels: a dynamic span has 1..=255 (§9.1)"
    );
    assert!(ctl.device().calls.is_empty());
}

#[test]
fn the_real_ctl_path_reports_a_non_dahdi_node() {
    let mut ctl = Ctl::open_at(Path::new("/dev/null")).unwrap();
    let error = ctl.version().unwrap_err();
    assert_eq!(
        error,
        DahdiError::CtlIoctl {
            target: "ctl".into(),
            request: "DAHDI_GETVERSION",
            errno: Errno(libc::ENOTTY)
        }
    );
    let missing = Ctl::open_at(Path::new("/nonexistent/dahdi/ctl")).unwrap_err();
    assert!(matches!(
        missing,
        DahdiError::DeviceOpen {
            errno: Errno(libc::ENOENT),
            ..
        }
    ));
}
