// Dropping the scans of a progressive JPEG that a reduced-scale decode never reads.
#include "scan_filter.h"
#include <stdlib.h>
#include <string.h>

#define MAX_SEGMENTS 4096

typedef struct { size_t start, end; int drop; } segment;

// The end of entropy-coded data starting at `i`: the first 0xFF (fill bytes included) that begins a
// marker other than a stuffed zero or a restart marker; `len` when the data runs to the end.
static size_t entropy_end(const uint8_t *p, size_t len, size_t i) {
    while (i < len) {
        if (p[i] != 0xFF) { i++; continue; }
        size_t j = i + 1;
        while (j < len && p[j] == 0xFF) j++;
        if (j >= len) return len;
        if (p[j] == 0x00 || (p[j] >= 0xD0 && p[j] <= 0xD7)) { i = j + 1; continue; }
        return i;
    }
    return len;
}

uint64_t vitrine_band_mask(int ss, int se) {
    uint64_t m = 0;
    if (ss < 0) ss = 0;
    for (int k = ss; k <= se && k < 64; k++) m |= (uint64_t)1 << k;
    return m;
}

static int component_index(const vitrine_scan_needs *needs, int id) {
    for (int i = 0; i < needs->count; i++) if (needs->ids[i] == id) return i;
    return -1;
}

// Splits the stream into segments (the first scan's data, markers, whole scans) and marks unneeded scans.
// Returns the number of segments, or -1 when the stream does not parse.
static int plan(const uint8_t *p, size_t len, const vitrine_scan_needs *needs, segment *seg,
                uint64_t *kept, uint64_t *dropped) {
    int n = 0;
    size_t i = entropy_end(p, len, 0);
    seg[n++] = (segment){0, i, 0};
    while (i < len) {
        size_t m = i;
        if (p[i] != 0xFF) return -1;  // bytes between markers: leave the stream to libjpeg as it is
        while (i < len && p[i] == 0xFF) i++;
        if (i >= len) return -1;
        int code = p[i++];
        if (n >= MAX_SEGMENTS) return -1;
        if (code == 0xD9) { seg[n++] = (segment){m, i, 0}; if (i != len) seg[n++] = (segment){i, len, 0}; return n; }
        if (code == 0x01 || (code >= 0xD0 && code <= 0xD7)) { seg[n++] = (segment){m, i, 0}; continue; }
        if (i + 2 > len) return -1;
        size_t length = ((size_t)p[i] << 8) | p[i + 1];
        if (length < 2 || i + length > len) return -1;
        size_t body = i + 2, after = i + length;
        if (code != 0xDA) { seg[n++] = (segment){m, after, 0}; i = after; continue; }
        int ns = p[body];
        if (ns < 1 || ns > VITRINE_MAX_COMPONENTS || length != (size_t)(6 + 2 * ns)) return -1;
        int ss = p[body + 1 + 2 * ns], se = p[body + 2 + 2 * ns];
        if (ss > se || se > 63) return -1;
        uint64_t band = vitrine_band_mask(ss, se);
        int need = 0, idx[VITRINE_MAX_COMPONENTS];
        for (int c = 0; c < ns; c++) {
            idx[c] = component_index(needs, p[body + 1 + 2 * c]);
            if (idx[c] < 0) return -1;
            if (band & needs->needed[idx[c]]) need = 1;
        }
        for (int c = 0; c < ns; c++) (need ? kept : dropped)[idx[c]] |= band;
        i = entropy_end(p, len, after);
        seg[n++] = (segment){m, i, !need};
    }
    return n;
}

uint8_t *vitrine_drop_unneeded_scans(const uint8_t *data, size_t len, const vitrine_scan_needs *needs, size_t *out_len,
                                     int *dropped_count) {
    if (!data || !needs || needs->count < 1 || needs->count > VITRINE_MAX_COMPONENTS) return NULL;
    segment *seg = malloc(MAX_SEGMENTS * sizeof *seg);
    if (!seg) return NULL;
    uint64_t kept[VITRINE_MAX_COMPONENTS], dropped[VITRINE_MAX_COMPONENTS] = {0};
    memcpy(kept, needs->started, sizeof kept);
    int n = plan(data, len, needs, seg, kept, dropped);
    int safe = n > 0, any = 0;
    for (int c = 0; safe && c < needs->count; c++) {
        if (kept[c] & dropped[c]) safe = 0;
        if (dropped[c]) any = 1;
    }
    uint8_t *out = (safe && any) ? malloc(len) : NULL;
    if (out) {
        size_t o = 0;
        *dropped_count = 0;
        for (int s = 0; s < n; s++) {
            if (seg[s].drop) { (*dropped_count)++; continue; }
            memcpy(out + o, data + seg[s].start, seg[s].end - seg[s].start);
            o += seg[s].end - seg[s].start;
        }
        *out_len = o;
    }
    free(seg);
    return out;
}
