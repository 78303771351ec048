"""DAHDI channel lists: comma-separated numbers and ranges, ``1-15,17-31`` (§6.1)."""

from __future__ import annotations

# DAHDI_MAX_CHANNELS (user.h, §2.2): channel numbers are 1..1023.
MAX_CHANNEL = 1023


def parse_channel_list(text: str) -> list[int]:
    """The channels of ``text`` in the order written. Raises ValueError with the reason."""
    channels: list[int] = []
    if not text.strip():
        raise ValueError("empty channel list")
    for item in text.split(","):
        item = item.strip()
        first, dash, last = item.partition("-")
        try:
            start = int(first)
            end = int(last) if dash else start
        except ValueError:
            raise ValueError(f"{item!r} is not a channel number or range") from None
        if start > end:
            raise ValueError(f"range {item!r} runs backwards")
        if start < 1 or end > MAX_CHANNEL:
            raise ValueError(f"{item!r} is outside channels 1-{MAX_CHANNEL}")
        channels.extend(range(start, end + 1))
    return channels


def format_channel_list(channels: list[int] | set[int]) -> str:
    """The shortest list text for ``channels``: ``[1,2,3,5]`` -> ``1-3,5``."""
    ordered = sorted(set(channels))
    parts: list[str] = []
    index = 0
    while index < len(ordered):
        start = end = ordered[index]
        while index + 1 < len(ordered) and ordered[index + 1] == end + 1:
            index += 1
            end = ordered[index]
        parts.append(str(start) if start == end else f"{start}-{end}")
        index += 1
    return ",".join(parts)
