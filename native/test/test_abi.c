/* The C ABI compiled as C: status names, the last error, library info, contexts and scratch
 * memory, including the errors each of them reports. */
#include "attn4j.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static int failures = 0;

#define EXPECT(cond, what)                                                                         \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            ++failures;                                                                            \
            fprintf(stderr, "%s:%d: FAILED %s (%s) last error: \"%s\"\n", __FILE__, __LINE__,      \
                    #cond, what, attn4j_last_error());                                             \
        }                                                                                          \
    } while (0)

/* A failing call: its status and a non-empty message. */
#define EXPECT_FAIL(code, call)                                                                    \
    do {                                                                                           \
        attn4j_status s_ = (call);                                                                 \
        EXPECT(s_ == (code), #call);                                                               \
        EXPECT(attn4j_last_error()[0] != '\0', #call " left no message");                          \
    } while (0)

static void test_status_strings(void) {
    EXPECT(strcmp(attn4j_status_string(ATTN4J_OK), "ATTN4J_OK") == 0, "OK");
    EXPECT(strcmp(attn4j_status_string(ATTN4J_ERR_NULL_ARGUMENT), "ATTN4J_ERR_NULL_ARGUMENT") == 0,
           "NULL");
    EXPECT(strcmp(attn4j_status_string(ATTN4J_ERR_INVALID_ARG), "ATTN4J_ERR_INVALID_ARG") == 0,
           "INVALID");
    EXPECT(strcmp(attn4j_status_string(ATTN4J_ERR_SHAPE_MISMATCH), "ATTN4J_ERR_SHAPE_MISMATCH") ==
               0,
           "SHAPE");
    EXPECT(strcmp(attn4j_status_string(ATTN4J_ERR_DTYPE), "ATTN4J_ERR_DTYPE") == 0, "DTYPE");
    EXPECT(strcmp(attn4j_status_string(ATTN4J_ERR_OVERFLOW), "ATTN4J_ERR_OVERFLOW") == 0,
           "OVERFLOW");
    EXPECT(strcmp(attn4j_status_string(ATTN4J_ERR_OUT_OF_MEMORY), "ATTN4J_ERR_OUT_OF_MEMORY") == 0,
           "OOM");
    EXPECT(strcmp(attn4j_status_string(ATTN4J_ERR_BACKEND), "ATTN4J_ERR_BACKEND") == 0, "BACKEND");
    EXPECT(strcmp(attn4j_status_string(ATTN4J_ERR_INTERNAL), "ATTN4J_ERR_INTERNAL") == 0,
           "INTERNAL");
    EXPECT(strcmp(attn4j_status_string(9), "ATTN4J_ERR_UNKNOWN") == 0, "9");
    EXPECT(strcmp(attn4j_status_string(-1), "ATTN4J_ERR_UNKNOWN") == 0, "-1");
    EXPECT(attn4j_last_error() != NULL && attn4j_last_error()[0] == '\0', "no error yet");
}

static void test_info(void) {
    attn4j_info info;
    memset(&info, 0x7f, sizeof info);
    EXPECT(attn4j_get_info(&info) == ATTN4J_OK, "get_info");
    EXPECT(info.version_major == ATTN4J_TEST_VERSION_MAJOR &&
               info.version_minor == ATTN4J_TEST_VERSION_MINOR &&
               info.version_patch == ATTN4J_TEST_VERSION_PATCH,
           "library version = the CMake project version");
    EXPECT(info.dnnl_major == 3 && info.dnnl_minor >= 13, "oneDNN 3.13+");
    EXPECT(info.max_threads >= 1, "max_threads");
    { /* The kernels' ISA is the CPU's best, capped by ATTN4J_ISA, and info says so. */
        const int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        const int avx512 = avx2 && __builtin_cpu_supports("avx512f") &&
                           __builtin_cpu_supports("avx512bw") &&
                           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
        int want = avx512 ? 2 : avx2 ? 1 : 0;
        const char *cap = getenv("ATTN4J_ISA");
        if (cap != NULL && cap[0] != '\0') {
            const int limit = strcmp(cap, "avx512") == 0 ? 2 : strcmp(cap, "avx2") == 0 ? 1 : 0;
            want = limit < want ? limit : want;
        }
        EXPECT(info.fused_kernel_isa == want, "fused_kernel_isa: the CPU's best ISA, capped by ATTN4J_ISA");
    }
    EXPECT(memchr(info.isa, '\0', sizeof info.isa) != NULL && info.isa[0] != '\0', "isa named");
    EXPECT(strcmp(info.isa, "unknown") != 0, info.isa);
    printf("attn4j %d.%d.%d, oneDNN %d.%d.%d, isa %s, %d threads, fused kernel isa %d\n",
           info.version_major, info.version_minor, info.version_patch, info.dnnl_major,
           info.dnnl_minor, info.dnnl_patch, info.isa, info.max_threads, info.fused_kernel_isa);
    EXPECT_FAIL(ATTN4J_ERR_NULL_ARGUMENT, attn4j_get_info(NULL));
    EXPECT(attn4j_ping() == ATTN4J_OK, "ping");
}

static void test_context(void) {
    attn4j_info info;
    attn4j_context *ctx = NULL;
    int32_t threads = -1;
    attn4j_get_info(&info);
    EXPECT(attn4j_context_create(0, &ctx) == ATTN4J_OK && ctx != NULL, "create(0)");
    EXPECT(attn4j_context_threads(ctx, &threads) == ATTN4J_OK, "threads");
    EXPECT(threads == info.max_threads, "create(0) takes max_threads");
    EXPECT(attn4j_context_destroy(ctx) == ATTN4J_OK, "destroy");

    EXPECT(attn4j_context_create(3, &ctx) == ATTN4J_OK, "create(3)");
    EXPECT(attn4j_context_threads(ctx, &threads) == ATTN4J_OK && threads == 3, "3 threads");
    EXPECT_FAIL(ATTN4J_ERR_NULL_ARGUMENT, attn4j_context_threads(ctx, NULL));
    EXPECT(attn4j_context_destroy(ctx) == ATTN4J_OK, "destroy");
    /* A successful call clears the message of the failed one before it. */
    EXPECT(attn4j_last_error()[0] == '\0', "message cleared by a later success");

    ctx = (attn4j_context *)0x1;
    EXPECT_FAIL(ATTN4J_ERR_INVALID_ARG, attn4j_context_create(-1, &ctx));
    EXPECT(ctx == NULL, "out cleared on failure");
    EXPECT_FAIL(ATTN4J_ERR_INVALID_ARG, attn4j_context_create(1 << 30, &ctx));
    EXPECT(strstr(attn4j_last_error(), "threads") != NULL, "message names threads");
    EXPECT_FAIL(ATTN4J_ERR_NULL_ARGUMENT, attn4j_context_create(1, NULL));
    EXPECT_FAIL(ATTN4J_ERR_NULL_ARGUMENT, attn4j_context_destroy(NULL));
    EXPECT_FAIL(ATTN4J_ERR_NULL_ARGUMENT, attn4j_context_threads(NULL, &threads));
    { /* Memory that never came from attn4j_context_create is refused, not used. */
        uint64_t fake[16];
        memset(fake, 0, sizeof fake);
        EXPECT_FAIL(ATTN4J_ERR_INVALID_ARG,
                    attn4j_context_threads((attn4j_context *)fake, &threads));
        EXPECT_FAIL(ATTN4J_ERR_INVALID_ARG, attn4j_context_destroy((attn4j_context *)fake));
    }
}

static void test_alloc(void) {
    void *a = NULL, *b = NULL, *c = NULL;
    EXPECT(attn4j_alloc(0, &a) == ATTN4J_OK && a != NULL, "alloc(0)");
    EXPECT(attn4j_alloc(0, &b) == ATTN4J_OK && b != NULL && b != a, "alloc(0) unique");
    EXPECT(attn4j_alloc(1000003, &c) == ATTN4J_OK && c != NULL, "alloc(1000003)");
    EXPECT(((uintptr_t)a % 64) == 0 && ((uintptr_t)c % 64) == 0, "64-byte aligned");
    memset(c, 0x5a, 1000003); /* every byte is ours */
    EXPECT(attn4j_free(a) == ATTN4J_OK && attn4j_free(b) == ATTN4J_OK &&
               attn4j_free(c) == ATTN4J_OK,
           "free");
    EXPECT(attn4j_free(NULL) == ATTN4J_OK, "free(NULL)");

    a = (void *)0x1;
    EXPECT_FAIL(ATTN4J_ERR_INVALID_ARG, attn4j_alloc(-1, &a));
    EXPECT(a == NULL, "out cleared on failure");
    EXPECT_FAIL(ATTN4J_ERR_NULL_ARGUMENT, attn4j_alloc(16, NULL));
    EXPECT_FAIL(ATTN4J_ERR_OUT_OF_MEMORY, attn4j_alloc((int64_t)1 << 62, &a));
    EXPECT_FAIL(ATTN4J_ERR_OVERFLOW, attn4j_alloc(INT64_MAX, &a));
}

/* Large blocks are kept when freed and handed out again for a request of about their size
 * (the next call of the same shapes), never while still in use, never for a much smaller one. */
static void test_alloc_reuse(void) {
    const int64_t big = 3 << 20;
    void *a = NULL, *b = NULL, *c = NULL, *d = NULL;
    EXPECT(attn4j_alloc(big, &a) == ATTN4J_OK && attn4j_alloc(big, &b) == ATTN4J_OK && a != b,
           "two live blocks are distinct");
    memset(a, 1, (size_t)big);
    EXPECT(attn4j_free(a) == ATTN4J_OK, "free a");
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    EXPECT(attn4j_alloc(big - 100, &c) == ATTN4J_OK && c == a, "a freed block of the size comes back");
    EXPECT(((uintptr_t)c % 64) == 0, "reused block 64-byte aligned");
    memset(c, 2, (size_t)(big - 100));
    getrusage(RUSAGE_SELF, &after);
    /* its pages stayed mapped: a fresh 3 MiB mapping would fault ~768 times (4 KiB pages) */
    EXPECT(after.ru_minflt - before.ru_minflt < 64, "a reused block is touched without page faults");
    EXPECT(attn4j_free(b) == ATTN4J_OK, "free b");
    EXPECT(attn4j_alloc(1 << 20, &d) == ATTN4J_OK && d != b, "a block 3x the request is not handed out");
    memset(d, 3, (size_t)1 << 20);
    EXPECT(attn4j_free(c) == ATTN4J_OK && attn4j_free(d) == ATTN4J_OK, "free c, d");
}

int main(void) {
    test_alloc_reuse();
    test_status_strings();
    test_info();
    test_context();
    test_alloc();
    if (failures == 0)
        printf("test_abi: all passed\n");
    else
        printf("test_abi: %d failure(s)\n", failures);
    return failures == 0 ? 0 : 1;
}
