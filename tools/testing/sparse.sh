#!/bin/bash
# Build the module in SRCDIR against KDIR with sparse on every file
# (C=2), and fail on any diagnostic about the project's own files: a
# compiler or sparse warning or error, or a modpost warning or error
# (those are about our module by definition).  Diagnostics about the
# kernel's headers are counted, not gated on: we cannot fix them.
#
# usage: sparse.sh KDIR SRCDIR [VAR=VALUE...]	(passed on to Kbuild)
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 KDIR SRCDIR [VAR=VALUE...]" >&2; exit 2; }
kdir=$1 src=$(cd "$2" && pwd)
shift 2
log=$(dirname "$src")/sparse.log

rc=0
make -C "$kdir" M="$src" C=2 "$@" modules >"$log" 2>&1 || rc=$?

# Kbuild names our files by absolute path (or relative to M= in newer
# kernels); kernel headers come as ./include/..., ./arch/... or /usr/src/...
ours=$(grep -E ': (warning|error):|(WARNING|ERROR): modpost:' "$log" |
	while IFS= read -r line; do
		file=${line%%:*}
		case $line in
		*modpost:*) echo "$line" ;;
		"$src"/*) echo "$line" ;;
		/* | ./*) ;;
		*) [ -e "$src/$file" ] && echo "$line" ;;
		esac
	done || true)
theirs=$(grep -cE ': (warning|error):' "$log" || true)
theirs=$((theirs - $(printf '%s' "$ours" | grep -c . || true)))

if [ $rc != 0 ]; then
	echo "sparse: $kdir: build failed:"
	tail -n 30 "$log"
	exit 1
fi
if [ -n "$ours" ]; then
	echo "$ours"
	echo "sparse: $kdir: $(echo "$ours" | wc -l) diagnostics in the project's files (log: $log)"
	exit 1
fi
echo "sparse: $kdir: clean ($theirs diagnostics in kernel headers ignored)"
