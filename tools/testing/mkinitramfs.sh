#!/bin/bash
# Build a guest initramfs (gzip'd newc cpio).  busybox-static provides the
# shell and the applets, the /init script runs the show.  A dynamically
# linked program brings its loader and libraries, copied from this host.
#
# usage: mkinitramfs.sh [-k KREL] [-m KO]... [-d MOD]... [-b BIN]... [-s DIR] [-i INIT] OUT
#   -k KREL  release the modules are built for; their dependencies on
#            modules of that Debian kernel are copied too (see below)
#   -m KO    module for /modules/ (repeatable)
#   -d MOD   module of the Debian kernel KREL to load too, with its
#            dependencies, before the -m ones (repeatable)
#   -b BIN   program for /usr/bin/ (repeatable)
#   -s DIR   installed selftests, copied to /selftests/checkpoint/
#   -i INIT  the /init script (default: init.sh next to this script)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
krel="" init=$here/init.sh selftests=""
mods=() kmods=() bins=()
while getopts k:m:d:b:s:i: opt; do
	case $opt in
	k) krel=$OPTARG ;;
	m) mods+=("$OPTARG") ;;
	d) kmods+=("$OPTARG") ;;
	b) bins+=("$OPTARG") ;;
	s) selftests=$OPTARG ;;
	i) init=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 1 ] || { echo "usage: $0 [-k KREL] [-m KO]... [-d MOD]... [-b BIN]... [-s DIR] [-i INIT] OUT" >&2; exit 2; }
out=$1

die() { echo "mkinitramfs: $*" >&2; exit 1; }

is_dynamic() {
	readelf -lW "$1" 2>/dev/null | grep -q 'program interpreter'
}

# busybox is the guest's only shell: it must run before any library does.
check_static() {
	is_dynamic "$1" && die "$1 is dynamically linked; busybox must be static"
	return 0
}

# The loader and libraries of a dynamic program, at the paths ldd finds
# them at on this host, which is where the guest's loader looks (it has
# no ld.so.cache, only the default directories).  Without them it would
# fail inside the guest with a baffling "not found".
add_libs() {
	is_dynamic "$1" || return 0
	ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
	while read -r lib; do
		[ -e "$stage$lib" ] && continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib" || die "cannot copy $lib for $1"
	done
}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,modules/deps}

cp /bin/busybox "$stage/bin/busybox"
check_static "$stage/bin/busybox"
install -m 755 "$init" "$stage/init"

for m in "${mods[@]}"; do
	[ -f "$m" ] || die "no module $m"
	cp "$m" "$stage/modules/"
done

# Modules of the Debian kernel ours or the benchmark need (criu's probes)
# are not built in.  busybox insmod resolves nothing, so copy them,
# uncompressed, numbered in load order; /init loads /modules/deps/* before
# our modules.
[ -n "$krel" ] || [ ${#kmods[@]} = 0 ] || die "-d needs -k"
if [ -n "$krel" ] && [ $((${#mods[@]} + ${#kmods[@]})) -gt 0 ]; then
	ours=" $(for m in "${mods[@]}"; do basename "$m" .ko; done | tr '\n-' ' _')"
	n=0
	for dep in $([ ${#mods[@]} = 0 ] || modinfo -F depends "${mods[@]}" | tr ',' ' ') "${kmods[@]}"; do
		case $ours in *" ${dep//-/_} "*) continue ;; esac
		modprobe -S "$krel" --show-depends "$dep" || die "cannot resolve $dep for $krel"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' |
	while read -r ko; do
		n=$((n + 1))
		dst=$stage/modules/deps/$(printf %02d $n)-$(basename "${ko%.[gx]z}")
		dst=${dst%.zst}
		case $ko in
		*.xz) xz -dc "$ko" >"$dst" ;;
		*.gz) gzip -dc "$ko" >"$dst" ;;
		*.zst) zstd -qdc "$ko" >"$dst" ;;
		*) cp "$ko" "$dst" ;;
		esac
	done
fi

for b in "${bins[@]}"; do
	[ -f "$b" ] || die "no program $b"
	add_libs "$b"
	install -m 755 "$b" "$stage/usr/bin/"
done

if [ -n "$selftests" ]; then
	[ -d "$selftests" ] || die "no selftests directory $selftests"
	mkdir -p "$stage/selftests/checkpoint"
	cp -a "$selftests/." "$stage/selftests/checkpoint/"
	find "$stage/selftests" -type f -perm -u+x | while read -r f; do
		head -c4 "$f" | grep -q ELF && add_libs "$f"
		true
	done
fi

# Sorted names and root ownership: the same inputs give the same archive
# contents whoever builds it.
mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip -6n >"$out.tmp"
mv "$out.tmp" "$out"
