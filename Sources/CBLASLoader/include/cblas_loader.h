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

/// Whether a CPU with (`has_v3`: AVX2, FMA, BMI2) and (`has_v4`: AVX-512 F/BW/DQ/VL) runs code compiled with
/// `-target-cpu cpu`; 1 for names it does not know. Every process that links the engine checks this at start.
int vitrine_cpu_runs(const char *cpu, int has_v3, int has_v4);

/// The CPU the engine was compiled for (`x86-64` when no -target-cpu was given).
const char *vitrine_engine_cpu(void);
