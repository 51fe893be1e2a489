// libjpeg error handling for Vitrine: setjmp/longjmp never crosses into Swift.
#include "image_shim.h"
#include "scan_filter.h"
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

#define MAX_SCANS 1000

struct vitrine_jpeg_reader {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr jerr;
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
    int code;          // status to return after longjmp
    int state;         // 0 created, 1 header read, 2 started
    int early_stop;    // stop reading progressive scans once the scaled output is final
    uint8_t *filtered; // the stream without unneeded scans, when decoding from it
    int scans_skipped; // how many scans that stream leaves out
    char message[JMSG_LENGTH_MAX + 64];
};


static struct vitrine_jpeg_reader *reader_of(j_common_ptr cinfo) {
    return (struct vitrine_jpeg_reader *)cinfo->client_data;
}

static void on_error_exit(j_common_ptr cinfo) {
    struct vitrine_jpeg_reader *r = reader_of(cinfo);
    (*cinfo->err->format_message)(cinfo, r->message);
    if (r->code == VITRINE_OK) r->code = VITRINE_ERR_CORRUPT;
    longjmp(r->jump, 1);
}

static void on_emit_message(j_common_ptr cinfo, int level) {
    struct vitrine_jpeg_reader *r = reader_of(cinfo);
    if (level >= 0) return;  // trace messages
    cinfo->err->num_warnings++;
    if (cinfo->err->msg_code == JWRN_JPEG_EOF) {
        (*cinfo->err->format_message)(cinfo, r->message);
        r->code = VITRINE_ERR_TRUNCATED;
        longjmp(r->jump, 1);
    }
}

static void on_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void on_progress(j_common_ptr cinfo) {
    if (cinfo->is_decompressor) {
        j_decompress_ptr d = (j_decompress_ptr)cinfo;
        if (d->input_scan_number > MAX_SCANS) {
            struct vitrine_jpeg_reader *r = reader_of(cinfo);
            snprintf(r->message, sizeof r->message, "more than %d progressive scans", MAX_SCANS);
            r->code = VITRINE_ERR_TOO_MANY_SCANS;
            longjmp(r->jump, 1);
        }
    }
}

vitrine_jpeg_reader *vitrine_jpeg_create(void) {
    struct vitrine_jpeg_reader *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->cinfo.err = jpeg_std_error(&r->jerr);
    r->jerr.error_exit = on_error_exit;
    r->jerr.emit_message = on_emit_message;
    r->jerr.output_message = on_output_message;
    r->cinfo.client_data = r;
    if (setjmp(r->jump)) { free(r); return NULL; }
    jpeg_create_decompress(&r->cinfo);
    r->progress.progress_monitor = on_progress;
    r->early_stop = 1;
    r->cinfo.progress = &r->progress;
    return r;
}

void vitrine_jpeg_destroy(vitrine_jpeg_reader *r) {
    if (!r) return;
    jpeg_destroy_decompress(&r->cinfo);
    free(r->filtered);
    free(r);
}

void vitrine_jpeg_set_early_stop(vitrine_jpeg_reader *r, int on) { if (r) r->early_stop = on ? 1 : 0; }

int vitrine_jpeg_scans_skipped(const vitrine_jpeg_reader *r) { return r ? r->scans_skipped : 0; }

const char *vitrine_jpeg_message(const vitrine_jpeg_reader *r) { return r ? r->message : ""; }

static unsigned read16(const uint8_t *p, int le) { return le ? (unsigned)(p[0] | (p[1] << 8)) : (unsigned)((p[0] << 8) | p[1]); }
static unsigned long read32(const uint8_t *p, int le) {
    return le ? ((unsigned long)p[0] | ((unsigned long)p[1] << 8) | ((unsigned long)p[2] << 16) | ((unsigned long)p[3] << 24))
              : (((unsigned long)p[0] << 24) | ((unsigned long)p[1] << 16) | ((unsigned long)p[2] << 8) | (unsigned long)p[3]);
}

// EXIF orientation from an APP1 payload ("Exif\0\0" + TIFF); 1 when absent or malformed.
static int exif_orientation(const uint8_t *p, size_t len) {
    if (len < 14 || memcmp(p, "Exif\0\0", 6) != 0) return 1;
    const uint8_t *t = p + 6; size_t tlen = len - 6;
    int le;
    if (t[0] == 'I' && t[1] == 'I') le = 1; else if (t[0] == 'M' && t[1] == 'M') le = 0; else return 1;
    if (read16(t + 2, le) != 42) return 1;
    unsigned long ifd = read32(t + 4, le);
    if (ifd > tlen || tlen - ifd < 2) return 1;
    unsigned count = read16(t + ifd, le);
    size_t pos = ifd + 2;
    for (unsigned i = 0; i < count; i++, pos += 12) {
        if (pos > tlen || tlen - pos < 12) return 1;
        if (read16(t + pos, le) == 0x0112) {
            unsigned type = read16(t + pos + 2, le);
            unsigned v = (type == 3) ? read16(t + pos + 8, le) : (unsigned)read32(t + pos + 8, le);
            return (v >= 1 && v <= 8) ? (int)v : 1;
        }
    }
    return 1;
}

