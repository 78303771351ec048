//! hw-sim's configuration file (TOML): cards with E1 spans, patches between them.
//!
//! ```toml
//! [clock]
//! speed = 1.0            # multiple of real time (8000 frames/s); 0 = paused, stepped by control
//!
//! [[card]]
//! name = "exchange"
//! [[card.span]]          # 1 to 8 spans per card
//! framing = "ccs"        # "ccs" (D-channel signalling) or "cas" (TS16 ABCD bits)
//! law = "alaw"           # "alaw" (E1 default) or "mulaw"
//! timing = 1             # system.conf timing priority: 0 = own oscillator
//! bchan = "1-15,17-31"   # clear bearer channels
//! dchan = "16"           # HDLC with FCS
//! # cas = "1-15,17-31"   # CAS voice channels (framing = "cas")
//! # idle = "1101"        # ABCD sent while no program holds a CAS channel
//!
//! [[patch]]              # back to back between spans of different cards
//! a = "exchange/1"
//! b = "cti/1"
//! [patch.impair]         # impairments of both directions (each key optional)
//! gain_db = -3.0         # on the far end's audio
//! noise_dbm0 = -60.0     # white noise added to received audio
//! dchan_ber = 1e-5       # bit errors on D-channel timeslots (frames fail their FCS)
//! blackout = 16          # one timeslot carries nothing (no alarm)
//! crc4_error_rate = 0.001  # fraction of CRC-4 sub-multiframes in error
//! remote_alarm = false   # the line carries RAI: the receiver goes yellow
//! ais_on_cut = true      # a cut gives AIS (blue) instead of LOS (red)
//! [patch.to_a]           # impairments of what side a receives (over `impair`)
//! echo_model = "D.2"     # G.168 Annex D model of the far hybrid, D.2 to D.9
//! echo_delay_ms = 10.0   # pure delay before the model
//! echo_erl_db = 12.0     # echo return loss
//! # [patch.to_b]         # what side b receives
//!
//! # BRI: a span of type "bri" is a 2B+D port (channels B1, B2, D at 16 kbit/s),
//! # in NT or TE mode: [[card.span]] type = "bri"  mode = "nt"  (law optional).
//! # A BRI port is patched to a port of the other mode, or joins a passive bus:
//! [[bus]]                # one NT, 1 to 8 TEs (I.430 passive bus)
//! nt = "pbx/1"
//! te = ["phone1/1", "phone2/1"]
//! ```
//!
//! `[clock] seed = N` seeds the impairments' random source (default 1); a
//! `[[card]]` may have `ppm = 100.0`, its clock offset from the trunk clock.
//!
//! Every error names the file and the line of the offending item.

use std::fmt;
use std::ops::Range;
use std::path::Path;

use cti_drivers::sim::{EchoPath, Impairments, MAX_PPM};
use serde::Deserialize;
use toml::Spanned;

