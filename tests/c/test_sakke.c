/*
 * test_sakke.c: self-checking test of the SAKKE (RFC 6508, parameter set 1 of RFC 6509) part of
 * the mcptt-kmc C API (mkc_sakke_*, mkc_kms_z_t, mkc_kms_issue_sakke), through <mcptt_kmc.h>
 * and the shared library only.
 *
 * Builds as C99 and as C++17 (-Wall -Wextra -Werror -pedantic). Prints one line per failed
 * check and, last, "N passed, M failed"; exits 1 if any check failed (harness: check.h).
 *
 * Every handle and buffer is released, so valgrind and LeakSanitizer report nothing lost.
 * SAKKE is slow under valgrind (a receiver or a decapsulation costs a pairing), so the test
 * makes few receivers (7 valid ones) and few encapsulations (about 30).
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

#define PT_BYTES MKC_SAKKE_Z_T_BYTES  /* a point: 0x04 || x || y */
#define CO_BYTES MKC_KMS_Z_BYTES      /* a coordinate, an element of F_p or of Z/q */
#define X_OFF 1
#define Y_OFF (1 + CO_BYTES)
#define SSV_BYTES MKC_SAKKE_SSV_BYTES
#define SED_BYTES MKC_SAKKE_SED_BYTES
#define H_OFF PT_BYTES                /* H follows R in the SED */

/* RFC 6509 Appendix A, parameter set 1: p, q and the base point P. */
static const char SAKKE_P[] =
    "997abb1f0a563fda65c61198dad0657a416c0ce19cb48261be9ae358b3e01a2e"
    "f40aab27e2fc0f1b228730d531a59cb0e791b39ff7c88a19356d27f4a666a6d0"
    "e26c6487326b4cd4512ac5cd65681ce1b6aff4a831852a82a7cf3c521c3c09aa"
    "9f94d6af56971f1ffce3e82389857db080c5df10ac7ace87666d807afea85feb";
static const char SAKKE_Q[] =
    "265eaec7c2958ff69971846636b4195e905b0338672d20986fa6b8d62cf8068b"
    "bd02aac9f8bf03c6c8a1cc354c69672c39e46ce7fdf222864d5b49fd2999a9b4"
    "389b1921cc9ad335144ab173595a07386dabfd2a0c614aa0a9f3cf14870f026a"
    "a7e535abd5a5c7c7ff38fa08e2615f6c203177c42b1eb3a1d99b601ebfaa17fb";
static const char SAKKE_P_POINT[] =
    "0453fc09ee332c29ad0a7990053ed9b52a2b1a2fd60aec69c698b2f204b6ff7c"
    "bfb5edb6c0f6ce2308ab10db9030b09e1043d5f22cdb9dfa55718bd9e7406ce8"
    "909760af765dd5bccb337c86548b72f2e1a702c3397a60de74a7c1514dba6691"
    "0dd5cfb4cc80728d87ee9163a5b63f73ec80ec46c4967e0979880dc8abeae638"
    "950a8249063f6009f1f9f1f0533634a135d3e82016029906963d778d821e1411"
    "78f5ea69f4654ec2b9e7f7f5e5f0de55f66b598ccf9a140b2e416cff0ca9e032"
    "b970dae117ad547c6ccad696b5b7652fe0ac6f1e80164aa989492d979fc5a4d5"
    "f213515ad7e9cb99a980bdad5ad5bb4636adb9b5706a67dcde75573fd71bef16"
    "d7";
/* Points of E: y^2 = x^3 - 3x that are on the curve but of order 2q, not q (computed with
 * Python from the parameters above): P + (0, 0), and the point with x = 1. */
static const char POINT_P_PLUS_T2[] =
    "043206a2d9e6365147dc8ad7b9a997947e30efb9c514b9605f186934c2ace519"
    "4a719e41ae71bdeea547dac6f40cae37f367b8fa7f4d9a2da7674c604c2388d9"
    "feb2abf9eb34ecb424fe23d7afd43bd96f5b09c78644a5531c0f0e2a4d311258"
    "8271cf2f69a093f503052b129f898545913d7d28692d1d5a568cddf03a3c65a8"
    "9b67ecf6838bef0f2bbe9fe9807648d149c353abb771505ed07db1bfba52111c"
    "35f905ea69b81e1c7c78f7e3649d8221e0eead7a376e22a1d9655196d9ee1714"
    "e0205c61cda6b6540e9bc26d7112d79dbed8f0d09f91f7146f42ce0b05d80524"
    "ad68dd46e5ce888731c3469ba9f32e75c34e42386b242b36eb097cee786bd991"
    "7c";
static const char POINT_X1[] =
    "0400000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "01474ad00e10cd673d5a44d040ff7c11b983756da3d3da2131deac6b18571d54"
    "7429e5d7aa9a2305c5b651fb131db9ac03cd8ff85ac984707d95b2fcca68f6b5"
    "b38522186589b9e46d516389e7fa70e41dbb5610c2199c019328607b05169c58"
    "aed90886b8abc5712785b75e46ebae5fea7d6342aecbd49d469797700f0fd7cd"
    "e2";

/* RFC 6508 Appendix A (tests/vectors/rfc6508-sakke.json). z is the 20-octet integer, left-padded
 * to 128 octets before use; the KSAK is any valid value (the RFC 6507 one). */
static const char RFC_KSAK[] = "0000000000000000000000000000000000000000000000000000000000012345";
static const char RFC_Z[] = "aff429d35f84b110d094803b3595a6e2998bc99f";
static const char RFC_Z_T[] =
    "045958ef1b1679bf099b3a030df255aa6a23c1d8f143d4d23f753e69bd27a832"
    "f38cb4ad53ddef4260b0fe8bb45c4c1ff510effe300367a37b61f701d914aef0"
    "9724825fa0707d61a6dff4fbd7273566cdde352a0b04b7c16a78309be640697d"
    "e747613a5fc195e8b9f328852a579db8f99b1d0034479ea9c5595f47c4b2f54f"
    "f21508d37514dcf7a8e143a6058c09a6bf2c9858ca37c258065ae6bf7532bc8b"
    "5b63383866e0753c5ac0e72709f8445f2e6178e065857e0eda10f68206b63505"
    "ed87e534fb2831ff957fb7dc619dae61301eeacc2fda3680ea4999258a833cea"
    "8fc67c6d19487fb449059f26cc8aab655ab58b7cc796e24e9a394095754f5f8b"
    "ae";
static const char RFC_ID[] = "323031312d30320074656c3a2b34343737303039303031323300";
static const char RFC_RSK[] =
    "0493af67e5007ba6e6a80da793da300fa4b52d0a74e25e6e7b2b3d6ee9d18a9b"
    "5c5023597bd82d8062d34019563ba1d25c0dc56b7b979d74aa50f29fbf11cc2c"
    "93f5dfca615e609279f6175ceadb00b58c6bee1e7a2a47c4f0c456f05259a6fa"
    "94a634a40dae1df593d4fecf688d5fc678be7efc6df3d6835325b83b2c6e6903"
    "6b155f0a27241094b04bfb0bdfac6c670a65c325d39a069f03659d44ca27d3be"
    "8df311172b554160181cbe94a2a783320ced590bc42644702cf371271e496bf2"
    "0f588b78a1bc01ecbb6559934bdd2fb65d2884318a33d1a42adf5e33cc580028"
    "0b28356497f87135bab9612a17260424409ac15fee996b744c332151235decb0"
    "f5";
static const char RFC_SSV[] = "123456789abcdef0123456789abcdef0";
static const char RFC_SED[] =
    "0444e8ad44ab8592a6a5a3ddca5cf896c718043606a01d650def37a01f37c228"
    "c332fc317354e2c274d4daf8ad001054c76ce57971c6f4486d5723043261c506"
    "ebf5be438f53de04f067c776e0dd3b71a6290133283725a532f21af145126dc1"
    "d777ecc27be50835bd28098b8a73d9f801d893793a41ff5c49b87e79f2be4d56"
    "ce557e134ad85bb1d4b9ce4f8be4b08a12babf55b1d6f1d7a638019ea28e15ab"
    "1c9f76375fdd1210d4f4351b9a009486b7f3ed46c965ded2d80dade4f38c6721"
    "d52c3ad103a10ebd2959248b4ef006836bf097448e6107c9edee9fb704823df1"
    "99f832c905ae45f8a247a072d8ef729eabc5e27574b07739b34be74a532f747b"
    "8689e0bc661aa1e91638e6acc84e496507";

/* A 32-octet TS 33.180 UID (Annex F.2.1), used as an opaque identifier. */
static const char UID_HEX[] = "74e2af803ab5d72841bbced0ce319ffe64f6fe23c88a2d258aabcf6ac5658ef4";

