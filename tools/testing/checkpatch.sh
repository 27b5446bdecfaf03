#!/bin/bash
# checkpatch.pl (from Debian's linux-source, extracted by setup.sh) over
# every C file and header of the project: module, uapi, tools, selftests.
# Fails on any ERROR; warnings and checks are counted, not gated on.
#
# Ignored checks, each because it makes no sense here:
#   LINUX_VERSION_CODE  (all files) the module is built for several
#       kernels, so it has to test the version it is built against.
#   PREFER_DEFINED_ATTRIBUTE_MACRO  (tools/, selftests/) user space has no
#       __printf() and friends; those macros are the kernel's own.
# FILE_PATH_CHANGES and the MAINTAINERS checks only fire on patches.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
checkpatch=build/linux-source/scripts/checkpatch.pl
[ -f $checkpatch ] || { echo "checkpatch: no $checkpatch; run make setup" >&2; exit 1; }

sources() { # dir...
	for d in "$@"; do [ -d "$d" ] && echo "$d"; done |
		xargs -r -I{} find {} -name '*.[ch]' ! -name '*.mod.c' | LC_ALL=C sort
}
run() { # ignores files...
	local ignore=$1
	shift
	[ $# = 0 ] && return
	perl $checkpatch --no-tree --terse --show-types --ignore "$ignore" \
		--file "$@" 2>&1 | grep -v '^total: ' || true
}

mapfile -t kernel < <(sources checkpoint include uapi)
mapfile -t user < <(sources tools selftests)
nfiles=$((${#kernel[@]} + ${#user[@]}))
[ $nfiles -gt 0 ] || { echo "checkpatch: no files" >&2; exit 1; }

out=$(run LINUX_VERSION_CODE "${kernel[@]}"
	run LINUX_VERSION_CODE,PREFER_DEFINED_ATTRIBUTE_MACRO "${user[@]}")
[ -z "$out" ] || echo "$out"

count() { printf '%s\n' "$out" | grep -c ": $1:" || true; }
errors=$(count ERROR) warnings=$(count WARNING) checks=$(count CHECK)
echo "checkpatch: $nfiles files: $errors errors, $warnings warnings, $checks checks"
[ "$errors" = 0 ]
