#!/bin/bash
# Build the debug kernel of "make check-debug" from Debian's
# linux-source-6.1, or find it already built, in a cache outside the
# checkout:
#   CACHE/KEY/bzImage   the kernel
#   CACHE/KEY/config    its configuration
#   CACHE/KEY/krel      its release (e.g. 6.1.192-ckpt-debug)
#   CACHE/KEY/build     a kernel build tree usable as KDIR for
#                       "make -C KDIR M=..." (objects pruned)
#   CACHE/KEY/src       the sources that tree refers to
# KEY hashes the config fragment, the linux-source-6.1 package version
# and the compiler: a second run with the same three reuses the kernel.
#
# usage: build.sh          (prints CACHE/KEY on stdout, the rest on stderr)
# environment:
#   CKPT_DEBUG_KERNEL_CACHE  the cache (default /var/cache/ckpt-debug-kernel)
#   JOBS                     make -j (default: the number of CPUs)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
frag=$here/debug.config
cache=${CKPT_DEBUG_KERNEL_CACHE:-/var/cache/ckpt-debug-kernel}
tarball=/usr/src/linux-source-6.1.tar.xz
jobs=${JOBS:-$(nproc)}

die() { echo "debug-kernel: $*" >&2; exit 1; }

[ -r "$tarball" ] || die "no $tarball: run \"make setup\""
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1) ||
	die "linux-source-6.1 is not installed: run \"make setup\""
# Bump when the recipe below changes what ends up in the cache.
recipe=1
key=$( { cat "$frag"; echo "linux-source-6.1 $srcver"; gcc --version | head -1;
	echo "recipe $recipe"; } | sha256sum | cut -c1-16)
dir=$cache/$key

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -f "$dir/ok" ]; then
	echo "debug-kernel: cached $(cat "$dir/krel") in $dir" >&2
	echo "$dir"
	exit 0
fi

# A build that did not finish leaves no "ok": start again from scratch.
# The build tree refers to the sources by absolute path, so both are
# made in place, never moved.
start=$(date +%s)
rm -rf "$dir"
mkdir -p "$dir/src" "$dir/build"
echo "debug-kernel: extracting $tarball ($srcver)" >&2
tar -C "$dir/src" --strip-components=1 -xJf "$tarball"

log=$dir/build.log
kmake() { make -C "$dir/src" O="$dir/build" "$@" >>"$log" 2>&1 ||
	{ tail -40 "$log" >&2; die "make $* failed; log in $log"; }; }

echo "debug-kernel: configuring (defconfig + kvm_guest.config + $frag)" >&2
kmake defconfig
kmake kvm_guest.config
(cd "$dir/src" && scripts/kconfig/merge_config.sh -m -O "$dir/build" \
	"$dir/build/.config" "$frag") >>"$log" 2>&1 || die "merge_config failed; log in $log"
kmake olddefconfig

# Every option of the fragment must have survived olddefconfig: a
# dependency it lost would silently test less than it says.
bad=0
while read -r line; do
	case $line in
	CONFIG_*=*) want=$line ;;
	"# CONFIG_"*" is not set") want=$line ;;
	*) continue ;;
	esac
	grep -qxF "$want" "$dir/build/.config" || {
		name=${want#\# }; name=${name%%[= ]*}
		echo "debug-kernel: wanted '$want', got '$(grep -E "(^|# )$name[= ]" "$dir/build/.config" || echo unset)'" >&2
		bad=1
	}
done <"$frag"
[ $bad = 0 ] || die "the configuration lost options of $frag"

echo "debug-kernel: building with -j$jobs (about 20 minutes on 2 CPUs); log in $log" >&2
kmake -j"$jobs" bzImage modules
krel=$(make -s -C "$dir/src" O="$dir/build" kernelrelease 2>/dev/null)
[ -n "$krel" ] || die "cannot tell the kernel release"

cp "$dir/build/arch/x86/boot/bzImage" "$dir/bzImage"
cp "$dir/build/.config" "$dir/config"
echo "$krel" >"$dir/krel"
# External modules need the headers, the configuration, the scripts and
# tools (fixdep, modpost, objtool) and Module.symvers, not the objects.
find "$dir/build" \( -name '*.o' -o -name '*.a' -o -name '.tmp_vmlinux*' \) -type f -delete
touch "$dir/ok"
echo "debug-kernel: built $krel in $(( $(date +%s) - start ))s, in $dir" >&2
echo "$dir"
