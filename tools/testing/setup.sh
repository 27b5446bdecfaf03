#!/bin/bash
# Install everything the build, the demo and the test suite need on a
# Debian 12 (bookworm) host: both kernels (6.1 from bookworm, 6.12 from
# bookworm-backports) with their headers, QEMU, busybox, sparse,
# linux-source-6.1 (for checkpatch.pl and the kselftest headers), and
# criu and python3 for the benchmark, and what building the debug kernel
# of "make check-debug" from linux-source-6.1 takes (flex, bison, bc,
# libelf-dev for objtool, libssl-dev for the certificate tools).
# Idempotent: a second run only checks.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=${O:-$top/build}
stamp=$out/.setup-done
mkdir -p "$out"

sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo

backports_source() {
	apt-cache policy 2>/dev/null | grep -q 'bookworm-backports' && return 0
	echo "setup: adding bookworm-backports to apt sources"
	$sudo tee /etc/apt/sources.list.d/ckpt-backports.sources >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	return 1
}

# The versioned package a bookworm meta-package points at, for one suite.
versioned_dep() { # meta version-regex
	apt-cache show "$1" | awk -v re="$2" '
		/^Version:/ { ok = ($2 ~ re) }
		ok && /^Depends:/ { sub(/^Depends: /, ""); sub(/ .*/, ""); print; exit }'
}

need_update=0
backports_source || need_update=1
if [ ! -f "$stamp" ] || [ $need_update = 1 ]; then
	# Other configured sources may be unreachable; Debian's must not be.
	$sudo apt-get update -q || true
fi

k61=$(versioned_dep linux-image-amd64 '^6\.1\.')
h61=$(versioned_dep linux-headers-amd64 '^6\.1\.')
k612=$(versioned_dep linux-image-amd64 '^6\.12\.')
h612=$(versioned_dep linux-headers-amd64 '^6\.12\.')
for p in "$k61" "$h61" "$k612" "$h612"; do
	[ -n "$p" ] || { echo "setup: cannot resolve Debian kernel packages (apt-get update failed?)" >&2; exit 1; }
done

pkgs="$k61 $h61 $k612 $h612 linux-source-6.1 qemu-system-x86 busybox-static
      sparse cpio kmod gcc make libc6-dev musl-tools xz-utils perl criu python3
      flex bison bc libelf-dev libssl-dev rsync"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup: installing$missing"
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
fi

# checkpatch.pl, the kselftest headers and lib.mk (whose install needs
# rsync) come from Debian's linux-source.
src=$out/linux-source
if [ ! -f "$src/scripts/checkpatch.pl" ] ||
   [ ! -f "$src/tools/testing/selftests/lib.mk" ]; then
	tarball=$(ls /usr/src/linux-source-6.1.tar.xz)
	rm -rf "$src" && mkdir -p "$src"
	echo "setup: extracting checkpatch and kselftest headers from $tarball"
	tar -C "$src" --strip-components=1 -xJf "$tarball" \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch' \
		'*/tools/testing/selftests/kselftest.h' \
		'*/tools/testing/selftests/kselftest_harness.h' \
		'*/tools/testing/selftests/kselftest_module.h' \
		'*/tools/testing/selftests/lib.mk'
fi

# Record which kernels the harness boots.
rel61=${k61#linux-image-}
rel612=${k612#linux-image-}
printf 'KREL_61=%s\nKREL_612=%s\n' "$rel61" "$rel612" > "$out/kernels.mk"
touch "$stamp"
echo "setup: ok (kernels $rel61 $rel612)"
