"""/etc/dahdi/assigned-spans.conf and span assignment through sysfs (§7.1, §7.3).

Debian's DAHDI modules default to ``auto_assign_spans=0`` and Debian ships no init
script, so spans stay unassigned (no channels, nothing for dahdi_cfg) unless
assigned-spans.conf exists or something writes the device's ``auto_assign``. When asked,
the daemon writes the file (as ``dahdi_span_assignments dumpconfig`` would) or assigns
through sysfs itself.

File format: ``<id> <local>:<spanno>:<basechan> [more specs...]`` where ``<id>`` is a
hardware_id, ``@<location>`` or a sysfs devpath, shell globs allowed (§7.3).
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cti_daemon.hardware.discovery import CHANNELS_PER_SPANTYPE, CardInfo, Plant
from cti_daemon.hardware.errors import ConfigError

DEFAULT_PATH = Path("/etc/dahdi/assigned-spans.conf")


@dataclass(frozen=True)
class SpanAssignment:
    device_id: str
    local_spanno: int
    spanno: int
    basechan: int
    line: int = 0

    @property
    def spec(self) -> str:
        """What ``assign_span`` takes: ``<local>:<spanno>:<basechan>``."""
        return f"{self.local_spanno}:{self.spanno}:{self.basechan}"


def attr_clean(text: str) -> str:
    """dahdi_span_assignments' id normalisation: drop newlines, ``!`` -> ``/``, anything
    outside ``[a-zA-Z0-9/:.-]`` -> ``_`` (§7.3)."""
    text = text.replace("\n", "").replace("!", "/")
    return re.sub(r"[^a-zA-Z0-9/:.-]", "_", text)


def card_ids(card: CardInfo) -> list[str]:
    """The ids a line may name a card by: hardware_id, @location, devpath."""
    ids = []
    if card.hardware_id:
        ids.append(attr_clean(card.hardware_id))
    if card.location:
        ids.append("@" + attr_clean(card.location))
    if card.devpath:
        ids.append(card.devpath)
    return ids


def card_matches(card: CardInfo, device_id: str) -> bool:
    return any(fnmatch.fnmatchcase(candidate, device_id) for candidate in card_ids(card))


def parse_assigned_spans(text: str, path: str = str(DEFAULT_PATH)) -> list[SpanAssignment]:
    assignments: list[SpanAssignment] = []
    by_spanno: dict[int, SpanAssignment] = {}
    by_local: dict[tuple[str, int], SpanAssignment] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        content = raw.partition("#")[0].strip()
        if not content:
            continue
        fields = content.split()
        if len(fields) < 2:
            raise ConfigError(path, number, f"expected <id> <local>:<spanno>:<basechan>, found {content!r}")
        device_id = fields[0]
        for spec in fields[1:]:
            parts = spec.split(":")
            if len(parts) != 3 or not all(p.isdigit() for p in parts):
                raise ConfigError(path, number, f"span spec {spec!r} is not <local>:<spanno>:<basechan>")
            local, spanno, basechan = (int(p) for p in parts)
            if local < 1 or not 1 <= spanno <= 127 or not 1 <= basechan <= 1023:
                raise ConfigError(
                    path, number, f"span spec {spec!r}: local >= 1, spanno 1..127, basechan 1..1023"
                )
            assignment = SpanAssignment(device_id, local, spanno, basechan, number)
            if spanno in by_spanno:
                raise ConfigError(path, number, f"span {spanno} already assigned at line {by_spanno[spanno].line}")
            if (device_id, local) in by_local:
                earlier = by_local[(device_id, local)].line
                raise ConfigError(path, number, f"{device_id} local span {local} already assigned at line {earlier}")
            by_spanno[spanno] = by_local[(device_id, local)] = assignment
            assignments.append(assignment)
    return assignments


def read_assigned_spans(path: str | Path = DEFAULT_PATH) -> list[SpanAssignment]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise ConfigError(path, 0, f"cannot read: {error.strerror or error}") from None
    return parse_assigned_spans(text, str(path))


def format_assigned_spans(assignments: list[SpanAssignment]) -> str:
    """The file text, one line per device, specs in local span order."""
    lines = [
        "# Written by the CTI daemon (format of dahdi_span_assignments dumpconfig).",
        "# <id> <local span>:<span number>:<first channel> ...",
    ]
    by_device: dict[str, list[SpanAssignment]] = {}
    for assignment in assignments:
        by_device.setdefault(assignment.device_id, []).append(assignment)
    for device_id, items in by_device.items():
        specs = " ".join(a.spec for a in sorted(items, key=lambda a: a.local_spanno))
        lines.append(f"{device_id:<30} {specs}")
    return "\n".join(lines) + "\n"


def write_assigned_spans(path: str | Path, assignments: list[SpanAssignment]) -> None:
    """Writes the file atomically (a reader never sees half of it)."""
    path = Path(path)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(format_assigned_spans(assignments), encoding="utf-8")
    os.replace(temporary, path)


def _channels_per_span(card: CardInfo, local: int) -> int | None:
    return CHANNELS_PER_SPANTYPE.get(card.spantypes.get(local, ""))


def plan_assignments(plant: Plant, key: str = "hardware_id") -> list[SpanAssignment]:
    """Sequential assignment of every span of every card (sorted by name), as a fresh
    system gets it: span numbers from 1, channels packed. ``key`` picks the id written:
    'hardware_id' (falling back to location for cards without one) or 'location'."""
    assignments: list[SpanAssignment] = []
    spanno, basechan = 1, 1
    for _, card in sorted(plant.cards.items()):
        # Cards without a serial (hardware_id empty) can only be named by location.
        if key == "hardware_id" and card.hardware_id:
            device_id = attr_clean(card.hardware_id)
        else:
            device_id = "@" + attr_clean(card.location)
        for local in range(1, card.span_count + 1):
            channels = _channels_per_span(card, local)
            if channels is None:
                raise ConfigError(
                    card.sysfs_path, 0, f"local span {local} has unknown type {card.spantypes.get(local)!r}"
                )
            assignments.append(SpanAssignment(device_id, local, spanno, basechan))
            spanno += 1
            basechan += channels
    return assignments


def check_overlaps(plant: Plant, assignments: list[SpanAssignment], path: str) -> None:
    """Channel ranges of two assigned spans must not overlap."""
    ranges: list[tuple[int, int, SpanAssignment]] = []
    for assignment in assignments:
        card = next((c for c in plant.cards.values() if card_matches(c, assignment.device_id)), None)
        channels = _channels_per_span(card, assignment.local_spanno) if card else None
        if channels is None:
            continue
        first, last = assignment.basechan, assignment.basechan + channels - 1
        for other_first, other_last, other in ranges:
            if first <= other_last and other_first <= last:
                raise ConfigError(
                    path,
                    assignment.line,
                    f"span {assignment.spanno} channels {first}-{last} overlap span {other.spanno} "
                    f"channels {other_first}-{other_last} (line {other.line})",
                )
        ranges.append((first, last, assignment))


def apply_assignments(plant: Plant, assignments: list[SpanAssignment], path: str = str(DEFAULT_PATH)) -> list[str]:
    """Writes each spec to its card's ``assign_span``; returns the ids that matched no
    card (a card not plugged in is not an error: it is assigned when it appears)."""
    check_overlaps(plant, assignments, path)
    unmatched: list[str] = []
    for assignment in assignments:
        cards = [card for card in plant.cards.values() if card_matches(card, assignment.device_id)]
        if not cards:
            unmatched.append(assignment.device_id)
            continue
        for card in cards:
            (card.sysfs_path / "assign_span").write_text(assignment.spec + "\n")
    return unmatched


def auto_assign(plant: Plant) -> list[str]:
    """Writes the device ``auto_assign`` of every unassigned card; returns their names."""
    names = []
    for card in plant.unassigned_cards():
        (card.sysfs_path / "auto_assign").write_text("1\n")
        names.append(card.name)
    return names
