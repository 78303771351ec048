# Shared settings of the real-kernel stage (sourced). dahdi.md 9.2-9.3 give the recipe.
# Everything downloaded or built is cached under $CACHE/<key>, the key being the
# versions of the Debian packages it comes from plus the build script's own text.

CACHE_ROOT="${CTI_QEMU_CACHE:-$HOME/.cache/cti-daemon/qemu}"

log() { printf '[qemu %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The kernel the Debian metapackage points at now (6.1 in bookworm), unless pinned.
kernel_version() {
    if [ -n "${CTI_QEMU_KVERS:-}" ]; then echo "$CTI_QEMU_KVERS"; return; fi
    apt-cache depends linux-image-amd64 2>/dev/null \
        | sed -n 's/^ *Depends: linux-image-\(6\.1\.[0-9]*-[0-9]*-amd64\)$/\1/p' | head -1
}

# "pkg=candidate-version ..." for every package named, in one apt-cache call.
candidates() {
    apt-cache policy "$@" 2>/dev/null | awk '/^[^ ].*:$/ { p = substr($0, 1, length($0) - 1) }
        /^ *Candidate:/ { printf "%s%s=%s", sep, p, $2; sep = " " }'
}
installed() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }
