#pragma once
/// File calls Swift's Glibc module does not export.

/// Starts writing back the dirty pages of `fd` from `offset` (`length` 0 = to its end) without waiting
/// (Linux `sync_file_range` with SYNC_FILE_RANGE_WRITE); a later fsync then has less to wait for.
/// Returns 0, or -1 with errno set; elsewhere than Linux it does nothing and returns 0.
int vitrine_start_writeback(int fd, long long offset, long long length);
