//! The dahdi backend's pieces that need no kernel: errno mapping, the uevent-to-card
//! bookkeeping over a sysfs-shaped directory, the bench profile, and a clear error
//! where DAHDI is not loaded. The backend itself runs against the real kernel in the
//! QEMU stage (ci/qemu/run.sh).

use std::collections::HashMap;
use std::path::PathBuf;

use cti_drivers::behaviour::Profile;
use cti_drivers::dahdi::backend::{backend_error, DahdiBackend, DahdiPaths};
use cti_drivers::dahdi::bench::{dahdi_profile, dahdi_topology};
use cti_drivers::dahdi::uevent::refresh_span_owners;
use cti_drivers::dahdi::{DahdiError, Errno};
use cti_drivers::error::{EBUSY, EINVAL, ENODEV, ENXIO};

#[test]
fn open_refusals_keep_dahdis_errnos() {
    // dahdi.md 1.3: EBUSY held, ENXIO unconfigured, EINVAL no such channel; 7.4: ENODEV.
    assert_eq!(backend_error(DahdiError::ChannelBusy { channo: 5 }).errno(), EBUSY);
    assert_eq!(backend_error(DahdiError::ChannelNotConfigured { channo: 5 }).errno(), ENXIO);
    assert_eq!(backend_error(DahdiError::NoSuchChannel { channo: 5 }).errno(), EINVAL);
    assert_eq!(backend_error(DahdiError::ChannelRemoved { channo: 5 }).errno(), ENODEV);
    let settxbits = DahdiError::Ioctl { channo: 16, request: "DAHDI_SETTXBITS", errno: Errno(22) };
    let e = backend_error(settxbits);
    assert_eq!(e.errno(), EINVAL);
    assert!(e.to_string().contains("DAHDI_SETTXBITS"), "{e}");
}

#[test]
fn span_owners_come_from_the_span_links_and_survive_removal() {
    let root = std::env::temp_dir().join(format!("dahdi-sysfs-{}", std::process::id()));
    let devices = root.join("devices");
    let bus = root.join("bus");
    std::fs::create_dir_all(&bus).unwrap();
    for (device, spans) in [("dynamic:loc:7", [1, 2]), ("pci:0000:03:00.0", [3, 4])] {
        for span in spans {
            let target = devices.join(device).join(format!("span-{span}"));
            std::fs::create_dir_all(&target).unwrap();
            std::os::unix::fs::symlink(&target, bus.join(format!("span-{span}"))).unwrap();
        }
    }
    let mut owners = HashMap::new();
    refresh_span_owners(&bus, &mut owners);
    assert_eq!(owners["dynamic:loc:7"], vec![1, 2]);
    assert_eq!(owners["pci:0000:03:00.0"], vec![3, 4]);
    // The card goes: its span links vanish before its remove uevent is read.
    std::fs::remove_file(bus.join("span-1")).unwrap();
    std::fs::remove_file(bus.join("span-2")).unwrap();
    refresh_span_owners(&bus, &mut owners);
    assert_eq!(owners["dynamic:loc:7"], vec![1, 2], "still known for the remove event");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn loc_profile_states_what_loopback_spans_cannot_show() {
    let p = dahdi_profile();
    // dahdi.md 3.3: RED 1-2 s after the peer stops (checked once a second).
    assert!(p.red_after - p.alarm_tolerance <= 8_000 && p.red_after + p.alarm_tolerance >= 16_000, "{p:?}");
    assert!(p.red_after - p.alarm_tolerance > 0);
    assert_eq!(p.recovery_hold, 0);
    assert!(!p.cut_keeps_far_end && !p.one_way_cut && !p.hardware_can_vanish);
    assert_ne!(p, Profile::CARD);
    let t = dahdi_topology();
    // Spans assigned at 1 + 31 (n - 1): channel numbers as the sim bench's layout.
    assert_eq!((t.bearer_pair, t.hdlc_pair, t.cas_pair), ((1, 32), (16, 47), (63, 94)));
}

#[test]
fn backend_without_dahdi_is_a_clear_error() {
    let missing = PathBuf::from("/nonexistent/dahdi");
    let paths = DahdiPaths {
        channel: missing.join("channel"),
        ctl: missing.join("ctl"),
        pseudo: missing.join("pseudo"),
        spans_bus: missing.join("spans"),
        proc_root: missing.join("proc"),
    };
    let err = DahdiBackend::open_with(paths).err().expect("no DAHDI here");
    assert!(err.to_string().contains("/nonexistent/dahdi/ctl"), "{err}");
}
