#pragma once
#include <cblas.h>
#include <pthread.h>

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

/// A reference-counted temporary override of one process-wide integer setting: callers that overlap (any thread,
/// any module) share one override, the value in effect is the first caller's, and the value from before comes
/// back when the last leaves — two overlapping save/set/restore pairs would otherwise restore each other's value.
typedef struct vitrine_override {
    pthread_mutex_t lock;
    int holders, saved;
    int (*read)(void);
    void (*write)(int);
} vitrine_override;

/// Prepares `o` for the setting read by `read` and written by `write`.
void vitrine_override_init(vitrine_override *o, int (*read)(void), void (*write)(int));

/// Sets the setting to `value` unless another caller already overrides it.
void vitrine_override_enter(vitrine_override *o, int value);

/// Ends one caller's override; the last to leave restores the value from before the first.
void vitrine_override_leave(vitrine_override *o);

/// The override of OpenBLAS's thread count, shared by every module of the process.
vitrine_override *vitrine_openblas_threads(void);
