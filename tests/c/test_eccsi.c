/*
 * test_eccsi.c: self-checking test of the ECCSI (RFC 6507) and KMS parts of the mcptt-kmc C API,
 * through <mcptt_kmc.h> and the shared library only.
 *
 * Builds as C99 and as C++17 (-Wall -Wextra -Werror -pedantic). Prints one line per failed
 * check and, last, "N passed, M failed"; exits 1 if any check failed (harness: check.h).
 *
 * Every handle and buffer is released, so valgrind and LeakSanitizer report nothing lost.
 */
#include <mcptt_kmc.h>

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* ------------------------------------------------------------------------------------------ */
/* Constants                                                                                  */
/* ------------------------------------------------------------------------------------------ */

#define SIG_BYTES MKC_ECCSI_SIGNATURE_BYTES
#define PT_BYTES MKC_ECCSI_KPAK_BYTES
#define SC_BYTES MKC_ECCSI_SSK_BYTES
#define R_OFF 0
#define S_OFF SC_BYTES
#define PVT_OFF (2 * SC_BYTES)

/* P-256 (RFC 6507 uses NIST P-256 with N = 32). */
static const char P256_P[] = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
static const char P256_Q[] = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
static const char P256_G[] =
    "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
/* -G = (Gx, p - Gy). */
static const char P256_MINUS_G[] =
    "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
    "b01cbd1c01e58065711814b583f061e9d431cca994cea1313449bf97c840ae0a";
/* Valid points with small x: (0, y0) and (5, y5). Their x + p encodings are the same points
 * written with a coordinate >= p, which a decoder must refuse. */
static const char POINT_X0[] =
    "040000000000000000000000000000000000000000000000000000000000000000"
    "66485c780e2f83d72433bd5d84a06bb6541c2af31dae871728bf856a174f93f4";
static const char POINT_X0_PLUS_P[] =
    "04ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"
    "66485c780e2f83d72433bd5d84a06bb6541c2af31dae871728bf856a174f93f4";
static const char POINT_X5[] =
    "040000000000000000000000000000000000000000000000000000000000000005"
    "459243b9aa581806fe913bce99817ade11ca503c64d9a3c533415c083248fbcc";
static const char POINT_X5_PLUS_P[] =
    "04ffffffff00000001000000000000000000000001000000000000000000000004"
    "459243b9aa581806fe913bce99817ade11ca503c64d9a3c533415c083248fbcc";

/* SAKKE parameter set 1 q (RFC 6509 Appendix A): the bound of the KMS secret z. */
static const char SAKKE_Q[] =
    "265eaec7c2958ff69971846636b4195e905b0338672d20986fa6b8d62cf8068b"
    "bd02aac9f8bf03c6c8a1cc354c69672c39e46ce7fdf222864d5b49fd2999a9b4"
    "389b1921cc9ad335144ab173595a07386dabfd2a0c614aa0a9f3cf14870f026a"
    "a7e535abd5a5c7c7ff38fa08e2615f6c203177c42b1eb3a1d99b601ebfaa17fb";

/* RFC 6507 Appendix A. */
static const char RFC_KSAK[] = "0000000000000000000000000000000000000000000000000000000000012345";
static const char RFC_KPAK[] =
    "0450d4670bde75244f28d2838a0d25558a7a72686d4522d4c8273fb6442aebfa93"
    "dbdd37551afd263b5dfd617f3960c65a8c298850ff99f20366dce7d4367217f4";
static const char RFC_ID[] = "323031312d30320074656c3a2b34343737303039303031323300";
static const char RFC_SSK[] = "23f374ae1f4033f3e9dbddaaef20f4cf0b86bbd5a138a5ae9e7e006b34489a0d";
static const char RFC_PVT[] =
    "04758a142779be89e829e71984cb40ef758cc4ad775fc5b9a3e1c8ed52f6fa36d9"
    "a79d247692f4eda3a6bdab77d6aa6474a464ae4934663c5265ba7018ba091f79";
static const char RFC_MSG[] = "6d65737361676500";
static const char RFC_SIG[] =
    "269d4c8fdeb66a74e4ef8c0d5dcc597ddfe6029c2affc4936008cd2cc1045d81"
    "e09b528d0ef8d6df1aa3ecbf80110cfcec9fc68252cebb679f4134846940ccfd"
    "04758a142779be89e829e71984cb40ef758cc4ad775fc5b9a3e1c8ed52f6fa36d9"
    "a79d247692f4eda3a6bdab77d6aa6474a464ae4934663c5265ba7018ba091f79";

/* A 32-octet TS 33.180 UID (Annex F.2.1), used as an opaque identifier. */
static const char UID_HEX[] = "74e2af803ab5d72841bbced0ce319ffe64f6fe23c88a2d258aabcf6ac5658ef4";

/* ------------------------------------------------------------------------------------------ */
/* Small helpers                                                                              */
/* ------------------------------------------------------------------------------------------ */

/* a + v modulo 2^(8n) on an n-octet big-endian integer. */
static void be_add_small(uint8_t *out, const uint8_t *a, size_t n, unsigned v) {
    size_t i = n;
    unsigned carry = v;
    while (i-- > 0) {
        unsigned s = (unsigned)a[i] + carry;
        out[i] = (uint8_t)(s & 0xff);
        carry = s >> 8;
    }
}

/* "*out must stay unchanged" stand-ins for this test's handles (SENTINEL_KMS: check.h). */
#define SENTINEL_PUB ((const mkc_eccsi_public *)SENTINEL_SLOT(1))
#define SENTINEL_SIGNER ((const mkc_eccsi_signer *)SENTINEL_SLOT(2))

/* ------------------------------------------------------------------------------------------ */
/* Shared fixtures                                                                            */
/* ------------------------------------------------------------------------------------------ */

static uint8_t p256_p[SC_BYTES], p256_q[SC_BYTES];
static uint8_t rfc_kpak[PT_BYTES], rfc_id[26], rfc_ssk[SC_BYTES], rfc_pvt[PT_BYTES];
static uint8_t rfc_msg[8], rfc_sig[SIG_BYTES];
static uint8_t z_ones[MKC_KMS_Z_BYTES];
static uint8_t uid[32];

/* Two independent random KMSs, A and B, and keys issued by A for ID_A and ID_B. */
static const mkc_kms *kms_a, *kms_b;
static uint8_t kpak_a[PT_BYTES], kpak_b[PT_BYTES];
static const uint8_t ID_A[] = "sip:alice@mcptt.example.org";
static const uint8_t ID_B[] = "sip:bob@mcptt.example.org";
#define ID_A_LEN (sizeof ID_A - 1)
#define ID_B_LEN (sizeof ID_B - 1)
static uint8_t ssk_a[SC_BYTES], pvt_a[PT_BYTES], ssk_b[SC_BYTES], pvt_b[PT_BYTES];
static const mkc_eccsi_public *pub_a;
static const mkc_eccsi_signer *signer_a;

static uint8_t big_msg[64 * 1024];

static void load_constants(void) {
    size_t i;
    set_ctx("constants", "");
    unhex(P256_P, p256_p, sizeof p256_p);
    unhex(P256_Q, p256_q, sizeof p256_q);
    unhex(RFC_KPAK, rfc_kpak, sizeof rfc_kpak);
    unhex(RFC_ID, rfc_id, sizeof rfc_id);
    unhex(RFC_SSK, rfc_ssk, sizeof rfc_ssk);
    unhex(RFC_PVT, rfc_pvt, sizeof rfc_pvt);
    unhex(RFC_MSG, rfc_msg, sizeof rfc_msg);
    unhex(RFC_SIG, rfc_sig, sizeof rfc_sig);
    unhex(UID_HEX, uid, sizeof uid);
    memset(z_ones, 0x01, sizeof z_ones);
    for (i = 0; i < sizeof big_msg; i++) big_msg[i] = (uint8_t)(i * 131u + (i >> 8));
}

static void get_kpak(const mkc_kms *kms, uint8_t out[PT_BYTES]) {
    size_t written = 0;
    CHECK_RC(mkc_kms_kpak(kms, out, PT_BYTES, &written), MKC_RESULT_OK, "mkc_kms_kpak");
    CHECK_SIZE(written, PT_BYTES, "KPAK length");
}

static void setup_fixtures(void) {
    set_ctx("fixtures", "");
    kms_a = NULL;
    kms_b = NULL;
    CHECK_RC(mkc_kms_new_random(&kms_a), MKC_RESULT_OK, "mkc_kms_new_random A");
    CHECK_RC(mkc_kms_new_random(&kms_b), MKC_RESULT_OK, "mkc_kms_new_random B");
    if (!kms_a || !kms_b) {
        printf("FATAL: cannot make a KMS; stopping\n");
        finish();
    }
    get_kpak(kms_a, kpak_a);
    get_kpak(kms_b, kpak_b);
    CHECK(memcmp(kpak_a, kpak_b, PT_BYTES) != 0, "two random KMSs have different KPAKs");
    CHECK_RC(mkc_kms_issue_eccsi(kms_a, ID_A, ID_A_LEN, ssk_a, sizeof ssk_a, pvt_a, sizeof pvt_a),
             MKC_RESULT_OK, "issue for ID_A");
    CHECK_RC(mkc_kms_issue_eccsi(kms_a, ID_B, ID_B_LEN, ssk_b, sizeof ssk_b, pvt_b, sizeof pvt_b),
             MKC_RESULT_OK, "issue for ID_B");
    pub_a = NULL;
    signer_a = NULL;
    CHECK_RC(mkc_eccsi_public_new(kpak_a, PT_BYTES, &pub_a), MKC_RESULT_OK, "public_new A");
    CHECK_RC(mkc_eccsi_signer_new(kpak_a, PT_BYTES, ID_A, ID_A_LEN, ssk_a, SC_BYTES, pvt_a,
                                  PT_BYTES, &signer_a),
             MKC_RESULT_OK, "signer_new A");
    if (!pub_a || !signer_a) {
        printf("FATAL: cannot make the ECCSI handles; stopping\n");
        finish();
    }
}

static void free_fixtures(void) {
    mkc_eccsi_signer_free(signer_a);
    mkc_eccsi_public_free(pub_a);
    mkc_kms_free(kms_a);
    mkc_kms_free(kms_b);
    memset(ssk_a, 0, sizeof ssk_a);
    memset(ssk_b, 0, sizeof ssk_b);
}

/* Signs msg with `signer` into `sig` and checks the call. */
static void sign_ok(const mkc_eccsi_signer *signer, const uint8_t *msg, size_t msg_len,
                    uint8_t sig[SIG_BYTES]) {
    size_t written = 0;
    memset(sig, 0, SIG_BYTES);
    CHECK_RC(mkc_eccsi_sign(signer, msg, msg_len, sig, SIG_BYTES, &written), MKC_RESULT_OK,
             "mkc_eccsi_sign");
    CHECK_SIZE(written, SIG_BYTES, "signature length");
}

/* ------------------------------------------------------------------------------------------ */
/* Version, sizes, result strings                                                             */
/* ------------------------------------------------------------------------------------------ */

static void test_version_and_sizes(void) {
    char expect[32];
    const char *v = mkc_version();
    set_ctx("version", "");
    CHECK(v != NULL, "mkc_version() is not NULL");
    CHECK(v != NULL && strcmp(v, MKC_VERSION_STRING) == 0,
          "mkc_version() equals MKC_VERSION_STRING");
    snprintf(expect, sizeof expect, "%d.%d.%d", MKC_VERSION_MAJOR, MKC_VERSION_MINOR,
             MKC_VERSION_PATCH);
    CHECK(strcmp(expect, MKC_VERSION_STRING) == 0,
          "MKC_VERSION_STRING matches MAJOR.MINOR.PATCH");
    CHECK(MKC_VERSION_NUMBER ==
              ((MKC_VERSION_MAJOR << 16) | (MKC_VERSION_MINOR << 8) | MKC_VERSION_PATCH),
          "MKC_VERSION_NUMBER = MAJOR << 16 | MINOR << 8 | PATCH");
    CHECK(mkc_abi_version() == MKC_ABI_VERSION, "mkc_abi_version() equals MKC_ABI_VERSION");

    set_ctx("sizes", "");
    CHECK_SIZE(mkc_eccsi_signature_bytes(), MKC_ECCSI_SIGNATURE_BYTES, "signature_bytes");
    CHECK_SIZE(mkc_eccsi_kpak_bytes(), MKC_ECCSI_KPAK_BYTES, "kpak_bytes");
    CHECK_SIZE(mkc_eccsi_pvt_bytes(), MKC_ECCSI_PVT_BYTES, "pvt_bytes");
    CHECK_SIZE(mkc_eccsi_ssk_bytes(), MKC_ECCSI_SSK_BYTES, "ssk_bytes");
    CHECK_SIZE(mkc_kms_ksak_bytes(), MKC_KMS_KSAK_BYTES, "ksak_bytes");
    CHECK_SIZE(mkc_kms_z_bytes(), MKC_KMS_Z_BYTES, "z_bytes");
    CHECK_SIZE(MKC_ECCSI_SIGNATURE_BYTES, 129, "signature is 129 octets");
    CHECK_SIZE(MKC_ECCSI_KPAK_BYTES, 65, "KPAK is 65 octets");
    CHECK_SIZE(MKC_ECCSI_PVT_BYTES, 65, "PVT is 65 octets");
    CHECK_SIZE(MKC_ECCSI_SSK_BYTES, 32, "SSK is 32 octets");
    CHECK_SIZE(MKC_KMS_KSAK_BYTES, 32, "KSAK is 32 octets");
    CHECK_SIZE(MKC_KMS_Z_BYTES, 128, "z is 128 octets");
}

