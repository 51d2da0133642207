// Decoding of the plan encoding (format and rationale in bexy_plan.h). Runs in a parent before bj_spawn: the
// host for a cold job, bexy-zygote for a warm one.
#include "bexy_plan.h"

#include <stdlib.h>
#include <string.h>

/// The smallest encoded mount step (every str and blob absent): bounds the mount count by the length.
#define BJ_MIN_MOUNT_BYTES 36

struct bj_reader {
    const uint8_t *p, *end;
    int failed;
};

static void *bj_arena_alloc(struct bj_plan_arena *arena, size_t n) {
    size_t start = (arena->used + 7) & ~(size_t)7;
    if (start + n > arena->size) return NULL;
    arena->used = start + n;
    return arena->base + start;
}

static int bj_take(struct bj_reader *r, void *out, size_t n) {
    if (r->failed || (size_t)(r->end - r->p) < n) {
        r->failed = 1;
        memset(out, 0, n);
        return -1;
    }
    memcpy(out, r->p, n);
    r->p += n;
    return 0;
}

static uint32_t bj_u32(struct bj_reader *r) {
    uint32_t v;
    bj_take(r, &v, sizeof v);
    return v;
}

static uint64_t bj_u64(struct bj_reader *r) {
    uint64_t v;
    bj_take(r, &v, sizeof v);
    return v;
}

/// A str or blob: NUL-terminated copy in the arena (NULL when absent); `*length` gets its length.
static const char *bj_bytes(struct bj_reader *r, struct bj_plan_arena *arena, size_t *length) {
    uint32_t n = bj_u32(r);
    if (length) *length = 0;
    if (r->failed || n == BJ_WIRE_NULL) return NULL;
    if ((size_t)(r->end - r->p) < n) {
        r->failed = 1;
        return NULL;
    }
    char *copy = bj_arena_alloc(arena, (size_t)n + 1);
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

int bj_plan_decode(const uint8_t *bytes, size_t length, struct bj_plan *plan, struct bj_plan_arena *arena) {
    // Decoded, a mount step (>= 36 bytes encoded) takes at most 88 bytes: its struct and four aligned copies.
    arena->size = length * 3 + 4096;
    arena->used = 0;
    arena->base = malloc(arena->size);
    if (arena->base == NULL) return -1;
    struct bj_reader r = {.p = bytes, .end = bytes + length, .failed = 0};
    memset(plan, 0, sizeof *plan);
    plan->cgroup_dir_fd = -1;
    plan->stdin_fd = plan->stdout_fd = plan->stderr_fd = -1;
    plan->seccomp_socket = plan->workdir_socket = plan->handover_fd = plan->workspace_tree_fd = -1;
    plan->clone_flags = bj_u64(&r);
    plan->root_dir = bj_bytes(&r, arena, NULL);
    plan->root_options = bj_bytes(&r, arena, NULL);
    plan->hostname = bj_bytes(&r, arena, NULL);
    plan->workdir = bj_bytes(&r, arena, NULL);
    plan->uid_map = bj_bytes(&r, arena, NULL);
    plan->gid_map = bj_bytes(&r, arena, NULL);
    plan->job_uid = bj_u32(&r);
    plan->job_gid = bj_u32(&r);
    plan->cap_last_cap = (int)bj_u32(&r);
    plan->seccomp_notify = (int)bj_u32(&r);
    size_t bpf_bytes = 0;
    plan->bpf = bj_bytes(&r, arena, &bpf_bytes);
    plan->bpf_instructions = bpf_bytes / 8;  // struct sock_filter
    uint32_t rlimits = bj_u32(&r);
    if (r.failed || rlimits > 64) return -1;
    struct bj_rlimit *rl = bj_arena_alloc(arena, sizeof *rl * (rlimits + 1));
    if (rl == NULL) return -1;
    for (uint32_t i = 0; i < rlimits; i++) {
        rl[i].resource = (int)bj_u32(&r);
        rl[i].soft = bj_u64(&r);
        rl[i].hard = bj_u64(&r);
    }
    plan->rlimits = rl;
    plan->rlimit_count = (int)rlimits;
    uint32_t mounts = bj_u32(&r);
    if (r.failed || mounts > length / BJ_MIN_MOUNT_BYTES) return -1;
    struct bj_mount *m = bj_arena_alloc(arena, sizeof *m * (mounts + 1));
    if (m == NULL) return -1;
    for (uint32_t i = 0; i < mounts; i++) {
        m[i].kind = (int)bj_u32(&r);
        m[i].source_is_dir = (int)bj_u32(&r);
        m[i].source = bj_bytes(&r, arena, NULL);
        m[i].target = bj_bytes(&r, arena, NULL);
        m[i].data = bj_bytes(&r, arena, &m[i].data_len);
        m[i].flags = (unsigned long)bj_u64(&r);
        m[i].mode = bj_u32(&r);
        m[i].chown_job = (int)bj_u32(&r);
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

void bj_plan_arena_free(struct bj_plan_arena *arena) {
    free(arena->base);
    arena->base = NULL;
}