/// At most 8 E1 spans on one card (the largest DAHDI E1 cards, TE820; issue 3).
pub const MAX_SPANS_PER_CARD: usize = 8;
/// An I.430 passive bus has at most 8 terminals.
pub const MAX_BUS_TES: usize = 8;
/// Channels of a BRI port: B1, B2 and the D-channel (DAHDI's BRI span layout).
pub const BRI_CHANNELS: usize = 3;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    clock: RawClock,
    #[serde(default)]
    card: Vec<Spanned<RawCard>>,
    #[serde(default)]
    patch: Vec<Spanned<RawPatch>>,
    #[serde(default)]
    bus: Vec<Spanned<RawBus>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawClock {
    speed: Option<Spanned<f64>>,
    seed: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCard {
    name: Spanned<String>,
    ppm: Option<Spanned<f64>>,
    #[serde(default)]
    span: Vec<Spanned<RawSpan>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpan {
    #[serde(rename = "type")]
    kind: Option<Spanned<String>>,
    mode: Option<Spanned<String>>,
    framing: Option<Spanned<String>>,
    law: Option<Spanned<String>>,
    timing: Option<Spanned<u8>>,
    bchan: Option<Spanned<String>>,
    dchan: Option<Spanned<String>>,
    cas: Option<Spanned<String>>,
    idle: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPatch {
    a: Spanned<String>,
    b: Spanned<String>,
    impair: Option<Spanned<RawImpair>>,
    to_a: Option<Spanned<RawImpair>>,
    to_b: Option<Spanned<RawImpair>>,
}

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct RawImpair {
    echo_model: Option<String>,
    echo_delay_ms: Option<f64>,
    echo_erl_db: Option<f64>,
    noise_dbm0: Option<f64>,
    gain_db: Option<f64>,
    dchan_ber: Option<f64>,
    blackout: Option<u32>,
    crc4_error_rate: Option<f64>,
    remote_alarm: Option<bool>,
    ais_on_cut: Option<bool>,
}

impl RawImpair {
    /// `self` over `base`, key by key.
    fn over(&self, base: &RawImpair) -> RawImpair {
        RawImpair {
            echo_model: self.echo_model.clone().or_else(|| base.echo_model.clone()),
            echo_delay_ms: self.echo_delay_ms.or(base.echo_delay_ms),
            echo_erl_db: self.echo_erl_db.or(base.echo_erl_db),
            noise_dbm0: self.noise_dbm0.or(base.noise_dbm0),
            gain_db: self.gain_db.or(base.gain_db),
            dchan_ber: self.dchan_ber.or(base.dchan_ber),
            blackout: self.blackout.or(base.blackout),
            crc4_error_rate: self.crc4_error_rate.or(base.crc4_error_rate),
            remote_alarm: self.remote_alarm.or(base.remote_alarm),
            ais_on_cut: self.ais_on_cut.or(base.ais_on_cut),
        }
    }

    fn resolve(&self) -> Result<Impairments, String> {
        let echo = match (&self.echo_model, self.echo_delay_ms, self.echo_erl_db) {
            (None, None, None) => None,
            (Some(m), delay, erl) => {
                let model = m
                    .strip_prefix("D.")
                    .and_then(|n| n.parse::<u8>().ok())
                    .ok_or_else(|| format!("echo model `{m}`: G.168 Annex D models are \"D.2\" to \"D.9\""))?;
                let delay = delay.unwrap_or(0.0);
                if !(0.0..=1000.0).contains(&delay) {
                    return Err(format!("echo delay {delay} ms: 0 to 1000"));
                }
                Some(EchoPath { model, delay_frames: (delay * 8.0).round() as u32, erl_db: erl.unwrap_or(6.0) })
            }
            _ => return Err("echo_delay_ms and echo_erl_db need an echo_model".into()),
        };
        let i = Impairments {
            echo,
            noise_dbm0: self.noise_dbm0,
            gain_db: self.gain_db.unwrap_or(0.0),
            dchan_ber: self.dchan_ber.unwrap_or(0.0),
            blackout: self.blackout,
            crc4_error_rate: self.crc4_error_rate.unwrap_or(0.0),
            remote_alarm: self.remote_alarm.unwrap_or(false),
            ais_on_cut: self.ais_on_cut.unwrap_or(false),
        };
        i.validate()?;
        Ok(i)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBus {
    nt: Spanned<String>,
    te: Spanned<Vec<Spanned<String>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    Ccs,
    Cas,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotUse {
    Unused,
    Bearer,
    Hdlc,
    Cas,
}

/// What a span is: an E1 trunk or a BRI port (2B+D, I.430) in NT or TE mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKind {
    E1,
    BriNt,
    BriTe,
}

impl SpanKind {
    pub fn is_bri(self) -> bool {
        self != SpanKind::E1
    }
    pub fn channels(self) -> usize {
        if self.is_bri() {
            BRI_CHANNELS
        } else {
            31
        }
    }
}

#[derive(Debug, Clone)]
pub struct SpanConfig {
    pub kind: SpanKind,
    pub framing: Framing,
    pub alaw: bool,
    pub timing: u8,
    /// Use of TS1..TS31, index 0 = TS1.
    pub slots: [SlotUse; 31],
    pub idle_bits: u8,
}

#[derive(Debug, Clone)]
pub struct CardConfig {
    pub name: String,
    /// Clock offset from the trunk clock, ppm.
    pub ppm: f64,
    pub spans: Vec<SpanConfig>,
}

#[derive(Debug, Clone)]
pub struct PatchConfig {
    /// (card index, span index within card)
    pub a: (usize, usize),
    pub b: (usize, usize),
    /// What side a receives, and what side b receives.
    pub to_a: Impairments,
    pub to_b: Impairments,
}

/// An I.430 passive bus: one NT port, 1-8 TE ports, (card, span) each.
#[derive(Debug, Clone)]
pub struct BusConfig {
    pub nt: (usize, usize),
    pub tes: Vec<(usize, usize)>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub speed: f64,
    pub seed: u64,
    pub cards: Vec<CardConfig>,
    pub patches: Vec<PatchConfig>,
    pub buses: Vec<BusConfig>,
}

#[derive(Debug)]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for ConfigError {}

struct Source<'a> {
    file: &'a str,
    text: &'a str,
}

impl Source<'_> {
    fn line_of(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())].matches('\n').count() + 1
    }
    fn err(&self, at: Range<usize>, message: impl Into<String>) -> ConfigError {
        ConfigError { file: self.file.to_string(), line: self.line_of(at.start), message: message.into() }
    }
}

pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: path.display().to_string(),
        line: 0,
        message: format!("cannot read: {e}"),
    })?;
    parse(&path.display().to_string(), &text)
}

/// Parse "1-15,17-31" into timeslot numbers, each 1..=31.
fn parse_slots(text: &str) -> Result<Vec<usize>, String> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (lo, hi) = match part.split_once('-') {
            Some((lo, hi)) => (lo.trim(), hi.trim()),
            None => (part, part),
        };
        let lo: usize = lo.parse().map_err(|_| format!("`{part}` is not a timeslot or range"))?;
        let hi: usize = hi.parse().map_err(|_| format!("`{part}` is not a timeslot or range"))?;
        if lo < 1 || hi > 31 || lo > hi {
            return Err(format!("`{part}`: E1 timeslots are 1 to 31 (TS0 carries framing, G.704 2.3)"));
        }
        out.extend(lo..=hi);
    }
    Ok(out)
}

pub fn parse(file: &str, text: &str) -> Result<Config, ConfigError> {
    let src = Source { file, text };
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| src.line_of(s.start)).unwrap_or(0);
        ConfigError { file: file.to_string(), line, message: e.message().to_string() }
    })?;

    let speed = match &raw.clock.speed {
        None => 1.0,
        Some(s) if s.get_ref().is_finite() && *s.get_ref() >= 0.0 && *s.get_ref() <= 10000.0 => *s.get_ref(),
        Some(s) => return Err(src.err(s.span(), "clock speed must be between 0 (paused) and 10000")),
    };

    let mut cards: Vec<CardConfig> = Vec::new();
    for card in &raw.card {
        let name = card.get_ref().name.get_ref().clone();
        let name_at = card.get_ref().name.span();
        if name.is_empty() || name.contains('/') {
            return Err(src.err(name_at, format!("card name `{name}` must be non-empty and without `/`")));
        }
        if cards.iter().any(|c| c.name == name) {
            return Err(src.err(name_at, format!("card `{name}` is defined twice")));
        }
        let spans = &card.get_ref().span;
        if spans.is_empty() || spans.len() > MAX_SPANS_PER_CARD {
            return Err(src.err(
                card.span(),
                format!("card `{name}` has {} spans; a card has 1 to {MAX_SPANS_PER_CARD} E1 spans", spans.len()),
            ));
        }
        let mut span_configs = Vec::new();
        for span in spans {
            span_configs.push(parse_span(&src, span)?);
        }
        let ppm = match &card.get_ref().ppm {
            None => 0.0,
            Some(p) if p.get_ref().abs() <= MAX_PPM => *p.get_ref(),
            Some(p) => return Err(src.err(p.span(), format!("clock offset {} ppm: at most {MAX_PPM} either way", p.get_ref()))),
        };
        cards.push(CardConfig { name, ppm, spans: span_configs });
    }

    let find = |s: &Spanned<String>| -> Result<(usize, usize), ConfigError> {
        let text = s.get_ref();
        let (card, span) = text
            .split_once('/')
            .ok_or_else(|| src.err(s.span(), format!("`{text}`: a span is named `card/N`")))?;
        let ci = cards
            .iter()
            .position(|c| c.name == card)
            .ok_or_else(|| src.err(s.span(), format!("`{text}`: no card named `{card}`")))?;
        let n: usize = span.parse().map_err(|_| src.err(s.span(), format!("`{text}`: span number `{span}` is not a number")))?;
        if n < 1 || n > cards[ci].spans.len() {
            return Err(src.err(s.span(), format!("`{text}`: card `{card}` has spans 1 to {}", cards[ci].spans.len())));
        }
        Ok((ci, n - 1))
    };
    let mut patches: Vec<PatchConfig> = Vec::new();
    let mut used: Vec<(usize, usize)> = Vec::new();
    for p in &raw.patch {
        let a = find(&p.get_ref().a)?;
        let b = find(&p.get_ref().b)?;
        if a.0 == b.0 {
            return Err(src.err(p.span(), "a patch joins spans of two different cards"));
        }
        for end in [a, b] {
            if used.contains(&end) {
                return Err(src.err(
                    p.span(),
                    format!("span {}/{} is already patched", cards[end.0].name, end.1 + 1),
                ));
            }
        }
        let (sa, sb) = (&cards[a.0].spans[a.1], &cards[b.0].spans[b.1]);
        let name = |end: (usize, usize)| format!("{}/{}", cards[end.0].name, end.1 + 1);
        if sa.kind.is_bri() != sb.kind.is_bri() {
            let (bri, e1) = if sa.kind.is_bri() { (a, b) } else { (b, a) };
            return Err(src.err(
                p.span(),
                format!("{} is a BRI port and {} an E1 span: a BRI port is patched to a BRI port", name(bri), name(e1)),
            ));
        }
        if sa.kind.is_bri() && sa.kind == sb.kind {
            return Err(src.err(p.span(), format!("{} and {} are both BRI {} ports: patch NT to TE", name(a), name(b),
                if sa.kind == SpanKind::BriNt { "NT" } else { "TE" })));
        }
        if sa.framing != sb.framing {
            return Err(src.err(p.span(), "a patch joins spans of the same framing (ccs with ccs, cas with cas)"));
        }
        let base = p.get_ref().impair.as_ref().map(|i| i.get_ref().clone()).unwrap_or_default();
        // Errors name the line of the table's header (`[patch.to_b]`), searched
        // from the patch's own position in the file.
        let header_at = |name: &str| -> Range<usize> {
            let from = p.span().start;
            let off = text[from..].find(&format!("[patch.{name}]")).map(|o| from + o).unwrap_or(from);
            off..off
        };
        let side = |which: &Option<Spanned<RawImpair>>, name: &str| -> Result<Impairments, ConfigError> {
            let (raw, at) = match which {
                Some(t) => (t.get_ref().over(&base), header_at(name)),
                None => (base.clone(), header_at("impair")),
            };
            raw.resolve().map_err(|m| src.err(at, m))
        };
        let to_a = side(&p.get_ref().to_a, "to_a")?;
        let to_b = side(&p.get_ref().to_b, "to_b")?;
        used.extend([a, b]);
        patches.push(PatchConfig { a, b, to_a, to_b });
    }
    let mut buses: Vec<BusConfig> = Vec::new();
    for bus in &raw.bus {
        let nt = find(&bus.get_ref().nt)?;
        let kind = |end: (usize, usize)| cards[end.0].spans[end.1].kind;
        if kind(nt) != SpanKind::BriNt {
            return Err(src.err(bus.get_ref().nt.span(), format!("`{}`: a bus's nt is a BRI port in NT mode", bus.get_ref().nt.get_ref())));
        }
        let te_list = bus.get_ref().te.get_ref();
        if te_list.is_empty() || te_list.len() > MAX_BUS_TES {
            return Err(src.err(bus.get_ref().te.span(), format!("{} terminals: a passive bus has 1 to {MAX_BUS_TES} (I.430)", te_list.len())));
        }
        let mut tes = Vec::new();
        for te in te_list {
            let end = find(te)?;
            if kind(end) != SpanKind::BriTe {
                return Err(src.err(te.span(), format!("`{}`: a bus's te is a BRI port in TE mode", te.get_ref())));
            }
            tes.push(end);
        }
        for end in std::iter::once(nt).chain(tes.iter().copied()) {
            if used.contains(&end) {
                return Err(src.err(bus.span(), format!("span {}/{} is already patched or on a bus", cards[end.0].name, end.1 + 1)));
            }
            used.push(end);
        }
        buses.push(BusConfig { nt, tes });
    }
    Ok(Config { speed, seed: raw.clock.seed.unwrap_or(1), cards, patches, buses })
}

