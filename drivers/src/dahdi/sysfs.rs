//! Alarm bits from sysfs (§7.1): `span-N/alarms` prints hex (`0x0`, `0xc`), a channel's
//! `alarms` prints words (`RED `). Discovery and hotplug are the Python control plane's
//! (`cti_daemon/hardware/`); the backend only needs the alarm bits.

use std::path::Path;

use super::error::DahdiError;
use super::span::AlarmBits;

/// Where DAHDI's span devices appear.
pub const SPANS_BUS: &str = "/sys/bus/dahdi_spans/devices";

/// Parses a span `alarms` attribute (`0xc\n`).
pub fn parse_span_alarms(text: &str, source: &str) -> Result<AlarmBits, DahdiError> {
    let value = text.trim();
    let digits = value.strip_prefix("0x").unwrap_or(value);
    u32::from_str_radix(digits, 16)
        .map(AlarmBits)
        .map_err(|_| DahdiError::Parse {
            source: source.to_string(),
            line: 1,
            message: format!("alarms {value:?} is not a hex number"),
        })
}

/// Parses a channel `alarms` attribute (`RED YELLOW \n`; empty when clear).
pub fn parse_channel_alarms(text: &str, source: &str) -> Result<AlarmBits, DahdiError> {
    let mut alarms = AlarmBits::NONE;
    for word in text.split_whitespace() {
        let bit = AlarmBits::from_word(word).ok_or_else(|| DahdiError::Parse {
            source: source.to_string(),
            line: 1,
            message: format!("unknown alarm word {word:?}"),
        })?;
        alarms.0 |= bit.0;
    }
    Ok(alarms)
}

/// Reads `<spans_bus>/span-<spanno>/alarms`.
pub fn read_span_alarms(spans_bus: &Path, spanno: i32) -> Result<AlarmBits, DahdiError> {
    let path = spans_bus.join(format!("span-{spanno}")).join("alarms");
    let source = path.display().to_string();
    let text = std::fs::read_to_string(&path).map_err(|e| DahdiError::Parse {
        source: source.clone(),
        line: 0,
        message: format!("cannot read: {e}"),
    })?;
    parse_span_alarms(&text, &source)
}
