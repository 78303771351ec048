//! The DAHDI user ABI we use, x86_64: ioctl numbers, struct layouts, constants, event
//! codes and alarm bits, mirrored from `include/dahdi/user.h` (Debian `dahdi-source`,
//! `/usr/include/dahdi/user.h`; byte-identical to upstream dahdi-linux up to 3.4, see
//! dahdi.md §0 "U"). Section numbers (§) refer to shared/docs/research/dahdi.md.
//!
//! Every item here is compared with the real header by `drivers/tests/abi_check.rs`.
//! Names are the C names so that a grep through the header and through Asterisk finds them.
//!
//! Deliberately absent: `DAHDI_SETLINEAR` (channels stay law-coded; all G.711 is ours,
//! DAHDI's mu-law encoder differs from G.191, issue 3), the tone-zone, dial, conference
//! and gain ioctls (tones and mixing are ours), and the device minors (kernel.h only; we
//! always open `/dev/dahdi/channel` + `DAHDI_SPECIFY`, §1.2).
#![allow(non_upper_case_globals)]

use core::mem::size_of;
use libc::{c_char, c_int, c_ulong};

use super::abi_macros::{c_constants, c_struct, AbiItem, CLayout};

// ---------------------------------------------------------------------------------------
// Ioctl number encoding (Linux asm-generic/ioctl.h, used on x86_64): nr bits 0-7, type
// bits 8-15, size bits 16-29, direction bits 30-31 (WRITE=1, READ=2). §2.
// ---------------------------------------------------------------------------------------

const IOC_NONE: u32 = 0;
const IOC_WRITE: u32 = 1;
const IOC_READ: u32 = 2;

const fn ioc(direction: u32, nr: u32, size: usize) -> c_ulong {
    ((direction << 30) | ((size as u32) << 16) | ((DAHDI_CODE as u32) << 8) | nr) as c_ulong
}
const fn io(nr: u32) -> c_ulong {
    ioc(IOC_NONE, nr, 0)
}
const fn ior<T>(nr: u32) -> c_ulong {
    ioc(IOC_READ, nr, size_of::<T>())
}
const fn iow<T>(nr: u32) -> c_ulong {
    ioc(IOC_WRITE, nr, size_of::<T>())
}
const fn iowr<T>(nr: u32) -> c_ulong {
    ioc(IOC_READ | IOC_WRITE, nr, size_of::<T>())
}

// ---------------------------------------------------------------------------------------
// Structs (§2.1, measured offsets). Field names are the C names.
// ---------------------------------------------------------------------------------------

c_struct! {
    /// `struct dahdi_params`, 136 bytes (§2.1). On clear/HDLC channels rxbits, txbits,
    /// txhooksig and rxhooksig read back as -1.
    #[repr(C)]
    pub struct DahdiParams = "dahdi_params" {
        pub channo: c_int,
        pub spanno: c_int,
        pub chanpos: c_int,
        pub sigtype: c_int,
        pub sigcap: c_int,
        pub rxisoffhook: c_int,
        pub rxbits: c_int,
        pub txbits: c_int,
        pub txhooksig: c_int,
        pub rxhooksig: c_int,
        pub curlaw: c_int,
        pub idlebits: c_int,
        pub name: [c_char; 40],
        pub prewinktime: c_int,
        pub preflashtime: c_int,
        pub winktime: c_int,
        pub flashtime: c_int,
        pub starttime: c_int,
        pub rxwinktime: c_int,
        pub rxflashtime: c_int,
        pub debouncetime: c_int,
        pub pulsebreaktime: c_int,
        pub pulsemaketime: c_int,
        pub pulseaftertime: c_int,
        pub chan_alarms: u32,
    }
}

