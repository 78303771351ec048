//! Span alarms and counters: SPANSTAT decoding (dahdi.md §3.4, §3.5), /proc/dahdi/N
//! (slips, §7.1) and sysfs alarm attributes, from texts these tests write.

mod dahdi_support;

use std::path::PathBuf;

use cti_drivers::dahdi::abi::*;
use cti_drivers::dahdi::procfs::{parse_proc_span, read_proc_span};
use cti_drivers::dahdi::span::{span_status, span_status_by_number, AlarmBits};
use cti_drivers::dahdi::sysfs::{parse_channel_alarms, parse_span_alarms, read_span_alarms};
use cti_drivers::dahdi::{Channel, DahdiError, Errno};
use dahdi_support::FakeDevice;

fn fill(target: &mut [libc::c_char], text: &str) {
    for (slot, byte) in target.iter_mut().zip(text.bytes()) {
        *slot = byte as libc::c_char;
    }
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn spanstat_gives_alarm_bits_counters_and_names() {
    let mut device = FakeDevice::new();
    let info = &mut device.span_info;
    info.spanno = 2;
    fill(&mut info.name, "TE4/0/2");
    fill(&mut info.desc, "T4XXP (PCI) Card 0 Span 2");
    fill(&mut info.spantype, "E1");
    info.alarms = DAHDI_ALARM_YELLOW;
    info.crc4count = 7;
    info.ebitcount = 3;
    info.fecount = 11;
    info.errsec = 4;
    info.syncsrc = 1;
    info.totalchans = 31;
    info.lineconfig = DAHDI_CONFIG_CCS | DAHDI_CONFIG_HDB3 | DAHDI_CONFIG_CRC4;
    let mut channel = Channel::specify(device, 47).unwrap();
    let status = span_status(&mut channel, 0).unwrap();
    assert_eq!(status.spanno, 2);
    assert_eq!(status.name, "TE4/0/2");
    assert_eq!(status.description, "T4XXP (PCI) Card 0 Span 2");
    assert_eq!(status.spantype, "E1");
    assert!(status.alarms.yellow() && !status.alarms.red());
    assert_eq!(status.alarms.to_string(), "YELLOW");
    assert_eq!(status.counters.crc4_errors, 7);
    assert_eq!(status.counters.ebit_errors, 3);
    assert_eq!(status.counters.framing_errors, 11);
    assert_eq!(status.counters.errored_seconds, 4);
    assert_eq!(
        (status.sync_source, status.total_channels, status.lineconfig),
        (1, 31, 0x700)
    );
}

#[test]
fn spanstat_for_a_missing_span_names_the_span() {
    let mut ctl = FakeDevice::new();
    ctl.failing_ioctls.insert(DAHDI_SPANSTAT, libc::EINVAL);
    let error = span_status_by_number(&mut ctl, 9).unwrap_err();
    assert_eq!(
        error,
        DahdiError::SpanIoctl {
            spanno: 9,
            request: "DAHDI_SPANSTAT",
            errno: Errno(libc::EINVAL)
        }
    );
    assert!(
        error
            .to_string()
            .starts_with("DAHDI span 9: ioctl DAHDI_SPANSTAT failed"),
        "{error}"
    );
}

#[test]
fn alarm_bits_print_dahdis_words_and_details() {
    let alarms = AlarmBits((DAHDI_ALARM_RED | DAHDI_ALARM_LOS | DAHDI_ALARM_RECOVER) as u32);
    assert_eq!(alarms.names(), ["RED", "RECOVERING", "LOS"]);
    assert_eq!(AlarmBits::NONE.to_string(), "OK");
}

const PROC_SPAN: &str = "Span 1: TE4/0/1 \"T4XXP (PCI) Card 0 Span 1\" (MASTER) CCS/HDB3/CRC4 RED YELLOW ClockSource \n\
\tCRC4 error count: 12\n\
\tE-bit error count: 2\n\
\tTiming slips: 5\n\
\n\
\t   1 TE4/0/1/1 Clear (In use) RED YELLOW (EC: OSLEC - ACTIVE) \n\
\t   2 TE4/0/1/2 Clear RED YELLOW (EC: VPMOCT032 - INACTIVE) \n\
\t  16 TE4/0/1/16 Hardware-assisted HDLC (In use) RED YELLOW \n\
\t  17 TE4/0/1/17 \n";

#[test]
fn proc_span_gives_slips_counters_alarms_and_channels() {
    let root = scratch_dir("proc_root");
    std::fs::create_dir_all(root.join("dahdi")).unwrap();
    std::fs::write(root.join("dahdi/1"), PROC_SPAN).unwrap();
    let span = read_proc_span(&root, 1).unwrap();

    assert_eq!((span.spanno, span.name.as_str()), (1, "TE4/0/1"));
    assert_eq!(span.description, "T4XXP (PCI) Card 0 Span 1");
    assert!(span.is_sync_master && span.is_clock_source);
    assert_eq!(span.lineconfig, "CCS/HDB3/CRC4");
    assert!(span.alarms.red() && span.alarms.yellow() && !span.alarms.blue());
    assert_eq!(span.counters.timing_slips, 5);
    assert_eq!(span.counters.crc4_errors, 12);
    assert_eq!(span.counters.ebit_errors, 2);
    assert_eq!(
        span.counters.bipolar_violations, 0,
        "absent counter lines mean zero"
    );

    assert_eq!(span.channels.len(), 4);
    let first = &span.channels[0];
    assert_eq!(
        (first.channo, first.name.as_str(), first.signalling.as_str()),
        (1, "TE4/0/1/1", "Clear")
    );
    assert!(first.in_use);
    assert_eq!(first.echo_canceller, Some(("OSLEC".to_string(), true)));
    assert_eq!(
        span.channels[1].echo_canceller,
        Some(("VPMOCT032".to_string(), false))
    );
    let dchan = &span.channels[2];
    assert_eq!(dchan.signalling, "Hardware-assisted HDLC");
    assert!(dchan.in_use && dchan.alarms.red());
    assert_eq!(span.channels[3].signalling, "", "unconfigured channel");
}

#[test]
fn a_span_without_alarms_or_counters_parses() {
    let text =
        "Span 3: DYN/loc/1:0 \"Dynamic 'loc' span at '1:0'\" \n\n\t  63 DYN/loc/1:0/1 Clear \n";
    let span = parse_proc_span(text, "/proc/dahdi/3").unwrap();
    assert!(span.alarms.is_clear());
    assert_eq!(
        span.lineconfig, "",
        "dynamic spans store no lineconfig (§7.1)"
    );
    assert_eq!(span.counters.timing_slips, 0);
    assert_eq!(span.channels[0].channo, 63);
}

#[test]
fn bad_proc_text_names_file_and_line() {
    let error = parse_proc_span("Spam 1: x \"y\"\n", "/proc/dahdi/1").unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("/proc/dahdi/1:1: expected `Span N: ...`"),
        "{error}"
    );

    let error =
        parse_proc_span("Span 1: A \"B\" \n\tTiming slips: many\n", "/proc/dahdi/1").unwrap_err();
    assert_eq!(
        error.to_string(),
        "/proc/dahdi/1:2: counter \"Timing slips\" has non-numeric value \"many\""
    );

    let error =
        parse_proc_span("Span 1: A \"B\" \n\n\tx1 TE/1 Clear\n", "/proc/dahdi/1").unwrap_err();
    assert_eq!(
        error.to_string(),
        "/proc/dahdi/1:3: channel number \"x1\" is not a number"
    );

    let error = parse_proc_span("", "/proc/dahdi/1").unwrap_err();
    assert_eq!(error.to_string(), "/proc/dahdi/1:1: empty file");

    let error = read_proc_span(&scratch_dir("empty_proc"), 4).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("empty_proc/dahdi/4:0: cannot read"),
        "{error}"
    );
}

