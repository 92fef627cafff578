#!/bin/sh
# make fuzz: runs every fuzz target of the module (every `func FuzzX` in a
# _test.go file outside test/: new targets are picked up by themselves)
# for FUZZTIME each (default 20s), on the corpus kept in each package's
# testdata/fuzz (new failing inputs are written there by go test; commit
# them). FUZZJOBS targets run at once (default 1), each with FUZZPARALLEL
# fuzzing workers (default: go test's, one per CPU). make test runs a
# smoke of it (FUZZTIME=300x FUZZJOBS=2 FUZZPARALLEL=1). Exits non-zero if
# a target fails.
set -eu
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-20s}
FUZZJOBS=${FUZZJOBS:-1}
FUZZPARALLEL=${FUZZPARALLEL:-}
GO=${GO:-go}
export GO FUZZTIME FUZZPARALLEL
for dir in $($GO list -f '{{.Dir}}' ./... | grep -v /test/); do
	pkg=./${dir#"$PWD"/}
	[ "$dir" = "$PWD" ] && pkg=.
	for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
		echo "$pkg $target"
	done
done | xargs -P "$FUZZJOBS" -L 1 sh -c '
	out=$($GO test -run "^\$" -fuzz "^$1\$" -fuzztime "$FUZZTIME" ${FUZZPARALLEL:+-parallel "$FUZZPARALLEL"} "$0" 2>&1)
	status=$?
	[ $status -eq 0 ] && out=$(printf "%s\n" "$out" | tail -n 2)
	printf "== %s %s (%s)\n%s\n" "$0" "$1" "$FUZZTIME" "$out"
	exit $status'
