"""Errors that name the file and line an engineer has to fix."""

from __future__ import annotations

from pathlib import Path


class ConfigError(ValueError):
    """A configuration (or sysfs) text that does not parse: ``path:line: message``."""

    def __init__(self, path: str | Path, line: int, message: str):
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(f"{self.path}:{line}: {message}")
