/*
 * tsan_compat.c: linked into test_threads_tsan only (make test-race). The library is built by
 * rustc, whose LLVM ThreadSanitizer instrumentation calls __tsan_memcpy, __tsan_memmove and
 * __tsan_memset for its block copies; GCC's libtsan (the runtime of this gcc -fsanitize=thread
 * program) predates them. They are memcpy, memmove and memset, which libtsan intercepts and
 * checks as accesses of the whole range: what LLVM's own runtime does with them. Built with
 * -fno-builtin so that the compiler calls the intercepted functions.
 */
#include <stddef.h>
#include <string.h>

void *__tsan_memcpy(void *dst, const void *src, size_t n);
void *__tsan_memmove(void *dst, const void *src, size_t n);
void *__tsan_memset(void *dst, int c, size_t n);

void *__tsan_memcpy(void *dst, const void *src, size_t n) { return memcpy(dst, src, n); }
void *__tsan_memmove(void *dst, const void *src, size_t n) { return memmove(dst, src, n); }
void *__tsan_memset(void *dst, int c, size_t n) { return memset(dst, c, n); }