fn parse_span(src: &Source, span: &Spanned<RawSpan>) -> Result<SpanConfig, ConfigError> {
    let raw = span.get_ref();
    let kind = match raw.kind.as_ref().map(|k| (k.get_ref().as_str(), k.span())) {
        None | Some(("e1", _)) => SpanKind::E1,
        Some(("bri", at)) => match raw.mode.as_ref().map(|m| m.get_ref().as_str()) {
            Some("nt") => SpanKind::BriNt,
            Some("te") => SpanKind::BriTe,
            Some(other) => return Err(src.err(raw.mode.as_ref().unwrap().span(), format!("mode `{other}`: expected \"nt\" or \"te\""))),
            None => return Err(src.err(at, "a BRI port needs mode = \"nt\" or \"te\"")),
        },
        Some((other, at)) => return Err(src.err(at, format!("type `{other}`: expected \"e1\" or \"bri\""))),
    };
    if kind.is_bri() {
        // A BRI port's channels are fixed: B1, B2, D (16 kbit/s HDLC).
        for (field, name) in [(&raw.framing, "framing"), (&raw.bchan, "bchan"), (&raw.dchan, "dchan"), (&raw.cas, "cas"), (&raw.idle, "idle")] {
            if let Some(f) = field {
                return Err(src.err(f.span(), format!("`{name}` does not apply to a BRI port (its channels are B1, B2, D)")));
            }
        }
    } else if let Some(m) = &raw.mode {
        return Err(src.err(m.span(), "`mode` applies to BRI ports (type = \"bri\")"));
    }
    let framing = match raw.framing.as_ref().map(|f| (f.get_ref().as_str(), f.span())) {
        None | Some(("ccs", _)) => Framing::Ccs,
        Some(("cas", _)) => Framing::Cas,
        Some((other, at)) => return Err(src.err(at, format!("framing `{other}`: expected \"ccs\" or \"cas\""))),
    };
    let alaw = match raw.law.as_ref().map(|f| (f.get_ref().as_str(), f.span())) {
        None | Some(("alaw", _)) => true,
        Some(("mulaw", _)) => false,
        Some((other, at)) => return Err(src.err(at, format!("law `{other}`: expected \"alaw\" or \"mulaw\""))),
    };
    let timing = raw.timing.as_ref().map(|t| *t.get_ref()).unwrap_or(1);
    let mut slots = [SlotUse::Unused; 31];
    for (field, usage) in [(&raw.bchan, SlotUse::Bearer), (&raw.dchan, SlotUse::Hdlc), (&raw.cas, SlotUse::Cas)] {
        let Some(field) = field else { continue };
        let list = parse_slots(field.get_ref()).map_err(|m| src.err(field.span(), m))?;
        for ts in list {
            if slots[ts - 1] != SlotUse::Unused {
                return Err(src.err(field.span(), format!("timeslot {ts} is configured twice")));
            }
            if framing == Framing::Cas && ts == 16 {
                // dahdi.md 5: TS16 of a CAS span carries the ABCD multiframe.
                return Err(src.err(field.span(), "timeslot 16 of a CAS span carries the signalling multiframe"));
            }
            if usage == SlotUse::Cas && framing != Framing::Cas {
                return Err(src.err(field.span(), "cas channels need framing = \"cas\""));
            }
            if usage == SlotUse::Hdlc && framing == Framing::Cas {
                return Err(src.err(field.span(), "a CAS span has no D-channel"));
            }
            slots[ts - 1] = usage;
        }
    }
    // dahdi.md 5: R2 idle bits 1101 are dahdi_genconf's default.
    let idle_bits = match &raw.idle {
        None => 0b1101,
        Some(s) => {
            let t = s.get_ref();
            if t.len() != 4 || !t.chars().all(|c| c == '0' || c == '1') {
                return Err(src.err(s.span(), format!("idle bits `{t}`: four 0/1 characters, A first")));
            }
            u8::from_str_radix(t, 2).unwrap()
        }
    };
    if kind.is_bri() {
        slots[0] = SlotUse::Bearer;
        slots[1] = SlotUse::Bearer;
        slots[2] = SlotUse::Hdlc;
    }
    Ok(SpanConfig { kind, framing, alaw, timing, slots, idle_bits })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[clock]
speed = 0

[[card]]
name = "a"
[[card.span]]
bchan = "1-15,17-31"
dchan = "16"
[[card.span]]
framing = "cas"
cas = "1-15,17-31"
idle = "1001"

[[card]]
name = "b"
[[card.span]]
bchan = "1-15,17-31"
dchan = "16"
[[card.span]]
framing = "cas"
cas = "1-15,17-31"

[[patch]]
a = "a/1"
b = "b/1"
[[patch]]
a = "a/2"
b = "b/2"
"#;

    #[test]
    fn good_config_parses() {
        let c = parse("x.toml", GOOD).unwrap();
        assert_eq!(c.speed, 0.0);
        assert_eq!(c.cards.len(), 2);
        assert_eq!(c.cards[0].spans[1].idle_bits, 0b1001);
        assert_eq!(c.cards[1].spans[1].idle_bits, 0b1101);
        assert_eq!(c.cards[0].spans[0].slots[15], SlotUse::Hdlc);
        assert_eq!(c.patches[1].b, (1, 1));
    }

    fn err(text: &str) -> String {
        parse("sim.toml", text).unwrap_err().to_string()
    }

    #[test]
    fn unknown_span_names_file_and_line() {
        let bad = GOOD.replace("b = \"b/2\"", "b = \"b/3\"");
        assert_eq!(err(&bad), "sim.toml:29: `b/3`: card `b` has spans 1 to 2");
    }

    #[test]
    fn overlapping_timeslots_are_refused() {
        let bad = GOOD.replacen("dchan = \"16\"", "dchan = \"15\"", 1);
        assert_eq!(err(&bad), "sim.toml:9: timeslot 15 is configured twice");
    }

    #[test]
    fn bad_toml_names_the_line() {
        let bad = GOOD.replace("[[patch]]\na = \"a/1\"", "[[patch]]\na = ");
        assert!(err(&bad).starts_with("sim.toml:25:"), "{}", err(&bad));
    }

    #[test]
    fn unknown_key_is_refused() {
        let bad = GOOD.replace("idle = \"1001\"", "idel = \"1001\"");
        let e = err(&bad);
        assert!(e.starts_with("sim.toml:13:") && e.contains("idel"), "{e}");
    }

    #[test]
    fn other_refusals() {
        assert!(err(&GOOD.replace("b = \"b/1\"", "b = \"a/2\"")).contains("two different cards"));
        assert!(err(&GOOD.replace("cas = \"1-15,17-31\"\nidle", "cas = \"1-31\"\nidle")).contains("timeslot 16"));
        assert!(err(&GOOD.replace("bchan = \"1-15,17-31\"\ndchan = \"16\"\n[[card.span]]\nframing = \"cas\"\ncas = \"1-15,17-31\"\nidle", "bchan = \"0-15\"\n[[card.span]]\nframing = \"cas\"\ncas = \"1-15,17-31\"\nidle")).contains("1 to 31"));
        assert!(err(&GOOD.replace("a = \"a/2\"", "a = \"a/1\"")).contains("already patched"));
        assert!(err("[[card]]\nname = \"x\"\n").contains("1 to 8 E1 spans"));
        let nine = format!("[[card]]\nname = \"x\"\n{}", "[[card.span]]\nbchan = \"1\"\n".repeat(9));
        assert!(err(&nine).starts_with("sim.toml:1: card `x` has 9 spans"));
        assert!(err("[clock]\nspeed = -1\n").starts_with("sim.toml:2:"));
    }

    const BRI: &str = r#"
[[card]]
name = "pbx"
[[card.span]]
type = "bri"
mode = "nt"
[[card.span]]
type = "bri"
mode = "nt"

[[card]]
name = "e1"
[[card.span]]
bchan = "1-15,17-31"
dchan = "16"

[[card]]
name = "phone"
[[card.span]]
type = "bri"
mode = "te"
[[card.span]]
type = "bri"
mode = "te"

[[bus]]
nt = "pbx/1"
te = ["phone/1"]
"#;

    #[test]
    fn bri_ports_and_buses_parse() {
        let c = parse("bri.toml", BRI).unwrap();
        assert_eq!(c.cards[0].spans[0].kind, SpanKind::BriNt);
        assert_eq!(c.cards[0].spans[0].kind.channels(), 3);
        assert_eq!(&c.cards[0].spans[0].slots[..3], &[SlotUse::Bearer, SlotUse::Bearer, SlotUse::Hdlc]);
        assert_eq!(c.buses[0].nt, (0, 0));
        assert_eq!(c.buses[0].tes, vec![(2, 0)]);
        // A point-to-point NT-TE patch is fine too.
        let p2p = format!("{BRI}[[patch]]\na = \"pbx/2\"\nb = \"phone/2\"\n");
        assert_eq!(parse("bri.toml", &p2p).unwrap().patches.len(), 1);
    }

    #[test]
    fn bri_port_patched_to_an_e1_span_names_file_and_line() {
        let bad = format!("{BRI}\n[[patch]]\na = \"pbx/2\"\nb = \"e1/1\"\n");
        assert_eq!(
            parse("bri.toml", &bad).unwrap_err().to_string(),
            "bri.toml:30: pbx/2 is a BRI port and e1/1 an E1 span: a BRI port is patched to a BRI port"
        );
    }

    #[test]
    fn bri_refusals() {
        let e = |t: &str| parse("bri.toml", t).unwrap_err().to_string();
        assert!(e(&format!("{BRI}[[patch]]\na = \"pbx/2\"\nb = \"pbx/1\"\n")).contains("two different cards"));
        assert!(e(&BRI.replace("te = [\"phone/1\"]", "te = [\"pbx/2\"]")).contains("TE mode"));
        assert!(e(&BRI.replace("te = [\"phone/1\"]", "te = []")).contains("1 to 8"));
        assert!(e(&BRI.replace("nt = \"pbx/1\"", "nt = \"phone/2\"")).contains("NT mode"));
        assert!(e(&BRI.replacen("mode = \"nt\"", "mode = \"nt\"\nbchan = \"1\"", 1)).contains("does not apply to a BRI port"));
        assert!(e(&BRI.replacen("mode = \"nt\"", "mode = \"xx\"", 1)).starts_with("bri.toml:6: mode `xx`"));
        let twice = format!("{BRI}[[bus]]\nnt = \"pbx/2\"\nte = [\"phone/1\"]\n");
        assert!(e(&twice).contains("already patched or on a bus"));
        let nine = BRI.replace("te = [\"phone/1\"]", &format!("te = [{}]", vec!["\"phone/1\""; 9].join(", ")));
        assert!(e(&nine).contains("1 to 8"));
    }

    #[test]
    fn impairments_parse_per_direction_over_both() {
        let text = GOOD.replacen(
            "[[patch]]\na = \"a/1\"\nb = \"b/1\"\n",
            "[[patch]]\na = \"a/1\"\nb = \"b/1\"\n[patch.impair]\ngain_db = -3.0\ndchan_ber = 1e-5\n\
             [patch.to_a]\necho_model = \"D.4\"\necho_delay_ms = 10.0\necho_erl_db = 15.0\n",
            1,
        );
        let c = parse("x.toml", &text).unwrap();
        let p = &c.patches[0];
        assert_eq!(p.to_a.echo, Some(EchoPath { model: 4, delay_frames: 80, erl_db: 15.0 }));
        assert_eq!((p.to_a.gain_db, p.to_a.dchan_ber), (-3.0, 1e-5));
        assert_eq!(p.to_b.echo, None);
        assert_eq!(p.to_b.gain_db, -3.0);
        assert_eq!(c.patches[1].to_a, Impairments::default());
    }

    #[test]
    fn bad_impairment_names_the_line_and_the_value() {
        let text = GOOD.replacen(
            "[[patch]]\na = \"a/1\"\nb = \"b/1\"\n",
            "[[patch]]\na = \"a/1\"\nb = \"b/1\"\n[patch.to_b]\necho_model = \"D.12\"\n",
            1,
        );
        assert_eq!(err(&text), "sim.toml:27: echo model D.12: G.168 Annex D has models D.2 to D.9");
        let text = GOOD.replacen("b = \"b/1\"\n", "b = \"b/1\"\n[patch.impair]\nblackout = 32\n", 1);
        assert_eq!(err(&text), "sim.toml:27: blackout timeslot 32: 1 to 31");
        let text = GOOD.replacen("b = \"b/1\"\n", "b = \"b/1\"\n[patch.impair]\nnoyse = 1\n", 1);
        assert!(err(&text).contains("noyse"), "{}", err(&text));
        let text = GOOD.replacen("name = \"b\"", "name = \"b\"\nppm = 5000.0", 1);
        assert!(err(&text).starts_with("sim.toml:17: clock offset 5000 ppm"), "{}", err(&text));
    }
}