c_struct! {
    /// `struct dahdi_spaninfo`, 314 bytes, `__attribute__((packed))` (§2.1). Alarm bits
    /// and the error counters of §3.5; `spanno = 0` asks for the fd's own span.
    #[repr(C, packed)]
    pub struct DahdiSpanInfo = "dahdi_spaninfo" {
        pub spanno: c_int,
        pub name: [c_char; 20],
        pub desc: [c_char; 40],
        pub alarms: c_int,
        pub txlevel: c_int,
        pub rxlevel: c_int,
        pub bpvcount: c_int,
        pub crc4count: c_int,
        pub ebitcount: c_int,
        pub fascount: c_int,
        pub fecount: u32,
        pub cvcount: u32,
        pub becount: u32,
        pub prbs: u32,
        pub errsec: u32,
        pub irqmisses: c_int,
        pub syncsrc: c_int,
        pub numchans: c_int,
        pub totalchans: c_int,
        pub totalspans: c_int,
        pub lbo: c_int,
        pub lineconfig: c_int,
        pub lboname: [c_char; 40],
        pub location: [c_char; 40],
        pub manufacturer: [c_char; 40],
        pub devicetype: [c_char; 40],
        pub irq: c_int,
        pub linecompat: c_int,
        pub spantype: [c_char; 6],
    }
}

c_struct! {
    /// `struct dahdi_maintinfo`, 8 bytes (§2.1): `DAHDI_MAINT` argument.
    #[repr(C)]
    pub struct DahdiMaintInfo = "dahdi_maintinfo" {
        pub spanno: c_int,
        pub command: c_int,
    }
}

c_struct! {
    /// `struct dahdi_lineconfig`, 36 bytes (§2.1): `DAHDI_SPANCONFIG` argument.
    #[repr(C)]
    pub struct DahdiLineConfig = "dahdi_lineconfig" {
        pub span: c_int,
        pub name: [c_char; 20],
        pub lbo: c_int,
        pub lineconfig: c_int,
        pub sync: c_int,
    }
}

c_struct! {
    /// `struct dahdi_chanconfig`, 76 bytes (§2.1): `DAHDI_CHANCONFIG` argument.
    #[repr(C)]
    pub struct DahdiChanConfig = "dahdi_chanconfig" {
        pub chan: c_int,
        pub name: [c_char; 40],
        pub sigtype: c_int,
        pub deflaw: c_int,
        pub master: c_int,
        pub idlebits: c_int,
        pub netdev_name: [c_char; 16],
    }
}

c_struct! {
    /// `struct dahdi_bufferinfo`, 24 bytes (§2.1): GET/SET_BUFINFO. readbufs and
    /// writebufs always read back -1 [measured].
    #[repr(C)]
    pub struct DahdiBufferInfo = "dahdi_bufferinfo" {
        pub txbufpolicy: c_int,
        pub rxbufpolicy: c_int,
        pub numbufs: c_int,
        pub bufsize: c_int,
        pub readbufs: c_int,
        pub writebufs: c_int,
    }
}

c_struct! {
    /// `struct dahdi_echocanparams`, 8 bytes, followed in memory by `param_count`
    /// [`DahdiEchoCanParam`]s (§1.4 step 6). `tap_length = 0` switches the canceller off.
    #[repr(C)]
    pub struct DahdiEchoCanParams = "dahdi_echocanparams" {
        pub tap_length: u32,
        pub param_count: u32,
    }
}

c_struct! {
    /// `struct dahdi_echocanparam`, 20 bytes (§2.1).
    #[repr(C)]
    pub struct DahdiEchoCanParam = "dahdi_echocanparam" {
        pub name: [c_char; 16],
        pub value: i32,
    }
}

c_struct! {
    /// `struct dahdi_versioninfo`, 160 bytes (§2): `DAHDI_GETVERSION`.
    #[repr(C)]
    pub struct DahdiVersionInfo = "dahdi_versioninfo" {
        pub version: [c_char; 80],
        pub echo_canceller: [c_char; 80],
    }
}

c_struct! {
    /// `struct dahdi_attach_echocan`, 20 bytes (§2): ctl `DAHDI_ATTACH_ECHOCAN`.
    #[repr(C)]
    pub struct DahdiAttachEchocan = "dahdi_attach_echocan" {
        pub chan: c_int,
        pub echocan: [c_char; 16],
    }
}

c_struct! {
    /// `struct dahdi_dynamic_span`, 72 bytes (§2): DYNAMIC_CREATE/DESTROY, used by the
    /// QEMU real-kernel stage to build `dahdi_dynamic_loc` loopback spans (§9.1, §9.3).
    #[repr(C)]
    pub struct DahdiDynamicSpan = "dahdi_dynamic_span" {
        pub driver: [c_char; 20],
        pub addr: [c_char; 40],
        pub numchans: c_int,
        pub timing: c_int,
        pub spanno: c_int,
    }
}