/* "*out must stay unchanged" stand-ins for this test's handles (SENTINEL_KMS: check.h). */
#define SENTINEL_PUB ((const mkc_sakke_public *)SENTINEL_SLOT(1))
#define SENTINEL_RECV ((const mkc_sakke_receiver *)SENTINEL_SLOT(2))

/* ------------------------------------------------------------------------------------------ */
/* Shared fixtures                                                                            */
/* ------------------------------------------------------------------------------------------ */

static uint8_t sakke_p[CO_BYTES], sakke_q[CO_BYTES], p_point[PT_BYTES];
static uint8_t pt_p_plus_t2[PT_BYTES], pt_x1[PT_BYTES];
static uint8_t rfc_ksak[MKC_KMS_KSAK_BYTES], rfc_z[CO_BYTES], rfc_z_t[PT_BYTES];
static uint8_t rfc_id[26], rfc_rsk[PT_BYTES], rfc_ssv[SSV_BYTES], rfc_sed[SED_BYTES];
static uint8_t uid[32];

/* Two independent random KMSs, A and B; RSKs issued by A for ID_A and ID_B; a sender handle
 * for A's Z_T and a receiver for ID_A. */
static const mkc_kms *kms_a, *kms_b;
static uint8_t z_t_a[PT_BYTES], z_t_b[PT_BYTES];
static const uint8_t ID_A[] = "sip:alice@mcptt.example.org";
static const uint8_t ID_B[] = "sip:bob@mcptt.example.org";
#define ID_A_LEN (sizeof ID_A - 1)
#define ID_B_LEN (sizeof ID_B - 1)
static uint8_t rsk_a[PT_BYTES], rsk_b[PT_BYTES];
static const mkc_sakke_public *pub_a;
static const mkc_sakke_receiver *recv_a;
/* A SED of a random SSV to ID_A under Z_T of A, and that SSV. */
static uint8_t ssv_a[SSV_BYTES], sed_a[SED_BYTES];

static void load_constants(void) {
    uint8_t z20[20];
    set_ctx("constants", "");
    unhex(SAKKE_P, sakke_p, sizeof sakke_p);
    unhex(SAKKE_Q, sakke_q, sizeof sakke_q);
    unhex(SAKKE_P_POINT, p_point, sizeof p_point);
    unhex(POINT_P_PLUS_T2, pt_p_plus_t2, sizeof pt_p_plus_t2);
    unhex(POINT_X1, pt_x1, sizeof pt_x1);
    unhex(RFC_KSAK, rfc_ksak, sizeof rfc_ksak);
    unhex(RFC_Z, z20, sizeof z20);
    memset(rfc_z, 0, sizeof rfc_z);
    memcpy(rfc_z + sizeof rfc_z - sizeof z20, z20, sizeof z20);
    unhex(RFC_Z_T, rfc_z_t, sizeof rfc_z_t);
    unhex(RFC_ID, rfc_id, sizeof rfc_id);
    unhex(RFC_RSK, rfc_rsk, sizeof rfc_rsk);
    unhex(RFC_SSV, rfc_ssv, sizeof rfc_ssv);
    unhex(RFC_SED, rfc_sed, sizeof rfc_sed);
    unhex(UID_HEX, uid, sizeof uid);
}

static void get_z_t(const mkc_kms *kms, uint8_t out[PT_BYTES]) {
    size_t written = 0;
    CHECK_RC(mkc_kms_z_t(kms, out, PT_BYTES, &written), MKC_RESULT_OK, "mkc_kms_z_t");
    CHECK_SIZE(written, PT_BYTES, "Z_T length");
}

/* Encapsulates `ssv` to `id` with `pub` into `sed` and checks the call. */
static void encap_ok(const mkc_sakke_public *pub, const uint8_t *id, size_t id_len,
                     const uint8_t *ssv, uint8_t sed[SED_BYTES]) {
    size_t written = 777;
    memset(sed, 0, SED_BYTES);
    CHECK_RC(mkc_sakke_encapsulate(pub, id, id_len, ssv, SSV_BYTES, sed, SED_BYTES, &written),
             MKC_RESULT_OK, "mkc_sakke_encapsulate");
    CHECK_SIZE(written, SED_BYTES, "SED length");
    CHECK(sed[0] == 0x04, "SED starts with 0x04 (R uncompressed)");
}

/* Decapsulates `sed` with `recv` and checks that it gives `want_ssv`. */
static void decap_ok(const mkc_sakke_receiver *recv, const uint8_t *sed,
                     const uint8_t *want_ssv) {
    uint8_t ssv[SSV_BYTES];
    size_t written = 777;
    memset(ssv, CANARY, sizeof ssv);
    CHECK_RC(mkc_sakke_decapsulate(recv, sed, SED_BYTES, ssv, sizeof ssv, &written),
             MKC_RESULT_OK, "mkc_sakke_decapsulate");
    CHECK_SIZE(written, SSV_BYTES, "SSV length");
    CHECK(memcmp(ssv, want_ssv, SSV_BYTES) == 0, "decapsulation gives the SSV");
    memset(ssv, 0, sizeof ssv);
}

/* Decapsulation of `sed` (`sed_len` octets) must fail with the output zeroed and *written = 0. */
static void expect_decap_fails(const char *name, const mkc_sakke_receiver *recv,
                               const uint8_t *sed, size_t sed_len) {
    uint8_t ssv[SSV_BYTES + 8];
    size_t written = 777;
    set_ctx("decapsulate rejects", name);
    memset(ssv, CANARY, sizeof ssv);
    CHECK_RC(mkc_sakke_decapsulate(recv, sed_len ? sed : NULL, sed_len, ssv, sizeof ssv,
                                   &written),
             MKC_RESULT_DECAPSULATION_FAILED, "result");
    CHECK(all_equal(ssv, sizeof ssv, 0), "output zeroed over its capacity");
    CHECK_SIZE(written, 0, "*written = 0");
}

static void setup_fixtures(void) {
    size_t written = 0;
    set_ctx("fixtures", "");
    kms_a = NULL;
    kms_b = NULL;
    CHECK_RC(mkc_kms_new_random(&kms_a), MKC_RESULT_OK, "mkc_kms_new_random A");
    CHECK_RC(mkc_kms_new_random(&kms_b), MKC_RESULT_OK, "mkc_kms_new_random B");
    if (!kms_a || !kms_b) {
        printf("FATAL: cannot make a KMS; stopping\n");
        finish();
    }
    get_z_t(kms_a, z_t_a);
    get_z_t(kms_b, z_t_b);
    CHECK(memcmp(z_t_a, z_t_b, PT_BYTES) != 0, "two random KMSs have different Z_Ts");
    CHECK_RC(mkc_kms_issue_sakke(kms_a, ID_A, ID_A_LEN, rsk_a, sizeof rsk_a), MKC_RESULT_OK,
             "issue for ID_A");
    CHECK_RC(mkc_kms_issue_sakke(kms_a, ID_B, ID_B_LEN, rsk_b, sizeof rsk_b), MKC_RESULT_OK,
             "issue for ID_B");
    CHECK(rsk_a[0] == 0x04 && rsk_b[0] == 0x04, "RSKs start with 0x04");
    CHECK(memcmp(rsk_a, rsk_b, PT_BYTES) != 0, "two identities get different RSKs");
    pub_a = NULL;
    recv_a = NULL;
    CHECK_RC(mkc_sakke_public_new(z_t_a, PT_BYTES, &pub_a), MKC_RESULT_OK, "public_new A");
    CHECK_RC(mkc_sakke_receiver_new(z_t_a, PT_BYTES, ID_A, ID_A_LEN, rsk_a, PT_BYTES, &recv_a),
             MKC_RESULT_OK, "receiver_new A");
    if (!pub_a || !recv_a) {
        printf("FATAL: cannot make the SAKKE handles; stopping\n");
        mkc_sakke_public_free(pub_a);
        mkc_sakke_receiver_free(recv_a);
        mkc_kms_free(kms_a);
        mkc_kms_free(kms_b);
        finish();
    }
    CHECK_RC(mkc_random(ssv_a, sizeof ssv_a), MKC_RESULT_OK, "random SSV");
    CHECK_RC(mkc_sakke_encapsulate(pub_a, ID_A, ID_A_LEN, ssv_a, SSV_BYTES, sed_a, SED_BYTES,
                                   &written),
             MKC_RESULT_OK, "encapsulate to ID_A");
    decap_ok(recv_a, sed_a, ssv_a);
}

static void free_fixtures(void) {
    mkc_sakke_receiver_free(recv_a);
    mkc_sakke_public_free(pub_a);
    mkc_kms_free(kms_a);
    mkc_kms_free(kms_b);
    memset(rsk_a, 0, sizeof rsk_a);
    memset(rsk_b, 0, sizeof rsk_b);
    memset(ssv_a, 0, sizeof ssv_a);
}

/* ------------------------------------------------------------------------------------------ */
/* Sizes, result strings, _free(NULL)                                                         */
/* ------------------------------------------------------------------------------------------ */

