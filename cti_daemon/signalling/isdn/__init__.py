"""ISDN D-channel signalling: Q.921 (LAPD) and Q.931, user and network side."""
