#!/bin/sh
# Runs each fuzz target for SECONDS (default 180) with the test fixtures as seed corpus.
# Corpora grow under .fuzz/corpus/<target>; crashes land in .fuzz/crashes/ — copy any crashing
# input into Tests/Fixtures/images/imaging/fuzz-regressions/ (the tests decode every file there).
set -eu
cd "$(dirname "$0")/.."
secs=${1:-180}
seeds=Tests/Fixtures/images/imaging
mkdir -p .fuzz/crashes
for t in jpeg png sniff; do
    mkdir -p .fuzz/corpus/$t
    .fuzz/bin/fuzz-$t -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix=.fuzz/crashes/$t- .fuzz/corpus/$t $seeds 2>&1 | tail -n 3
done