static void test_sizes(void) {
    const char *a, *b;
    set_ctx("sizes", "");
    CHECK_SIZE(mkc_sakke_z_t_bytes(), MKC_SAKKE_Z_T_BYTES, "z_t_bytes");
    CHECK_SIZE(mkc_sakke_rsk_bytes(), MKC_SAKKE_RSK_BYTES, "rsk_bytes");
    CHECK_SIZE(mkc_sakke_ssv_bytes(), MKC_SAKKE_SSV_BYTES, "ssv_bytes");
    CHECK_SIZE(mkc_sakke_sed_bytes(), MKC_SAKKE_SED_BYTES, "sed_bytes");
    CHECK_SIZE(mkc_kms_z_bytes(), MKC_KMS_Z_BYTES, "z_bytes");
    CHECK_SIZE(MKC_SAKKE_Z_T_BYTES, 257, "Z_T is 257 octets");
    CHECK_SIZE(MKC_SAKKE_RSK_BYTES, 257, "RSK is 257 octets");
    CHECK_SIZE(MKC_SAKKE_SSV_BYTES, 16, "SSV is 16 octets");
    CHECK_SIZE(MKC_SAKKE_SED_BYTES, 273, "SED is 273 octets");
    CHECK_SIZE(MKC_KMS_Z_BYTES, 128, "z is 128 octets");
    CHECK_SIZE(MKC_SAKKE_SED_BYTES, MKC_SAKKE_Z_T_BYTES + MKC_SAKKE_SSV_BYTES,
               "SED = R (a point) || H (an SSV)");
    CHECK(mkc_abi_version() == MKC_ABI_VERSION, "mkc_abi_version() equals MKC_ABI_VERSION");

    set_ctx("mkc_result_str", "SAKKE codes");
    CHECK(MKC_RESULT_INVALID_LENGTH == 6 && MKC_RESULT_DECAPSULATION_FAILED == 102,
          "MKC_RESULT_INVALID_LENGTH is 6 and MKC_RESULT_DECAPSULATION_FAILED is 102");
    a = mkc_result_str(MKC_RESULT_INVALID_LENGTH);
    b = mkc_result_str(MKC_RESULT_DECAPSULATION_FAILED);
    CHECK(a != NULL && b != NULL && a[0] != '\0' && b[0] != '\0', "non-empty texts");
    CHECK(a != NULL && strcmp(a, "unknown result code") != 0, "INVALID_LENGTH is known");
    CHECK(b != NULL && strcmp(b, "unknown result code") != 0, "DECAPSULATION_FAILED is known");
    CHECK(a != NULL && b != NULL && strcmp(a, b) != 0, "distinct texts");

    set_ctx("_free(NULL)", "");
    mkc_sakke_public_free(NULL);
    mkc_sakke_receiver_free(NULL);
    CHECK(1, "mkc_sakke_public_free and mkc_sakke_receiver_free accept NULL");
}

/* ------------------------------------------------------------------------------------------ */
/* RFC 6508 Appendix A through the C API                                                      */
/* ------------------------------------------------------------------------------------------ */

static void test_rfc_vector(void) {
    const mkc_kms *kms = NULL;
    const mkc_sakke_public *pub = NULL;
    const mkc_sakke_receiver *recv = NULL;
    uint8_t z_t[PT_BYTES], rsk[PT_BYTES], sed[SED_BYTES], sed2[SED_BYTES];
    size_t written = 0;

    set_ctx("RFC 6508 Appendix A", "KMS");
    CHECK_RC(mkc_kms_new_from_secrets(rfc_ksak, sizeof rfc_ksak, rfc_z, sizeof rfc_z, &kms),
             MKC_RESULT_OK, "new_from_secrets with the RFC z (left-padded to 128 octets)");
    if (kms != NULL) {
        memset(z_t, 0, sizeof z_t);
        CHECK_RC(mkc_kms_z_t(kms, z_t, sizeof z_t, &written), MKC_RESULT_OK, "mkc_kms_z_t");
        CHECK_SIZE(written, PT_BYTES, "Z_T length");
        CHECK(memcmp(z_t, rfc_z_t, PT_BYTES) == 0, "Z_T = [z]P equals the RFC Z_S");
        memset(rsk, 0, sizeof rsk);
        CHECK_RC(mkc_kms_issue_sakke(kms, rfc_id, sizeof rfc_id, rsk, sizeof rsk),
                 MKC_RESULT_OK, "mkc_kms_issue_sakke");
        CHECK(memcmp(rsk, rfc_rsk, PT_BYTES) == 0, "the issued RSK equals the RFC K_(b,S)");
        mkc_kms_free(kms);
    }

    set_ctx("RFC 6508 Appendix A", "sender");
    CHECK_RC(mkc_sakke_public_new(rfc_z_t, PT_BYTES, &pub), MKC_RESULT_OK, "public_new");
    if (pub != NULL) {
        encap_ok(pub, rfc_id, sizeof rfc_id, rfc_ssv, sed);
        CHECK(memcmp(sed, rfc_sed, SED_BYTES) == 0, "the SED equals the RFC R_(b,S) || H");
        encap_ok(pub, rfc_id, sizeof rfc_id - 1, rfc_ssv, sed2);
        CHECK(memcmp(sed2, rfc_sed, PT_BYTES) != 0,
              "the identifier without its trailing NUL gives another R");
        mkc_sakke_public_free(pub);
    }

    set_ctx("RFC 6508 Appendix A", "receiver");
    CHECK_RC(mkc_sakke_receiver_new(rfc_z_t, PT_BYTES, rfc_id, sizeof rfc_id, rfc_rsk, PT_BYTES,
                                    &recv),
             MKC_RESULT_OK, "receiver_new with the RFC RSK");
    if (recv != NULL) {
        decap_ok(recv, rfc_sed, rfc_ssv);
        decap_ok(recv, rfc_sed, rfc_ssv); /* again, with the table built */
        expect_decap_fails("RFC receiver, SED to the identifier without its trailing NUL", recv,
                           sed2, SED_BYTES);
        mkc_sakke_receiver_free(recv);
    }
    {
        const mkc_sakke_receiver *out = SENTINEL_RECV;
        set_ctx("RFC 6508 Appendix A", "receiver, identifier without its trailing NUL");
        CHECK_RC(mkc_sakke_receiver_new(rfc_z_t, PT_BYTES, rfc_id, sizeof rfc_id - 1, rfc_rsk,
                                        PT_BYTES, &out),
                 MKC_RESULT_INVALID_KEY, "result");
        CHECK(out == SENTINEL_RECV, "*out unchanged");
        if (out != SENTINEL_RECV) mkc_sakke_receiver_free(out);
    }
}

/* A receiver made from an encapsulation handle (Z_T validated once) behaves as one made from
 * Z_T's octets: the RFC vector decapsulates; a wrong identifier or RSK, and NULLs, fail. */
static void test_receiver_with_public(void) {
    const mkc_sakke_public *pub = NULL;
    const mkc_sakke_receiver *recv = NULL;
    const mkc_sakke_receiver *out = SENTINEL_RECV;
    uint8_t bad_rsk[PT_BYTES];

    set_ctx("receiver_new_with_public", "RFC 6508 Appendix A");
    CHECK_RC(mkc_sakke_public_new(rfc_z_t, PT_BYTES, &pub), MKC_RESULT_OK, "public_new");
    if (pub == NULL) return;
    CHECK_RC(mkc_sakke_receiver_new_with_public(pub, rfc_id, sizeof rfc_id, rfc_rsk, PT_BYTES,
                                                &recv),
             MKC_RESULT_OK, "the RFC RSK");
    if (recv != NULL) {
        decap_ok(recv, rfc_sed, rfc_ssv);
        mkc_sakke_receiver_free(recv);
    }
    CHECK_RC(mkc_sakke_receiver_new_with_public(pub, rfc_id, sizeof rfc_id - 1, rfc_rsk,
                                                PT_BYTES, &out),
             MKC_RESULT_INVALID_KEY, "the identifier without its trailing NUL");
    memcpy(bad_rsk, rfc_rsk, PT_BYTES);
    bad_rsk[PT_BYTES - 1] ^= 1;
    CHECK_RC(mkc_sakke_receiver_new_with_public(pub, rfc_id, sizeof rfc_id, bad_rsk, PT_BYTES,
                                                &out),
             MKC_RESULT_INVALID_KEY, "an RSK off the curve");
    CHECK_RC(mkc_sakke_receiver_new_with_public(pub, rfc_id, sizeof rfc_id, rfc_rsk,
                                                PT_BYTES - 1, &out),
             MKC_RESULT_INVALID_KEY, "a short RSK");
    CHECK_RC(mkc_sakke_receiver_new_with_public(NULL, rfc_id, sizeof rfc_id, rfc_rsk, PT_BYTES,
                                                &out),
             MKC_RESULT_NULL_PARAMETER, "NULL public handle");
    CHECK_RC(mkc_sakke_receiver_new_with_public(pub, rfc_id, sizeof rfc_id, rfc_rsk, PT_BYTES,
                                                NULL),
             MKC_RESULT_NULL_PARAMETER, "NULL out");
    CHECK(out == SENTINEL_RECV, "*out unchanged by failures");
    mkc_sakke_public_free(pub);
}

