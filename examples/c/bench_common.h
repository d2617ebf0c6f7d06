/*
 * bench_common.h: the timing harness shared by the C benchmarks (bench_eccsi.c, bench_sakke.c):
 * the process CPU-time clock, the timing loop, the median of ROUNDS rounds, the argument and ABI
 * checks, and the result table.
 *
 * Define BENCH_NAME (the program name used in error messages, e.g. "bench_eccsi") before
 * including it, and include it before any other header: it selects POSIX for
 * clock_gettime(CLOCK_PROCESS_CPUTIME_ID). Header-only, for one translation unit per program: everything
 * is static (functions static inline). C99 and C++17 clean.
 */
#ifndef MCPTT_KMC_BENCH_COMMON_H
#define MCPTT_KMC_BENCH_COMMON_H

#ifndef BENCH_NAME
#error "define BENCH_NAME before including bench_common.h"
#endif

#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 199309L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 199309L
#endif

#include <mcptt_kmc.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROUNDS 5

/* Folds output octets in, and is printed at the end, so no result is dead. */
static volatile uint32_t g_sink;

/* Stops the program with exit status 1 unless `rc` is MKC_RESULT_OK. */
static inline void must(uint32_t rc, const char *what) {
    if (rc != (uint32_t)MKC_RESULT_OK) {
        fprintf(stderr, BENCH_NAME ": %s failed: %s (code %u)\n", what, mkc_result_str(rc),
                (unsigned)rc);
        exit(1);
    }
}

static inline double now_seconds(void) {
    struct timespec ts;
    /* CPU time of this (single-threaded) process rather than wall time: on a quiet machine
     * they agree, on a shared one the time other processes hold the CPU is not counted. */
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) {
        perror(BENCH_NAME ": clock_gettime");
        exit(1);
    }
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct bench_op {
    const char *name;
    void (*run)(void);
};

/* Runs `run` for about `seconds` and returns operations per second. The clock is read after
 * every call: clock_gettime costs tens of nanoseconds, the operations measured tens of
 * microseconds (ECCSI) to milliseconds (SAKKE). */
static inline double measure(void (*run)(void), double seconds) {
    unsigned long n = 0;
    double start = now_seconds(), elapsed;
    do {
        run();
        n++;
        elapsed = now_seconds() - start;
    } while (elapsed < seconds);
    return (double)n / elapsed;
}

static inline int compare_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Parses [SECONDS per round] into *seconds and checks the library's ABI against the header's.
 * Returns 0 to go on, or the exit status to stop with (2: usage, 1: ABI mismatch). */
static inline int bench_start(int argc, char **argv, double *seconds) {
    *seconds = 1.0;
    if (argc > 2 || (argc == 2 && ((*seconds = atof(argv[1])) <= 0.0 || *seconds > 60.0))) {
        fprintf(stderr, "usage: %s [SECONDS per round, default 1, at most 60]\n", argv[0]);
        return 2;
    }
    if (mkc_abi_version() != MKC_ABI_VERSION) {
        fprintf(stderr, BENCH_NAME ": library ABI %u, header ABI %u\n",
                (unsigned)mkc_abi_version(), (unsigned)MKC_ABI_VERSION);
        return 1;
    }
    return 0;
}

/* Times each of the `n` operations `ops` in ROUNDS rounds of `seconds` and prints the table
 * (median, us/op, slowest - fastest), headed by `scheme`, then the sink. */
static inline void bench_run(const char *scheme, const struct bench_op *ops, size_t n,
                             double seconds) {
    size_t i;
    int r;

    printf("mcptt-kmc %s %s through the C API: %d rounds of %.2f s per operation\n",
           mkc_version(), scheme, ROUNDS, seconds);
    printf("%-34s %12s %10s %21s\n", "operation", "median op/s", "us/op", "min - max op/s");
    for (i = 0; i < n; i++) {
        double rate[ROUNDS];
        ops[i].run(); /* warm up: lazy tables, caches */
        for (r = 0; r < ROUNDS; r++) rate[r] = measure(ops[i].run, seconds);
        qsort(rate, ROUNDS, sizeof rate[0], compare_double);
        printf("%-34s %12.1f %10.1f %10.1f - %8.1f\n", ops[i].name, rate[ROUNDS / 2],
               1e6 / rate[ROUNDS / 2], rate[0], rate[ROUNDS - 1]);
        fflush(stdout);
    }
    printf("(sink %u)\n", (unsigned)g_sink);
}

#endif /* MCPTT_KMC_BENCH_COMMON_H */
