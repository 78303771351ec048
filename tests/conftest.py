import pathlib
import sys

# Test helpers (signals.py, corpora.py) are imported as top-level modules.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
