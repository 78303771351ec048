"""ISDN signalling: Q.921 (LAPD) and Q.931 (DSS1), user and network side, sans-I/O."""