// ---------------------------------------------------------------------------------------
// Ioctls (§2 table; all on a channel fd unless marked ctl).
// ---------------------------------------------------------------------------------------

c_constants! {
    /// Every ioctl number used, by C name.
    IOCTLS: c_ulong {
        DAHDI_GET_BLOCKSIZE = ior::<c_int>(1);
        /// 16..=8192 bytes, EINVAL outside (§1.4 step 2).
        DAHDI_SET_BLOCKSIZE = iow::<c_int>(1);
        DAHDI_FLUSH = iow::<c_int>(3);
        DAHDI_SYNC = io(4);
        /// `channo` may carry `DAHDI_GET_PARAMS_RETURN_MASTER` (§2).
        DAHDI_GET_PARAMS = iowr::<DahdiParams>(5);
        DAHDI_SET_PARAMS = iow::<DahdiParams>(5);
        /// Returns 0 when no event is queued (§3.1).
        DAHDI_GETEVENT = ior::<c_int>(8);
        /// spanno 0 = the fd's own span (§1.4 D-channel step 4).
        DAHDI_SPANSTAT = iowr::<DahdiSpanInfo>(10);
        DAHDI_MAINT = iow::<DahdiMaintInfo>(11);
        /// ctl (§1.5).
        DAHDI_SPANCONFIG = iow::<DahdiLineConfig>(18);
        /// ctl (§1.5).
        DAHDI_CHANCONFIG = iow::<DahdiChanConfig>(19);
        DAHDI_GET_BUFINFO = ior::<DahdiBufferInfo>(27);
        /// bufsize 16..8192 and bufsize*numbufs <= 32768 (§2).
        DAHDI_SET_BUFINFO = iow::<DahdiBufferInfo>(27);
        /// Only for sig == CLEAR (§1.3).
        DAHDI_AUDIOMODE = iow::<c_int>(32);
        DAHDI_ECHOCANCEL_PARAMS = iow::<DahdiEchoCanParams>(33);
        DAHDI_CHANNO = ior::<c_int>(34);
        /// Only on /dev/dahdi/channel; EINVAL / ENXIO / EBUSY (§1.3).
        DAHDI_SPECIFY = iow::<c_int>(38);
        /// 0..=2 (§1.4 step 5); lasts until close.
        DAHDI_SETLAW = iow::<c_int>(39);
        /// Received ABCD; mask with 0xF (§5, dahdi_dynamic quirk).
        DAHDI_GETRXBITS = ior::<c_int>(43);
        /// Only for sig == CAS (§5).
        DAHDI_SETTXBITS = iow::<c_int>(43);
        /// Timer fd (§1.6).
        DAHDI_TIMERCONFIG = iow::<c_int>(47);
        DAHDI_TIMERACK = iow::<c_int>(48);
        DAHDI_ECHOTRAIN = iow::<c_int>(50);
        DAHDI_GETSIGFREEZE = ior::<c_int>(54);
        DAHDI_SETSIGFREEZE = iow::<c_int>(54);
        DAHDI_GETVERSION = ior::<DahdiVersionInfo>(57);
        /// ctl (§1.5).
        DAHDI_ATTACH_ECHOCAN = iow::<DahdiAttachEchocan>(59);
        /// ctl (§9.1).
        DAHDI_DYNAMIC_CREATE = iowr::<DahdiDynamicSpan>(80);
        /// ctl (§9.1).
        DAHDI_DYNAMIC_DESTROY = iow::<DahdiDynamicSpan>(81);
        /// ctl; 0 at once if the span already runs (§2).
        DAHDI_STARTUP = iow::<c_int>(99);
        /// ctl; also unconfigures every channel of the span (§2).
        DAHDI_SHUTDOWN = iow::<c_int>(100);
        /// 56 or 64 (§4).
        DAHDI_HDLC_RATE = iow::<c_int>(101);
        DAHDI_ECHOCANCEL_FAX_MODE = iow::<c_int>(102);
        /// Turns on READ_OVERRUN and WRITE_UNDERRUN events (§2).
        DAHDI_BUFFER_EVENTS = iow::<c_int>(105);
    }
}

// ---------------------------------------------------------------------------------------
// Constants (§2.2).
// ---------------------------------------------------------------------------------------

