//! Channel access without a card: SPECIFY errors, ELAST drain-and-retry, POLLPRI waits,
//! removal (dahdi.md §1.3, §3.2, §7.4), against the fake fd of dahdi_support.

mod dahdi_support;

use std::path::Path;

use cti_drivers::dahdi::abi::*;
use cti_drivers::dahdi::channel::{Interest, MAX_ELAST_ROUNDS};
use cti_drivers::dahdi::fd::DahdiFd;
use cti_drivers::dahdi::poll::PollSet;
use cti_drivers::dahdi::{Channel, DahdiError, DahdiEvent, Errno};
use dahdi_support::FakeDevice;

fn specify_error(errno: i32, channo: i32) -> DahdiError {
    let mut device = FakeDevice::new();
    device.specify_errno = Some(errno);
    Channel::specify(device, channo).unwrap_err()
}

#[test]
fn specify_refusals_become_errors_naming_the_channel() {
    let busy = specify_error(libc::EBUSY, 17);
    assert_eq!(busy, DahdiError::ChannelBusy { channo: 17 });
    assert!(
        busy.to_string().starts_with("DAHDI channel 17 is busy"),
        "{busy}"
    );

    let unconfigured = specify_error(libc::ENXIO, 5);
    assert_eq!(unconfigured, DahdiError::ChannelNotConfigured { channo: 5 });
    assert!(
        unconfigured
            .to_string()
            .contains("channel 5 is not configured"),
        "{unconfigured}"
    );

    let missing = specify_error(libc::EINVAL, 300);
    assert_eq!(missing, DahdiError::NoSuchChannel { channo: 300 });
    assert!(
        missing.to_string().contains("channel 300 does not exist"),
        "{missing}"
    );

    let other = specify_error(libc::EPERM, 3);
    assert_eq!(
        other,
        DahdiError::Ioctl {
            channo: 3,
            request: "DAHDI_SPECIFY",
            errno: Errno(libc::EPERM)
        }
    );
}

#[test]
fn channel_numbers_outside_dahdi_range_are_refused_before_any_ioctl() {
    for channo in [0, -1, DAHDI_MAX_CHANNELS, 32768] {
        let device = FakeDevice::new();
        assert_eq!(
            Channel::specify(device, channo).unwrap_err(),
            DahdiError::NoSuchChannel { channo }
        );
    }
}

#[test]
fn read_with_pending_events_drains_them_and_retries() {
    let mut device = FakeDevice::new();
    device.events.extend([
        DAHDI_EVENT_ALARM,
        DAHDI_EVENT_WRITE_UNDERRUN,
        DAHDI_EVENT_NOALARM,
    ]);
    device.rx.push_back(vec![0xD5; 160]);
    let mut channel = Channel::specify(device, 1).unwrap();

    let mut block = [0u8; 160];
    assert_eq!(channel.read(&mut block).unwrap(), Some(160));
    assert_eq!(block, [0xD5; 160]);
    assert_eq!(
        channel.take_events(),
        vec![
            DahdiEvent::Alarm,
            DahdiEvent::WriteUnderrun,
            DahdiEvent::NoAlarm
        ]
    );
    let stats = channel.stats();
    assert_eq!(stats.elast_retries, 1);
    assert_eq!(stats.events_drained, 3);
    assert_eq!(stats.write_underruns, 1);
    // One failed read, GETEVENT until it returns 0 (3 events + 1 zero), one good read.
    let calls = &channel.device().calls[1..];
    assert_eq!(
        calls,
        [
            "read",
            "DAHDI_GETEVENT",
            "DAHDI_GETEVENT",
            "DAHDI_GETEVENT",
            "DAHDI_GETEVENT",
            "read"
        ]
    );
}

#[test]
fn write_with_pending_events_drains_them_and_retries() {
    let mut device = FakeDevice::new();
    device.events.push_back(DAHDI_EVENT_BITSCHANGED);
    let mut channel = Channel::specify(device, 2).unwrap();
    assert_eq!(channel.write(&[1, 2, 3]).unwrap(), Some(3));
    assert_eq!(channel.device().written, vec![vec![1, 2, 3]]);
    assert_eq!(channel.take_events(), vec![DahdiEvent::BitsChanged]);
    assert_eq!(channel.stats().elast_retries, 1);
}

#[test]
fn nothing_to_read_is_none_not_an_error() {
    let mut channel = Channel::specify(FakeDevice::new(), 1).unwrap();
    let mut block = [0u8; 160];
    assert_eq!(channel.read(&mut block).unwrap(), None);
    channel.device_mut().write_would_block = true;
    assert_eq!(channel.write(&block).unwrap(), None);
}

