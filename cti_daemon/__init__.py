"""CTI daemon for E1 trunks: signalling, call control and the call centre."""

__version__ = "0.1.0"
