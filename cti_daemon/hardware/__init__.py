"""The plant: DAHDI cards, spans and channels as the engineer configured them.

Readers for /etc/dahdi/system.conf and assigned-spans.conf, card discovery from sysfs,
hotplug through pyudev, and a catalogue of E1/BRI cards by PCI id. Section numbers (§)
refer to shared/docs/research/dahdi.md.
"""

from cti_daemon.hardware.errors import ConfigError

__all__ = ["ConfigError"]
