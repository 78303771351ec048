//! The ABI check (issue 3): every ioctl number, constant, struct size, field offset and
//! field size declared in `cti_drivers::dahdi::abi` is compared with the real DAHDI
//! header. A C program printing each item is generated from the Rust table, compiled
//! against `/usr/include/dahdi/user.h` (Debian `dahdi-source`, installed by
//! scripts/setup.sh; override with DAHDI_USER_H=/path/to/dahdi/user.h and CC=...), run,
//! and its output compared item by item. A mismatch fails naming the item and both values.

use std::path::{Path, PathBuf};
use std::process::Command;

use cti_drivers::dahdi::abi::{abi_items, IOCTLS};
use cti_drivers::dahdi::abi_macros::AbiItem;

const DEFAULT_HEADER: &str = "/usr/include/dahdi/user.h";

/// The include directory that makes `#include <dahdi/user.h>` find `header`.
fn include_dir_for(header: &Path) -> PathBuf {
    header
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| panic!("header path {} has no dahdi/ parent", header.display()))
        .to_path_buf()
}

fn c_program(items: &[AbiItem]) -> String {
    let mut source = String::from(
        "#include <stdio.h>\n#include <stddef.h>\n#include <dahdi/user.h>\n\nint main(void)\n{\n",
    );
    for (index, item) in items.iter().enumerate() {
        // One item per line, so a compiler error's line number names the item.
        source.push_str(&format!(
            "\tprintf(\"{index} %lld\\n\", (long long)({}));\n",
            item.c_expr
        ));
    }
    source.push_str("\treturn 0;\n}\n");
    source
}

/// Compiles and runs the generated program; returns the header's value of each item.
fn header_values(items: &[AbiItem], work_dir: &Path) -> Vec<i64> {
    let header = PathBuf::from(std::env::var("DAHDI_USER_H").unwrap_or(DEFAULT_HEADER.into()));
    assert!(
        header.is_file(),
        "DAHDI header {} not found: install Debian package dahdi-source (scripts/setup.sh \
         does) or set DAHDI_USER_H",
        header.display()
    );
    std::fs::create_dir_all(work_dir).unwrap();
    let source_path = work_dir.join("dahdi_abi_probe.c");
    let binary_path = work_dir.join("dahdi_abi_probe");
    std::fs::write(&source_path, c_program(items)).unwrap();

    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let compiled = Command::new(&compiler)
        .arg("-Wall")
        .arg("-I")
        .arg(include_dir_for(&header))
        .arg("-o")
        .arg(&binary_path)
        .arg(&source_path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run C compiler {compiler:?}: {e}"));
    assert!(
        compiled.status.success(),
        "the probe does not compile against {} (an item abi.rs declares is missing from the \
         header?); source {}:\n{}",
        header.display(),
        source_path.display(),
        String::from_utf8_lossy(&compiled.stderr)
    );

    let run = Command::new(&binary_path).output().expect("probe runs");
    assert!(run.status.success(), "probe failed: {:?}", run.status);
    let mut values = vec![None; items.len()];
    for line in String::from_utf8(run.stdout).unwrap().lines() {
        let (index, value) = line.split_once(' ').expect("probe prints `index value`");
        values[index.parse::<usize>().unwrap()] = Some(value.parse::<i64>().unwrap());
    }
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| v.unwrap_or_else(|| panic!("probe printed nothing for {}", items[i].c_expr)))
        .collect()
}

/// One line per item whose Rust value differs from the header's.
fn mismatches(items: &[AbiItem], header: &[i64]) -> Vec<String> {
    items
        .iter()
        .zip(header)
        .filter(|(item, &c_value)| item.rust_value != c_value)
        .map(|(item, &c_value)| {
            format!(
                "{}: abi.rs has {} (0x{:X}), user.h has {} (0x{:X})",
                item.c_expr, item.rust_value, item.rust_value, c_value, c_value
            )
        })
        .collect()
}

fn work_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

#[test]
fn every_abi_item_matches_the_real_dahdi_header() {
    let items = abi_items();
    let header = header_values(&items, &work_dir("abi_check"));
    let wrong = mismatches(&items, &header);
    assert!(
        wrong.is_empty(),
        "{} of {} ABI items differ from the header:\n{}",
        wrong.len(),
        items.len(),
        wrong.join("\n")
    );
    let offsets = items
        .iter()
        .filter(|i| i.c_expr.starts_with("offsetof"))
        .count();
    eprintln!(
        "ABI check: all {} items agree ({} ioctl numbers, {offsets} field offsets)",
        items.len(),
        IOCTLS.len()
    );
}

/// The checker itself: a wrong ioctl number and a wrong offset are both caught and named.
#[test]
fn a_wrong_item_is_reported_by_name_with_both_values() {
    let items = vec![
        AbiItem {
            c_expr: "DAHDI_SPECIFY".into(),
            rust_value: 0x4004_DA27,
        },
        AbiItem {
            c_expr: "offsetof(struct dahdi_spaninfo, alarms)".into(),
            rust_value: 60,
        },
        AbiItem {
            c_expr: "sizeof(struct dahdi_params)".into(),
            rust_value: 136,
        },
    ];
    let header = header_values(&items, &work_dir("abi_check_negative"));
    let wrong = mismatches(&items, &header);
    assert_eq!(wrong.len(), 2, "{wrong:?}");
    assert_eq!(
        wrong[0],
        "DAHDI_SPECIFY: abi.rs has 1074059815 (0x4004DA27), user.h has 1074059814 (0x4004DA26)"
    );
    assert!(wrong[1].starts_with("offsetof(struct dahdi_spaninfo, alarms): abi.rs has 60"));
    assert!(wrong[1].contains("user.h has 64"));
}