static void test_result_str(void) {
    static const uint32_t known[] = {
        MKC_RESULT_OK,          MKC_RESULT_NULL_PARAMETER,     MKC_RESULT_BUFFER_TOO_SMALL,
        MKC_RESULT_PANIC,       MKC_RESULT_RNG_FAILURE,        MKC_RESULT_INVALID_PARAMETER,
        MKC_RESULT_INVALID_KEY, MKC_RESULT_VERIFY_FAILED,      MKC_RESULT_INVALID_LENGTH,
        MKC_RESULT_DECAPSULATION_FAILED, MKC_RESULT_INVALID_CONFIG,  MKC_RESULT_UNKNOWN_REQUEST,
        MKC_RESULT_NO_CERTIFICATE,       MKC_RESULT_NO_KEY_MATERIAL, MKC_RESULT_INVALID_STORE,
        MKC_RESULT_STORE_AUTHENTICATION_FAILED, MKC_RESULT_MIKEY_MALFORMED,
        MKC_RESULT_MIKEY_TIME_OUTSIDE_WINDOW,   MKC_RESULT_MIKEY_NOT_FOR_US,
        MKC_RESULT_MIKEY_AUTHENTICATION_FAILED, MKC_RESULT_MIKEY_UNKNOWN_KMS,
        MKC_RESULT_MIKEY_KMS_REVOKED, MKC_RESULT_KMS_REDIRECT_MALFORMED, MKC_RESULT_UNKNOWN_MKI,
        MKC_RESULT_KEY_EXPIRED, MKC_RESULT_KEY_NOT_YET_ACTIVE, MKC_RESULT_UNKNOWN_KEY,
        MKC_RESULT_KEY_REVOKED, MKC_RESULT_KEY_OTHER_INITIATOR,
    };
    static const uint32_t unknown[] = {18u, 26u, 99u, 105u, 199u, 0x7FFFFFFFu, 0xFFFFFFFFu};
    const size_t nk = sizeof known / sizeof known[0];
    size_t i, j;
    const char *unknown_text = mkc_result_str(18u);

    set_ctx("mkc_result_str", "");
    CHECK(MKC_RESULT_OK == 0, "MKC_RESULT_OK is 0");
    CHECK(MKC_RESULT_NULL_PARAMETER == 1 && MKC_RESULT_BUFFER_TOO_SMALL == 2 &&
              MKC_RESULT_PANIC == 3 && MKC_RESULT_RNG_FAILURE == 4 &&
              MKC_RESULT_INVALID_PARAMETER == 5 && MKC_RESULT_INVALID_KEY == 100 &&
              MKC_RESULT_VERIFY_FAILED == 101 && MKC_RESULT_INVALID_LENGTH == 6 &&
              MKC_RESULT_DECAPSULATION_FAILED == 102 && MKC_RESULT_INVALID_CONFIG == 7 &&
              MKC_RESULT_UNKNOWN_REQUEST == 8 && MKC_RESULT_NO_CERTIFICATE == 9 &&
              MKC_RESULT_NO_KEY_MATERIAL == 10 && MKC_RESULT_INVALID_STORE == 11 &&
              MKC_RESULT_STORE_AUTHENTICATION_FAILED == 103 && MKC_RESULT_MIKEY_MALFORMED == 12 &&
              MKC_RESULT_MIKEY_TIME_OUTSIDE_WINDOW == 13 && MKC_RESULT_MIKEY_NOT_FOR_US == 14 &&
              MKC_RESULT_MIKEY_AUTHENTICATION_FAILED == 104 && MKC_RESULT_MIKEY_UNKNOWN_KMS == 15 &&
              MKC_RESULT_MIKEY_KMS_REVOKED == 16 && MKC_RESULT_KMS_REDIRECT_MALFORMED == 17 &&
              MKC_RESULT_UNKNOWN_MKI == 20 && MKC_RESULT_KEY_REVOKED == 24 &&
              MKC_RESULT_KEY_OTHER_INITIATOR == 25,
          "result codes have their stable values");
    for (i = 0; i < nk; i++) {
        const char *a = mkc_result_str(known[i]);
        char what[96];
        snprintf(what, sizeof what, "code %u has a non-empty text", (unsigned)known[i]);
        CHECK(a != NULL && a[0] != '\0', what);
        if (a == NULL) continue;
        snprintf(what, sizeof what, "code %u text differs from the unknown-code text",
                 (unsigned)known[i]);
        CHECK(unknown_text != NULL && strcmp(a, unknown_text) != 0, what);
        snprintf(what, sizeof what, "code %u gives the same pointer twice", (unsigned)known[i]);
        CHECK(mkc_result_str(known[i]) == a, what);
        for (j = i + 1; j < nk; j++) {
            const char *b = mkc_result_str(known[j]);
            snprintf(what, sizeof what, "codes %u and %u have distinct texts",
                     (unsigned)known[i], (unsigned)known[j]);
            CHECK(b != NULL && strcmp(a, b) != 0, what);
        }
    }
    for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char *u = mkc_result_str(unknown[i]);
        char what[96];
        snprintf(what, sizeof what, "unknown code %lu gives \"unknown result code\"",
                 (unsigned long)unknown[i]);
        CHECK(u != NULL && strcmp(u, "unknown result code") == 0, what);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* mkc_random, _free(NULL)                                                                    */
/* ------------------------------------------------------------------------------------------ */

static void test_random_and_free(void) {
    uint8_t a[32], b[32], c[4];
    static uint8_t big[1 << 16];

    set_ctx("mkc_random", "");
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    CHECK_RC(mkc_random(a, sizeof a), MKC_RESULT_OK, "fill 32");
    CHECK_RC(mkc_random(b, sizeof b), MKC_RESULT_OK, "fill 32 again");
    CHECK(memcmp(a, b, sizeof a) != 0, "two 32-octet draws differ");
    CHECK(!all_equal(a, sizeof a, 0) && !all_equal(b, sizeof b, 0), "draws are not all zero");
    CHECK_RC(mkc_random(NULL, 0), MKC_RESULT_OK, "(NULL, 0) is a no-op");
    memset(c, CANARY, sizeof c);
    CHECK_RC(mkc_random(c, 0), MKC_RESULT_OK, "(buf, 0) is a no-op");
    CHECK(all_equal(c, sizeof c, CANARY), "(buf, 0) leaves buf untouched");
    CHECK_RC(mkc_random(NULL, 16), MKC_RESULT_NULL_PARAMETER, "(NULL, 16)");
    memset(big, 0, sizeof big);
    CHECK_RC(mkc_random(big, sizeof big), MKC_RESULT_OK, "fill 64 KiB");
    CHECK(!all_equal(big + sizeof big - 64, 64, 0), "the end of a 64 KiB draw is filled");

    set_ctx("_free(NULL)", "");
    mkc_kms_free(NULL);
    mkc_eccsi_public_free(NULL);
    mkc_eccsi_signer_free(NULL);
    CHECK(1, "every _free accepts NULL");
}

/* ------------------------------------------------------------------------------------------ */
/* mkc_kms_new_from_secrets / mkc_kms_new_random / mkc_kms_kpak                               */
/* ------------------------------------------------------------------------------------------ */

static void expect_kms_rejected(const char *name, const uint8_t *ksak, size_t ksak_len,
                                const uint8_t *z, size_t z_len) {
    const mkc_kms *out = SENTINEL_KMS;
    set_ctx("new_from_secrets rejects", name);
    CHECK_RC(mkc_kms_new_from_secrets(ksak, ksak_len, z, z_len, &out), MKC_RESULT_INVALID_KEY,
             "result");
    CHECK(out == SENTINEL_KMS, "*out unchanged on failure");
    if (out != SENTINEL_KMS) mkc_kms_free(out);
}

static void expect_kms_kpak(const char *name, const uint8_t *ksak, const uint8_t *z,
                            const uint8_t *want_kpak) {
    const mkc_kms *kms = NULL;
    uint8_t kpak[PT_BYTES];
    set_ctx("new_from_secrets accepts", name);
    CHECK_RC(mkc_kms_new_from_secrets(ksak, MKC_KMS_KSAK_BYTES, z, MKC_KMS_Z_BYTES, &kms),
             MKC_RESULT_OK, "result");
    CHECK(kms != NULL, "handle set");
    if (kms == NULL) return;
    if (want_kpak != NULL) {
        memset(kpak, 0, sizeof kpak);
        get_kpak(kms, kpak);
        CHECK(memcmp(kpak, want_kpak, PT_BYTES) == 0, "KPAK equals the expected point");
    }
    mkc_kms_free(kms);
}

static void test_kms_secrets(void) {
    uint8_t ksak[MKC_KMS_KSAK_BYTES + 1], z[MKC_KMS_Z_BYTES + 1], v[MKC_KMS_Z_BYTES + 1];
    uint8_t sakke_q[MKC_KMS_Z_BYTES], g[PT_BYTES], minus_g[PT_BYTES], kpak[PT_BYTES];
    uint8_t ssk[SC_BYTES], pvt[PT_BYTES];
    const mkc_kms *kms = NULL, *kms2 = NULL;
    const mkc_eccsi_signer *signer = NULL;

    unhex(SAKKE_Q, sakke_q, sizeof sakke_q);
    unhex(P256_G, g, sizeof g);
    unhex(P256_MINUS_G, minus_g, sizeof minus_g);
    unhex(RFC_KSAK, ksak, MKC_KMS_KSAK_BYTES);

    /* RFC 6507 Appendix A: KSAK 0x12345 gives the published KPAK. */
    expect_kms_kpak("RFC 6507 KSAK", ksak, z_ones, rfc_kpak);
    /* KSAK = 1 gives G; KSAK = q - 1 gives -G. */
    memset(v, 0, MKC_KMS_KSAK_BYTES);
    v[MKC_KMS_KSAK_BYTES - 1] = 1;
    expect_kms_kpak("KSAK = 1 gives G", v, z_ones, g);
    be_add_small(v, p256_q, SC_BYTES, 0);
    v[SC_BYTES - 1] = (uint8_t)(v[SC_BYTES - 1] - 1); /* q ends in 0x51: no borrow */
    expect_kms_kpak("KSAK = q - 1 gives -G", v, z_ones, minus_g);
    /* z at both ends of [2, q-1] (RFC 6508 2.2); z = 1 is refused. */
    memset(z, 0, MKC_KMS_Z_BYTES);
    z[MKC_KMS_Z_BYTES - 1] = 1;
    expect_kms_rejected("z = 1", ksak, MKC_KMS_KSAK_BYTES, z, MKC_KMS_Z_BYTES);
    z[MKC_KMS_Z_BYTES - 1] = 2;
    expect_kms_kpak("z = 2", ksak, z, rfc_kpak);
    memcpy(z, sakke_q, MKC_KMS_Z_BYTES);
    z[MKC_KMS_Z_BYTES - 1] = (uint8_t)(z[MKC_KMS_Z_BYTES - 1] - 1); /* q ends in 0xfb */
    expect_kms_kpak("z = q - 1", ksak, z, rfc_kpak);

    /* KSAK out of range or of the wrong length. */
    memset(v, 0, sizeof v);
    expect_kms_rejected("KSAK = 0", v, MKC_KMS_KSAK_BYTES, z_ones, MKC_KMS_Z_BYTES);
    expect_kms_rejected("KSAK = q", p256_q, MKC_KMS_KSAK_BYTES, z_ones, MKC_KMS_Z_BYTES);
    be_add_small(v, p256_q, SC_BYTES, 1);
    expect_kms_rejected("KSAK = q + 1", v, MKC_KMS_KSAK_BYTES, z_ones, MKC_KMS_Z_BYTES);
    {
        /* 0x12345 + q: the RFC KSAK's residue, but not a canonical scalar. */
        uint8_t rfc_ksak_plus_q[SC_BYTES];
        unsigned carry = 0;
        int k;
        for (k = SC_BYTES - 1; k >= 0; k--) {
            unsigned sum = (unsigned)ksak[k] + (unsigned)p256_q[k] + carry;
            rfc_ksak_plus_q[k] = (uint8_t)(sum & 0xff);
            carry = sum >> 8;
        }
        CHECK(carry == 0, "RFC KSAK + q fits in 32 octets");
        expect_kms_rejected("KSAK = RFC KSAK + q (same residue)", rfc_ksak_plus_q,
                            MKC_KMS_KSAK_BYTES, z_ones, MKC_KMS_Z_BYTES);
    }
    expect_kms_rejected("KSAK = p", p256_p, MKC_KMS_KSAK_BYTES, z_ones, MKC_KMS_Z_BYTES);
    memset(v, 0xFF, sizeof v);
    expect_kms_rejected("KSAK all-FF", v, MKC_KMS_KSAK_BYTES, z_ones, MKC_KMS_Z_BYTES);
    expect_kms_rejected("KSAK 31 octets", ksak + 1, MKC_KMS_KSAK_BYTES - 1, z_ones,
                        MKC_KMS_Z_BYTES);
    v[0] = 0;
    memcpy(v + 1, ksak, MKC_KMS_KSAK_BYTES);
    expect_kms_rejected("KSAK 33 octets (0x00 || KSAK)", v, MKC_KMS_KSAK_BYTES + 1, z_ones,
                        MKC_KMS_Z_BYTES);
    expect_kms_rejected("KSAK (NULL, 0)", NULL, 0, z_ones, MKC_KMS_Z_BYTES);
    expect_kms_rejected("KSAK 1 octet", ksak + MKC_KMS_KSAK_BYTES - 1, 1, z_ones,
                        MKC_KMS_Z_BYTES);

    /* z out of range or of the wrong length. */
    memset(v, 0, sizeof v);
    expect_kms_rejected("z = 0", ksak, MKC_KMS_KSAK_BYTES, v, MKC_KMS_Z_BYTES);
    expect_kms_rejected("z = q", ksak, MKC_KMS_KSAK_BYTES, sakke_q, MKC_KMS_Z_BYTES);
    be_add_small(v, sakke_q, MKC_KMS_Z_BYTES, 1);
    expect_kms_rejected("z = q + 1", ksak, MKC_KMS_KSAK_BYTES, v, MKC_KMS_Z_BYTES);
    memset(v, 0, sizeof v);
    v[0] = 0x26;
    v[1] = 0x5f; /* just above q */
    expect_kms_rejected("z = 0x265f00..00", ksak, MKC_KMS_KSAK_BYTES, v, MKC_KMS_Z_BYTES);
    memset(v, 0xFF, sizeof v);
    expect_kms_rejected("z all-FF", ksak, MKC_KMS_KSAK_BYTES, v, MKC_KMS_Z_BYTES);
    expect_kms_rejected("z 127 octets", ksak, MKC_KMS_KSAK_BYTES, z_ones, MKC_KMS_Z_BYTES - 1);
    v[0] = 0;
    memcpy(v + 1, z_ones, MKC_KMS_Z_BYTES);
    expect_kms_rejected("z 129 octets (0x00 || z)", ksak, MKC_KMS_KSAK_BYTES, v,
                        MKC_KMS_Z_BYTES + 1);
    expect_kms_rejected("z (NULL, 0)", ksak, MKC_KMS_KSAK_BYTES, NULL, 0);
    expect_kms_rejected("KSAK 32 octets but z 32 octets", ksak, MKC_KMS_KSAK_BYTES, z_ones, 32);
    expect_kms_rejected("KSAK and z swapped", z_ones, MKC_KMS_Z_BYTES, ksak, MKC_KMS_KSAK_BYTES);

    /* NULL arguments. */
    set_ctx("new_from_secrets NULL", "");
    kms = SENTINEL_KMS;
    CHECK_RC(mkc_kms_new_from_secrets(NULL, MKC_KMS_KSAK_BYTES, z_ones, MKC_KMS_Z_BYTES, &kms),
             MKC_RESULT_NULL_PARAMETER, "ksak NULL");
    CHECK(kms == SENTINEL_KMS, "*out unchanged (ksak NULL)");
    CHECK_RC(mkc_kms_new_from_secrets(ksak, MKC_KMS_KSAK_BYTES, NULL, MKC_KMS_Z_BYTES, &kms),
             MKC_RESULT_NULL_PARAMETER, "z NULL");
    CHECK(kms == SENTINEL_KMS, "*out unchanged (z NULL)");
    CHECK_RC(mkc_kms_new_from_secrets(ksak, MKC_KMS_KSAK_BYTES, z_ones, MKC_KMS_Z_BYTES, NULL),
             MKC_RESULT_NULL_PARAMETER, "out NULL");
    set_ctx("new_random NULL", "");
    CHECK_RC(mkc_kms_new_random(NULL), MKC_RESULT_NULL_PARAMETER, "out NULL");

    /* The secrets are copied in: wiping the caller's copies changes nothing. Two KMSs from the
     * same secrets have the same KPAK, and keys of one validate under the other. */
    set_ctx("new_from_secrets copies", "");
    memcpy(z, z_ones, MKC_KMS_Z_BYTES);
    kms = NULL;
    CHECK_RC(mkc_kms_new_from_secrets(ksak, MKC_KMS_KSAK_BYTES, z, MKC_KMS_Z_BYTES, &kms),
             MKC_RESULT_OK, "make");
    CHECK_RC(mkc_kms_new_from_secrets(ksak, MKC_KMS_KSAK_BYTES, z, MKC_KMS_Z_BYTES, &kms2),
             MKC_RESULT_OK, "make again");
    memset(ksak, 0, sizeof ksak);
    memset(z, 0, sizeof z);
    if (kms != NULL && kms2 != NULL) {
        uint8_t kpak2[PT_BYTES];
        get_kpak(kms, kpak);
        get_kpak(kms2, kpak2);
        CHECK(memcmp(kpak, rfc_kpak, PT_BYTES) == 0, "KPAK after wiping the caller's KSAK");
        CHECK(memcmp(kpak, kpak2, PT_BYTES) == 0, "same secrets, same KPAK");
        CHECK_RC(mkc_kms_issue_eccsi(kms2, rfc_id, sizeof rfc_id, ssk, sizeof ssk, pvt,
                                     sizeof pvt),
                 MKC_RESULT_OK, "issue for the RFC identifier");
        CHECK_RC(mkc_eccsi_signer_new(rfc_kpak, PT_BYTES, rfc_id, sizeof rfc_id, ssk, SC_BYTES,
                                      pvt, PT_BYTES, &signer),
                 MKC_RESULT_OK, "issued SSK/PVT validate under the RFC KPAK");
        mkc_eccsi_signer_free(signer);
        memset(ssk, 0, sizeof ssk);
    }
    mkc_kms_free(kms);
    mkc_kms_free(kms2);
}

static void test_kms_random_and_kpak(void) {
    uint8_t kpak[PT_BYTES + 35];
    size_t written;
    const mkc_kms *kms = SENTINEL_KMS;
    const mkc_eccsi_public *pub = NULL;

    set_ctx("new_random", "");
    CHECK_RC(mkc_kms_new_random(&kms), MKC_RESULT_OK, "result");
    CHECK(kms != NULL && kms != SENTINEL_KMS, "handle set");
    if (kms == NULL || kms == SENTINEL_KMS) return;
    get_kpak(kms, kpak);
    CHECK(kpak[0] == 0x04, "KPAK starts with 0x04");
    CHECK_RC(mkc_eccsi_public_new(kpak, PT_BYTES, &pub), MKC_RESULT_OK,
             "a random KMS's KPAK is a valid point");
    mkc_eccsi_public_free(pub);
    mkc_kms_free(kms);

    set_ctx("mkc_kms_kpak buffers", "");
    memset(kpak, CANARY, sizeof kpak);
    written = 777;
    CHECK_RC(mkc_kms_kpak(kms_a, kpak, PT_BYTES - 1, &written), MKC_RESULT_BUFFER_TOO_SMALL,
             "cap 64");
    CHECK_SIZE(written, PT_BYTES, "cap 64 reports 65");
    CHECK(all_equal(kpak, sizeof kpak, CANARY), "cap 64 leaves the buffer untouched");
    written = 777;
    CHECK_RC(mkc_kms_kpak(kms_a, kpak, 1, &written), MKC_RESULT_BUFFER_TOO_SMALL, "cap 1");
    CHECK_SIZE(written, PT_BYTES, "cap 1 reports 65");
    CHECK(all_equal(kpak, sizeof kpak, CANARY), "cap 1 leaves the buffer untouched");
    written = 777;
    CHECK_RC(mkc_kms_kpak(kms_a, NULL, 0, &written), MKC_RESULT_BUFFER_TOO_SMALL,
             "(NULL, 0) size query");
    CHECK_SIZE(written, PT_BYTES, "size query reports 65");
    written = 777;
    CHECK_RC(mkc_kms_kpak(kms_a, kpak, sizeof kpak, &written), MKC_RESULT_OK, "cap 100");
    CHECK_SIZE(written, PT_BYTES, "cap 100 writes 65");
    CHECK(memcmp(kpak, kpak_a, PT_BYTES) == 0, "cap 100 gives the KPAK");
    CHECK(all_equal(kpak + PT_BYTES, sizeof kpak - PT_BYTES, CANARY),
          "cap 100 writes only 65 octets");

    set_ctx("mkc_kms_kpak NULL", "");
    memset(kpak, CANARY, sizeof kpak);
    written = 777;
    CHECK_RC(mkc_kms_kpak(NULL, kpak, PT_BYTES, &written), MKC_RESULT_NULL_PARAMETER, "kms NULL");
    CHECK(all_equal(kpak, PT_BYTES, 0), "a NULL handle zeroes the output");
    CHECK(all_equal(kpak + PT_BYTES, sizeof kpak - PT_BYTES, CANARY), "only its capacity");
    CHECK_SIZE(written, 0, "and sets *written to 0");
    memset(kpak, CANARY, sizeof kpak);
    written = 777;
    CHECK_RC(mkc_kms_kpak(kms_a, kpak, PT_BYTES, NULL), MKC_RESULT_NULL_PARAMETER,
             "written NULL");
    CHECK_RC(mkc_kms_kpak(kms_a, NULL, PT_BYTES, &written), MKC_RESULT_NULL_PARAMETER,
             "out NULL with cap 65");
    CHECK(all_equal(kpak, sizeof kpak, CANARY), "buffer untouched by the NULL cases");
}

/* ------------------------------------------------------------------------------------------ */
/* RFC 6507 Appendix A through the C API                                                      */
/* ------------------------------------------------------------------------------------------ */

static void test_rfc_vectors(void) {
    const mkc_eccsi_public *pub = NULL;
    const mkc_eccsi_signer *signer = NULL;
    uint8_t sig[SIG_BYTES];

    set_ctx("RFC 6507 Appendix A", "");
    CHECK_RC(mkc_eccsi_public_new(rfc_kpak, PT_BYTES, &pub), MKC_RESULT_OK, "public_new");
    CHECK_RC(mkc_eccsi_signer_new(rfc_kpak, PT_BYTES, rfc_id, sizeof rfc_id, rfc_ssk, SC_BYTES,
                                  rfc_pvt, PT_BYTES, &signer),
             MKC_RESULT_OK, "signer_new with the RFC SSK and PVT");
    if (pub == NULL || signer == NULL) {
        mkc_eccsi_public_free(pub);
        mkc_eccsi_signer_free(signer);
        return;
    }
    CHECK_RC(mkc_eccsi_verify(pub, rfc_id, sizeof rfc_id, rfc_msg, sizeof rfc_msg, rfc_sig,
                              SIG_BYTES),
             MKC_RESULT_OK, "the RFC signature verifies");
    CHECK_RC(mkc_eccsi_verify(pub, rfc_id, sizeof rfc_id - 1, rfc_msg, sizeof rfc_msg, rfc_sig,
                              SIG_BYTES),
             MKC_RESULT_VERIFY_FAILED, "identifier without its trailing NUL");
    CHECK_RC(mkc_eccsi_verify(pub, rfc_id, sizeof rfc_id, rfc_msg, sizeof rfc_msg - 1, rfc_sig,
                              SIG_BYTES),
             MKC_RESULT_VERIFY_FAILED, "message without its trailing NUL");
    CHECK_RC(mkc_eccsi_verify(pub, rfc_id, 7, rfc_msg, sizeof rfc_msg, rfc_sig, SIG_BYTES),
             MKC_RESULT_VERIFY_FAILED, "identifier cut at its first NUL");
    /* (r, q - s) is the other valid form (RFC 6507 5.2.1 step 6 / 5.2.2). */
    memcpy(sig, rfc_sig, SIG_BYTES);
    be_sub(sig + S_OFF, p256_q, rfc_sig + S_OFF, SC_BYTES);
    CHECK_RC(mkc_eccsi_verify(pub, rfc_id, sizeof rfc_id, rfc_msg, sizeof rfc_msg, sig,
                              SIG_BYTES),
             MKC_RESULT_OK, "(r, q - s) of the RFC signature verifies");
    sign_ok(signer, rfc_msg, sizeof rfc_msg, sig);
    CHECK(memcmp(sig + PVT_OFF, rfc_pvt, PT_BYTES) == 0, "signature carries the RFC PVT");
    CHECK(memcmp(sig, rfc_sig, 2 * SC_BYTES) != 0, "a fresh j gives another (r, s)");
    CHECK_RC(mkc_eccsi_verify(pub, rfc_id, sizeof rfc_id, rfc_msg, sizeof rfc_msg, sig,
                              SIG_BYTES),
             MKC_RESULT_OK, "a new signature with the RFC keys verifies");
    mkc_eccsi_signer_free(signer);
    mkc_eccsi_public_free(pub);
}

/* ------------------------------------------------------------------------------------------ */
/* mkc_kms_issue_eccsi buffers and NULLs                                                      */
/* ------------------------------------------------------------------------------------------ */

static void test_issue_buffers(void) {
    uint8_t ssk[SC_BYTES + 16], pvt[PT_BYTES + 15];
    const mkc_eccsi_signer *signer = NULL;

    set_ctx("issue_eccsi buffers", "");
    memset(ssk, CANARY, sizeof ssk);
    memset(pvt, CANARY, sizeof pvt);
    CHECK_RC(mkc_kms_issue_eccsi(kms_a, ID_A, ID_A_LEN, ssk, SC_BYTES - 1, pvt, PT_BYTES),
             MKC_RESULT_BUFFER_TOO_SMALL, "ssk_cap 31");
    CHECK(all_equal(ssk, sizeof ssk, CANARY) && all_equal(pvt, sizeof pvt, CANARY),
          "ssk_cap 31 touches neither buffer");
    CHECK_RC(mkc_kms_issue_eccsi(kms_a, ID_A, ID_A_LEN, ssk, SC_BYTES, pvt, PT_BYTES - 1),
             MKC_RESULT_BUFFER_TOO_SMALL, "pvt_cap 64");
    CHECK(all_equal(ssk, sizeof ssk, CANARY) && all_equal(pvt, sizeof pvt, CANARY),
          "pvt_cap 64 touches neither buffer");
    CHECK_RC(mkc_kms_issue_eccsi(kms_a, ID_A, ID_A_LEN, ssk, SC_BYTES - 1, pvt, PT_BYTES - 1),
             MKC_RESULT_BUFFER_TOO_SMALL, "both too small");
    CHECK(all_equal(ssk, sizeof ssk, CANARY) && all_equal(pvt, sizeof pvt, CANARY),
          "both too small: neither buffer touched");
    CHECK_RC(mkc_kms_issue_eccsi(kms_a, ID_A, ID_A_LEN, NULL, 0, pvt, PT_BYTES),
             MKC_RESULT_BUFFER_TOO_SMALL, "ssk (NULL, 0)");
    CHECK_RC(mkc_kms_issue_eccsi(kms_a, ID_A, ID_A_LEN, ssk, SC_BYTES, NULL, 0),
             MKC_RESULT_BUFFER_TOO_SMALL, "pvt (NULL, 0)");
    CHECK(all_equal(ssk, sizeof ssk, CANARY) && all_equal(pvt, sizeof pvt, CANARY),
          "(NULL, 0) cases touch neither buffer");

    CHECK_RC(mkc_kms_issue_eccsi(kms_a, ID_A, ID_A_LEN, ssk, sizeof ssk, pvt, sizeof pvt),
             MKC_RESULT_OK, "bigger-than-needed buffers");
    CHECK(all_equal(ssk + SC_BYTES, sizeof ssk - SC_BYTES, CANARY),
          "only 32 octets of SSK written");
    CHECK(all_equal(pvt + PT_BYTES, sizeof pvt - PT_BYTES, CANARY),
          "only 65 octets of PVT written");
    CHECK(pvt[0] == 0x04, "PVT starts with 0x04");
    CHECK(memcmp(pvt, pvt_a, PT_BYTES) != 0, "a second issuance draws a fresh v (new PVT)");
    CHECK(memcmp(ssk, ssk_a, SC_BYTES) != 0, "a second issuance gives a new SSK");
    CHECK_RC(mkc_eccsi_signer_new(kpak_a, PT_BYTES, ID_A, ID_A_LEN, ssk, SC_BYTES, pvt, PT_BYTES,
                                  &signer),
             MKC_RESULT_OK, "the second SSK/PVT validate too");
    mkc_eccsi_signer_free(signer);

    set_ctx("issue_eccsi NULL", "");
    memset(ssk, CANARY, sizeof ssk);
    memset(pvt, CANARY, sizeof pvt);
    CHECK_RC(mkc_kms_issue_eccsi(NULL, ID_A, ID_A_LEN, ssk, SC_BYTES, pvt, PT_BYTES),
             MKC_RESULT_NULL_PARAMETER, "kms NULL");
    CHECK_RC(mkc_kms_issue_eccsi(kms_a, NULL, 3, ssk, SC_BYTES, pvt, PT_BYTES),
             MKC_RESULT_NULL_PARAMETER, "id NULL with length 3");
    /* The outputs passed their checks: a NULL handle or input zeroes them (rule 4). */
    CHECK(all_equal(ssk, SC_BYTES, 0) && all_equal(pvt, PT_BYTES, 0),
          "a NULL handle or input zeroes both outputs");
    memset(ssk, CANARY, sizeof ssk);
    memset(pvt, CANARY, sizeof pvt);
    CHECK_RC(mkc_kms_issue_eccsi(kms_a, ID_A, ID_A_LEN, NULL, SC_BYTES, pvt, PT_BYTES),
             MKC_RESULT_NULL_PARAMETER, "ssk_out NULL with cap 32");
    CHECK_RC(mkc_kms_issue_eccsi(kms_a, ID_A, ID_A_LEN, ssk, SC_BYTES, NULL, PT_BYTES),
             MKC_RESULT_NULL_PARAMETER, "pvt_out NULL with cap 65");
    CHECK(all_equal(ssk, sizeof ssk, CANARY) && all_equal(pvt, sizeof pvt, CANARY),
          "NULL cases touch neither buffer");
    memset(ssk, 0, sizeof ssk);
}

/* ------------------------------------------------------------------------------------------ */
/* Bad points: every KPAK constructor must refuse them                                        */
/* ------------------------------------------------------------------------------------------ */

#define MAX_BAD_POINTS 32

struct bad_point {
    const char *name;
    uint8_t bytes[PT_BYTES + 1];
    size_t len;
};

/* Fills `bad` with encodings derived from the valid point `good` that are not a valid
 * 0x04 || x || y point of P-256; returns their number. */
static size_t make_bad_points(const uint8_t *good, struct bad_point *bad) {
    size_t n = 0;
    uint8_t tmp[PT_BYTES];
#define ADD_BAD(nm, src, ln)                         \
    do {                                             \
        bad[n].name = (nm);                          \
        memset(bad[n].bytes, 0, sizeof bad[n].bytes); \
        memcpy(bad[n].bytes, (src), (ln));           \
        bad[n].len = (ln);                           \
        n++;                                         \
    } while (0)

    memcpy(tmp, good, PT_BYTES);
    tmp[0] = 0x02;
    ADD_BAD("prefix 0x02", tmp, PT_BYTES);
    tmp[0] = 0x03;
    ADD_BAD("prefix 0x03", tmp, PT_BYTES);
    tmp[0] = 0x00;
    ADD_BAD("prefix 0x00", tmp, PT_BYTES);
    tmp[0] = 0x05;
    ADD_BAD("prefix 0x05", tmp, PT_BYTES);
    tmp[0] = (uint8_t)(0x06 | (good[PT_BYTES - 1] & 1)); /* SEC1 hybrid form, right parity */
    ADD_BAD("hybrid prefix 0x06/0x07", tmp, PT_BYTES);
    tmp[0] = 0xFF;
    ADD_BAD("prefix 0xFF", tmp, PT_BYTES);

    memcpy(tmp, good, PT_BYTES);
    tmp[PT_BYTES - 1] ^= 0x01;
    ADD_BAD("off curve (y lsb flipped)", tmp, PT_BYTES);
    memcpy(tmp, good, PT_BYTES);
    tmp[1] ^= 0x80;
    ADD_BAD("off curve (x msb flipped)", tmp, PT_BYTES);
    memcpy(tmp, good, PT_BYTES);
    tmp[20] ^= 0x08;
    ADD_BAD("off curve (x bit in the middle flipped)", tmp, PT_BYTES);

    memcpy(tmp, good, PT_BYTES);
    memcpy(tmp + 1, p256_p, SC_BYTES);
    ADD_BAD("x = p", tmp, PT_BYTES);
    memcpy(tmp, good, PT_BYTES);
    memcpy(tmp + 1 + SC_BYTES, p256_p, SC_BYTES);
    ADD_BAD("y = p", tmp, PT_BYTES);
    memcpy(tmp, good, PT_BYTES);
    memset(tmp + 1, 0xFF, SC_BYTES);
    ADD_BAD("x all-FF", tmp, PT_BYTES);
    memcpy(tmp, good, PT_BYTES);
    memset(tmp + 1 + SC_BYTES, 0xFF, SC_BYTES);
    ADD_BAD("y all-FF", tmp, PT_BYTES);
    unhex(POINT_X0_PLUS_P, tmp, PT_BYTES);
    ADD_BAD("on-curve point (0, y) written with x = p", tmp, PT_BYTES);
    unhex(POINT_X5_PLUS_P, tmp, PT_BYTES);
    ADD_BAD("on-curve point (5, y) written with x = p + 5", tmp, PT_BYTES);

    memset(tmp, 0, PT_BYTES);
    ADD_BAD("65 zero octets", tmp, PT_BYTES);
    tmp[0] = 0x04;
    ADD_BAD("0x04 || 0 || 0", tmp, PT_BYTES);
    memset(tmp, 0, PT_BYTES);
    ADD_BAD("identity encoding 0x00 (1 octet)", tmp, 1);

    ADD_BAD("64 octets (last cut)", good, PT_BYTES - 1);
    memcpy(tmp, good, PT_BYTES);
    ADD_BAD("x only, 33 octets with 0x04", tmp, 1 + SC_BYTES);
    tmp[0] = (uint8_t)(0x02 | (good[PT_BYTES - 1] & 1));
    ADD_BAD("valid compressed form (33 octets)", tmp, 1 + SC_BYTES);
    memcpy(bad[n].bytes, good, PT_BYTES);
    bad[n].bytes[PT_BYTES] = 0x00;
    bad[n].len = PT_BYTES + 1;
    bad[n].name = "66 octets (trailing 0x00)";
    n++;
    ADD_BAD("(NULL, 0)", tmp, 0);
#undef ADD_BAD
    return n;
}

static void test_public_new(void) {
    struct bad_point bad[MAX_BAD_POINTS];
    size_t n, i;
    uint8_t pt[PT_BYTES];
    const mkc_eccsi_public *pub;

    /* Valid edge points are accepted, so refusing their x + p forms is a range check. */
    set_ctx("public_new accepts", "");
    unhex(POINT_X0, pt, PT_BYTES);
    pub = NULL;
    CHECK_RC(mkc_eccsi_public_new(pt, PT_BYTES, &pub), MKC_RESULT_OK, "point (0, y)");
    mkc_eccsi_public_free(pub);
    unhex(POINT_X5, pt, PT_BYTES);
    pub = NULL;
    CHECK_RC(mkc_eccsi_public_new(pt, PT_BYTES, &pub), MKC_RESULT_OK, "point (5, y)");
    mkc_eccsi_public_free(pub);
    unhex(P256_G, pt, PT_BYTES);
    pub = NULL;
    CHECK_RC(mkc_eccsi_public_new(pt, PT_BYTES, &pub), MKC_RESULT_OK, "G");
    mkc_eccsi_public_free(pub);

    n = make_bad_points(kpak_a, bad);
    CHECK(n <= MAX_BAD_POINTS, "bad point table fits");
    for (i = 0; i < n; i++) {
        pub = SENTINEL_PUB;
        set_ctx("public_new rejects KPAK", bad[i].name);
        CHECK_RC(mkc_eccsi_public_new(bad[i].len ? bad[i].bytes : NULL, bad[i].len, &pub),
                 MKC_RESULT_INVALID_KEY, "result");
        CHECK(pub == SENTINEL_PUB, "*out unchanged on failure");
        if (pub != SENTINEL_PUB) mkc_eccsi_public_free(pub);
    }

    set_ctx("public_new NULL", "");
    pub = SENTINEL_PUB;
    CHECK_RC(mkc_eccsi_public_new(NULL, PT_BYTES, &pub), MKC_RESULT_NULL_PARAMETER,
             "kpak NULL with length 65");
    CHECK(pub == SENTINEL_PUB, "*out unchanged");
    CHECK_RC(mkc_eccsi_public_new(kpak_a, PT_BYTES, NULL), MKC_RESULT_NULL_PARAMETER,
             "out NULL");
}

/* ------------------------------------------------------------------------------------------ */
/* mkc_eccsi_signer_new validation                                                            */
/* ------------------------------------------------------------------------------------------ */

static void expect_signer_rejected(const char *name, const uint8_t *kpak, size_t kpak_len,
                                   const uint8_t *id, size_t id_len, const uint8_t *ssk,
                                   size_t ssk_len, const uint8_t *pvt, size_t pvt_len) {
    const mkc_eccsi_signer *out = SENTINEL_SIGNER;
    set_ctx("signer_new rejects", name);
    CHECK_RC(mkc_eccsi_signer_new(kpak, kpak_len, id, id_len, ssk, ssk_len, pvt, pvt_len, &out),
             MKC_RESULT_INVALID_KEY, "result");
    CHECK(out == SENTINEL_SIGNER, "*out unchanged on failure");
    if (out != SENTINEL_SIGNER) mkc_eccsi_signer_free(out);
    /* The same under a verification handle of the KPAK, when the KPAK is valid. */
    {
        const mkc_eccsi_public *pub = NULL;
        if (kpak != NULL && mkc_eccsi_public_new(kpak, kpak_len, &pub) == MKC_RESULT_OK) {
            set_ctx("signer_new_with_public rejects", name);
            out = SENTINEL_SIGNER;
            CHECK_RC(mkc_eccsi_signer_new_with_public(pub, id, id_len, ssk, ssk_len, pvt, pvt_len,
                                                      &out),
                     MKC_RESULT_INVALID_KEY, "result");
            CHECK(out == SENTINEL_SIGNER, "*out unchanged on failure");
            if (out != SENTINEL_SIGNER) mkc_eccsi_signer_free(out);
            mkc_eccsi_public_free(pub);
        }
    }
}

/* mkc_eccsi_signer_new_with_public: accepts what signer_new accepts (the RFC's key, issued
 * keys), signs with it, and keeps the NULL and out contracts of signer_new. */
static void test_signer_new_with_public(void) {
    const mkc_eccsi_public *pub = NULL;
    const mkc_eccsi_signer *signer = NULL, *out;
    uint8_t sig[SIG_BYTES];
    size_t written = 0;

    set_ctx("signer_new_with_public", "RFC 6507 Appendix A");
    CHECK_RC(mkc_eccsi_public_new(rfc_kpak, PT_BYTES, &pub), MKC_RESULT_OK, "public_new");
    if (pub != NULL) {
        CHECK_RC(mkc_eccsi_signer_new_with_public(pub, rfc_id, sizeof rfc_id, rfc_ssk, SC_BYTES,
                                                  rfc_pvt, PT_BYTES, &signer),
                 MKC_RESULT_OK, "the RFC SSK and PVT");
        if (signer != NULL) {
            CHECK_RC(mkc_eccsi_sign(signer, rfc_msg, sizeof rfc_msg, sig, sizeof sig, &written),
                     MKC_RESULT_OK, "sign");
            CHECK_RC(mkc_eccsi_verify(pub, rfc_id, sizeof rfc_id, rfc_msg, sizeof rfc_msg, sig,
                                      written),
                     MKC_RESULT_OK, "its signature verifies");
            mkc_eccsi_signer_free(signer);
            signer = NULL;
        }
        mkc_eccsi_public_free(pub);
    }

    set_ctx("signer_new_with_public", "issued key");
    /* The signer outlives the verification handle it was made under. */
    pub = NULL;
    CHECK_RC(mkc_eccsi_public_new(kpak_a, PT_BYTES, &pub), MKC_RESULT_OK, "public_new A");
    CHECK_RC(mkc_eccsi_signer_new_with_public(pub, ID_A, ID_A_LEN, ssk_a, SC_BYTES, pvt_a,
                                              PT_BYTES, &signer),
             MKC_RESULT_OK, "ID_A's SSK and PVT");
    mkc_eccsi_public_free(pub);
    if (signer != NULL) {
        CHECK_RC(mkc_eccsi_sign(signer, ID_B, ID_B_LEN, sig, sizeof sig, &written), MKC_RESULT_OK,
                 "sign after the public handle is freed");
        CHECK_RC(mkc_eccsi_verify(pub_a, ID_A, ID_A_LEN, ID_B, ID_B_LEN, sig, written),
                 MKC_RESULT_OK, "its signature verifies");
        mkc_eccsi_signer_free(signer);
    }

    set_ctx("signer_new_with_public NULL", "");
    out = SENTINEL_SIGNER;
    CHECK_RC(mkc_eccsi_signer_new_with_public(NULL, ID_A, ID_A_LEN, ssk_a, SC_BYTES, pvt_a,
                                              PT_BYTES, &out),
             MKC_RESULT_NULL_PARAMETER, "public_key NULL");
    CHECK_RC(mkc_eccsi_signer_new_with_public(pub_a, NULL, ID_A_LEN, ssk_a, SC_BYTES, pvt_a,
                                              PT_BYTES, &out),
             MKC_RESULT_NULL_PARAMETER, "id NULL with a length");
    CHECK_RC(mkc_eccsi_signer_new_with_public(pub_a, ID_A, ID_A_LEN, NULL, SC_BYTES, pvt_a,
                                              PT_BYTES, &out),
             MKC_RESULT_NULL_PARAMETER, "ssk NULL");
    CHECK_RC(mkc_eccsi_signer_new_with_public(pub_a, ID_A, ID_A_LEN, ssk_a, SC_BYTES, NULL,
                                              PT_BYTES, &out),
             MKC_RESULT_NULL_PARAMETER, "pvt NULL");
    CHECK(out == SENTINEL_SIGNER, "*out unchanged by the NULL cases");
    CHECK_RC(mkc_eccsi_signer_new_with_public(pub_a, ID_A, ID_A_LEN, ssk_a, SC_BYTES, pvt_a,
                                              PT_BYTES, NULL),
             MKC_RESULT_NULL_PARAMETER, "out NULL");
}

static void test_signer_new(void) {
    struct bad_point bad[MAX_BAD_POINTS];
    uint8_t v[SC_BYTES + 1], kpak_neg[PT_BYTES], pvt_neg[PT_BYTES], g[PT_BYTES];
    static const size_t ssk_bits[] = {0, 7, 100, 200, 255};
    static const size_t pvt_bytes[] = {1, 16, 32, 33, 48, 64};
    size_t n, i;
    char name[96];
    const mkc_eccsi_signer *out;

    /* Wrong KMS, wrong identity, mismatched SSK/PVT. */
    expect_signer_rejected("another KMS's KPAK", kpak_b, PT_BYTES, ID_A, ID_A_LEN, ssk_a,
                           SC_BYTES, pvt_a, PT_BYTES);
    expect_signer_rejected("another identifier", kpak_a, PT_BYTES, ID_B, ID_B_LEN, ssk_a,
                           SC_BYTES, pvt_a, PT_BYTES);
    expect_signer_rejected("identifier (NULL, 0)", kpak_a, PT_BYTES, NULL, 0, ssk_a, SC_BYTES,
                           pvt_a, PT_BYTES);
    expect_signer_rejected("identifier one octet short", kpak_a, PT_BYTES, ID_A, ID_A_LEN - 1,
                           ssk_a, SC_BYTES, pvt_a, PT_BYTES);
    expect_signer_rejected("identifier with a NUL appended", kpak_a, PT_BYTES, ID_A,
                           ID_A_LEN + 1, ssk_a, SC_BYTES, pvt_a, PT_BYTES);
    expect_signer_rejected("SSK of another identity", kpak_a, PT_BYTES, ID_A, ID_A_LEN, ssk_b,
                           SC_BYTES, pvt_a, PT_BYTES);
    expect_signer_rejected("PVT of another identity", kpak_a, PT_BYTES, ID_A, ID_A_LEN, ssk_a,
                           SC_BYTES, pvt_b, PT_BYTES);
    expect_signer_rejected("SSK and PVT of another identity", kpak_a, PT_BYTES, ID_A, ID_A_LEN,
                           ssk_b, SC_BYTES, pvt_b, PT_BYTES);
    expect_signer_rejected("RFC SSK/PVT under a random KPAK", kpak_a, PT_BYTES, rfc_id,
                           sizeof rfc_id, rfc_ssk, SC_BYTES, rfc_pvt, PT_BYTES);

    /* SSK out of range or off by a little. */
    be_add_small(v, ssk_a, SC_BYTES, 1);
    expect_signer_rejected("SSK + 1", kpak_a, PT_BYTES, ID_A, ID_A_LEN, v, SC_BYTES, pvt_a,
                           PT_BYTES);
    be_sub(v, p256_q, ssk_a, SC_BYTES);
    expect_signer_rejected("q - SSK", kpak_a, PT_BYTES, ID_A, ID_A_LEN, v, SC_BYTES, pvt_a,
                           PT_BYTES);
    memset(v, 0, sizeof v);
    expect_signer_rejected("SSK = 0", kpak_a, PT_BYTES, ID_A, ID_A_LEN, v, SC_BYTES, pvt_a,
                           PT_BYTES);
    expect_signer_rejected("SSK = q", kpak_a, PT_BYTES, ID_A, ID_A_LEN, p256_q, SC_BYTES, pvt_a,
                           PT_BYTES);
    memset(v, 0xFF, sizeof v);
    expect_signer_rejected("SSK all-FF", kpak_a, PT_BYTES, ID_A, ID_A_LEN, v, SC_BYTES, pvt_a,
                           PT_BYTES);
    for (i = 0; i < sizeof ssk_bits / sizeof ssk_bits[0]; i++) {
        memcpy(v, ssk_a, SC_BYTES);
        v[SC_BYTES - 1 - ssk_bits[i] / 8] ^= (uint8_t)(1u << (ssk_bits[i] % 8));
        snprintf(name, sizeof name, "SSK bit %zu flipped", ssk_bits[i]);
        expect_signer_rejected(name, kpak_a, PT_BYTES, ID_A, ID_A_LEN, v, SC_BYTES, pvt_a,
                               PT_BYTES);
    }
    expect_signer_rejected("SSK 31 octets", kpak_a, PT_BYTES, ID_A, ID_A_LEN, ssk_a + 1,
                           SC_BYTES - 1, pvt_a, PT_BYTES);
    v[0] = 0;
    memcpy(v + 1, ssk_a, SC_BYTES);
    expect_signer_rejected("SSK 33 octets (0x00 || SSK)", kpak_a, PT_BYTES, ID_A, ID_A_LEN, v,
                           SC_BYTES + 1, pvt_a, PT_BYTES);
    expect_signer_rejected("SSK (NULL, 0)", kpak_a, PT_BYTES, ID_A, ID_A_LEN, NULL, 0, pvt_a,
                           PT_BYTES);

    /* PVT: flipped bits, negation, other valid points, and every bad encoding. */
    for (i = 0; i < sizeof pvt_bytes / sizeof pvt_bytes[0]; i++) {
        uint8_t p[PT_BYTES];
        memcpy(p, pvt_a, PT_BYTES);
        p[pvt_bytes[i]] ^= (uint8_t)(1u << (i % 8));
        snprintf(name, sizeof name, "PVT octet %zu bit %zu flipped", pvt_bytes[i], i % 8);
        expect_signer_rejected(name, kpak_a, PT_BYTES, ID_A, ID_A_LEN, ssk_a, SC_BYTES, p,
                               PT_BYTES);
    }
    memcpy(pvt_neg, pvt_a, PT_BYTES);
    be_sub(pvt_neg + 1 + SC_BYTES, p256_p, pvt_a + 1 + SC_BYTES, SC_BYTES);
    expect_signer_rejected("-PVT (valid point, wrong)", kpak_a, PT_BYTES, ID_A, ID_A_LEN, ssk_a,
                           SC_BYTES, pvt_neg, PT_BYTES);
    unhex(P256_G, g, PT_BYTES);
    expect_signer_rejected("PVT = G", kpak_a, PT_BYTES, ID_A, ID_A_LEN, ssk_a, SC_BYTES, g,
                           PT_BYTES);
    expect_signer_rejected("PVT = KPAK", kpak_a, PT_BYTES, ID_A, ID_A_LEN, ssk_a, SC_BYTES,
                           kpak_a, PT_BYTES);
    n = make_bad_points(pvt_a, bad);
    for (i = 0; i < n; i++) {
        snprintf(name, sizeof name, "PVT %s", bad[i].name);
        expect_signer_rejected(name, kpak_a, PT_BYTES, ID_A, ID_A_LEN, ssk_a, SC_BYTES,
                               bad[i].len ? bad[i].bytes : NULL, bad[i].len);
    }

    /* KPAK: negation (valid point, wrong) and every bad encoding. */
    memcpy(kpak_neg, kpak_a, PT_BYTES);
    be_sub(kpak_neg + 1 + SC_BYTES, p256_p, kpak_a + 1 + SC_BYTES, SC_BYTES);
    expect_signer_rejected("-KPAK (valid point, wrong)", kpak_neg, PT_BYTES, ID_A, ID_A_LEN,
                           ssk_a, SC_BYTES, pvt_a, PT_BYTES);
    n = make_bad_points(kpak_a, bad);
    for (i = 0; i < n; i++) {
        snprintf(name, sizeof name, "KPAK %s", bad[i].name);
        expect_signer_rejected(name, bad[i].len ? bad[i].bytes : NULL, bad[i].len, ID_A,
                               ID_A_LEN, ssk_a, SC_BYTES, pvt_a, PT_BYTES);
    }

    /* NULL arguments. */
    set_ctx("signer_new NULL", "");
    out = SENTINEL_SIGNER;
    CHECK_RC(mkc_eccsi_signer_new(NULL, PT_BYTES, ID_A, ID_A_LEN, ssk_a, SC_BYTES, pvt_a,
                                  PT_BYTES, &out),
             MKC_RESULT_NULL_PARAMETER, "kpak NULL");
    CHECK_RC(mkc_eccsi_signer_new(kpak_a, PT_BYTES, NULL, ID_A_LEN, ssk_a, SC_BYTES, pvt_a,
                                  PT_BYTES, &out),
             MKC_RESULT_NULL_PARAMETER, "id NULL with a length");
    CHECK_RC(mkc_eccsi_signer_new(kpak_a, PT_BYTES, ID_A, ID_A_LEN, NULL, SC_BYTES, pvt_a,
                                  PT_BYTES, &out),
             MKC_RESULT_NULL_PARAMETER, "ssk NULL");
    CHECK_RC(mkc_eccsi_signer_new(kpak_a, PT_BYTES, ID_A, ID_A_LEN, ssk_a, SC_BYTES, NULL,
                                  PT_BYTES, &out),
             MKC_RESULT_NULL_PARAMETER, "pvt NULL");
    CHECK(out == SENTINEL_SIGNER, "*out unchanged by the NULL cases");
    CHECK_RC(mkc_eccsi_signer_new(kpak_a, PT_BYTES, ID_A, ID_A_LEN, ssk_a, SC_BYTES, pvt_a,
                                  PT_BYTES, NULL),
             MKC_RESULT_NULL_PARAMETER, "out NULL");

    /* The caller may wipe its SSK copy after signer_new. */
    set_ctx("signer_new copies the SSK", "");
    memcpy(v, ssk_a, SC_BYTES);
    out = NULL;
    CHECK_RC(mkc_eccsi_signer_new(kpak_a, PT_BYTES, ID_A, ID_A_LEN, v, SC_BYTES, pvt_a, PT_BYTES,
                                  &out),
             MKC_RESULT_OK, "make");
    memset(v, 0, sizeof v);
    if (out != NULL) {
        uint8_t sig[SIG_BYTES];
        sign_ok(out, big_msg, 100, sig);
        CHECK_RC(mkc_eccsi_verify(pub_a, ID_A, ID_A_LEN, big_msg, 100, sig, SIG_BYTES),
                 MKC_RESULT_OK, "signs after the caller wiped its SSK");
        mkc_eccsi_signer_free(out);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Sign and verify over many identifiers and messages                                         */
/* ------------------------------------------------------------------------------------------ */

static void test_identifiers_and_messages(void) {
    uint8_t long_id[300];
    static const uint8_t one_nul[1] = {0x00};
    static const uint8_t nul_inside[] = {'a', 'l', 'i', 'c', 'e', 0x00, 'x'};
    static const uint8_t one_octet[1] = {0x61};
    const uint8_t *ids[8];
    size_t id_lens[8];
    const char *id_names[8];
    const uint8_t *msgs[3];
    size_t msg_lens[3];
    const char *msg_names[3];
    size_t n_ids = 0, i, m;

    for (i = 0; i < sizeof long_id; i++) long_id[i] = (uint8_t)(255 - i);
#define ADD_ID(p, l, nm) \
    do {                   \
        ids[n_ids] = (p);  \
        id_lens[n_ids] = (l); \
        id_names[n_ids] = (nm); \
        n_ids++;           \
    } while (0)
    ADD_ID(NULL, 0, "empty id (NULL, 0)");
    ADD_ID(one_nul, 1, "id = one NUL octet");
    ADD_ID(rfc_id, sizeof rfc_id, "RFC id with NUL octets");
    ADD_ID(nul_inside, sizeof nul_inside, "id alice\\0x");
    ADD_ID(nul_inside, 5, "id alice");
    ADD_ID(uid, sizeof uid, "32-octet UID");
    ADD_ID(ID_A, ID_A_LEN, "SIP URI");
    ADD_ID(long_id, sizeof long_id, "300-octet id");
#undef ADD_ID

    msgs[0] = NULL, msg_lens[0] = 0, msg_names[0] = "empty message (NULL, 0)";
    msgs[1] = one_octet, msg_lens[1] = 1, msg_names[1] = "1-octet message";
    msgs[2] = big_msg, msg_lens[2] = sizeof big_msg, msg_names[2] = "64 KiB message";

    for (i = 0; i < n_ids; i++) {
        uint8_t ssk[SC_BYTES], pvt[PT_BYTES], sig[SIG_BYTES];
        const mkc_eccsi_signer *signer = NULL;
        size_t other = (i + 1) % n_ids;

        set_ctx(id_names[i], "issue");
        CHECK_RC(mkc_kms_issue_eccsi(kms_a, ids[i], id_lens[i], ssk, sizeof ssk, pvt,
                                     sizeof pvt),
                 MKC_RESULT_OK, "issue_eccsi");
        CHECK_RC(mkc_eccsi_signer_new(kpak_a, PT_BYTES, ids[i], id_lens[i], ssk, SC_BYTES, pvt,
                                      PT_BYTES, &signer),
                 MKC_RESULT_OK, "signer_new");
        expect_signer_rejected(id_names[other], kpak_a, PT_BYTES, ids[other], id_lens[other],
                               ssk, SC_BYTES, pvt, PT_BYTES);
        memset(ssk, 0, sizeof ssk);
        if (signer == NULL) continue;
        for (m = 0; m < 3; m++) {
            set_ctx(id_names[i], msg_names[m]);
            sign_ok(signer, msgs[m], msg_lens[m], sig);
            CHECK(memcmp(sig + PVT_OFF, pvt, PT_BYTES) == 0, "signature carries the PVT");
            CHECK_RC(mkc_eccsi_verify(pub_a, ids[i], id_lens[i], msgs[m], msg_lens[m], sig,
                                      SIG_BYTES),
                     MKC_RESULT_OK, "verify");
            CHECK_RC(mkc_eccsi_verify(pub_a, ids[other], id_lens[other], msgs[m], msg_lens[m],
                                      sig, SIG_BYTES),
                     MKC_RESULT_VERIFY_FAILED, "verify under the next identifier");
            if (msg_lens[m] == 0) {
                CHECK_RC(mkc_eccsi_verify(pub_a, ids[i], id_lens[i], one_nul, 1, sig, SIG_BYTES),
                         MKC_RESULT_VERIFY_FAILED, "empty message vs one NUL octet");
            } else {
                CHECK_RC(mkc_eccsi_verify(pub_a, ids[i], id_lens[i], msgs[m], msg_lens[m] - 1,
                                          sig, SIG_BYTES),
                         MKC_RESULT_VERIFY_FAILED, "message one octet short");
            }
            CHECK_RC(mkc_eccsi_verify(pub_a, ids[i], id_lens[i], msgs[m], msg_lens[m], sig,
                                      SIG_BYTES - 1),
                     MKC_RESULT_VERIFY_FAILED, "signature one octet short");
        }
        mkc_eccsi_signer_free(signer);
    }

    /* A message with a NUL inside is signed whole. */
    {
        static const uint8_t msg_nul[] = {'h', 'i', 0x00, 't', 'h', 'e', 'r', 'e'};
        uint8_t sig[SIG_BYTES];
        set_ctx("message with a NUL inside", "");
        sign_ok(signer_a, msg_nul, sizeof msg_nul, sig);
        CHECK_RC(mkc_eccsi_verify(pub_a, ID_A, ID_A_LEN, msg_nul, sizeof msg_nul, sig, SIG_BYTES),
                 MKC_RESULT_OK, "whole message verifies");
        CHECK_RC(mkc_eccsi_verify(pub_a, ID_A, ID_A_LEN, msg_nul, 2, sig, SIG_BYTES),
                 MKC_RESULT_VERIFY_FAILED, "message cut at the NUL");
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Sign: buffers, NULLs, randomness                                                           */
/* ------------------------------------------------------------------------------------------ */

static void test_sign_buffers(void) {
    uint8_t buf[SIG_BYTES + 71], sig1[SIG_BYTES], sig2[SIG_BYTES];
    static const uint8_t msg[] = "push-to-talk floor request";
    size_t written;

    set_ctx("sign buffers", "");
    memset(buf, CANARY, sizeof buf);
    written = 777;
    CHECK_RC(mkc_eccsi_sign(signer_a, msg, sizeof msg, buf, SIG_BYTES - 1, &written),
             MKC_RESULT_BUFFER_TOO_SMALL, "cap 128");
    CHECK_SIZE(written, SIG_BYTES, "cap 128 reports 129");
    CHECK(all_equal(buf, sizeof buf, CANARY), "cap 128 leaves the buffer untouched");
    written = 777;
    CHECK_RC(mkc_eccsi_sign(signer_a, msg, sizeof msg, buf, 1, &written),
             MKC_RESULT_BUFFER_TOO_SMALL, "cap 1");
    CHECK_SIZE(written, SIG_BYTES, "cap 1 reports 129");
    CHECK(all_equal(buf, sizeof buf, CANARY), "cap 1 leaves the buffer untouched");
    written = 777;
    CHECK_RC(mkc_eccsi_sign(signer_a, msg, sizeof msg, NULL, 0, &written),
             MKC_RESULT_BUFFER_TOO_SMALL, "(NULL, 0) size query");
    CHECK_SIZE(written, SIG_BYTES, "size query reports 129");
    written = 777;
    CHECK_RC(mkc_eccsi_sign(signer_a, msg, sizeof msg, buf, sizeof buf, &written), MKC_RESULT_OK,
             "cap 200");
    CHECK_SIZE(written, SIG_BYTES, "cap 200 writes 129");
    CHECK(all_equal(buf + SIG_BYTES, sizeof buf - SIG_BYTES, CANARY),
          "cap 200 writes only 129 octets");
    CHECK_RC(mkc_eccsi_verify(pub_a, ID_A, ID_A_LEN, msg, sizeof msg, buf, SIG_BYTES),
             MKC_RESULT_OK, "signature written into a bigger buffer verifies");
    CHECK_RC(mkc_eccsi_verify(pub_a, ID_A, ID_A_LEN, msg, sizeof msg, buf, sizeof buf),
             MKC_RESULT_VERIFY_FAILED, "the same signature with trailing octets");

    set_ctx("sign NULL", "");
    memset(buf, CANARY, sizeof buf);
    written = 777;
    CHECK_RC(mkc_eccsi_sign(NULL, msg, sizeof msg, buf, SIG_BYTES, &written),
             MKC_RESULT_NULL_PARAMETER, "signer NULL");
    CHECK_RC(mkc_eccsi_sign(signer_a, NULL, 5, buf, SIG_BYTES, &written),
             MKC_RESULT_NULL_PARAMETER, "msg NULL with length 5");
    /* The output passed its checks: a NULL handle or input zeroes it (rule 4). */
    CHECK(all_equal(buf, SIG_BYTES, 0), "a NULL handle or input zeroes the output");
    CHECK_SIZE(written, 0, "and sets *written to 0");
    memset(buf, CANARY, sizeof buf);
    written = 777;
    CHECK_RC(mkc_eccsi_sign(signer_a, msg, sizeof msg, NULL, SIG_BYTES, &written),
             MKC_RESULT_NULL_PARAMETER, "sig_out NULL with cap 129");
    CHECK_RC(mkc_eccsi_sign(signer_a, msg, sizeof msg, buf, SIG_BYTES, NULL),
             MKC_RESULT_NULL_PARAMETER, "written NULL");
    CHECK(all_equal(buf, sizeof buf, CANARY), "NULL cases leave the buffer untouched");

    set_ctx("sign twice", "");
    sign_ok(signer_a, msg, sizeof msg, sig1);
    sign_ok(signer_a, msg, sizeof msg, sig2);
    CHECK(memcmp(sig1, sig2, SIG_BYTES) != 0, "two signatures of one message differ");
    CHECK(memcmp(sig1, sig2, SC_BYTES) != 0, "their r differ (fresh j)");
    CHECK(memcmp(sig1 + PVT_OFF, sig2 + PVT_OFF, PT_BYTES) == 0, "both carry the same PVT");
    CHECK_RC(mkc_eccsi_verify(pub_a, ID_A, ID_A_LEN, msg, sizeof msg, sig1, SIG_BYTES),
             MKC_RESULT_OK, "first verifies");
    CHECK_RC(mkc_eccsi_verify(pub_a, ID_A, ID_A_LEN, msg, sizeof msg, sig2, SIG_BYTES),
             MKC_RESULT_OK, "second verifies");
    sign_ok(signer_a, big_msg, 1000, sig1);
    CHECK_RC(mkc_eccsi_verify(pub_a, ID_A, ID_A_LEN, big_msg, 1000, sig1, SIG_BYTES),
             MKC_RESULT_OK, "the signer still signs afterwards");
}

/* ------------------------------------------------------------------------------------------ */
/* Verify: forged, malformed and mismatched signatures                                        */
/* ------------------------------------------------------------------------------------------ */

static const uint8_t VMSG[] = "MCPTT group call 42: floor granted";
#define VMSG_LEN (sizeof VMSG - 1)

static void expect_verify_fails(const char *name, const mkc_eccsi_public *pub,
                                const uint8_t *sig, size_t sig_len) {
    set_ctx("verify rejects", name);
    CHECK_RC(mkc_eccsi_verify(pub, ID_A, ID_A_LEN, VMSG, VMSG_LEN, sig_len ? sig : NULL,
                              sig_len),
             MKC_RESULT_VERIFY_FAILED, "result");
}

/* The good signature with a 32-octet scalar field (r at R_OFF or s at S_OFF) replaced. */
static void with_scalar(uint8_t *out, const uint8_t *good, size_t off, const uint8_t *value) {
    memcpy(out, good, SIG_BYTES);
    memcpy(out + off, value, SC_BYTES);
}

static void test_verify_rejects(void) {
    uint8_t good[SIG_BYTES], sig[SIG_BYTES + 1], v[SC_BYTES], g[PT_BYTES];
    struct bad_point bad[MAX_BAD_POINTS];
    static const size_t scalar_bits[] = {0, 1, 63, 128, 200, 254, 255};
    static const size_t pvt_bits[] = {8, 100, 255, 256, 264, 300, 400, 519};
    const mkc_eccsi_public *pub_b = NULL;
    size_t i, f, n;
    char name[96];
    struct {
        const char *name;
        size_t off;
    } fields[2];

    fields[0].name = "r";
    fields[0].off = R_OFF;
    fields[1].name = "s";
    fields[1].off = S_OFF;

    set_ctx("verify", "good signature");
    sign_ok(signer_a, VMSG, VMSG_LEN, good);
    CHECK_RC(mkc_eccsi_verify(pub_a, ID_A, ID_A_LEN, VMSG, VMSG_LEN, good, SIG_BYTES),
             MKC_RESULT_OK, "the good signature verifies");

    /* (r, q - s): the other valid form of the same signature. */
    set_ctx("verify", "(r, q - s)");
    memcpy(sig, good, SIG_BYTES);
    be_sub(sig + S_OFF, p256_q, good + S_OFF, SC_BYTES);
    CHECK_RC(mkc_eccsi_verify(pub_a, ID_A, ID_A_LEN, VMSG, VMSG_LEN, sig, SIG_BYTES),
             MKC_RESULT_OK, "(r, q - s) verifies");
    CHECK_RC(mkc_eccsi_verify(pub_a, ID_A, ID_A_LEN, VMSG, VMSG_LEN - 1, sig, SIG_BYTES),
             MKC_RESULT_VERIFY_FAILED, "(r, q - s) with another message");
    memcpy(sig, good, SIG_BYTES);
    be_sub(sig, p256_q, good, SC_BYTES);
    expect_verify_fails("(q - r, s)", pub_a, sig, SIG_BYTES);

    /* Lengths. */
    memcpy(sig, good, SIG_BYTES);
    sig[SIG_BYTES] = 0x00;
    expect_verify_fails("128 octets", pub_a, sig, SIG_BYTES - 1);
    expect_verify_fails("130 octets", pub_a, sig, SIG_BYTES + 1);
    expect_verify_fails("(NULL, 0)", pub_a, NULL, 0);
    expect_verify_fails("r || s only (64 octets)", pub_a, sig, 2 * SC_BYTES);

    /* Forged from public constants: zero scalars with the real PVT (CVE-2026-5466 class). */
    memcpy(sig, good, SIG_BYTES);
    memset(sig, 0, 2 * SC_BYTES);
    expect_verify_fails("r = s = 0 with the real PVT", pub_a, sig, SIG_BYTES);
    unhex(P256_G, g, PT_BYTES);
    memcpy(sig + PVT_OFF, g, PT_BYTES);
    expect_verify_fails("r = s = 0 with PVT = G", pub_a, sig, SIG_BYTES);
    memcpy(sig + PVT_OFF, kpak_a, PT_BYTES);
    expect_verify_fails("r = s = 0 with PVT = KPAK", pub_a, sig, SIG_BYTES);
    memcpy(sig, good, SIG_BYTES);
    memcpy(sig + R_OFF, g + 1, SC_BYTES);
    memset(sig + S_OFF, 0, SC_BYTES);
    expect_verify_fails("r = Gx, s = 0", pub_a, sig, SIG_BYTES);
    memcpy(sig + R_OFF, kpak_a + 1, SC_BYTES);
    expect_verify_fails("r = KPAKx, s = 0", pub_a, sig, SIG_BYTES);
    memcpy(sig + R_OFF, p256_q, SC_BYTES);
    memcpy(sig + S_OFF, p256_q, SC_BYTES);
    expect_verify_fails("r = s = q", pub_a, sig, SIG_BYTES);
    memset(sig, 0, 2 * SC_BYTES);
    sig[SC_BYTES - 1] = 1;
    sig[2 * SC_BYTES - 1] = 1;
    expect_verify_fails("r = s = 1", pub_a, sig, SIG_BYTES);
    memset(sig, 0, SIG_BYTES);
    expect_verify_fails("129 zero octets", pub_a, sig, SIG_BYTES);
    memset(sig, 0xFF, SIG_BYTES);
    expect_verify_fails("129 FF octets", pub_a, sig, SIG_BYTES);

    /* r and s out of range or tampered, each on its own. */
    for (f = 0; f < 2; f++) {
        memset(v, 0, SC_BYTES);
        snprintf(name, sizeof name, "%s = 0", fields[f].name);
        with_scalar(sig, good, fields[f].off, v);
        expect_verify_fails(name, pub_a, sig, SIG_BYTES);
        v[SC_BYTES - 1] = 1;
        snprintf(name, sizeof name, "%s = 1", fields[f].name);
        with_scalar(sig, good, fields[f].off, v);
        expect_verify_fails(name, pub_a, sig, SIG_BYTES);
        snprintf(name, sizeof name, "%s = q", fields[f].name);
        with_scalar(sig, good, fields[f].off, p256_q);
        expect_verify_fails(name, pub_a, sig, SIG_BYTES);
        be_add_small(v, p256_q, SC_BYTES, 1);
        snprintf(name, sizeof name, "%s = q + 1", fields[f].name);
        with_scalar(sig, good, fields[f].off, v);
        expect_verify_fails(name, pub_a, sig, SIG_BYTES);
        snprintf(name, sizeof name, "%s = p", fields[f].name);
        with_scalar(sig, good, fields[f].off, p256_p);
        expect_verify_fails(name, pub_a, sig, SIG_BYTES);
        memset(v, 0xFF, SC_BYTES);
        snprintf(name, sizeof name, "%s all-FF", fields[f].name);
        with_scalar(sig, good, fields[f].off, v);
        expect_verify_fails(name, pub_a, sig, SIG_BYTES);
        for (i = 0; i < sizeof scalar_bits / sizeof scalar_bits[0]; i++) {
            memcpy(sig, good, SIG_BYTES);
            sig[fields[f].off + SC_BYTES - 1 - scalar_bits[i] / 8] ^=
                (uint8_t)(1u << (scalar_bits[i] % 8));
            snprintf(name, sizeof name, "%s bit %zu flipped", fields[f].name, scalar_bits[i]);
            expect_verify_fails(name, pub_a, sig, SIG_BYTES);
        }
    }
    memcpy(sig, good + S_OFF, SC_BYTES);
    memcpy(sig + S_OFF, good + R_OFF, SC_BYTES);
    memcpy(sig + PVT_OFF, good + PVT_OFF, PT_BYTES);
    expect_verify_fails("r and s swapped", pub_a, sig, SIG_BYTES);

    /* PVT: flipped bits (bit k of the 520-bit PVT string, 0 = msb), bad encodings, and other
     * valid points. */
    for (i = 0; i < sizeof pvt_bits / sizeof pvt_bits[0]; i++) {
        memcpy(sig, good, SIG_BYTES);
        sig[PVT_OFF + pvt_bits[i] / 8] ^= (uint8_t)(0x80u >> (pvt_bits[i] % 8));
        snprintf(name, sizeof name, "PVT bit %zu flipped", pvt_bits[i]);
        expect_verify_fails(name, pub_a, sig, SIG_BYTES);
    }
    n = make_bad_points(good + PVT_OFF, bad);
    for (i = 0; i < n; i++) {
        if (bad[i].len != PT_BYTES) continue; /* other lengths are the signature-length cases */
        memcpy(sig, good, PVT_OFF);
        memcpy(sig + PVT_OFF, bad[i].bytes, PT_BYTES);
        snprintf(name, sizeof name, "PVT %s", bad[i].name);
        expect_verify_fails(name, pub_a, sig, SIG_BYTES);
    }
    memcpy(sig, good, SIG_BYTES);
    be_sub(sig + PVT_OFF + 1 + SC_BYTES, p256_p, good + PVT_OFF + 1 + SC_BYTES, SC_BYTES);
    expect_verify_fails("PVT negated (valid point)", pub_a, sig, SIG_BYTES);
    memcpy(sig + PVT_OFF, g, PT_BYTES);
    expect_verify_fails("PVT = G", pub_a, sig, SIG_BYTES);
    memcpy(sig + PVT_OFF, pvt_b, PT_BYTES);
    expect_verify_fails("PVT of another identity", pub_a, sig, SIG_BYTES);

    /* Wrong identifier, message, KMS. */
    set_ctx("verify rejects", "wrong context");
    CHECK_RC(mkc_eccsi_verify(pub_a, ID_B, ID_B_LEN, VMSG, VMSG_LEN, good, SIG_BYTES),
             MKC_RESULT_VERIFY_FAILED, "another identifier");
    CHECK_RC(mkc_eccsi_verify(pub_a, NULL, 0, VMSG, VMSG_LEN, good, SIG_BYTES),
             MKC_RESULT_VERIFY_FAILED, "empty identifier");
    CHECK_RC(mkc_eccsi_verify(pub_a, ID_A, ID_A_LEN + 1, VMSG, VMSG_LEN, good, SIG_BYTES),
             MKC_RESULT_VERIFY_FAILED, "identifier with its NUL terminator");
    memcpy(sig, VMSG, VMSG_LEN);
    sig[VMSG_LEN - 1] ^= 0x01;
    CHECK_RC(mkc_eccsi_verify(pub_a, ID_A, ID_A_LEN, sig, VMSG_LEN, good, SIG_BYTES),
             MKC_RESULT_VERIFY_FAILED, "message with one bit flipped");
    CHECK_RC(mkc_eccsi_verify(pub_a, ID_A, ID_A_LEN, VMSG, VMSG_LEN + 1, good, SIG_BYTES),
             MKC_RESULT_VERIFY_FAILED, "message with its NUL terminator");
    CHECK_RC(mkc_eccsi_verify(pub_a, ID_A, ID_A_LEN, NULL, 0, good, SIG_BYTES),
             MKC_RESULT_VERIFY_FAILED, "empty message");
    CHECK_RC(mkc_eccsi_public_new(kpak_b, PT_BYTES, &pub_b), MKC_RESULT_OK, "public_new B");
    if (pub_b != NULL) {
        CHECK_RC(mkc_eccsi_verify(pub_b, ID_A, ID_A_LEN, VMSG, VMSG_LEN, good, SIG_BYTES),
                 MKC_RESULT_VERIFY_FAILED, "another KMS's KPAK");
        mkc_eccsi_public_free(pub_b);
    }
    {
        uint8_t kpak_neg[PT_BYTES];
        const mkc_eccsi_public *pub_neg = NULL;
        memcpy(kpak_neg, kpak_a, PT_BYTES);
        be_sub(kpak_neg + 1 + SC_BYTES, p256_p, kpak_a + 1 + SC_BYTES, SC_BYTES);
        CHECK_RC(mkc_eccsi_public_new(kpak_neg, PT_BYTES, &pub_neg), MKC_RESULT_OK,
                 "public_new -KPAK");
        if (pub_neg != NULL) {
            CHECK_RC(mkc_eccsi_verify(pub_neg, ID_A, ID_A_LEN, VMSG, VMSG_LEN, good, SIG_BYTES),
                     MKC_RESULT_VERIFY_FAILED, "the negated KPAK");
            mkc_eccsi_public_free(pub_neg);
        }
    }

    /* NULL arguments. */
    set_ctx("verify NULL", "");
    CHECK_RC(mkc_eccsi_verify(NULL, ID_A, ID_A_LEN, VMSG, VMSG_LEN, good, SIG_BYTES),
             MKC_RESULT_NULL_PARAMETER, "public_key NULL");
    CHECK_RC(mkc_eccsi_verify(pub_a, NULL, ID_A_LEN, VMSG, VMSG_LEN, good, SIG_BYTES),
             MKC_RESULT_NULL_PARAMETER, "id NULL with a length");
    CHECK_RC(mkc_eccsi_verify(pub_a, ID_A, ID_A_LEN, NULL, VMSG_LEN, good, SIG_BYTES),
             MKC_RESULT_NULL_PARAMETER, "msg NULL with a length");
    CHECK_RC(mkc_eccsi_verify(pub_a, ID_A, ID_A_LEN, VMSG, VMSG_LEN, NULL, SIG_BYTES),
             MKC_RESULT_NULL_PARAMETER, "sig NULL with length 129");

    /* Everything above left the handles usable. */
    set_ctx("verify", "after the negative cases");
    CHECK_RC(mkc_eccsi_verify(pub_a, ID_A, ID_A_LEN, VMSG, VMSG_LEN, good, SIG_BYTES),
             MKC_RESULT_OK, "the good signature still verifies");
}

/* ------------------------------------------------------------------------------------------ */
/* Lengths above PTRDIFF_MAX: MKC_RESULT_INVALID_PARAMETER, nothing read or written.          */
/* ------------------------------------------------------------------------------------------ */

static void test_huge_lengths(void) {
    uint8_t buf[8];
    const size_t huge = (size_t)PTRDIFF_MAX + 1u;
    const mkc_eccsi_public *pub = SENTINEL_PUB;
    size_t written = 777;

    set_ctx("length above PTRDIFF_MAX", "");
    memset(buf, CANARY, sizeof buf);
    CHECK_RC(mkc_random(buf, huge), MKC_RESULT_INVALID_PARAMETER, "mkc_random");
    CHECK(all_equal(buf, sizeof buf, CANARY), "mkc_random wrote nothing");
    CHECK_RC(mkc_eccsi_public_new(kpak_a, huge, &pub), MKC_RESULT_INVALID_PARAMETER,
             "public_new kpak_len");
    CHECK(pub == SENTINEL_PUB, "public_new left *out unchanged");
    CHECK_RC(mkc_eccsi_verify(pub_a, ID_A, huge, VMSG, VMSG_LEN, buf, sizeof buf),
             MKC_RESULT_INVALID_PARAMETER, "verify id_len");
    CHECK_RC(mkc_eccsi_sign(signer_a, VMSG, huge, buf, sizeof buf, &written),
             MKC_RESULT_INVALID_PARAMETER, "sign msg_len");
    CHECK_RC(mkc_eccsi_sign(signer_a, VMSG, VMSG_LEN, buf, huge, &written),
             MKC_RESULT_INVALID_PARAMETER, "sign sig_cap");
    CHECK(all_equal(buf, sizeof buf, CANARY), "sign wrote nothing");
}

int main(void) {
    load_constants();
    test_version_and_sizes();
    test_result_str();
    test_random_and_free();
    setup_fixtures();
    test_kms_secrets();
    test_kms_random_and_kpak();
    test_rfc_vectors();
    test_issue_buffers();
    test_public_new();
    test_signer_new();
    test_signer_new_with_public();
    test_identifiers_and_messages();
    test_sign_buffers();
    test_verify_rejects();
    test_huge_lengths();
    free_fixtures();

    finish();
    return 0;
}
