"""The DAHDI numbers the Python plant readers use (signalling types, lineconfig bits)
checked against the real header, as drivers/tests/abi_check.rs does for the Rust side:
a C program compiled against /usr/include/dahdi/user.h (Debian dahdi-source, installed
by scripts/setup.sh; DAHDI_USER_H and CC override) prints the header's values."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from cti_daemon.hardware import system_conf

HEADER = Path(os.environ.get("DAHDI_USER_H", "/usr/include/dahdi/user.h"))


def _python_items() -> dict[str, int]:
    items = {name: getattr(system_conf, name[6:]) for name in (
        "DAHDI_SIG_NONE", "DAHDI_SIG_CLEAR", "DAHDI_SIG_HDLCRAW", "DAHDI_SIG_HDLCFCS", "DAHDI_SIG_HDLCNET",
        "DAHDI_SIG_SLAVE", "DAHDI_SIG_CAS", "DAHDI_SIG_EM", "DAHDI_SIG_EM_E1", "DAHDI_SIG_DACS",
        "DAHDI_SIG_DACS_RBS", "DAHDI_SIG_HARDHDLC", "DAHDI_SIG_MTP2",
    )}
    analog = {"fxsls": "FXSLS", "fxsgs": "FXSGS", "fxsks": "FXSKS", "fxols": "FXOLS", "fxogs": "FXOGS", "fxoks": "FXOKS"}
    for keyword, name in analog.items():
        items[f"DAHDI_SIG_{name}"] = system_conf.CHANNEL_KEYWORDS[keyword][1]
    bits = {**system_conf.FRAMINGS, **system_conf.CODINGS, **system_conf.EXTRAS}
    for word, c_name in {"d4": "D4", "esf": "ESF", "ccs": "CCS", "ami": "AMI", "b8zs": "B8ZS", "hdb3": "HDB3",
                         "crc4": "CRC4", "yellow": "NOTOPEN", "nt": "NTTE", "term": "TERM"}.items():
        items[f"DAHDI_CONFIG_{c_name}"] = bits[word]
    return items


def test_python_constants_match_the_dahdi_header(tmp_path):
    assert HEADER.is_file(), f"{HEADER} missing: install dahdi-source (scripts/setup.sh) or set DAHDI_USER_H"
    compiler = os.environ.get("CC", "cc")
    assert shutil.which(compiler), f"C compiler {compiler!r} not found"
    items = _python_items()
    names = sorted(items)
    source = tmp_path / "probe.c"
    source.write_text(
        "#include <stdio.h>\n#include <dahdi/user.h>\nint main(void)\n{\n"
        + "".join(f'\tprintf("%lld\\n", (long long)({name}));\n' for name in names)
        + "\treturn 0;\n}\n"
    )
    binary = tmp_path / "probe"
    subprocess.run([compiler, "-I", str(HEADER.parent.parent), "-o", str(binary), str(source)], check=True)
    header_values = [int(v) for v in subprocess.run([binary], check=True, capture_output=True, text=True).stdout.split()]
    wrong = [
        f"{name}: python has {items[name]:#x}, user.h has {value:#x}"
        for name, value in zip(names, header_values)
        if items[name] != value
    ]
    assert not wrong, "\n".join(wrong)
    assert len(names) == 29