c_constants! {
    /// The ioctl type byte, errno 500 and buffer limits (§2, §2.2, §3.2).
    LIMITS: c_int {
        DAHDI_CODE = 0xDA;
        /// read()/write() fail with this errno while an event is queued (§3.2). Linux has
        /// no ELAST of its own; user.h defines it.
        ELAST = 500;
        DAHDI_MAJOR = 196;
        DAHDI_MAX_BLOCKSIZE = 8192;
        DAHDI_DEFAULT_BLOCKSIZE = 1024;
        DAHDI_DEFAULT_NUM_BUFS = 2;
        DAHDI_MAX_NUM_BUFS = 32;
        DAHDI_MAX_BUF_SPACE = 32768;
        /// The per-channel event ring holds at most 63 events; more are dropped (§3.2).
        DAHDI_MAX_EVENTSIZE = 64;
        DAHDI_MAX_SPANS = 128;
        DAHDI_MAX_CHANNELS = 1024;
        DAHDI_MAX_ECHOCANPARAMS = 8;
        DAHDI_GET_PARAMS_RETURN_MASTER = 0x4000_0000;
    }
}

c_constants! {
    /// Buffer policies for SET_BUFINFO (§2.1).
    BUFFER_POLICIES: c_int {
        DAHDI_POLICY_IMMEDIATE = 0;
        DAHDI_POLICY_WHEN_FULL = 1;
        DAHDI_POLICY_HALF_FULL = 2;
    }
}

c_constants! {
    /// DAHDI_FLUSH masks (§2).
    FLUSH_MASKS: c_int {
        DAHDI_FLUSH_READ = 1;
        DAHDI_FLUSH_WRITE = 2;
        DAHDI_FLUSH_BOTH = 3;
        DAHDI_FLUSH_EVENT = 4;
        DAHDI_FLUSH_ALL = 7;
    }
}

c_constants! {
    /// Companding laws (§2.2).
    LAWS: c_int {
        DAHDI_LAW_DEFAULT = 0;
        DAHDI_LAW_MULAW = 1;
        DAHDI_LAW_ALAW = 2;
    }
}

c_constants! {
    /// Signalling types, `sigtype` / `sigcap` (§2.2).
    SIGNALLING_TYPES: c_int {
        DAHDI_SIG_NONE = 0;
        DAHDI_SIG_FXSLS = 0x2001;
        DAHDI_SIG_FXSGS = 0x2002;
        DAHDI_SIG_FXSKS = 0x2004;
        DAHDI_SIG_FXOLS = 0x1008;
        DAHDI_SIG_FXOGS = 0x1010;
        DAHDI_SIG_FXOKS = 0x1020;
        DAHDI_SIG_EM = 0x40;
        /// `bchan=`: PRI, BRI and SS7 bearers (§6.3).
        DAHDI_SIG_CLEAR = 0x80;
        DAHDI_SIG_HDLCRAW = 0x180;
        /// `dchan=`: soft HDLC with FCS (§4).
        DAHDI_SIG_HDLCFCS = 0x380;
        DAHDI_SIG_HDLCNET = 0x780;
        DAHDI_SIG_SLAVE = 0x800;
        DAHDI_SIG_SF = 0x4000;
        /// `cas=`: MFC/R2 lines (§5).
        DAHDI_SIG_CAS = 0x8000;
        DAHDI_SIG_DACS = 0x10080;
        DAHDI_SIG_EM_E1 = 0x20000;
        DAHDI_SIG_DACS_RBS = 0x50000;
        /// `hardhdlc=`: the card's framer does HDLC (§4).
        DAHDI_SIG_HARDHDLC = 0x80080;
        /// `mtp2=`: repeats the last frame, drops identical received frames (§4).
        DAHDI_SIG_MTP2 = 0x100380;
        /// Bit 31: the C header shifts an int into the sign bit.
        DAHDI_SIG_BROKEN = i32::MIN;
    }
}

c_constants! {
    /// Line configuration bits, `lineconfig` / `linecompat` (§2.2).
    LINECONFIG_BITS: c_int {
        DAHDI_CONFIG_TXLEVEL = 7;
        DAHDI_CONFIG_D4 = 0x10;
        DAHDI_CONFIG_ESF = 0x20;
        DAHDI_CONFIG_AMI = 0x40;
        DAHDI_CONFIG_B8ZS = 0x80;
        DAHDI_CONFIG_CCS = 0x100;
        DAHDI_CONFIG_HDB3 = 0x200;
        DAHDI_CONFIG_CRC4 = 0x400;
        DAHDI_CONFIG_NTTE = 0x800;
        DAHDI_CONFIG_TERM = 0x1000;
        DAHDI_CONFIG_NOTOPEN = 0x10000;
    }
}

