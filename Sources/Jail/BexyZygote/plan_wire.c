// Decoding of the plan the host sends with every BJ_WIRE_SPAWN (format in bexy_zygote_wire.h).
#include "zygote.h"

#include <stdlib.h>
#include <string.h>

#include "bexy_zygote_wire.h"

struct bz_reader {
    const uint8_t *p, *end;
    int failed;
};

static void *bz_alloc(struct bz_arena *arena, size_t n) {
    size_t start = (arena->used + 7) & ~(size_t)7;
    if (start + n > arena->size) return NULL;
    arena->used = start + n;
    return arena->base + start;
}

static int bz_take(struct bz_reader *r, void *out, size_t n) {
    if (r->failed || (size_t)(r->end - r->p) < n) {
        r->failed = 1;
        memset(out, 0, n);
        return -1;
    }
    memcpy(out, r->p, n);
    r->p += n;
    return 0;
}

static uint32_t bz_u32(struct bz_reader *r) {
    uint32_t v;
    bz_take(r, &v, sizeof v);
    return v;
}

static uint64_t bz_u64(struct bz_reader *r) {
    uint64_t v;
    bz_take(r, &v, sizeof v);
    return v;
}

/// A str or blob: NUL-terminated copy in the arena (NULL when absent); `*length` gets its length.
static const char *bz_bytes(struct bz_reader *r, struct bz_arena *arena, size_t *length) {
    uint32_t n = bz_u32(r);
    if (length) *length = 0;
    if (r->failed || n == BJ_WIRE_NULL) return NULL;
    if ((size_t)(r->end - r->p) < n) {
        r->failed = 1;
        return NULL;
    }
    char *copy = bz_alloc(arena, (size_t)n + 1);
    if (copy == NULL) {
        r->failed = 1;
        return NULL;
    }
    memcpy(copy, r->p, n);
    copy[n] = '\0';
    r->p += n;
    if (length) *length = n;
    return copy;
}

int bz_decode_plan(const uint8_t *bytes, size_t length, struct bj_plan *plan, struct bz_arena *arena) {
    arena->size = length * 2 + 4096;
    arena->used = 0;
    arena->base = malloc(arena->size);
    if (arena->base == NULL) return -1;
    struct bz_reader r = {.p = bytes, .end = bytes + length, .failed = 0};
    memset(plan, 0, sizeof *plan);
    plan->clone_flags = bz_u64(&r);
    plan->root_dir = bz_bytes(&r, arena, NULL);
    plan->root_options = bz_bytes(&r, arena, NULL);
    plan->hostname = bz_bytes(&r, arena, NULL);
    plan->workdir = bz_bytes(&r, arena, NULL);
    plan->uid_map = bz_bytes(&r, arena, NULL);
    plan->gid_map = bz_bytes(&r, arena, NULL);
    plan->job_uid = bz_u32(&r);
    plan->job_gid = bz_u32(&r);
    plan->cap_last_cap = (int)bz_u32(&r);
    plan->seccomp_notify = (int)bz_u32(&r);
    size_t bpf_bytes = 0;
    plan->bpf = bz_bytes(&r, arena, &bpf_bytes);
    plan->bpf_instructions = bpf_bytes / 8;  // struct sock_filter
    uint32_t rlimits = bz_u32(&r);
    if (r.failed || rlimits > 64) return -1;
    struct bj_rlimit *rl = bz_alloc(arena, sizeof *rl * (rlimits + 1));
    if (rl == NULL) return -1;
    for (uint32_t i = 0; i < rlimits; i++) {
        rl[i].resource = (int)bz_u32(&r);
        rl[i].soft = bz_u64(&r);
        rl[i].hard = bz_u64(&r);
    }
    plan->rlimits = rl;
    plan->rlimit_count = (int)rlimits;
    uint32_t mounts = bz_u32(&r);
    if (r.failed || mounts > 4096) return -1;
    struct bj_mount *m = bz_alloc(arena, sizeof *m * (mounts + 1));
    if (m == NULL) return -1;
    for (uint32_t i = 0; i < mounts; i++) {
        m[i].kind = (int)bz_u32(&r);
        m[i].source_is_dir = (int)bz_u32(&r);
        m[i].source = bz_bytes(&r, arena, NULL);
        m[i].target = bz_bytes(&r, arena, NULL);
        m[i].data = bz_bytes(&r, arena, &m[i].data_len);
        m[i].flags = (unsigned long)bz_u64(&r);
        m[i].mode = bz_u32(&r);
        m[i].chown_job = (int)bz_u32(&r);
        if (m[i].target == NULL) r.failed = 1;
    }
    plan->mounts = m;
    plan->mount_count = (int)mounts;
    if (r.failed || r.p != r.end || plan->root_dir == NULL || plan->root_options == NULL ||
        plan->hostname == NULL || plan->workdir == NULL || plan->uid_map == NULL || plan->gid_map == NULL ||
        plan->bpf == NULL || bpf_bytes % 8 != 0)
        return -1;
    return 0;
}

void bz_arena_free(struct bz_arena *arena) {
    free(arena->base);
    arena->base = NULL;
}
