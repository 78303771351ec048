"""Signalling stacks (sans-I/O state machines) and their traces."""