c_constants! {
    /// CAS signalling bits: the nibble is "ABCD" with A as the most significant (§2.2, §5).
    ABCD_BITS: c_int {
        DAHDI_ABIT = 8;
        DAHDI_BBIT = 4;
        DAHDI_CBIT = 2;
        DAHDI_DBIT = 1;
        DAHDI_BITS_ABCD = 0xF;
    }
}

c_constants! {
    /// Alarm bits in `spaninfo.alarms`, `params.chan_alarms` and sysfs (§3.4).
    ALARM_BITS: c_int {
        DAHDI_ALARM_NONE = 0;
        /// Held for 5 s after alarms clear (DAHDI_ALARMSETTLE_TIME, §3.4).
        DAHDI_ALARM_RECOVER = 0x01;
        DAHDI_ALARM_LOOPBACK = 0x02;
        /// RAI received (G.704 §2.3.2 bit A).
        DAHDI_ALARM_YELLOW = 0x04;
        /// LOS or loss of frame alignment.
        DAHDI_ALARM_RED = 0x08;
        /// AIS received.
        DAHDI_ALARM_BLUE = 0x10;
        DAHDI_ALARM_NOTOPEN = 0x20;
        DAHDI_ALARM_LOS = 0x100;
        DAHDI_ALARM_LFA = 0x200;
        DAHDI_ALARM_LMFA = 0x400;
    }
}

c_constants! {
    /// DAHDI_MAINT commands (§2.2).
    MAINT_COMMANDS: c_int {
        DAHDI_MAINT_NONE = 0;
        DAHDI_MAINT_LOCALLOOP = 1;
        DAHDI_MAINT_REMOTELOOP = 2;
        DAHDI_MAINT_NETWORKLINELOOP = 2;
        DAHDI_MAINT_LOOPUP = 3;
        DAHDI_MAINT_LOOPDOWN = 4;
        DAHDI_MAINT_FAS_DEFECT = 6;
        DAHDI_MAINT_MULTI_DEFECT = 7;
        DAHDI_MAINT_CRC_DEFECT = 8;
        DAHDI_MAINT_CAS_DEFECT = 9;
        DAHDI_MAINT_PRBS_DEFECT = 10;
        DAHDI_MAINT_BIPOLAR_DEFECT = 11;
        DAHDI_MAINT_PRBS = 12;
        DAHDI_MAINT_NETWORKPAYLOADLOOP = 13;
        /// Clears the span counters if the driver supports it (§3.5).
        DAHDI_RESET_COUNTERS = 14;
        DAHDI_MAINT_ALARM_SIM = 15;
    }
}

