/* Valgrind memcheck client requests for the constant-time check (cargo feature "ct-check").
 * Secret inputs are marked undefined; memcheck then reports every branch and every memory index
 * that depends on them. Values the algorithm makes public are marked defined again. Outside
 * valgrind the requests are no-ops. */
#include <stddef.h>
#include <valgrind/memcheck.h>

void mkc_ct_classify(const void *addr, size_t len) {
    (void)VALGRIND_MAKE_MEM_UNDEFINED(addr, len);
}

void mkc_ct_declassify(const void *addr, size_t len) {
    (void)VALGRIND_MAKE_MEM_DEFINED(addr, len);
}