/* ------------------------------------------------------------------------------------------ */
/* Round trips with a random KMS over identifiers and SSVs                                    */
/* ------------------------------------------------------------------------------------------ */

static void test_round_trips(void) {
    static const uint8_t nul_id[] = {0x00, 'a', 'l', 'i', 'c', 'e', 0x00, 'x', 0x00};
    struct {
        const char *name;
        const uint8_t *id;
        size_t len;
    } ids[3];
    uint8_t ssvs[3][SSV_BYTES];
    static const char *const ssv_names[3] = {"SSV all zero", "SSV all FF", "random SSV"};
    const mkc_sakke_receiver *recv[3] = {NULL, NULL, NULL};
    uint8_t seds[3][SED_BYTES];
    size_t i, s;

    ids[0].name = "empty id (NULL, 0)";
    ids[0].id = NULL;
    ids[0].len = 0;
    ids[1].name = "id with NUL octets";
    ids[1].id = nul_id;
    ids[1].len = sizeof nul_id;
    ids[2].name = "32-octet UID";
    ids[2].id = uid;
    ids[2].len = sizeof uid;
    memset(ssvs[0], 0x00, SSV_BYTES);
    memset(ssvs[1], 0xFF, SSV_BYTES);
    set_ctx("round trips", "");
    CHECK_RC(mkc_random(ssvs[2], SSV_BYTES), MKC_RESULT_OK, "random SSV");

    for (i = 0; i < 3; i++) {
        uint8_t rsk[PT_BYTES + 3];
        set_ctx(ids[i].name, "issue and receiver_new");
        memset(rsk, CANARY, sizeof rsk);
        CHECK_RC(mkc_kms_issue_sakke(kms_a, ids[i].id, ids[i].len, rsk, sizeof rsk),
                 MKC_RESULT_OK, "issue_sakke");
        CHECK(rsk[0] == 0x04, "RSK starts with 0x04");
        CHECK(all_equal(rsk + PT_BYTES, sizeof rsk - PT_BYTES, CANARY),
              "only 257 octets written");
        CHECK_RC(mkc_sakke_receiver_new(z_t_a, PT_BYTES, ids[i].id, ids[i].len, rsk, PT_BYTES,
                                        &recv[i]),
                 MKC_RESULT_OK, "receiver_new");
        /* The RSK is copied in: the caller may wipe its copy at once. */
        memset(rsk, 0, sizeof rsk);
    }
    for (i = 0; i < 3; i++) {
        for (s = 0; s < 3; s++) {
            uint8_t sed[SED_BYTES];
            set_ctx(ids[i].name, ssv_names[s]);
            encap_ok(pub_a, ids[i].id, ids[i].len, ssvs[s], sed);
            if (recv[i] != NULL) decap_ok(recv[i], sed, ssvs[s]);
            if (s == 2) memcpy(seds[i], sed, SED_BYTES);
        }
        set_ctx(ids[i].name, "deterministic");
        {
            uint8_t again[SED_BYTES];
            encap_ok(pub_a, ids[i].id, ids[i].len, ssvs[2], again);
            CHECK(memcmp(again, seds[i], SED_BYTES) == 0,
                  "the same SSV and identifier give the same SED");
        }
    }
    for (i = 0; i < 3; i++) {
        char name[96];
        size_t next = (i + 1) % 3;
        snprintf(name, sizeof name, "SED to %s, receiver of %s", ids[i].name, ids[next].name);
        if (recv[next] != NULL) expect_decap_fails(name, recv[next], seds[i], SED_BYTES);
    }
    for (i = 0; i < 3; i++) mkc_sakke_receiver_free(recv[i]);
    memset(ssvs, 0, sizeof ssvs);
}

/* ------------------------------------------------------------------------------------------ */
/* Bad points: every point input (Z_T, RSK, R) must refuse them                               */
/* ------------------------------------------------------------------------------------------ */

#define MAX_BAD_POINTS 32

struct bad_point {
    const char *name;
    uint8_t bytes[PT_BYTES + 1];
    size_t len;
};

/* Fills `bad` with encodings derived from the valid point `good` that are not a valid
 * 0x04 || x || y point of order q; returns their number. */
static size_t make_bad_points(const uint8_t *good, struct bad_point *bad) {
    size_t n = 0;
    uint8_t tmp[PT_BYTES];
#define ADD_BAD(nm, src, ln)                          \
    do {                                              \
        bad[n].name = (nm);                           \
        memset(bad[n].bytes, 0, sizeof bad[n].bytes); \
        memcpy(bad[n].bytes, (src), (ln));            \
        bad[n].len = (ln);                            \
        n++;                                          \
    } while (0)

    memcpy(tmp, good, PT_BYTES);
    tmp[0] = 0x02;
    ADD_BAD("prefix 0x02", tmp, PT_BYTES);
    tmp[0] = 0x03;
    ADD_BAD("prefix 0x03", tmp, PT_BYTES);
    tmp[0] = 0x00;
    ADD_BAD("prefix 0x00", tmp, PT_BYTES);
    tmp[0] = (uint8_t)(0x06 | (good[PT_BYTES - 1] & 1)); /* SEC1 hybrid form, right parity */
    ADD_BAD("hybrid prefix 0x06/0x07", tmp, PT_BYTES);
    tmp[0] = 0xFF;
    ADD_BAD("prefix 0xFF", tmp, PT_BYTES);

    memcpy(tmp, good, PT_BYTES);
    tmp[PT_BYTES - 1] ^= 0x01;
    ADD_BAD("off the curve (y lsb flipped)", tmp, PT_BYTES);
    memcpy(tmp, good, PT_BYTES);
    tmp[X_OFF + 60] ^= 0x10;
    ADD_BAD("off the curve (x bit in the middle flipped)", tmp, PT_BYTES);

    memcpy(tmp, good, PT_BYTES);
    memcpy(tmp + X_OFF, sakke_p, CO_BYTES);
    ADD_BAD("x = p", tmp, PT_BYTES);
    memcpy(tmp, good, PT_BYTES);
    memcpy(tmp + Y_OFF, sakke_p, CO_BYTES);
    ADD_BAD("y = p", tmp, PT_BYTES);
    memcpy(tmp, good, PT_BYTES);
    memset(tmp + X_OFF, 0xFF, CO_BYTES);
    ADD_BAD("x all-FF", tmp, PT_BYTES);
    memcpy(tmp, good, PT_BYTES);
    memset(tmp + Y_OFF, 0xFF, CO_BYTES);
    ADD_BAD("y all-FF", tmp, PT_BYTES);

    memset(tmp, 0, PT_BYTES);
    ADD_BAD("257 zero octets", tmp, PT_BYTES);
    tmp[0] = 0x04;
    ADD_BAD("(0, 0): on the curve, order 2", tmp, PT_BYTES);
    ADD_BAD("P + (0, 0): on the curve, order 2q", pt_p_plus_t2, PT_BYTES);
    ADD_BAD("(1, y): on the curve, order 2q", pt_x1, PT_BYTES);
    memset(tmp, 0, PT_BYTES);
    ADD_BAD("identity encoding 0x00 (1 octet)", tmp, 1);

    ADD_BAD("256 octets (last cut)", good, PT_BYTES - 1);
    memcpy(tmp, good, PT_BYTES);
    ADD_BAD("x only, 129 octets with 0x04", tmp, 1 + CO_BYTES);
    tmp[0] = (uint8_t)(0x02 | (good[PT_BYTES - 1] & 1));
    ADD_BAD("compressed form (129 octets)", tmp, 1 + CO_BYTES);
    memcpy(bad[n].bytes, good, PT_BYTES);
    bad[n].bytes[PT_BYTES] = 0x00;
    bad[n].len = PT_BYTES + 1;
    bad[n].name = "258 octets (trailing 0x00)";
    n++;
    ADD_BAD("(NULL, 0)", tmp, 0);
#undef ADD_BAD
    return n;
}

/* `point` with y replaced by p - y: the negated point (valid, of order q, but wrong). */
static void negate_point(uint8_t *out, const uint8_t *point) {
    memcpy(out, point, PT_BYTES);
    be_sub(out + Y_OFF, sakke_p, point + Y_OFF, CO_BYTES);
}

/* ------------------------------------------------------------------------------------------ */
/* mkc_sakke_public_new                                                                       */
/* ------------------------------------------------------------------------------------------ */