c_constants! {
    /// Event codes returned by DAHDI_GETEVENT (§3.1).
    EVENT_CODES: c_int {
        DAHDI_EVENT_NONE = 0;
        DAHDI_EVENT_ONHOOK = 1;
        DAHDI_EVENT_RINGOFFHOOK = 2;
        DAHDI_EVENT_WINKFLASH = 3;
        /// Queued on every channel of a span when it goes from no alarm to some alarm
        /// only; kind changes (RED->YELLOW) give nothing (§3.3).
        DAHDI_EVENT_ALARM = 4;
        DAHDI_EVENT_NOALARM = 5;
        /// HDLC abort (§4).
        DAHDI_EVENT_ABORT = 6;
        /// HDLC frame longer than the read buffer (§4).
        DAHDI_EVENT_OVERRUN = 7;
        /// HDLC frame with a bad FCS; the frame is dropped (§4).
        DAHDI_EVENT_BADFCS = 8;
        DAHDI_EVENT_DIALCOMPLETE = 9;
        DAHDI_EVENT_RINGERON = 10;
        DAHDI_EVENT_RINGEROFF = 11;
        DAHDI_EVENT_HOOKCOMPLETE = 12;
        /// New ABCD bits on a CAS channel; read them with GETRXBITS (§5).
        DAHDI_EVENT_BITSCHANGED = 13;
        DAHDI_EVENT_PULSE_START = 14;
        DAHDI_EVENT_TIMER_EXPIRED = 15;
        DAHDI_EVENT_TIMER_PING = 16;
        DAHDI_EVENT_POLARITY = 17;
        DAHDI_EVENT_RINGBEGIN = 18;
        DAHDI_EVENT_EC_DISABLED = 19;
        /// The card is gone; later I/O gives ENODEV (§7.4 step 5).
        DAHDI_EVENT_REMOVED = 20;
        DAHDI_EVENT_NEONMWI_ACTIVE = 21;
        DAHDI_EVENT_NEONMWI_INACTIVE = 22;
        DAHDI_EVENT_TX_CED_DETECTED = 23;
        DAHDI_EVENT_RX_CED_DETECTED = 24;
        DAHDI_EVENT_TX_CNG_DETECTED = 25;
        DAHDI_EVENT_RX_CNG_DETECTED = 26;
        DAHDI_EVENT_EC_NLP_DISABLED = 27;
        DAHDI_EVENT_EC_NLP_ENABLED = 28;
        /// With DAHDI_BUFFER_EVENTS on (§2).
        DAHDI_EVENT_READ_OVERRUN = 29;
        /// With DAHDI_BUFFER_EVENTS on (§2).
        DAHDI_EVENT_WRITE_UNDERRUN = 30;
        /// ORed with the digit's ASCII code (§3.1).
        DAHDI_EVENT_PULSEDIGIT = 0x10000;
        DAHDI_EVENT_DTMFDOWN = 0x20000;
        DAHDI_EVENT_DTMFUP = 0x40000;
    }
}

/// Every ABI item declared in this module, for the ABI check.
pub fn abi_items() -> Vec<AbiItem> {
    let constant_groups: &[&[(&str, i64)]] = &[
        IOCTLS,
        LIMITS,
        BUFFER_POLICIES,
        FLUSH_MASKS,
        LAWS,
        SIGNALLING_TYPES,
        LINECONFIG_BITS,
        ABCD_BITS,
        ALARM_BITS,
        MAINT_COMMANDS,
        EVENT_CODES,
    ];
    let mut items: Vec<AbiItem> = constant_groups
        .iter()
        .flat_map(|group| group.iter())
        .map(|&(name, value)| AbiItem {
            c_expr: name.to_string(),
            rust_value: value,
        })
        .collect();
    items.extend(DahdiParams::abi_items());
    items.extend(DahdiSpanInfo::abi_items());
    items.extend(DahdiMaintInfo::abi_items());
    items.extend(DahdiLineConfig::abi_items());
    items.extend(DahdiChanConfig::abi_items());
    items.extend(DahdiBufferInfo::abi_items());
    items.extend(DahdiEchoCanParams::abi_items());
    items.extend(DahdiEchoCanParam::abi_items());
    items.extend(DahdiVersionInfo::abi_items());
    items.extend(DahdiAttachEchocan::abi_items());
    items.extend(DahdiDynamicSpan::abi_items());
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spot checks against the numbers measured in dahdi.md §2 (the full check against the
    /// header is drivers/tests/abi_check.rs).
    #[test]
    fn ioctl_numbers_match_the_measured_table() {
        assert_eq!(DAHDI_SPECIFY, 0x4004_DA26);
        assert_eq!(DAHDI_GET_PARAMS, 0xC088_DA05);
        assert_eq!(DAHDI_SPANSTAT, 0xC13A_DA0A);
        assert_eq!(DAHDI_SET_BUFINFO, 0x4018_DA1B);
        assert_eq!(DAHDI_ECHOCANCEL_PARAMS, 0x4008_DA21);
        assert_eq!(DAHDI_GETEVENT, 0x8004_DA08);
        assert_eq!(DAHDI_SYNC, 0x0000_DA04);
        assert_eq!(size_of::<DahdiSpanInfo>(), 314);
        assert_eq!(size_of::<DahdiParams>(), 136);
    }

    #[test]
    fn every_item_has_a_distinct_c_expression() {
        let items = abi_items();
        let mut seen = std::collections::HashSet::new();
        for item in &items {
            assert!(
                seen.insert(item.c_expr.clone()),
                "declared twice: {}",
                item.c_expr
            );
        }
        assert!(items.len() > 200, "only {} items", items.len());
    }
}