int vitrine_jpeg_read_header(vitrine_jpeg_reader *r, const uint8_t *data, size_t len, vitrine_jpeg_info *info) {
    if (!r || r->state != 0) return VITRINE_ERR_STATE;
    memset(info, 0, sizeof *info);
    r->code = VITRINE_OK; r->message[0] = 0;
    if (setjmp(r->jump)) return r->code;
    if (len == 0) { snprintf(r->message, sizeof r->message, "empty input"); return VITRINE_ERR_TRUNCATED; }
    jpeg_mem_src(&r->cinfo, data, (unsigned long)len);
    jpeg_save_markers(&r->cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&r->cinfo, TRUE);
    r->state = 1;
    struct jpeg_decompress_struct *c = &r->cinfo;
    info->width = (int)c->image_width; info->height = (int)c->image_height;
    info->components = c->num_components;
    switch (c->jpeg_color_space) {
    case JCS_GRAYSCALE: info->colorspace = VITRINE_CS_GRAY; break;
    case JCS_RGB: info->colorspace = VITRINE_CS_RGB; break;
    case JCS_YCbCr: info->colorspace = VITRINE_CS_YCBCR; break;
    case JCS_CMYK: info->colorspace = VITRINE_CS_CMYK; break;
    case JCS_YCCK: info->colorspace = VITRINE_CS_YCCK; break;
    default: info->colorspace = VITRINE_CS_OTHER; break;
    }
    info->adobe = c->saw_Adobe_marker ? 1 : 0;
    info->progressive = c->progressive_mode ? 1 : 0;
    info->orientation = 1;
    for (jpeg_saved_marker_ptr m = c->marker_list; m; m = m->next) {
        if (m->marker == JPEG_APP0 + 1 && m->data && m->data_length >= 14 && memcmp(m->data, "Exif\0\0", 6) == 0) {
            info->orientation = exif_orientation(m->data, m->data_length);
            break;
        }
    }
    return VITRINE_OK;
}

int vitrine_jpeg_start(vitrine_jpeg_reader *r, int scale_num, vitrine_jpeg_info *info) {
    if (!r || r->state != 1) return VITRINE_ERR_STATE;
    r->code = VITRINE_OK;
    if (setjmp(r->jump)) return r->code;
    struct jpeg_decompress_struct *c = &r->cinfo;
    if (c->jpeg_color_space == JCS_CMYK || c->jpeg_color_space == JCS_YCCK) {
        if (!c->saw_Adobe_marker) {
            snprintf(r->message, sizeof r->message, "4-component JPEG without Adobe marker: CMYK polarity unknown");
            return VITRINE_ERR_COLORSPACE;
        }
        c->out_color_space = JCS_CMYK;
    } else if (c->jpeg_color_space == JCS_GRAYSCALE || c->jpeg_color_space == JCS_RGB || c->jpeg_color_space == JCS_YCbCr) {
        c->out_color_space = JCS_RGB;
    } else {
        snprintf(r->message, sizeof r->message, "unsupported JPEG colour space %d", (int)c->jpeg_color_space);
        return VITRINE_ERR_COLORSPACE;
    }
    if (scale_num < 1) scale_num = 1;
    if (scale_num > 8) scale_num = 8;
    c->scale_num = (unsigned)scale_num; c->scale_denom = 8;
    c->dct_method = JDCT_ISLOW;
    c->do_fancy_upsampling = TRUE;
    jpeg_calc_output_dimensions(c);
    info->out_width = (int)c->output_width; info->out_height = (int)c->output_height;
    r->state = 2;
    return VITRINE_OK;
}

// Zigzag position -> natural (row * 8 + column) index of a DCT coefficient (the JPEG standard's order).
static const int zigzag_to_natural[64] = {
     0,  1,  8, 16,  9,  2,  3, 10, 17, 24, 32, 25, 18, 11,  4,  5,
    12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13,  6,  7, 14, 21, 28,
    35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
    58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63
};

