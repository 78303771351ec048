//! Runs the backend behaviour suite as a plain binary (for a QEMU guest later,
//! where cargo is not available).
//!
//! Usage: behaviour --backend sim --hw-sim PATH [CASE ...]
//! Prints one line per case and a closing "N passed, M failed" line.

use std::path::PathBuf;
use std::process::ExitCode;

use cti_drivers::behaviour::{applicable, cases, TestBench};
use cti_drivers::sim::bench::SimBench;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
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
    if backend != "sim" {
        eprintln!("behaviour: backend `{backend}` has no bench yet (only `sim`)");
        return ExitCode::from(2);
    }
    let Some(hw_sim) = hw_sim else {
        eprintln!("behaviour: give the hw-sim binary with --hw-sim PATH or HW_SIM");
        return ExitCode::from(2);
    };
    let (mut passed, mut failed) = (0, 0);
    for (name, case) in cases() {
        if !only.is_empty() && !only.iter().any(|o| o == name) {
            continue;
        }
        // A fresh hardware per case, so that no case depends on another.
        let result = SimBench::start(&hw_sim).and_then(|mut bench| {
            if applicable(name, &bench) {
                case(&mut bench as &mut dyn TestBench)
            } else {
                Err("not applicable on this bench".into())
            }
        });
        match result {
            Ok(()) => {
                passed += 1;
                println!("ok   {name}");
            }
            Err(why) => {
                failed += 1;
                println!("FAIL {name}: {why}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
