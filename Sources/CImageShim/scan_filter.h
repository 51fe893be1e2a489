// Dropping the scans of a progressive JPEG that a reduced-scale decode never reads.
#pragma once
#include <stddef.h>
#include <stdint.h>

#define VITRINE_MAX_COMPONENTS 4

/// Which coefficients (bit k = zigzag position k) each component's scaled output reads, and which
/// the scan libjpeg has already started (kept whatever happens), by component id.
typedef struct {
    int count;
    int ids[VITRINE_MAX_COMPONENTS];
    uint64_t needed[VITRINE_MAX_COMPONENTS];
    uint64_t started[VITRINE_MAX_COMPONENTS];
} vitrine_scan_needs;

/// The bits of zigzag positions ss...se (clipped to 0...63).
uint64_t vitrine_band_mask(int ss, int se);

/// A malloc'd copy of `data` (the stream from inside the first scan's entropy data to its end) without the
/// scans whose spectral bands hold no needed coefficient, or NULL when nothing can be dropped safely: the
/// stream does not parse, nothing is unneeded, or a dropped band overlaps a kept scan's band of the same
/// component (a kept refinement scan would then misread its correction bits).
/// `*dropped` counts the scans left out.
uint8_t *vitrine_drop_unneeded_scans(const uint8_t *data, size_t len, const vitrine_scan_needs *needs, size_t *out_len,
                                     int *dropped);
