// sync_file_range for Swift (a GNU extension the Glibc module leaves out).
#define _GNU_SOURCE
#include "file_shim.h"
#include <fcntl.h>

int vitrine_start_writeback(int fd, long long offset, long long length) {
#ifdef __linux__
    return sync_file_range(fd, (off_t)offset, (off_t)length, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd; (void)offset; (void)length;
    return 0;
#endif
}