#[test]
fn events_arriving_as_fast_as_they_are_drained_give_a_clear_error() {
    let mut device = FakeDevice::new();
    device.storm_event = Some(DAHDI_EVENT_BITSCHANGED);
    let mut channel = Channel::specify(device, 9).unwrap();
    let error = channel.read(&mut [0u8; 8]).unwrap_err();
    assert_eq!(
        error,
        DahdiError::EventStorm {
            channo: 9,
            rounds: MAX_ELAST_ROUNDS
        }
    );
    assert_eq!(channel.stats().elast_retries, MAX_ELAST_ROUNDS as u64);
    assert_eq!(channel.take_events().len(), MAX_ELAST_ROUNDS as usize);
}

#[test]
fn a_removed_card_is_reported_as_removal() {
    let mut device = FakeDevice::new();
    device.events.push_back(DAHDI_EVENT_REMOVED);
    let mut channel = Channel::specify(device, 4).unwrap();
    channel.drain_events().unwrap();
    assert!(channel.is_removed());
    assert_eq!(channel.take_events(), vec![DahdiEvent::Removed]);

    channel.device_mut().removed = true;
    assert_eq!(
        channel.read(&mut [0u8; 8]).unwrap_err(),
        DahdiError::ChannelRemoved { channo: 4 }
    );
    assert_eq!(
        channel.params().unwrap_err(),
        DahdiError::ChannelRemoved { channo: 4 }
    );
}

#[test]
fn every_wait_asks_for_pollpri_and_drains_what_it_signals() {
    let mut device = FakeDevice::new();
    device.events.push_back(DAHDI_EVENT_ALARM);
    let mut channel = Channel::specify(device, 1).unwrap();
    for interest in [Interest::READ, Interest::WRITE, Interest::EVENTS_ONLY] {
        channel.wait(interest, 0).unwrap();
    }
    let requests = channel.device().poll_requests.clone();
    assert_eq!(requests.len(), 3);
    assert!(
        requests.iter().all(|events| events & libc::POLLPRI != 0),
        "{requests:?}"
    );
    assert_eq!(requests[0], libc::POLLPRI | libc::POLLIN);
    assert_eq!(requests[1], libc::POLLPRI | libc::POLLOUT);
    assert_eq!(channel.take_events(), vec![DahdiEvent::Alarm]);
}

#[test]
fn wait_reports_an_event_and_drains_it_before_io() {
    let mut device = FakeDevice::new();
    device.events.push_back(DAHDI_EVENT_READ_OVERRUN);
    device.rx.push_back(vec![0; 160]);
    let mut channel = Channel::specify(device, 1).unwrap();
    let readiness = channel.wait(Interest::READ, 0).unwrap();
    assert!(readiness.events && readiness.readable);
    assert_eq!(channel.stats().read_overruns, 1);
    // Drained by the wait, so the read succeeds at once.
    assert_eq!(channel.read(&mut [0u8; 160]).unwrap(), Some(160));
    assert_eq!(channel.stats().elast_retries, 0);
}

#[test]
fn poll_set_asks_every_fd_for_pollpri() {
    let mut set = PollSet::new();
    let (read_end, write_end) = {
        let mut fds = [0; 2];
        // SAFETY: fds has room for two descriptors.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        (fds[0], fds[1])
    };
    let reader = set.add(read_end, Interest::READ);
    let writer = set.add(write_end, Interest::WRITE);
    for index in [reader, writer] {
        assert_ne!(set.requested(index) & libc::POLLPRI, 0);
    }
    assert_eq!(
        set.poll(0).unwrap(),
        1,
        "only the pipe's write end is ready"
    );
    assert!(set.readiness(writer).writable);
    assert!(!set.readiness(reader).readable);
    // SAFETY: both fds are ours.
    unsafe {
        libc::close(read_end);
        libc::close(write_end);
    }
}

#[test]
fn real_fd_errors_name_the_node_and_the_ioctl() {
    let missing = DahdiFd::open(Path::new("/nonexistent/dahdi/channel")).unwrap_err();
    assert_eq!(
        missing,
        DahdiError::DeviceOpen {
            path: "/nonexistent/dahdi/channel".into(),
            errno: Errno(libc::ENOENT)
        }
    );
    assert!(
        missing
            .to_string()
            .starts_with("cannot open /nonexistent/dahdi/channel: "),
        "{missing}"
    );

    // /dev/null is no DAHDI node: the real ioctl path fails with ENOTTY, named.
    let error = Channel::open_at(Path::new("/dev/null"), 12).unwrap_err();
    assert_eq!(
        error,
        DahdiError::Ioctl {
            channo: 12,
            request: "DAHDI_SPECIFY",
            errno: Errno(libc::ENOTTY)
        }
    );
}

#[test]
fn elast_has_a_readable_name() {
    assert_eq!(
        Errno(ELAST).to_string(),
        "ELAST (errno 500, DAHDI events pending)"
    );
}
