#!/usr/bin/env bash
# Downloads the Debian kernel, its headers and busybox-static, and builds dahdi.ko,
# dahdi_dynamic.ko and dahdi_dynamic_loc.ko out of tree from Debian's dahdi-source.
# Idempotent: prints the cache directory, whose `ready` file marks a finished build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"

command -v apt-get >/dev/null || die "apt-get is needed (Debian/Ubuntu CI image)"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
install_package() {
    log "installing $1"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "$1" >&2 \
        || die "cannot install $1 (apt-get install refused: no root, no sudo or no mirror?)"
}
command -v qemu-system-x86_64 >/dev/null || install_package qemu-system-x86
[ -f /usr/src/dahdi.tar.bz2 ] || install_package dahdi-source
command -v make >/dev/null && command -v gcc >/dev/null || die "make and gcc are needed to build the modules"

kvers="$(kernel_version)"
[ -n "$kvers" ] || die "cannot tell which 6.1 kernel linux-image-amd64 depends on (apt-get update?)"
packages=(linux-image-"$kvers" linux-headers-"$kvers" busybox-static)
common="$(apt-cache depends linux-headers-"$kvers" | sed -n 's/^ *Depends: \(linux-headers-.*-common\)$/\1/p' | head -1)"
kbuild="$(apt-cache depends linux-headers-"$kvers" | sed -n 's/^ *Depends: \(linux-kbuild-[0-9.]*\)$/\1/p' | head -1)"
[ -n "$common" ] && [ -n "$kbuild" ] || die "cannot find the headers' -common and kbuild packages for $kvers"
packages+=("$common" "$kbuild")

versions="$kvers $(candidates "${packages[@]}") dahdi-source=$(installed dahdi-source)"
key="$(printf '%s\n' "$versions" | cat - "$here/prepare.sh" | sha256sum | cut -c1-16)"
dir="$CACHE_ROOT/$key"
if [ -f "$dir/ready" ]; then
    log "cached: $dir ($versions)"
    echo "$dir"
    exit 0
fi

log "building $dir for: $versions"
rm -rf "$dir"
mkdir -p "$dir/debs" "$dir/root" "$dir/modules"
(cd "$dir/debs" && apt-get download "${packages[@]}" >&2) || die "apt-get download ${packages[*]} failed"
for deb in "$dir"/debs/*.deb; do dpkg -x "$deb" "$dir/root"; done
ksrc="$dir/root/usr/src/linux-headers-$kvers"
# The headers' Makefile includes the -common tree by its absolute installed path.
sed -i "s|include /usr/src/|include $dir/root/usr/src/|" "$ksrc/Makefile"

mkdir -p "$dir/dahdi"
tar -xjf /usr/src/dahdi.tar.bz2 -C "$dir/dahdi"
src="$dir/dahdi/modules/dahdi"
# Only the three modules the stage loads (the full set takes ~1 min more, dahdi.md 9.3).
make -C "$src" -j"$(nproc)" modules KVERS="$kvers" KSRC="$ksrc" \
    DAHDI_BUILD_ALL= CONFIG_DAHDI=m CONFIG_DAHDI_DYNAMIC=m CONFIG_DAHDI_DYNAMIC_LOC=m \
    >"$dir/modules-build.log" 2>&1 || { tail -30 "$dir/modules-build.log" >&2; die "module build failed ($dir/modules-build.log)"; }
for m in dahdi dahdi_dynamic dahdi_dynamic_loc; do
    cp "$src/drivers/dahdi/$m.ko" "$dir/modules/" || die "$m.ko was not built"
done
cp "$dir/root/boot/vmlinuz-$kvers" "$dir/vmlinuz"
cp "$dir/root/bin/busybox" "$dir/busybox"
# Keep what the stage needs; the headers and debs are large.
rm -rf "$dir/debs" "$dir/root" "$dir/dahdi"
printf '%s\n' "$versions" >"$dir/versions"
touch "$dir/ready"
log "ready: $dir"
echo "$dir"