static void test_public_new(void) {
    struct bad_point bad[MAX_BAD_POINTS];
    size_t n, i;
    const mkc_sakke_public *pub;
    uint8_t buf[PT_BYTES];

    set_ctx("public_new accepts", "");
    pub = NULL;
    CHECK_RC(mkc_sakke_public_new(p_point, PT_BYTES, &pub), MKC_RESULT_OK, "Z_T = P");
    mkc_sakke_public_free(pub);
    negate_point(buf, z_t_a);
    pub = NULL;
    CHECK_RC(mkc_sakke_public_new(buf, PT_BYTES, &pub), MKC_RESULT_OK,
             "-Z_T (a valid point of order q)");
    if (pub != NULL) {
        /* A SED made under -Z_T does not decapsulate under Z_T. */
        uint8_t sed[SED_BYTES];
        encap_ok(pub, ID_A, ID_A_LEN, ssv_a, sed);
        CHECK(memcmp(sed, sed_a, PT_BYTES) != 0, "-Z_T gives another R");
        expect_decap_fails("SED made under -Z_T", recv_a, sed, SED_BYTES);
        mkc_sakke_public_free(pub);
    }

    n = make_bad_points(z_t_a, bad);
    set_ctx("public_new", "");
    CHECK(n <= MAX_BAD_POINTS, "bad point table fits");
    for (i = 0; i < n; i++) {
        pub = SENTINEL_PUB;
        set_ctx("public_new rejects Z_T", bad[i].name);
        CHECK_RC(mkc_sakke_public_new(bad[i].len ? bad[i].bytes : NULL, bad[i].len, &pub),
                 MKC_RESULT_INVALID_KEY, "result");
        CHECK(pub == SENTINEL_PUB, "*out unchanged on failure");
        if (pub != SENTINEL_PUB) mkc_sakke_public_free(pub);
    }

    set_ctx("public_new NULL", "");
    pub = SENTINEL_PUB;
    CHECK_RC(mkc_sakke_public_new(NULL, PT_BYTES, &pub), MKC_RESULT_NULL_PARAMETER,
             "z_t NULL with length 257");
    CHECK(pub == SENTINEL_PUB, "*out unchanged");
    CHECK_RC(mkc_sakke_public_new(z_t_a, PT_BYTES, NULL), MKC_RESULT_NULL_PARAMETER,
             "out NULL");
}

/* ------------------------------------------------------------------------------------------ */
/* mkc_sakke_receiver_new                                                                     */
/* ------------------------------------------------------------------------------------------ */

static void expect_receiver_rejected(const char *name, const uint8_t *z_t, size_t z_t_len,
                                     const uint8_t *id, size_t id_len, const uint8_t *rsk,
                                     size_t rsk_len) {
    const mkc_sakke_receiver *out = SENTINEL_RECV;
    set_ctx("receiver_new rejects", name);
    CHECK_RC(mkc_sakke_receiver_new(z_t, z_t_len, id, id_len, rsk, rsk_len, &out),
             MKC_RESULT_INVALID_KEY, "result");
    CHECK(out == SENTINEL_RECV, "*out unchanged on failure");
    if (out != SENTINEL_RECV) mkc_sakke_receiver_free(out);
}

static void test_receiver_new(void) {
    struct bad_point bad[MAX_BAD_POINTS];
    uint8_t neg[PT_BYTES];
    size_t n, i;
    char name[96];
    const mkc_sakke_receiver *out;

    /* Valid points that do not belong together: each costs a pairing. */
    expect_receiver_rejected("another identity's RSK", z_t_a, PT_BYTES, ID_A, ID_A_LEN, rsk_b,
                             PT_BYTES);
    expect_receiver_rejected("another identifier", z_t_a, PT_BYTES, ID_B, ID_B_LEN, rsk_a,
                             PT_BYTES);
    expect_receiver_rejected("identifier with a NUL appended", z_t_a, PT_BYTES, ID_A,
                             ID_A_LEN + 1, rsk_a, PT_BYTES);
    expect_receiver_rejected("another KMS's Z_T", z_t_b, PT_BYTES, ID_A, ID_A_LEN, rsk_a,
                             PT_BYTES);
    negate_point(neg, rsk_a);
    expect_receiver_rejected("-RSK (valid point, wrong)", z_t_a, PT_BYTES, ID_A, ID_A_LEN, neg,
                             PT_BYTES);
    expect_receiver_rejected("RSK = P", z_t_a, PT_BYTES, ID_A, ID_A_LEN, p_point, PT_BYTES);
    expect_receiver_rejected("RFC RSK under a random Z_T", z_t_a, PT_BYTES, rfc_id,
                             sizeof rfc_id, rfc_rsk, PT_BYTES);

    /* Every bad encoding of the RSK and of Z_T (cheap: decoding fails first). */
    n = make_bad_points(rsk_a, bad);
    for (i = 0; i < n; i++) {
        snprintf(name, sizeof name, "RSK %s", bad[i].name);
        expect_receiver_rejected(name, z_t_a, PT_BYTES, ID_A, ID_A_LEN,
                                 bad[i].len ? bad[i].bytes : NULL, bad[i].len);
    }
    n = make_bad_points(z_t_a, bad);
    for (i = 0; i < n; i++) {
        snprintf(name, sizeof name, "Z_T %s", bad[i].name);
        expect_receiver_rejected(name, bad[i].len ? bad[i].bytes : NULL, bad[i].len, ID_A,
                                 ID_A_LEN, rsk_a, PT_BYTES);
    }

    /* NULL arguments. */
    set_ctx("receiver_new NULL", "");
    out = SENTINEL_RECV;
    CHECK_RC(mkc_sakke_receiver_new(NULL, PT_BYTES, ID_A, ID_A_LEN, rsk_a, PT_BYTES, &out),
             MKC_RESULT_NULL_PARAMETER, "z_t NULL");
    CHECK_RC(mkc_sakke_receiver_new(z_t_a, PT_BYTES, NULL, ID_A_LEN, rsk_a, PT_BYTES, &out),
             MKC_RESULT_NULL_PARAMETER, "id NULL with a length");
    CHECK_RC(mkc_sakke_receiver_new(z_t_a, PT_BYTES, ID_A, ID_A_LEN, NULL, PT_BYTES, &out),
             MKC_RESULT_NULL_PARAMETER, "rsk NULL");
    CHECK(out == SENTINEL_RECV, "*out unchanged by the NULL cases");
    CHECK_RC(mkc_sakke_receiver_new(z_t_a, PT_BYTES, ID_A, ID_A_LEN, rsk_a, PT_BYTES, NULL),
             MKC_RESULT_NULL_PARAMETER, "out NULL");
}

/* ------------------------------------------------------------------------------------------ */
/* b = -z mod q: no RSK exists, encapsulation refuses                                          */
/* ------------------------------------------------------------------------------------------ */

static void test_identifier_without_rsk(void) {
    /* z = q - 5 and the identifier 0x05 (b = 5): b + z = 0 mod q. */
    static const uint8_t id5[] = {0x05};
    static const uint8_t id005[] = {0x00, 0x00, 0x05}; /* the same integer b */
    static const uint8_t id6[] = {0x06};
    uint8_t z[CO_BYTES], five[CO_BYTES], z_t[PT_BYTES], rsk[PT_BYTES + 7], sed[SED_BYTES + 5];
    const mkc_kms *kms = NULL;
    const mkc_sakke_public *pub = NULL;
    size_t written;

    set_ctx("b = -z mod q", "");
    memset(five, 0, sizeof five);
    five[CO_BYTES - 1] = 5;
    be_sub(z, sakke_q, five, CO_BYTES);
    CHECK_RC(mkc_kms_new_from_secrets(rfc_ksak, sizeof rfc_ksak, z, sizeof z, &kms),
             MKC_RESULT_OK, "KMS with z = q - 5");
    memset(z, 0, sizeof z);
    if (kms == NULL) return;
    get_z_t(kms, z_t);

    memset(rsk, CANARY, sizeof rsk);
    CHECK_RC(mkc_kms_issue_sakke(kms, id5, sizeof id5, rsk, sizeof rsk), MKC_RESULT_INVALID_KEY,
             "issue_sakke for b = 5");
    CHECK(all_equal(rsk, PT_BYTES, 0x00), "the RSK buffer is zeroed");
    memset(rsk, CANARY, sizeof rsk);
    CHECK_RC(mkc_kms_issue_sakke(kms, id005, sizeof id005, rsk, PT_BYTES),
             MKC_RESULT_INVALID_KEY, "issue_sakke for 0x000005 (the same integer b)");
    CHECK(all_equal(rsk, PT_BYTES, 0x00), "the RSK buffer is zeroed");
    memset(rsk, CANARY, sizeof rsk);
    CHECK_RC(mkc_kms_issue_sakke(kms, id5, sizeof id5, rsk, PT_BYTES - 1),
             MKC_RESULT_BUFFER_TOO_SMALL, "issue_sakke for b = 5 with cap 256");
    CHECK(all_equal(rsk, sizeof rsk, CANARY), "cap 256 leaves the buffer untouched");
    CHECK_RC(mkc_kms_issue_sakke(kms, id6, sizeof id6, rsk, PT_BYTES), MKC_RESULT_OK,
             "issue_sakke for b = 6 works");

    CHECK_RC(mkc_sakke_public_new(z_t, PT_BYTES, &pub), MKC_RESULT_OK, "public_new");
    if (pub != NULL) {
        memset(sed, CANARY, sizeof sed);
        written = 777;
        CHECK_RC(mkc_sakke_encapsulate(pub, id5, sizeof id5, rfc_ssv, SSV_BYTES, sed, SED_BYTES,
                                       &written),
                 MKC_RESULT_INVALID_KEY, "encapsulate to b = 5");
        CHECK(all_equal(sed, SED_BYTES, 0), "sed_out zeroed");
        CHECK_RC(mkc_sakke_encapsulate(pub, id005, sizeof id005, rfc_ssv, SSV_BYTES, sed,
                                       SED_BYTES, &written),
                 MKC_RESULT_INVALID_KEY, "encapsulate to 0x000005");
        CHECK(all_equal(sed, SED_BYTES, 0), "sed_out zeroed");
        mkc_sakke_public_free(pub);
    }
    /* [b]P + Z_T is the identity: no RSK can validate (any point is refused, cheaply). */
    expect_receiver_rejected("b = -z mod q (with the RSK of b = 6)", z_t, PT_BYTES, id5,
                             sizeof id5, rsk, PT_BYTES);
    memset(rsk, 0, sizeof rsk);
    mkc_kms_free(kms);
}

