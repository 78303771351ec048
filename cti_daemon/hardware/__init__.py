"""The plant: DAHDI cards, spans and channels as the engineer configured them.

- system_conf: /etc/dahdi/system.conf (span, bchan, dchan, hardhdlc, mtp2, cas,
  echocanceller, loadzone, ...); echo_choice: the one canceller per voice channel;
- assigned_spans: assigned-spans.conf read/write, assign_span and auto_assign in sysfs;
- discovery: cards, spans, channels from sysfs (both spantype spellings);
- hotplug, plant_watch: pyudev uevents and the plant kept current;
- card_catalogue: common E1 and BRI cards by PCI id.

Every parse error is a ConfigError naming file and line. Section numbers (§) refer to
shared/docs/research/dahdi.md.
"""

from cti_daemon.hardware.errors import ConfigError

__all__ = ["ConfigError"]
