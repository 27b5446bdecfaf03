# shellcheck shell=bash
# What check.sh and check-debug.sh share: stages that are timed and
# counted, a guest run's verdict added to the counts, and the closing
# line "N passed, N failed, N skipped", also written to $result.
# Sourced after setting $result (the file) and $title (the summary's).

passed=0 failed=0 skipped=0
failures=()
mkdir -p "$(dirname "$result")"
rm -f "$result"

# stage NAME COMMAND...: run it, time it, count it if it fails.
stage() {
	local name=$1 start=$SECONDS
	shift
	echo "=== $name"
	if "$@"; then
		echo "=== $name: ok ($((SECONDS - start)) s)"
		return 0
	fi
	echo "=== $name: FAILED ($((SECONDS - start)) s)"
	failed=$((failed + 1))
	failures+=("$name")
	return 1
}

# count_verdict KREL OUT: add the closing line of OUT/verdict.log (the
# guest's selftests on KREL, judged by check-results.sh) to the counts.
count_verdict() {
	local krel=$1 out=$2 last line
	last=$(tail -n 1 "$out/verdict.log")
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
		skipped=$((skipped + BASH_REMATCH[3]))
		[ "${BASH_REMATCH[2]}" = 0 ] || failures+=("selftests on $krel")
		while read -r line; do
			failures+=("  $line")
		done < <(grep -E '^((# )?(not ok |Bail out!)|check-results:)' "$out/verdict.log")
	else
		failed=$((failed + 1))
		failures+=("selftests on $krel: no result")
	fi
}

summary() {
	echo
	echo "=== $title ($((SECONDS / 60)) min $((SECONDS % 60)) s)"
	if [ ${#failures[@]} != 0 ]; then
		echo "failed:"
		printf '  %s\n' "${failures[@]}"
	fi
	if [ $((passed + failed + skipped)) = 0 ]; then
		echo "no test ran"
		failed=1
	fi
	echo "$passed passed, $failed failed, $skipped skipped" | tee "$result"
	[ $failed = 0 ]
}