/* ------------------------------------------------------------------------------------------ */
/* mkc_sakke_decapsulate: malformed, tampered and mismatched SEDs                             */
/* ------------------------------------------------------------------------------------------ */

static void test_decapsulate_rejects(void) {
    struct bad_point bad[MAX_BAD_POINTS];
    uint8_t sed[SED_BYTES + 1], other[SED_BYTES];
    const mkc_sakke_public *pub_b = NULL;
    size_t n, i;
    char name[96];

    /* R malformed, off the curve, of the wrong order, or of the wrong length. */
    n = make_bad_points(sed_a, bad);
    for (i = 0; i < n; i++) {
        if (bad[i].len != PT_BYTES) continue; /* other lengths are the SED-length cases */
        memcpy(sed, bad[i].bytes, PT_BYTES);
        memcpy(sed + H_OFF, sed_a + H_OFF, SSV_BYTES);
        snprintf(name, sizeof name, "R %s", bad[i].name);
        expect_decap_fails(name, recv_a, sed, SED_BYTES);
    }
    memcpy(sed, sed_a, SED_BYTES);
    sed[SED_BYTES] = 0x00;
    expect_decap_fails("SED truncated (272 octets)", recv_a, sed, SED_BYTES - 1);
    expect_decap_fails("SED extended (274 octets, trailing 0x00)", recv_a, sed, SED_BYTES + 1);
    expect_decap_fails("SED R only (257 octets)", recv_a, sed, PT_BYTES);
    expect_decap_fails("SED (NULL, 0)", recv_a, NULL, 0);
    expect_decap_fails("SED 1 octet", recv_a, sed, 1);
    memset(other, 0, sizeof other);
    expect_decap_fails("273 zero octets", recv_a, other, SED_BYTES);

    /* Valid R, but tampered: each costs a pairing and the final check. */
    memcpy(sed, sed_a, SED_BYTES);
    sed[H_OFF + 5] ^= 0x20;
    expect_decap_fails("H with one bit flipped", recv_a, sed, SED_BYTES);
    memcpy(sed, sed_a, SED_BYTES);
    sed[SED_BYTES - 1] ^= 0x01;
    expect_decap_fails("H last bit flipped", recv_a, sed, SED_BYTES);
    memcpy(sed, sed_a, SED_BYTES);
    sed[X_OFF + 3] ^= 0x01;
    expect_decap_fails("R with one x bit flipped", recv_a, sed, SED_BYTES);
    negate_point(sed, sed_a);
    memcpy(sed + H_OFF, sed_a + H_OFF, SSV_BYTES);
    expect_decap_fails("R negated (valid point, wrong)", recv_a, sed, SED_BYTES);
    memcpy(sed, p_point, PT_BYTES);
    memcpy(sed + H_OFF, sed_a + H_OFF, SSV_BYTES);
    expect_decap_fails("R = P", recv_a, sed, SED_BYTES);

    /* Well-formed SEDs for someone else. */
    set_ctx("decapsulate", "another identity's SED");
    encap_ok(pub_a, ID_B, ID_B_LEN, ssv_a, other);
    expect_decap_fails("another identity's SED (same SSV)", recv_a, other, SED_BYTES);
    set_ctx("decapsulate", "another KMS's SED");
    CHECK_RC(mkc_sakke_public_new(z_t_b, PT_BYTES, &pub_b), MKC_RESULT_OK, "public_new B");
    if (pub_b != NULL) {
        encap_ok(pub_b, ID_A, ID_A_LEN, ssv_a, other);
        expect_decap_fails("SED to ID_A under another KMS's Z_T", recv_a, other, SED_BYTES);
        mkc_sakke_public_free(pub_b);
    }

    /* Everything above left the receiver usable. */
    set_ctx("decapsulate", "after the negative cases");
    decap_ok(recv_a, sed_a, ssv_a);
}

/* ------------------------------------------------------------------------------------------ */
/* Buffers, NULLs, overlaps                                                                   */
/* ------------------------------------------------------------------------------------------ */

static void test_kms_buffers(void) {
    uint8_t buf[PT_BYTES + 43];
    size_t written;

    set_ctx("mkc_kms_z_t buffers", "");
    memset(buf, CANARY, sizeof buf);
    written = 777;
    CHECK_RC(mkc_kms_z_t(kms_a, buf, PT_BYTES - 1, &written), MKC_RESULT_BUFFER_TOO_SMALL,
             "cap 256");
    CHECK_SIZE(written, PT_BYTES, "cap 256 reports 257");
    CHECK(all_equal(buf, sizeof buf, CANARY), "cap 256 leaves the buffer untouched");
    written = 777;
    CHECK_RC(mkc_kms_z_t(kms_a, NULL, 0, &written), MKC_RESULT_BUFFER_TOO_SMALL,
             "(NULL, 0) size query");
    CHECK_SIZE(written, PT_BYTES, "size query reports 257");
    written = 777;
    CHECK_RC(mkc_kms_z_t(kms_a, buf, sizeof buf, &written), MKC_RESULT_OK, "cap 300");
    CHECK_SIZE(written, PT_BYTES, "cap 300 writes 257");
    CHECK(memcmp(buf, z_t_a, PT_BYTES) == 0, "cap 300 gives Z_T");
    CHECK(all_equal(buf + PT_BYTES, sizeof buf - PT_BYTES, CANARY),
          "cap 300 writes only 257 octets");

    set_ctx("mkc_kms_z_t NULL", "");
    memset(buf, CANARY, sizeof buf);
    CHECK_RC(mkc_kms_z_t(NULL, buf, PT_BYTES, &written), MKC_RESULT_NULL_PARAMETER, "kms NULL");
    CHECK_RC(mkc_kms_z_t(kms_a, buf, PT_BYTES, NULL), MKC_RESULT_NULL_PARAMETER,
             "written NULL");
    CHECK_RC(mkc_kms_z_t(kms_a, NULL, PT_BYTES, &written), MKC_RESULT_NULL_PARAMETER,
             "out NULL with cap 257");
    CHECK(all_equal(buf, PT_BYTES, 0) && all_equal(buf + PT_BYTES, sizeof buf - PT_BYTES, CANARY),
          "a NULL handle or input zeroed the capacity (rule 4); NULL outputs wrote nothing");

    set_ctx("mkc_kms_issue_sakke buffers", "");
    memset(buf, CANARY, sizeof buf);
    CHECK_RC(mkc_kms_issue_sakke(kms_a, ID_A, ID_A_LEN, buf, PT_BYTES - 1),
             MKC_RESULT_BUFFER_TOO_SMALL, "cap 256");
    CHECK_RC(mkc_kms_issue_sakke(kms_a, ID_A, ID_A_LEN, buf, 1), MKC_RESULT_BUFFER_TOO_SMALL,
             "cap 1");
    CHECK_RC(mkc_kms_issue_sakke(kms_a, ID_A, ID_A_LEN, NULL, 0), MKC_RESULT_BUFFER_TOO_SMALL,
             "(NULL, 0)");
    CHECK(all_equal(buf, sizeof buf, CANARY), "too-small cases leave the buffer untouched");
    CHECK_RC(mkc_kms_issue_sakke(kms_a, ID_A, ID_A_LEN, buf, sizeof buf), MKC_RESULT_OK,
             "cap 300");
    CHECK(memcmp(buf, rsk_a, PT_BYTES) == 0, "issuance is deterministic (same RSK)");
    CHECK(all_equal(buf + PT_BYTES, sizeof buf - PT_BYTES, CANARY),
          "cap 300 writes only 257 octets");

    set_ctx("mkc_kms_issue_sakke NULL and overlap", "");
    memset(buf, CANARY, sizeof buf);
    CHECK_RC(mkc_kms_issue_sakke(NULL, ID_A, ID_A_LEN, buf, PT_BYTES), MKC_RESULT_NULL_PARAMETER,
             "kms NULL");
    CHECK_RC(mkc_kms_issue_sakke(kms_a, NULL, 3, buf, PT_BYTES), MKC_RESULT_NULL_PARAMETER,
             "id NULL with length 3");
    CHECK_RC(mkc_kms_issue_sakke(kms_a, ID_A, ID_A_LEN, NULL, PT_BYTES),
             MKC_RESULT_NULL_PARAMETER, "rsk_out NULL with cap 257");
    CHECK(all_equal(buf, PT_BYTES, 0) && all_equal(buf + PT_BYTES, sizeof buf - PT_BYTES, CANARY),
          "a NULL handle or input zeroed the capacity (rule 4); NULL outputs wrote nothing");
    memset(buf, CANARY, sizeof buf);
    CHECK_RC(mkc_kms_issue_sakke(kms_a, buf + 10, 20, buf, PT_BYTES),
             MKC_RESULT_INVALID_PARAMETER, "rsk_out overlapping id");
    CHECK(all_equal(buf, sizeof buf, CANARY), "overlap leaves the buffer untouched");
}