#[test]
fn sysfs_alarms_are_hex_for_spans_and_words_for_channels() {
    assert_eq!(parse_span_alarms("0x0\n", "a").unwrap(), AlarmBits::NONE);
    assert_eq!(parse_span_alarms("0xc\n", "a").unwrap(), AlarmBits(0xC));
    assert_eq!(
        parse_channel_alarms("RED \n", "a").unwrap(),
        AlarmBits(DAHDI_ALARM_RED as u32)
    );
    assert_eq!(parse_channel_alarms("\n", "a").unwrap(), AlarmBits::NONE);
    let error =
        parse_span_alarms("red\n", "/sys/bus/dahdi_spans/devices/span-1/alarms").unwrap_err();
    assert_eq!(
        error.to_string(),
        "/sys/bus/dahdi_spans/devices/span-1/alarms:1: alarms \"red\" is not a hex number"
    );
    assert!(parse_channel_alarms("PURPLE", "x").is_err());

    let bus = scratch_dir("sysfs_spans");
    std::fs::create_dir_all(bus.join("span-2")).unwrap();
    std::fs::write(bus.join("span-2/alarms"), "0x18\n").unwrap();
    let alarms = read_span_alarms(&bus, 2).unwrap();
    assert!(alarms.red() && alarms.blue());
}
