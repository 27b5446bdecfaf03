#!/bin/bash
# Mirror the module sources into DEST, for an out-of-tree build against
# one kernel: Kbuild writes objects next to the sources, so each kernel
# gets its own copy.  Only files whose contents changed are copied (Kbuild
# then rebuilds only what changed), and files gone from the tree go from
# DEST too.  Objects of an in-tree build are never copied.
#
# usage: sync-src.sh DEST PATH...	(run from the repository top)
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 DEST PATH..." >&2; exit 2; }
dest=$1
shift
mkdir -p "$dest"

find "$@" -type f \( -name '*.[chS]' ! -name '*.mod.c' -o -name Kbuild -o -name Makefile \) |
	LC_ALL=C sort >"$dest/.sources.new"

while read -r f; do
	cmp -s "$f" "$dest/$f" || install -D -m 644 "$f" "$dest/$f"
done <"$dest/.sources.new"

if [ -f "$dest/.sources" ]; then
	comm -23 "$dest/.sources" "$dest/.sources.new" | while read -r f; do
		rm -f "$dest/$f"
	done
fi
mv "$dest/.sources.new" "$dest/.sources"
