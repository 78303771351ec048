//! Load for hw-sim's capacity measurement: one program that opens every clear
//! B-channel of a running hw-sim through the sim backend and echoes each
//! received block back, like a media engine bridging every call to itself.
//!
//! Usage: hw-sim-load --socket PATH --seconds S
//! Prints one line of JSON: channels, blocks read and written, events seen.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use cti_drivers::sim::SimBackend;
use cti_drivers::{Backend, Channel, ChannelKind, Error, EventKind};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let (Some(socket), Some(seconds)) = (arg("--socket"), arg("--seconds").and_then(|s| s.parse::<f64>().ok())) else {
        eprintln!("usage: hw-sim-load --socket PATH --seconds S");
        std::process::exit(2);
    };
    let backend = match SimBackend::connect(&PathBuf::from(socket)) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("hw-sim-load: {e}");
            std::process::exit(1);
        }
    };
    let spans = backend.spans().unwrap_or_default();
    let mut channels: Vec<Box<dyn Channel>> = Vec::new();
    for s in &spans {
        for no in s.first_channel..s.first_channel + s.channels {
            if let Ok(ch) = backend.open(no) {
                if ch.params().map(|p| p.kind == ChannelKind::Bearer).unwrap_or(false) {
                    channels.push(ch);
                }
            }
        }
    }
    // Two blocks queued ahead, as a media engine primes its transmit side.
    let silence = vec![0xD5u8; 160];
    for ch in channels.iter_mut() {
        let _ = ch.write(&silence);
        let _ = ch.write(&silence);
    }
    let (mut read, mut written, mut underruns, mut overruns, mut other_events) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut buf = vec![0u8; 8192];
    let end = Instant::now() + Duration::from_secs_f64(seconds);
    while Instant::now() < end {
        for ch in channels.iter_mut() {
            loop {
                match ch.read(&mut buf) {
                    Ok(n) => {
                        read += 1;
                        if ch.write(&buf[..n]).is_ok() {
                            written += 1;
                        }
                    }
                    Err(Error::EventsPending) => {
                        while let Ok(Some(ev)) = ch.get_event() {
                            match ev.kind {
                                EventKind::WriteUnderrun => underruns += 1,
                                EventKind::ReadOverrun => overruns += 1,
                                _ => other_events += 1,
                            }
                        }
                    }
                    Err(_) => break,
                }
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    println!(
        "{{\"spans\": {}, \"channels\": {}, \"blocks_read\": {read}, \"blocks_written\": {written}, \"underrun_events\": {underruns}, \"overrun_events\": {overruns}, \"other_events\": {other_events}}}",
        spans.len(),
        channels.len()
    );
}
