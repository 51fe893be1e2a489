// The NeuralNet engine's Swift code is compiled for a minimum x86-64 CPU (Package.swift, VITRINE_ENGINE_CPU). A
// process that links it checks at start, before any Swift code runs, that this CPU has those instructions, and
// otherwise exits 70 with a message that says how to rebuild, instead of crashing later with SIGILL mid-run.
#include "cblas_loader.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vitrine_cpu_runs(const char *cpu, int has_v3, int has_v4) {
    if (strcmp(cpu, "haswell") == 0 || strcmp(cpu, "x86-64-v3") == 0) return has_v3;
    if (strcmp(cpu, "skylake-avx512") == 0 || strcmp(cpu, "x86-64-v4") == 0) return has_v3 && has_v4;
    return 1;   // a CPU name this check does not know: trust the builder
}

const char *vitrine_engine_cpu(void) {
#if defined(VITRINE_ENGINE_CPU)
    return VITRINE_ENGINE_CPU;
#else
    return "x86-64";
#endif
}

#if defined(__x86_64__) && defined(VITRINE_ENGINE_CPU)
__attribute__((constructor)) static void vitrine_check_engine_cpu(void) {
    __builtin_cpu_init();
    int v3 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2");
    int v4 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
    // VITRINE_CPU_CHECK_AS=x86-64 or x86-64-v3 checks as if this CPU had no more than that level (the refusal's
    // test); it can only take features away.
    const char *as = getenv("VITRINE_CPU_CHECK_AS");
    if (as && strcmp(as, "x86-64") == 0) { v3 = 0; v4 = 0; }
    if (as && strcmp(as, "x86-64-v3") == 0) v4 = 0;
    if (vitrine_cpu_runs(VITRINE_ENGINE_CPU, v3, v4)) return;
    fprintf(stderr, "vitrine: this binary's neural-network engine was compiled for %s CPUs (Package.swift, "
                    "VITRINE_TARGET_CPU; by default the CPU that built it, if it has AVX-512) and this CPU lacks their "
                    "instructions; rebuild with `VITRINE_TARGET_CPU=haswell make` for AVX2 CPUs or "
                    "`VITRINE_TARGET_CPU=x86-64 make` for any x86-64 (slower training and inference)\n", VITRINE_ENGINE_CPU);
    exit(70);
}
#endif
