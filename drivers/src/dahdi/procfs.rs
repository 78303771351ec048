//! `/proc/dahdi/N`: the only place DAHDI reports timing slips (§3.5, §7.1). Format from
//! dahdi-base.c `dahdi_seq_show` (2.11.1):
//!
//! ```text
//! Span 1: TE4/0/1 "T4XXP (PCI) Card 0 Span 1" (MASTER) CCS/HDB3/CRC4 RED ClockSource
//! \tBPV count: 3            (each counter line only when non-zero)
//! \tTiming slips: 2
//!
//! \t   1 TE4/0/1/1 Clear (In use) RED (EC: OSLEC - INACTIVE)
//! ```

use std::path::Path;

use super::error::DahdiError;
use super::span::AlarmBits;

/// Counters `/proc/dahdi/N` prints; absent lines mean zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProcCounters {
    pub bipolar_violations: u64,
    pub crc4_errors: u64,
    pub ebit_errors: u64,
    pub fas_errors: u64,
    pub irq_misses: u64,
    /// Controlled slips, counted while the span has no alarm (§3.5, §10 Slips).
    pub timing_slips: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcChannel {
    pub channo: i32,
    pub name: String,
    /// DAHDI's signalling words (`Clear`, `HDLCFCS`, `CAS`, `Hardware-assisted HDLC`, ...);
    /// empty for an unconfigured channel.
    pub signalling: String,
    pub in_use: bool,
    pub alarms: AlarmBits,
    /// (canceller name, active) when an echo canceller is attached.
    pub echo_canceller: Option<(String, bool)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcSpan {
    pub spanno: i32,
    pub name: String,
    pub description: String,
    pub is_sync_master: bool,
    /// e.g. `CCS/HDB3/CRC4`; empty when unset (dynamic spans, §7.1).
    pub lineconfig: String,
    pub alarms: AlarmBits,
    pub is_clock_source: bool,
    pub counters: ProcCounters,
    pub channels: Vec<ProcChannel>,
}

/// Reads and parses `/proc/dahdi/<spanno>` (or the same file under `proc_root`).
pub fn read_proc_span(proc_root: &Path, spanno: i32) -> Result<ProcSpan, DahdiError> {
    let path = proc_root.join("dahdi").join(spanno.to_string());
    let text = std::fs::read_to_string(&path).map_err(|e| DahdiError::Parse {
        source: path.display().to_string(),
        line: 0,
        message: format!("cannot read: {e}"),
    })?;
    parse_proc_span(&text, &path.display().to_string())
}

/// Parses the text of `/proc/dahdi/N`; errors name `source` and the line.
pub fn parse_proc_span(text: &str, source: &str) -> Result<ProcSpan, DahdiError> {
    let error = |line: usize, message: String| DahdiError::Parse {
        source: source.to_string(),
        line,
        message,
    };
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let (_, header) = lines.next().ok_or_else(|| error(1, "empty file".into()))?;
    let mut span = parse_header(header).map_err(|m| error(1, m))?;

    for (number, line) in lines {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if let Some((label, value)) = trimmed.split_once(": ") {
            if !label.starts_with(|c: char| c.is_ascii_digit()) {
                let value: u64 = value.trim().parse().map_err(|_| {
                    error(
                        number,
                        format!("counter {label:?} has non-numeric value {value:?}"),
                    )
                })?;
                let counters = &mut span.counters;
                match label {
                    "BPV count" => counters.bipolar_violations = value,
                    "CRC4 error count" => counters.crc4_errors = value,
                    "E-bit error count" => counters.ebit_errors = value,
                    "FAS error count" => counters.fas_errors = value,
                    "IRQ misses" => counters.irq_misses = value,
                    "Timing slips" => counters.timing_slips = value,
                    // A counter a newer DAHDI adds must not break the daemon.
                    _ => {}
                }
                continue;
            }
        }
        span.channels
            .push(parse_channel(trimmed).map_err(|m| error(number, m))?);
    }
    Ok(span)
}

fn parse_header(line: &str) -> Result<ProcSpan, String> {
    let rest = line
        .strip_prefix("Span ")
        .ok_or_else(|| format!("expected `Span N: ...`, found {line:?}"))?;
    let (number, rest) = rest
        .split_once(": ")
        .ok_or("missing `:` after the span number")?;
    let spanno: i32 = number
        .parse()
        .map_err(|_| format!("span number {number:?} is not a number"))?;
    let (name, rest) = rest.split_once(' ').ok_or("missing span name")?;
    let rest = rest.strip_prefix('"').ok_or("missing quoted description")?;
    let (description, rest) = rest.split_once('"').ok_or("unterminated description")?;
    let mut span = ProcSpan {
        spanno,
        name: name.to_string(),
        description: description.to_string(),
        is_sync_master: false,
        lineconfig: String::new(),
        alarms: AlarmBits::NONE,
        is_clock_source: false,
        counters: ProcCounters::default(),
        channels: Vec::new(),
    };
    for word in rest.split_whitespace() {
        match word {
            "(MASTER)" => span.is_sync_master = true,
            "ClockSource" => span.is_clock_source = true,
            _ => match AlarmBits::from_word(word) {
                Some(bit) => span.alarms.0 |= bit.0,
                None if span.lineconfig.is_empty() => span.lineconfig = word.to_string(),
                None => return Err(format!("unexpected word {word:?} in the span line")),
            },
        }
    }
    Ok(span)
}

fn parse_channel(line: &str) -> Result<ProcChannel, String> {
    let (number, rest) = line
        .split_once(' ')
        .ok_or_else(|| format!("unexpected line {line:?}"))?;
    let channo: i32 = number
        .parse()
        .map_err(|_| format!("channel number {number:?} is not a number"))?;
    let rest = rest.trim_start();
    let (name, rest) = rest.split_once(' ').unwrap_or((rest, ""));
    let mut rest = rest.to_string();

    let mut echo_canceller = None;
    if let Some(start) = rest.find("(EC: ") {
        let end = rest[start..].find(')').ok_or("unterminated `(EC: ...)`")? + start;
        let inner = &rest[start + "(EC: ".len()..end];
        let (ec_name, state) = inner
            .rsplit_once(" - ")
            .ok_or("`(EC: ...)` without ` - STATE`")?;
        echo_canceller = Some((ec_name.to_string(), state == "ACTIVE"));
        rest.replace_range(start..=end, "");
    }
    let in_use = rest.contains("(In use)");
    let rest = rest.replace("(In use)", "").replace("(no pcm)", "");

    let mut alarms = AlarmBits::NONE;
    let mut signalling_words = Vec::new();
    for word in rest.split_whitespace() {
        match AlarmBits::from_word(word) {
            Some(bit) => alarms.0 |= bit.0,
            None => signalling_words.push(word),
        }
    }
    Ok(ProcChannel {
        channo,
        name: name.to_string(),
        signalling: signalling_words.join(" "),
        in_use,
        alarms,
        echo_canceller,
    })
}
