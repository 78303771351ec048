//! The `dahdi` backend: real E1/BRI cards through the DAHDI kernel driver.
//! Section numbers (§) refer to shared/docs/research/dahdi.md.
//!
//! Layers, bottom up:
//! - `abi`: ioctl numbers, structs, constants (checked against user.h by tests/abi_check.rs);
//! - `device`: the fd boundary (`DahdiDevice`), real in `fd` (libc), fake in tests;
//! - `channel`: SPECIFY with clear errors, ELAST drain-and-retry, POLLPRI waits, events;
//! - `dchan`, `bchan`, `cas`: signalling frames, audio blocks, ABCD bits;
//! - `span`, `procfs`, `sysfs`: alarm bits and counters (SPANSTAT, /proc slips, sysfs);
//! - `ctl`: span/channel configuration through /dev/dahdi/ctl (dynamic spans for CI);
//! - `clock`, `uevent`, `backend`: the `Backend` implementation (trunk clock counted in
//!   pseudo-channel blocks, hotplug from kernel uevents);
//! - `bench`: the behaviour suite's bench on `dahdi_dynamic_loc` loopback spans.

pub mod abi;
pub mod abi_macros;
pub mod backend;
pub mod bchan;
pub mod bench;
pub mod clock;
pub mod cas;
pub mod channel;
pub mod ctl;
pub mod dchan;
pub mod device;
pub mod error;
pub mod event;
pub mod fd;
pub mod poll;
pub mod procfs;
pub mod span;
pub mod sysfs;
pub mod uevent;

pub use channel::Channel;
pub use error::{DahdiError, Errno};
pub use event::DahdiEvent;

/// DAHDI's name for a signalling type (as `/proc/dahdi/N` prints it), for messages.
pub fn signalling_name(sigtype: i32) -> &'static str {
    use abi::*;
    match sigtype {
        DAHDI_SIG_NONE => "Unconfigured",
        DAHDI_SIG_CLEAR => "Clear",
        DAHDI_SIG_HDLCRAW => "HDLCRAW",
        DAHDI_SIG_HDLCFCS => "HDLCFCS",
        DAHDI_SIG_HDLCNET => "HDLCNET",
        DAHDI_SIG_HARDHDLC => "Hardware-assisted HDLC",
        DAHDI_SIG_MTP2 => "MTP2",
        DAHDI_SIG_CAS => "CAS",
        DAHDI_SIG_EM => "E&M",
        DAHDI_SIG_EM_E1 => "E&M-E1",
        DAHDI_SIG_SLAVE => "Slave",
        DAHDI_SIG_DACS => "DACS",
        DAHDI_SIG_DACS_RBS => "DACS+RBS",
        DAHDI_SIG_SF => "SF (ToneOnly)",
        DAHDI_SIG_FXSLS | DAHDI_SIG_FXSGS | DAHDI_SIG_FXSKS => "FXS",
        DAHDI_SIG_FXOLS | DAHDI_SIG_FXOGS | DAHDI_SIG_FXOKS => "FXO",
        _ => "unknown",
    }
}
