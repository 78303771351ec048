//! Span state from DAHDI_SPANSTAT: the exact alarm bits (ALARM/NOALARM events only mark
//! transitions, §3.3) and the error counters (§3.5).

use std::fmt;

use libc::c_int;

use super::abi::*;
use super::channel::Channel;
use super::device::DahdiDevice;
use super::error::{DahdiError, Errno};

/// DAHDI alarm bits (§3.4), as in `spaninfo.alarms`, `params.chan_alarms` and the sysfs
/// `alarms` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AlarmBits(pub u32);

impl AlarmBits {
    pub const NONE: AlarmBits = AlarmBits(0);

    fn has(self, bit: c_int) -> bool {
        self.0 & bit as u32 != 0
    }
    pub fn is_clear(self) -> bool {
        self.0 == 0
    }
    /// Loss of signal or of frame alignment (§3.4).
    pub fn red(self) -> bool {
        self.has(DAHDI_ALARM_RED)
    }
    /// AIS received (§3.4).
    pub fn blue(self) -> bool {
        self.has(DAHDI_ALARM_BLUE)
    }
    /// RAI received (§3.4).
    pub fn yellow(self) -> bool {
        self.has(DAHDI_ALARM_YELLOW)
    }
    /// Alarms cleared less than 5 s ago (§3.4).
    pub fn recovering(self) -> bool {
        self.has(DAHDI_ALARM_RECOVER)
    }
    pub fn loopback(self) -> bool {
        self.has(DAHDI_ALARM_LOOPBACK)
    }
    pub fn not_open(self) -> bool {
        self.has(DAHDI_ALARM_NOTOPEN)
    }
    pub fn loss_of_signal(self) -> bool {
        self.has(DAHDI_ALARM_LOS)
    }
    pub fn loss_of_frame_alignment(self) -> bool {
        self.has(DAHDI_ALARM_LFA)
    }
    pub fn loss_of_multiframe_alignment(self) -> bool {
        self.has(DAHDI_ALARM_LMFA)
    }

    /// The words DAHDI itself prints (`fill_alarm_string`, §3.4), in its order, plus the
    /// detail bits it does not print.
    pub fn names(self) -> Vec<&'static str> {
        const NAMES: [(c_int, &str); 9] = [
            (DAHDI_ALARM_BLUE, "BLUE"),
            (DAHDI_ALARM_YELLOW, "YELLOW"),
            (DAHDI_ALARM_RED, "RED"),
            (DAHDI_ALARM_LOOPBACK, "LOOP"),
            (DAHDI_ALARM_RECOVER, "RECOVERING"),
            (DAHDI_ALARM_NOTOPEN, "NOTOPEN"),
            (DAHDI_ALARM_LOS, "LOS"),
            (DAHDI_ALARM_LFA, "LFA"),
            (DAHDI_ALARM_LMFA, "LMFA"),
        ];
        NAMES
            .iter()
            .filter(|(bit, _)| self.has(*bit))
            .map(|&(_, name)| name)
            .collect()
    }

    /// Parses DAHDI's alarm words (`/proc/dahdi/N`, channel sysfs `alarms`); None for an
    /// unknown word.
    pub fn from_word(word: &str) -> Option<AlarmBits> {
        let bit = match word {
            "BLUE" => DAHDI_ALARM_BLUE,
            "YELLOW" => DAHDI_ALARM_YELLOW,
            "RED" => DAHDI_ALARM_RED,
            "LOOP" => DAHDI_ALARM_LOOPBACK,
            "RECOVERING" => DAHDI_ALARM_RECOVER,
            "NOTOPEN" => DAHDI_ALARM_NOTOPEN,
            _ => return None,
        };
        Some(AlarmBits(bit as u32))
    }
}

impl fmt::Display for AlarmBits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_clear() {
            return f.write_str("OK");
        }
        f.write_str(&self.names().join(" "))
    }
}

