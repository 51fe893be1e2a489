#!/bin/sh
# Builds the libFuzzer targets into .fuzz/bin (ignored): fuzz-jpeg, fuzz-png, fuzz-sniff.
# The Imaging sources are compiled into each target together with the C shim, instrumented
# with libFuzzer coverage and AddressSanitizer.
set -eu
cd "$(dirname "$0")/.."
out=.fuzz/bin
mkdir -p "$out"
for c in image_shim scan_filter; do
    clang -c -g -O1 -fsanitize=fuzzer-no-link,address -I Sources/CImageShim/include \
        Sources/CImageShim/$c.c -o "$out/$c.o"
done
clang -c -g -O1 -fsanitize=fuzzer-no-link,address -I Sources/CFileShim/include \
    Sources/CFileShim/file_shim.c -o "$out/file_shim.o"
for t in jpeg png sniff; do
    swiftc -g -O -sanitize=fuzzer,address -parse-as-library -module-name Fuzz_$t \
        -I Sources/CJPEG -I Sources/CPNG -I fuzz/modules/CImageShim -I fuzz/modules/CFileShim \
        fuzz/fuzz_$t.swift Sources/Imaging/*.swift "$out/image_shim.o" "$out/scan_filter.o" "$out/file_shim.o" -ljpeg -lpng16 \
        -o "$out/fuzz-$t"
done
echo "built $out/fuzz-jpeg $out/fuzz-png $out/fuzz-sniff"