// The coefficients (bit k = zigzag position k) that the IDCT making s x s pixels of a block reads.
// libjpeg-turbo's 4x4 and 2x2 IDCTs (jidctred) fold all eight frequencies of a row or column into s outputs,
// skipping only the even ones that cancel (4 for 4x4; 2, 4 and 6 for 2x2); its other scaled IDCTs (jidctint)
// read the top-left s x s, and 1x1 the DC alone.
static uint64_t needed_coefficients(int s) {
    int used[DCTSIZE];
    for (int i = 0; i < DCTSIZE; i++)
        used[i] = s == 4 ? i != 4 : s == 2 ? (i == 0 || (i & 1)) : i < s;
    uint64_t m = 0;
    for (int k = 0; k < DCTSIZE2; k++) {
        int nat = zigzag_to_natural[k];
        if (used[nat / 8] && used[nat % 8]) m |= (uint64_t)1 << k;
    }
    return m;
}

// Whether every coefficient that each component's scaled IDCT reads is fully refined, so the scaled
// output equals that of a complete decode.
static int scaled_coefficients_complete(j_decompress_ptr c) {
    if (!c->coef_bits) return 0;
    for (int ci = 0; ci < c->num_components; ci++) {
        int s = c->comp_info[ci].DCT_scaled_size;
        if (s >= DCTSIZE) return 0;
        uint64_t need = needed_coefficients(s);
        for (int k = 0; k < DCTSIZE2; k++)
            if ((need >> k & 1) && c->coef_bits[ci][k] != 0) return 0;
    }
    return 1;
}

// Points the source past the scans whose coefficients the scaled IDCTs never read (typically every AC scan
// of the luma at 1/8), so they are not even Huffman-decoded; leaves the source alone when that is not safe.
static void skip_unneeded_scans(struct vitrine_jpeg_reader *r) {
    j_decompress_ptr c = &r->cinfo;
    if (c->num_components > VITRINE_MAX_COMPONENTS || !c->src || c->src->bytes_in_buffer == 0) return;
    vitrine_scan_needs needs = {.count = c->num_components};
    for (int ci = 0; ci < c->num_components; ci++) {
        needs.ids[ci] = c->comp_info[ci].component_id;
        needs.needed[ci] = needed_coefficients(c->comp_info[ci].DCT_scaled_size);
    }
    uint64_t band = vitrine_band_mask(c->Ss, c->Se);
    for (int i = 0; i < c->comps_in_scan; i++) needs.started[c->cur_comp_info[i]->component_index] |= band;
    size_t n = 0;
    int dropped = 0;
    uint8_t *rest = vitrine_drop_unneeded_scans(c->src->next_input_byte, c->src->bytes_in_buffer, &needs, &n, &dropped);
    if (!rest) return;
    free(r->filtered);
    r->filtered = rest;
    r->scans_skipped = dropped;
    c->src->next_input_byte = rest;
    c->src->bytes_in_buffer = n;
}

int vitrine_jpeg_read_rgb(vitrine_jpeg_reader *r, uint8_t *out, size_t out_len) {
    if (!r || r->state != 2) return VITRINE_ERR_STATE;
    struct jpeg_decompress_struct *c = &r->cinfo;
    r->code = VITRINE_OK;
    volatile JSAMPROW cmyk_row = NULL;
    if (setjmp(r->jump)) { free(cmyk_row); return r->code; }
    // Progressive files decoded at reduced scale: read scans only until the coefficients the
    // scaled IDCT uses are final (DC and the lowest ACs), then output; later refinement scans
    // cannot change the result, so they are never Huffman-decoded.
    int early = r->early_stop && c->progressive_mode && c->scale_num < 8;
    if (early) {
        c->buffered_image = TRUE;
        c->do_block_smoothing = FALSE;
    }
    jpeg_start_decompress(c);
    if (early) {
        skip_unneeded_scans(r);
        for (;;) {
            int ret = jpeg_consume_input(c);
            if (ret == JPEG_REACHED_EOI) break;
            if (ret == JPEG_SUSPENDED) {
                snprintf(r->message, sizeof r->message, "input suspended");
                jpeg_abort_decompress(c);
                return VITRINE_ERR_TRUNCATED;
            }
            if (ret == JPEG_SCAN_COMPLETED && scaled_coefficients_complete(c)) break;
        }
        jpeg_start_output(c, c->input_scan_number);
    }
    size_t w = c->output_width, h = c->output_height;
    if (out_len < w * h * 3) {
        snprintf(r->message, sizeof r->message, "output buffer too small");
        jpeg_abort_decompress(c);
        return VITRINE_ERR_BUFFER;
    }
    if (c->out_color_space == JCS_CMYK) {
        cmyk_row = malloc(w * 4);
        if (!cmyk_row) { snprintf(r->message, sizeof r->message, "out of memory"); jpeg_abort_decompress(c); return VITRINE_ERR_CORRUPT; }
        while (c->output_scanline < h) {
            JSAMPROW row = cmyk_row;
            size_t y = c->output_scanline;
            if (jpeg_read_scanlines(c, &row, 1) != 1) break;
            uint8_t *dst = out + y * w * 3;
            // Adobe CMYK is stored inverted: 255-C etc., so R = (255-C)(255-K)/255 = C'K'/255.
            for (size_t x = 0; x < w; x++) {
                unsigned k = cmyk_row[4 * x + 3];
                dst[3 * x + 0] = (uint8_t)((cmyk_row[4 * x + 0] * k + 127) / 255);
                dst[3 * x + 1] = (uint8_t)((cmyk_row[4 * x + 1] * k + 127) / 255);
                dst[3 * x + 2] = (uint8_t)((cmyk_row[4 * x + 2] * k + 127) / 255);
            }
        }
        free(cmyk_row); cmyk_row = NULL;
    } else {
        while (c->output_scanline < h) {
            JSAMPROW rows[16];
            size_t y = c->output_scanline;
            int n = 0;
            for (; n < 16 && y + (size_t)n < h; n++) rows[n] = out + (y + (size_t)n) * w * 3;
            if (jpeg_read_scanlines(c, rows, (JDIMENSION)n) == 0) break;
        }
    }
    if (early) {
        jpeg_finish_output(c);
        jpeg_abort_decompress(c);
    } else {
        jpeg_finish_decompress(c);
    }
    r->state = 3;
    return VITRINE_OK;
}

