#!/bin/sh
# make fuzz: runs every fuzz target of the module for FUZZTIME each
# (default 20s), one after the other, on the corpus kept in each
# package's testdata/fuzz (new failing inputs are written there by go
# test; commit them). Exits non-zero at the first target that fails.
set -eu
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-20s}
GO=${GO:-go}
for pkg in $($GO list ./... | grep -v /test/); do
	dir=$($GO list -f '{{.Dir}}' "$pkg")
	for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
		echo "== $pkg $target ($FUZZTIME)"
		$GO test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" "$pkg"
	done
done
