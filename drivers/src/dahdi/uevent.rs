//! Kernel uevents (NETLINK_KOBJECT_UEVENT) for card hotplug: SUBSYSTEM=dahdi_devices
//! `add` / `remove` (§7.4 steps 2 and 4). The Python control plane uses pyudev for
//! discovery; the backend reads the same kernel messages so that `hotplug_events` works
//! without udev (a QEMU guest has none).

use std::collections::HashMap;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;

/// One parsed uevent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uevent {
    pub action: String,
    pub devpath: String,
    pub env: HashMap<String, String>,
}

impl Uevent {
    pub fn subsystem(&self) -> &str {
        self.env.get("SUBSYSTEM").map(String::as_str).unwrap_or("")
    }
    /// The last component of DEVPATH (a DAHDI device's name, e.g. `dynamic:loc:1`... as
    /// the kernel names it).
    pub fn name(&self) -> &str {
        self.devpath.rsplit('/').next().unwrap_or("")
    }
}

/// Parses one kernel uevent datagram: `ACTION@DEVPATH\0KEY=VALUE\0...`. None for
/// anything else (udev's own "libudev" messages have another header).
pub fn parse_uevent(datagram: &[u8]) -> Option<Uevent> {
    let mut parts = datagram.split(|&b| b == 0).filter(|p| !p.is_empty());
    let header = std::str::from_utf8(parts.next()?).ok()?;
    let (action, devpath) = header.split_once('@')?;
    let mut env = HashMap::new();
    for part in parts {
        let text = String::from_utf8_lossy(part);
        if let Some((k, v)) = text.split_once('=') {
            env.insert(k.to_string(), v.to_string());
        }
    }
    Some(Uevent { action: action.to_string(), devpath: devpath.to_string(), env })
}

/// A non-blocking kernel uevent socket.
pub struct UeventSocket {
    fd: OwnedFd,
    /// Times the kernel reported lost uevents (ENOBUFS: the receive buffer overflowed).
    lost: std::sync::atomic::AtomicU64,
}

impl UeventSocket {
    pub fn open() -> std::io::Result<UeventSocket> {
        // SAFETY: plain socket(2) call.
        let fd = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_DGRAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                libc::NETLINK_KOBJECT_UEVENT,
            )
        };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: fd is a fresh socket owned by nobody else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        // SAFETY: sockaddr_nl is plain data; all-zero is valid.
        let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        addr.nl_family = libc::AF_NETLINK as u16;
        addr.nl_groups = 1; // the kernel's uevent multicast group
        // SAFETY: addr is a valid sockaddr_nl of the size given.
        let rc = unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&addr as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as u32,
            )
        };
        if rc < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // Assigning one E1 span sends ~64 uevents (a span, 31 channels, add and bind,
        // dahdi.md 7.4): ask for a receive buffer that holds many spans' worth. FORCE
        // works for root; otherwise the kernel caps it at rmem_max, which is still fine.
        let size: libc::c_int = 8 << 20;
        for option in [libc::SO_RCVBUFFORCE, libc::SO_RCVBUF] {
            // SAFETY: setsockopt with a valid int.
            let rc = unsafe {
                libc::setsockopt(fd.as_raw_fd(), libc::SOL_SOCKET, option, (&size as *const libc::c_int).cast(), 4)
            };
            if rc == 0 {
                break;
            }
        }
        Ok(UeventSocket { fd, lost: std::sync::atomic::AtomicU64::new(0) })
    }

    /// How many times uevents were lost because the receive buffer was full.
    pub fn lost(&self) -> u64 {
        self.lost.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Every uevent received since the last call.
    pub fn drain(&self) -> Vec<Uevent> {
        let mut out = Vec::new();
        let mut buf = vec![0u8; 16384];
        loop {
            // SAFETY: buf is valid for buf.len() bytes.
            let n = unsafe { libc::recv(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
            if n < 0 {
                if std::io::Error::last_os_error().raw_os_error() == Some(libc::ENOBUFS) {
                    // Some uevents were dropped; the ones still queued follow.
                    self.lost.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    continue;
                }
                return out; // EAGAIN: all read
            }
            if n == 0 {
                return out;
            }
            if let Some(ev) = parse_uevent(&buf[..n as usize]) {
                out.push(ev);
            }
        }
    }
}

/// Which device each assigned span belongs to, from `/sys/bus/dahdi_spans/devices/span-N`
/// (a link to `.../<device>/span-N`, §7.1). Entries are only added or replaced, so that a
/// device's spans are still known when its `remove` uevent arrives.
pub fn refresh_span_owners(spans_bus: &Path, owners: &mut HashMap<String, Vec<u32>>) {
    let Ok(dir) = std::fs::read_dir(spans_bus) else { return };
    let mut found: HashMap<String, Vec<u32>> = HashMap::new();
    for entry in dir.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(spanno) = name.strip_prefix("span-").and_then(|n| n.parse::<u32>().ok()) else { continue };
        let Ok(target) = std::fs::read_link(entry.path()) else { continue };
        let Some(device) = target.parent().and_then(|p| p.file_name()) else { continue };
        found.entry(device.to_string_lossy().into_owned()).or_default().push(spanno);
    }
    for (device, mut spans) in found {
        spans.sort_unstable();
        owners.insert(device, spans);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_dahdi_device_remove() {
        let msg = b"remove@/devices/dahdi_dynamic/dynamic:loc:1\0ACTION=remove\0DEVPATH=/devices/dahdi_dynamic/dynamic:loc:1\0SUBSYSTEM=dahdi_devices\0SEQNUM=812\0";
        let ev = parse_uevent(msg).expect("parses");
        assert_eq!(ev.action, "remove");
        assert_eq!(ev.subsystem(), "dahdi_devices");
        assert_eq!(ev.name(), "dynamic:loc:1");
        assert_eq!(ev.env["SEQNUM"], "812");
    }

    #[test]
    fn refuses_udev_messages_and_garbage() {
        assert_eq!(parse_uevent(b"libudev\0\xfe\xed"), None);
        assert_eq!(parse_uevent(b""), None);
        assert_eq!(parse_uevent(&[0xff, 0x00, 0x40]), None);
    }
}