static void test_encapsulate_buffers(void) {
    uint8_t buf[SED_BYTES + 27], ssv[SSV_BYTES + 1], copy[SED_BYTES + 27];
    size_t written, i;
    static const size_t bad_ssv_lens[] = {0, 1, 15, 17, 32};
    size_t words[40];

    memcpy(ssv, ssv_a, SSV_BYTES);
    ssv[SSV_BYTES] = 0x00;

    set_ctx("encapsulate ssv_len", "");
    for (i = 0; i < sizeof bad_ssv_lens / sizeof bad_ssv_lens[0]; i++) {
        char what[64];
        uint8_t big_ssv[32];
        memset(big_ssv, 0x11, sizeof big_ssv);
        memset(buf, CANARY, sizeof buf);
        written = 777;
        snprintf(what, sizeof what, "ssv_len %zu", bad_ssv_lens[i]);
        CHECK_RC(mkc_sakke_encapsulate(pub_a, ID_A, ID_A_LEN,
                                       bad_ssv_lens[i] ? big_ssv : NULL, bad_ssv_lens[i], buf,
                                       SED_BYTES, &written),
                 MKC_RESULT_INVALID_LENGTH, what);
        snprintf(what, sizeof what, "ssv_len %zu zeroes sed_out's capacity", bad_ssv_lens[i]);
        CHECK(all_equal(buf, SED_BYTES, 0) &&
                  all_equal(buf + SED_BYTES, sizeof buf - SED_BYTES, CANARY),
              what);
        snprintf(what, sizeof what, "ssv_len %zu sets *written to 0", bad_ssv_lens[i]);
        CHECK_SIZE(written, 0, what);
    }

    set_ctx("encapsulate buffers", "");
    memset(buf, CANARY, sizeof buf);
    written = 777;
    CHECK_RC(mkc_sakke_encapsulate(pub_a, ID_A, ID_A_LEN, ssv, SSV_BYTES, buf, SED_BYTES - 1,
                                   &written),
             MKC_RESULT_BUFFER_TOO_SMALL, "cap 272");
    CHECK_SIZE(written, SED_BYTES, "cap 272 reports 273");
    CHECK(all_equal(buf, sizeof buf, CANARY), "cap 272 leaves the buffer untouched");
    written = 777;
    CHECK_RC(mkc_sakke_encapsulate(pub_a, ID_A, ID_A_LEN, ssv, SSV_BYTES, buf, 1, &written),
             MKC_RESULT_BUFFER_TOO_SMALL, "cap 1");
    CHECK_SIZE(written, SED_BYTES, "cap 1 reports 273");
    CHECK(all_equal(buf, sizeof buf, CANARY), "cap 1 leaves the buffer untouched");
    written = 777;
    CHECK_RC(mkc_sakke_encapsulate(pub_a, ID_A, ID_A_LEN, ssv, SSV_BYTES, NULL, 0, &written),
             MKC_RESULT_BUFFER_TOO_SMALL, "(NULL, 0) size query");
    CHECK_SIZE(written, SED_BYTES, "size query reports 273");
    written = 777;
    CHECK_RC(mkc_sakke_encapsulate(pub_a, ID_A, ID_A_LEN, ssv, SSV_BYTES, buf, sizeof buf,
                                   &written),
             MKC_RESULT_OK, "cap 300");
    CHECK_SIZE(written, SED_BYTES, "cap 300 writes 273");
    CHECK(memcmp(buf, sed_a, SED_BYTES) == 0, "cap 300 gives the (deterministic) SED");
    CHECK(all_equal(buf + SED_BYTES, sizeof buf - SED_BYTES, CANARY),
          "cap 300 writes only 273 octets");

    set_ctx("encapsulate NULL", "");
    memset(buf, CANARY, sizeof buf);
    written = 777;
    CHECK_RC(mkc_sakke_encapsulate(NULL, ID_A, ID_A_LEN, ssv, SSV_BYTES, buf, SED_BYTES,
                                   &written),
             MKC_RESULT_NULL_PARAMETER, "public_key NULL");
    CHECK_RC(mkc_sakke_encapsulate(pub_a, NULL, 4, ssv, SSV_BYTES, buf, SED_BYTES, &written),
             MKC_RESULT_NULL_PARAMETER, "id NULL with length 4");
    CHECK_RC(mkc_sakke_encapsulate(pub_a, ID_A, ID_A_LEN, NULL, SSV_BYTES, buf, SED_BYTES,
                                   &written),
             MKC_RESULT_NULL_PARAMETER, "ssv NULL with length 16");
    CHECK_RC(mkc_sakke_encapsulate(pub_a, ID_A, ID_A_LEN, ssv, SSV_BYTES, NULL, SED_BYTES,
                                   &written),
             MKC_RESULT_NULL_PARAMETER, "sed_out NULL with cap 273");
    CHECK_RC(mkc_sakke_encapsulate(pub_a, ID_A, ID_A_LEN, ssv, SSV_BYTES, buf, SED_BYTES, NULL),
             MKC_RESULT_NULL_PARAMETER, "written NULL");
    CHECK(all_equal(buf, SED_BYTES, 0) && all_equal(buf + SED_BYTES, sizeof buf - SED_BYTES, CANARY),
          "a NULL handle or input zeroed the capacity (rule 4); NULL outputs wrote nothing");
    memset(buf, CANARY, sizeof buf);

    set_ctx("encapsulate overlap", "");
    /* The SSV inside the output buffer, at its start and at its end. */
    memset(buf, CANARY, sizeof buf);
    memcpy(buf, ssv_a, SSV_BYTES);
    memcpy(copy, buf, sizeof buf);
    written = 777;
    CHECK_RC(mkc_sakke_encapsulate(pub_a, ID_A, ID_A_LEN, buf, SSV_BYTES, buf, SED_BYTES,
                                   &written),
             MKC_RESULT_INVALID_PARAMETER, "sed_out overlapping ssv (same start)");
    CHECK(memcmp(buf, copy, sizeof buf) == 0, "buffer unchanged");
    memcpy(buf + SED_BYTES - 4, ssv_a, SSV_BYTES);
    memcpy(copy, buf, sizeof buf);
    CHECK_RC(mkc_sakke_encapsulate(pub_a, ID_A, ID_A_LEN, buf + SED_BYTES - 4, SSV_BYTES, buf,
                                   SED_BYTES, &written),
             MKC_RESULT_INVALID_PARAMETER, "ssv straddling the end of sed_out");
    CHECK(memcmp(buf, copy, sizeof buf) == 0, "buffer unchanged");
    memcpy(buf + 100, ID_A, ID_A_LEN);
    memcpy(copy, buf, sizeof buf);
    CHECK_RC(mkc_sakke_encapsulate(pub_a, buf + 100, ID_A_LEN, ssv, SSV_BYTES, buf, SED_BYTES,
                                   &written),
             MKC_RESULT_INVALID_PARAMETER, "sed_out overlapping id");
    CHECK(memcmp(buf, copy, sizeof buf) == 0, "buffer unchanged");
    /* sed_out over `written` itself. */
    memset(words, 0, sizeof words);
    CHECK_RC(mkc_sakke_encapsulate(pub_a, ID_A, ID_A_LEN, ssv, SSV_BYTES, (uint8_t *)words,
                                   SED_BYTES, &words[3]),
             MKC_RESULT_INVALID_PARAMETER, "sed_out overlapping written");
    CHECK(all_equal((const uint8_t *)words, sizeof words, 0), "buffer unchanged");
    /* Adjacent but disjoint buffers are fine. */
    memcpy(buf + SED_BYTES, ssv_a, SSV_BYTES);
    CHECK_RC(mkc_sakke_encapsulate(pub_a, ID_A, ID_A_LEN, buf + SED_BYTES, SSV_BYTES, buf,
                                   SED_BYTES, &written),
             MKC_RESULT_OK, "ssv right after sed_out (adjacent, disjoint)");
    CHECK(memcmp(buf, sed_a, SED_BYTES) == 0, "gives the SED");
}

