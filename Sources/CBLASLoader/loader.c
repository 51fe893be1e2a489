// OpenBLAS, loaded on first use instead of at process start: the library starts its worker threads (which spin for
// their first ~100 ms) in its load-time constructor, so a process that never multiplies a matrix — a no-op run,
// `status`, `show` — would pay for them. It also lets the kernel family be chosen before the library reads it.
// The functions below are the CBLAS/OpenBLAS entry points the engine uses, forwarding to the loaded library.
#include "cblas_loader.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef void (*sgemm_fn)(const enum CBLAS_ORDER, const enum CBLAS_TRANSPOSE, const enum CBLAS_TRANSPOSE,
                         const blasint, const blasint, const blasint, const float, const float *, const blasint,
                         const float *, const blasint, const float, float *, const blasint);
typedef void (*set_threads_fn)(int);
typedef int (*get_threads_fn)(void);
typedef char *(*corename_fn)(void);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static sgemm_fn p_sgemm;
static set_threads_fn p_set_threads;
static get_threads_fn p_get_threads;
static corename_fn p_corename;
static int loaded;

/// The kernel family for this CPU, or NULL to let OpenBLAS decide.
static const char *recommended_coretype(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd")) return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
    return NULL;
}

/// Resolves `name` in the loaded library or exits with a message.
static void *resolve(void *lib, const char *name) {
    void *p = dlsym(lib, name);
    if (!p) {
        fprintf(stderr, "vitrine: the OpenBLAS library has no %s (%s); install Debian's libopenblas0\n", name, dlerror());
        exit(70);
    }
    return p;
}

static void load_once(void) {
    const char *core = recommended_coretype();
    if (core && !getenv("OPENBLAS_CORETYPE")) setenv("OPENBLAS_CORETYPE", core, 0);
    // OpenBLAS's idle workers spin for 2^28 cycles (~0.1 s) after each call, competing with the engine's own
    // element-wise threads between GEMMs; 2^4 lets them sleep at once. bench-nn, 2 threads: inference +9-14 %
    // (mobilenet_v2 b32 92.8 -> 105.9 img/s, resnet18 b32 53.2 -> 58.0), training unchanged.
    if (!getenv("OPENBLAS_THREAD_TIMEOUT")) setenv("OPENBLAS_THREAD_TIMEOUT", "4", 0);
    void *lib = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!lib) lib = dlopen("libopenblas.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "vitrine: cannot load OpenBLAS (libopenblas.so.0): %s; install Debian's libopenblas0 (`make deps`)\n",
                dlerror());
        exit(70);
    }
    p_sgemm = (sgemm_fn)resolve(lib, "cblas_sgemm");
    p_set_threads = (set_threads_fn)resolve(lib, "openblas_set_num_threads");
    p_get_threads = (get_threads_fn)resolve(lib, "openblas_get_num_threads");
    p_corename = (corename_fn)resolve(lib, "openblas_get_corename");
    loaded = 1;
}

void vitrine_openblas_load(void) { pthread_once(&once, load_once); }

int vitrine_openblas_is_loaded(void) { return loaded; }

void cblas_sgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE ta, const enum CBLAS_TRANSPOSE tb,
                 const blasint m, const blasint n, const blasint k, const float alpha, const float *a, const blasint lda,
                 const float *b, const blasint ldb, const float beta, float *c, const blasint ldc) {
    vitrine_openblas_load();
    p_sgemm(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void openblas_set_num_threads(int n) { vitrine_openblas_load(); p_set_threads(n); }

int openblas_get_num_threads(void) { vitrine_openblas_load(); return p_get_threads(); }

char *openblas_get_corename(void) { vitrine_openblas_load(); return p_corename(); }