typedef struct {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    char *message;
    size_t message_len;
} encode_error_t;

static void on_encode_error(j_common_ptr cinfo) {
    encode_error_t *e = (encode_error_t *)cinfo->err;
    char buf[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, buf);
    if (e->message && e->message_len) snprintf(e->message, e->message_len, "%s", buf);
    longjmp(e->jump, 1);
}

int vitrine_jpeg_encode(const uint8_t *pixels, int width, int height, int components, int quality, int progressive,
                        const vitrine_jpeg_scan *scans, int scan_count,
                        uint8_t **out, size_t *out_len, char *message, size_t message_len) {
    struct jpeg_compress_struct c;
    jpeg_scan_info script[64];
    encode_error_t err;
    unsigned char *volatile buffer = NULL;
    unsigned long size = 0;
    unsigned char *dest = NULL;
    *out = NULL; *out_len = 0;
    if (message && message_len) message[0] = 0;
    if (width <= 0 || height <= 0 || (components != 1 && components != 3)) {
        if (message && message_len) snprintf(message, message_len, "invalid image shape %dx%dx%d", width, height, components);
        return VITRINE_ERR_STATE;
    }
    if (scan_count < 0 || scan_count > 64) {
        if (message && message_len) snprintf(message, message_len, "scan script of %d scans", scan_count);
        return VITRINE_ERR_STATE;
    }
    for (int i = 0; i < scan_count; i++) {
        script[i].comps_in_scan = scans[i].count;
        for (int k = 0; k < 4; k++) script[i].component_index[k] = scans[i].component[k];
        script[i].Ss = scans[i].ss; script[i].Se = scans[i].se; script[i].Ah = scans[i].ah; script[i].Al = scans[i].al;
    }
    memset(&c, 0, sizeof c);
    c.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = on_encode_error;
    err.mgr.output_message = on_output_message;
    err.message = message; err.message_len = message_len;
    if (setjmp(err.jump)) {
        jpeg_destroy_compress(&c);
        // jpeg_mem_dest writes its (re)allocated buffer through &dest, so dest lives in memory.
        free(buffer ? buffer : dest);
        return VITRINE_ERR_CORRUPT;
    }
    jpeg_create_compress(&c);
    jpeg_mem_dest(&c, &dest, &size);
    c.image_width = (JDIMENSION)width; c.image_height = (JDIMENSION)height;
    c.input_components = components;
    c.in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, quality < 1 ? 1 : (quality > 100 ? 100 : quality), TRUE);
    if (scan_count > 0) { c.scan_info = script; c.num_scans = scan_count; }
    else if (progressive) jpeg_simple_progression(&c);
    jpeg_start_compress(&c, TRUE);
    size_t stride = (size_t)width * (size_t)components;
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)c.next_scanline * stride);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    buffer = dest;
    jpeg_destroy_compress(&c);
    *out = (uint8_t *)buffer; *out_len = (size_t)size;
    return VITRINE_OK;
}

void vitrine_free(void *p) { free(p); }

int vitrine_image_shim_version(void) { return 2; }