static void test_decapsulate_buffers(void) {
    uint8_t ssv[SSV_BYTES + 9], bad_sed[SED_BYTES], buf[SED_BYTES + 40], copy[SED_BYTES + 40];
    size_t written;
    size_t words[8];

    set_ctx("decapsulate buffers", "");
    memset(ssv, CANARY, sizeof ssv);
    written = 777;
    CHECK_RC(mkc_sakke_decapsulate(recv_a, sed_a, SED_BYTES, ssv, SSV_BYTES - 1, &written),
             MKC_RESULT_BUFFER_TOO_SMALL, "cap 15");
    CHECK_SIZE(written, SSV_BYTES, "cap 15 reports 16");
    CHECK(all_equal(ssv, sizeof ssv, CANARY), "cap 15 leaves the buffer untouched");
    written = 777;
    CHECK_RC(mkc_sakke_decapsulate(recv_a, sed_a, SED_BYTES, NULL, 0, &written),
             MKC_RESULT_BUFFER_TOO_SMALL, "(NULL, 0) size query");
    CHECK_SIZE(written, SSV_BYTES, "size query reports 16");
    memcpy(bad_sed, sed_a, SED_BYTES);
    bad_sed[H_OFF] ^= 1;
    written = 777;
    CHECK_RC(mkc_sakke_decapsulate(recv_a, bad_sed, SED_BYTES, NULL, 0, &written),
             MKC_RESULT_BUFFER_TOO_SMALL, "(NULL, 0) size query with a bad SED");
    CHECK_SIZE(written, SSV_BYTES, "size query with a bad SED reports 16");
    written = 777;
    CHECK_RC(mkc_sakke_decapsulate(recv_a, sed_a, SED_BYTES, ssv, sizeof ssv, &written),
             MKC_RESULT_OK, "cap 25");
    CHECK_SIZE(written, SSV_BYTES, "cap 25 writes 16");
    CHECK(memcmp(ssv, ssv_a, SSV_BYTES) == 0, "cap 25 gives the SSV");
    CHECK(all_equal(ssv + SSV_BYTES, sizeof ssv - SSV_BYTES, CANARY),
          "cap 25 writes only 16 octets");

    set_ctx("decapsulate NULL", "");
    memset(ssv, CANARY, sizeof ssv);
    written = 777;
    CHECK_RC(mkc_sakke_decapsulate(NULL, sed_a, SED_BYTES, ssv, SSV_BYTES, &written),
             MKC_RESULT_NULL_PARAMETER, "receiver NULL");
    CHECK_RC(mkc_sakke_decapsulate(recv_a, NULL, SED_BYTES, ssv, SSV_BYTES, &written),
             MKC_RESULT_NULL_PARAMETER, "sed NULL with length 273");
    CHECK_RC(mkc_sakke_decapsulate(recv_a, sed_a, SED_BYTES, NULL, SSV_BYTES, &written),
             MKC_RESULT_NULL_PARAMETER, "ssv_out NULL with cap 16");
    CHECK_RC(mkc_sakke_decapsulate(recv_a, sed_a, SED_BYTES, ssv, SSV_BYTES, NULL),
             MKC_RESULT_NULL_PARAMETER, "written NULL");
    CHECK(all_equal(ssv, SSV_BYTES, 0) && all_equal(ssv + SSV_BYTES, sizeof ssv - SSV_BYTES, CANARY),
          "a NULL handle or input zeroed the capacity (rule 4); NULL outputs wrote nothing");
    memset(ssv, CANARY, sizeof ssv);

    set_ctx("decapsulate overlap", "");
    memset(buf, CANARY, sizeof buf);
    memcpy(buf, sed_a, SED_BYTES);
    memcpy(copy, buf, sizeof buf);
    written = 777;
    CHECK_RC(mkc_sakke_decapsulate(recv_a, buf, SED_BYTES, buf + 100, SSV_BYTES, &written),
             MKC_RESULT_INVALID_PARAMETER, "ssv_out inside the SED");
    CHECK(memcmp(buf, copy, sizeof buf) == 0, "buffer unchanged");
    CHECK_RC(mkc_sakke_decapsulate(recv_a, buf, SED_BYTES, buf + SED_BYTES - 1, SSV_BYTES,
                                   &written),
             MKC_RESULT_INVALID_PARAMETER, "ssv_out straddling the end of the SED");
    CHECK(memcmp(buf, copy, sizeof buf) == 0, "buffer unchanged");
    memset(words, 0, sizeof words);
    CHECK_RC(mkc_sakke_decapsulate(recv_a, sed_a, SED_BYTES, (uint8_t *)words, SSV_BYTES,
                                   &words[1]),
             MKC_RESULT_INVALID_PARAMETER, "ssv_out overlapping written");
    CHECK(all_equal((const uint8_t *)words, sizeof words, 0), "buffer unchanged");
    written = 777;
    CHECK_RC(mkc_sakke_decapsulate(recv_a, buf, SED_BYTES, buf + SED_BYTES, SSV_BYTES,
                                   &written),
             MKC_RESULT_OK, "ssv_out right after the SED (adjacent, disjoint)");
    CHECK(memcmp(buf + SED_BYTES, ssv_a, SSV_BYTES) == 0, "gives the SSV");
    memset(ssv, 0, sizeof ssv);
    memset(buf, 0, sizeof buf);
}

/* ------------------------------------------------------------------------------------------ */
/* Lengths above PTRDIFF_MAX: MKC_RESULT_INVALID_PARAMETER, nothing read or written.          */
/* ------------------------------------------------------------------------------------------ */

static void test_huge_lengths(void) {
    uint8_t buf[SED_BYTES];
    const size_t huge = (size_t)PTRDIFF_MAX + 1u;
    const mkc_sakke_public *pub = SENTINEL_PUB;
    const mkc_sakke_receiver *recv = SENTINEL_RECV;
    size_t written = 777;

    set_ctx("length above PTRDIFF_MAX", "");
    memset(buf, CANARY, sizeof buf);
    CHECK_RC(mkc_sakke_public_new(z_t_a, huge, &pub), MKC_RESULT_INVALID_PARAMETER,
             "public_new z_t_len");
    CHECK(pub == SENTINEL_PUB, "public_new left *out unchanged");
    CHECK_RC(mkc_sakke_receiver_new(z_t_a, PT_BYTES, ID_A, huge, rsk_a, PT_BYTES, &recv),
             MKC_RESULT_INVALID_PARAMETER, "receiver_new id_len");
    CHECK(recv == SENTINEL_RECV, "receiver_new left *out unchanged");
    CHECK_RC(mkc_sakke_encapsulate(pub_a, ID_A, huge, ssv_a, SSV_BYTES, buf, sizeof buf,
                                   &written),
             MKC_RESULT_INVALID_PARAMETER, "encapsulate id_len");
    CHECK_RC(mkc_sakke_encapsulate(pub_a, ID_A, ID_A_LEN, ssv_a, SSV_BYTES, buf, huge, &written),
             MKC_RESULT_INVALID_PARAMETER, "encapsulate sed_cap");
    CHECK_RC(mkc_sakke_decapsulate(recv_a, sed_a, huge, buf, SSV_BYTES, &written),
             MKC_RESULT_INVALID_PARAMETER, "decapsulate sed_len");
    CHECK_RC(mkc_kms_issue_sakke(kms_a, ID_A, huge, buf, sizeof buf),
             MKC_RESULT_INVALID_PARAMETER, "issue_sakke id_len");
    CHECK(all_equal(buf, sizeof buf, CANARY), "nothing written");
}

int main(void) {
    load_constants();
    test_sizes();
    setup_fixtures();
    test_rfc_vector();
    test_receiver_with_public();
    test_round_trips();
    test_public_new();
    test_receiver_new();
    test_identifier_without_rsk();
    test_decapsulate_rejects();
    test_kms_buffers();
    test_encapsulate_buffers();
    test_decapsulate_buffers();
    test_huge_lengths();
    free_fixtures();

    finish();
    return 0;
}
