#pragma once
#include <cblas.h>

/// Loads OpenBLAS now (it is otherwise loaded by the first BLAS call). Before loading, when OPENBLAS_CORETYPE is
/// unset, sets it to the CPU's kernel family (SkylakeX for AVX-512, Haswell for AVX2+FMA), because Debian's
/// dynamic-arch build takes some virtual CPUs for SSE3-only ones; when OPENBLAS_THREAD_TIMEOUT is unset, sets it
/// to 4 (idle workers sleep at once instead of spinning against the engine's own threads). Exits 70 with a message when the library or one
/// of its functions is missing. Call it while the process is still single-threaded where possible (setenv).
void vitrine_openblas_load(void);

/// Whether OpenBLAS is loaded in this process.
int vitrine_openblas_is_loaded(void);
