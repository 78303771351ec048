//! Runs the backend behaviour suite as a plain binary: against hw-sim, or against the
//! real DAHDI kernel (inside the QEMU guest of `ci/qemu/`, where cargo is not available).
//!
//! Usage: behaviour --backend sim --hw-sim PATH [CASE ...]
//!        behaviour --backend dahdi [CASE ...]
//!        behaviour --uevents          (prints every kernel uevent until killed)
//! Prints one line per case ("ok", "FAIL" or "n/a" with the reason), a closing
//! "N passed, M failed" line and a machine-readable line
//! `BEHAVIOUR-RESULT backend=B passed=N failed=M not_showable=K`. Exit status 0 only
//! when no case failed and at least one passed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use cti_drivers::behaviour::{applicable, cases, TestBench, NOT_SHOWABLE};
use cti_drivers::dahdi::bench::DahdiBench;
use cti_drivers::sim::bench::SimBench;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--uevents") {
        return record_uevents();
    }
    let mut backend = String::from("sim");
    let mut hw_sim = std::env::var_os("HW_SIM").map(PathBuf::from);
    let mut only = Vec::new();
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--backend" => backend = it.next().unwrap_or_default(),
            "--hw-sim" => hw_sim = it.next().map(PathBuf::from),
            _ => only.push(a),
        }
    }
    // A fresh hardware per case, so that no case depends on another.
    let start_bench: Box<dyn Fn() -> Result<Box<dyn TestBench>, String>> = match backend.as_str() {
        "sim" => {
            let Some(hw_sim) = hw_sim else {
                eprintln!("behaviour: give the hw-sim binary with --hw-sim PATH or HW_SIM");
                return ExitCode::from(2);
            };
            Box::new(move || SimBench::start(&hw_sim).map(|b| Box::new(b) as Box<dyn TestBench>))
        }
        "dahdi" => Box::new(|| DahdiBench::start().map(|b| Box::new(b) as Box<dyn TestBench>)),
        other => {
            eprintln!("behaviour: unknown backend `{other}` (sim or dahdi)");
            return ExitCode::from(2);
        }
    };
    let (mut passed, mut failed, mut not_showable) = (0, 0, 0);
    for (name, case) in cases() {
        if !only.is_empty() && !only.iter().any(|o| o == name) {
            continue;
        }
        let started = Instant::now();
        let result = start_bench().and_then(|mut bench| {
            if applicable(name, bench.as_ref()) {
                case(bench.as_mut())
            } else {
                Err(format!("{NOT_SHOWABLE}: not applicable on this bench"))
            }
        });
        let seconds = started.elapsed().as_secs_f64();
        match result {
            Ok(()) => {
                passed += 1;
                println!("ok   {name} ({seconds:.1} s)");
            }
            Err(why) if why.starts_with(NOT_SHOWABLE) => {
                not_showable += 1;
                println!("n/a  {name}: {why}");
            }
            Err(why) => {
                failed += 1;
                println!("FAIL {name} ({seconds:.1} s): {why}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    println!("BEHAVIOUR-RESULT backend={backend} passed={passed} failed={failed} not_showable={not_showable}");
    if failed == 0 && passed > 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// Prints `UEVENT <action> <subsystem> <devpath>` for every kernel uevent, for the
/// QEMU stage's hotplug check (dahdi.md 7.4), until the process is killed.
fn record_uevents() -> ExitCode {
    use std::io::Write;
    let socket = match cti_drivers::dahdi::uevent::UeventSocket::open() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("behaviour: cannot open the uevent socket: {e}");
            return ExitCode::from(2);
        }
    };
    let mut out = std::io::stdout().lock();
    loop {
        for ev in socket.drain() {
            let _ = writeln!(out, "UEVENT {} {} {}", ev.action, ev.subsystem(), ev.devpath);
        }
        let _ = out.flush();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
