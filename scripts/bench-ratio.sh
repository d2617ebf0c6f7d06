#!/bin/sh
# The regression check of `make bench`: for each row of BENCHMARKS.md's table "Against wolfSSL"
# (between the line "<!-- bench-ratio: begin -->" and "<!-- bench-ratio: end -->"), finds the
# C timing programs' line for it and prints the median ops/s measured now, the figure recorded
# in BENCHMARKS.md, now / recorded, and now / wolfSSL. Prints only: timings on a shared
# machine are too noisy to fail on, and speed is never asserted by tests.
#
# Usage: scripts/bench-ratio.sh BENCHMARKS.md OUTPUT...
#   OUTPUT: what build/bench_eccsi and build/bench_sakke printed (their table lines are
#   "<name padded to 34 columns> <median op/s> <us/op> <min> - <max>").
# A row names its C line in its second column in backticks, then gives our recorded ops/s and
# wolfSSL's ops/s (digits with optional thousands commas).
set -eu
if [ $# -lt 2 ]; then
    echo "usage: $0 BENCHMARKS.md OUTPUT..." >&2
    exit 2
fi
table=$1
shift
awk '
    # Pass 1 (BENCHMARKS.md): the rows between the markers.
    FNR == NR {
        if ($0 ~ /<!-- bench-ratio: begin -->/) { on = 1; next }
        if ($0 ~ /<!-- bench-ratio: end -->/) { on = 0; next }
        if (!on || $0 !~ /^\|/ || $0 ~ /^\|[- :|]*$/) next
        n = split($0, col, "|")
        if (n < 6 || col[3] !~ /`/) next
        name = col[3]; sub(/^[^`]*`/, "", name); sub(/`.*$/, "", name)
        rec = col[4]; gsub(/[ ,]/, "", rec)
        wolf = col[5]; gsub(/[ ,]/, "", wolf)
        op = col[2]; gsub(/^ +| +$/, "", op)
        rows++; key[rows] = name; label[rows] = op; recorded[rows] = rec + 0; peer[rows] = wolf + 0
        next
    }
    # Pass 2 (program output): "name (34 columns) median ...".
    {
        name = substr($0, 1, 34); sub(/ +$/, "", name)
        split(substr($0, 35), f, " ")
        if (f[1] ~ /^[0-9.]+$/) now[name] = f[1] + 0
    }
    END {
        if (rows == 0) { print "bench-ratio: no rows found between the markers" > "/dev/stderr"; exit 1 }
        printf "%-60s %10s %10s %9s %9s\n", "operation (C, median ops/s)", "now", "recorded", "now/rec", "now/wolfSSL"
        for (i = 1; i <= rows; i++) {
            if (!(key[i] in now)) { printf "%-60s %10s\n", label[i], "(not run)"; continue }
            v = now[key[i]]
            r = recorded[i] > 0 ? sprintf("%.2f", v / recorded[i]) : "-"
            w = peer[i] > 0 ? sprintf("%.2f", v / peer[i]) : "-"
            printf "%-60s %10.1f %10.1f %9s %9s\n", label[i], v, recorded[i], r, w
        }
    }
' "$table" "$@"