/// Error counters of a span (§3.5). `timing_slips` is not in SPANSTAT; it comes from
/// `/proc/dahdi/N` ([`super::procfs`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SpanCounters {
    pub bipolar_violations: u32,
    pub crc4_errors: u32,
    /// Far-end block errors reported through the E bits (G.704 §2.3.3.4).
    pub ebit_errors: u32,
    pub fas_errors: u32,
    pub framing_errors: u32,
    pub code_violations: u32,
    pub bit_errors: u32,
    pub prbs: u32,
    pub errored_seconds: u32,
    pub irq_misses: u32,
}

/// One span as SPANSTAT reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanStatus {
    pub spanno: i32,
    pub name: String,
    pub description: String,
    pub alarms: AlarmBits,
    pub counters: SpanCounters,
    /// Span number of the current sync source, 0 for free run.
    pub sync_source: i32,
    pub configured_channels: i32,
    pub total_channels: i32,
    pub lineconfig: i32,
    pub line_build_out: i32,
    pub spantype: String,
    pub location: String,
    pub manufacturer: String,
    pub device_type: String,
}

/// A NUL-terminated (or full) C char array as text.
pub fn c_string(chars: &[libc::c_char]) -> String {
    let bytes: Vec<u8> = chars
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

impl SpanStatus {
    pub fn from_info(info: &DahdiSpanInfo) -> Self {
        // Copy out of the packed struct before use (no references to packed fields).
        let DahdiSpanInfo {
            spanno,
            name,
            desc,
            alarms,
            bpvcount,
            crc4count,
            ebitcount,
            fascount,
            fecount,
            cvcount,
            becount,
            prbs,
            errsec,
            irqmisses,
            syncsrc,
            numchans,
            totalchans,
            lbo,
            lineconfig,
            location,
            manufacturer,
            devicetype,
            spantype,
            ..
        } = *info;
        SpanStatus {
            spanno,
            name: c_string(&name),
            description: c_string(&desc),
            alarms: AlarmBits(alarms as u32),
            counters: SpanCounters {
                bipolar_violations: bpvcount as u32,
                crc4_errors: crc4count as u32,
                ebit_errors: ebitcount as u32,
                fas_errors: fascount as u32,
                framing_errors: fecount,
                code_violations: cvcount,
                bit_errors: becount,
                prbs,
                errored_seconds: errsec,
                irq_misses: irqmisses as u32,
            },
            sync_source: syncsrc,
            configured_channels: numchans,
            total_channels: totalchans,
            lineconfig,
            line_build_out: lbo,
            spantype: c_string(&spantype),
            location: c_string(&location),
            manufacturer: c_string(&manufacturer),
            device_type: c_string(&devicetype),
        }
    }
}

fn read_span_info<D: DahdiDevice>(device: &mut D, spanno: i32) -> Result<DahdiSpanInfo, Errno> {
    let mut info = DahdiSpanInfo::zeroed();
    info.spanno = spanno;
    device.span_stat(&mut info)?;
    Ok(info)
}

/// SPANSTAT through an open channel; `spanno` 0 means the channel's own span.
pub fn span_status<D: DahdiDevice>(
    channel: &mut Channel<D>,
    spanno: i32,
) -> Result<SpanStatus, DahdiError> {
    match read_span_info(channel.device_mut(), spanno) {
        Ok(info) => Ok(SpanStatus::from_info(&info)),
        Err(errno) => Err(channel.ioctl_error("DAHDI_SPANSTAT", errno)),
    }
}

/// SPANSTAT by span number through the ctl device (§1.5); EINVAL means no such span.
pub fn span_status_by_number<D: DahdiDevice>(
    ctl: &mut D,
    spanno: i32,
) -> Result<SpanStatus, DahdiError> {
    read_span_info(ctl, spanno)
        .map(|info| SpanStatus::from_info(&info))
        .map_err(|errno| DahdiError::SpanIoctl {
            spanno,
            request: "DAHDI_SPANSTAT",
            errno,
        })
}
