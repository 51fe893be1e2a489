#pragma once
/// Error-safe wrappers around libjpeg: every libjpeg call that may longjmp runs inside a
/// function here that owns the setjmp, so a corrupt file becomes a status code, never an exit.
#include <stddef.h>
#include <stdint.h>

/// Status codes returned by the shim (0 = success).
enum {
    VITRINE_OK = 0,
    VITRINE_ERR_CORRUPT = 1,      ///< libjpeg reported a fatal error (message holds its text)
    VITRINE_ERR_TRUNCATED = 2,    ///< the data ended before the image did
    VITRINE_ERR_COLORSPACE = 3,   ///< a colour space we do not convert (e.g. CMYK without Adobe marker)
    VITRINE_ERR_BUFFER = 4,       ///< the caller's buffer is too small
    VITRINE_ERR_STATE = 5,        ///< calls made out of order
    VITRINE_ERR_TOO_MANY_SCANS = 6 ///< a progressive file with an absurd number of scans
};

/// Colour space of a JPEG as stored.
enum {
    VITRINE_CS_GRAY = 1, VITRINE_CS_RGB = 2, VITRINE_CS_YCBCR = 3, VITRINE_CS_CMYK = 4, VITRINE_CS_YCCK = 5, VITRINE_CS_OTHER = 0
};

/// What the header says about a JPEG, and the output size after DCT scaling.
typedef struct vitrine_jpeg_info {
    int width, height;          ///< stored pixel size
    int components;             ///< stored colour components
    int colorspace;             ///< VITRINE_CS_*
    int adobe;                  ///< 1 when an Adobe APP14 marker was seen (CMYK stored inverted)
    int progressive;            ///< 1 for progressive files
    int orientation;            ///< EXIF orientation 1...8 (1 when absent or invalid)
    int out_width, out_height;  ///< output size after vitrine_jpeg_start
} vitrine_jpeg_info;

/// A JPEG decompressor plus its error state.
typedef struct vitrine_jpeg_reader vitrine_jpeg_reader;

/// A new reader, or NULL when out of memory.
vitrine_jpeg_reader *vitrine_jpeg_create(void);
/// Frees a reader.
void vitrine_jpeg_destroy(vitrine_jpeg_reader *r);
/// Whether progressive files decoded at reduced scale stop reading scans once the output is final, and skip
/// the scans holding only coefficients the scaled output never reads (default 1).
void vitrine_jpeg_set_early_stop(vitrine_jpeg_reader *r, int on);
/// How many scans the last decode skipped unread.
int vitrine_jpeg_scans_skipped(const vitrine_jpeg_reader *r);
/// The last error or warning text.
const char *vitrine_jpeg_message(const vitrine_jpeg_reader *r);
/// Reads the header of `data` (which must stay valid until decoding ends) into `info`.
int vitrine_jpeg_read_header(vitrine_jpeg_reader *r, const uint8_t *data, size_t len, vitrine_jpeg_info *info);
/// Chooses DCT scaling `scale_num`/8 and RGB output; fills out_width/out_height.
int vitrine_jpeg_start(vitrine_jpeg_reader *r, int scale_num, vitrine_jpeg_info *info);
/// Decodes the whole image as 8-bit RGB into `out` (out_width*out_height*3 bytes).
int vitrine_jpeg_read_rgb(vitrine_jpeg_reader *r, uint8_t *out, size_t out_len);

/// One scan of a progressive JPEG's script: component indices, spectral band and successive-approximation bits.
typedef struct vitrine_jpeg_scan { int count; int component[4]; int ss, se, ah, al; } vitrine_jpeg_scan;

/// Encodes 8-bit RGB (or gray when components == 1) as a baseline or progressive JPEG; `scans` (when
/// scan_count > 0) replaces libjpeg's default progression with an explicit script.
/// On success *out is a malloc'd buffer of *out_len bytes that the caller frees with vitrine_free.
int vitrine_jpeg_encode(const uint8_t *pixels, int width, int height, int components, int quality, int progressive,
                        const vitrine_jpeg_scan *scans, int scan_count,
                        uint8_t **out, size_t *out_len, char *message, size_t message_len);
/// Frees memory returned by the shim.
void vitrine_free(void *p);

int vitrine_image_shim_version(void);
