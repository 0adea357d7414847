/*
 * cache.h — the NAS result cache of a context: an open-addressing hash
 * table of fixed-size keys and values with a byte limit. When a table at
 * its limit is half full, it is emptied (a flush) and fills again: memory
 * stays bounded and an answer is never stale, only recomputed.
 *
 * Keys are compared in full (every byte), not by hash alone, so a hash
 * collision costs a probe, never a wrong answer.
 */
#ifndef TPUSIM_CACHE_H
#define TPUSIM_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

/* Stage 1: what a block is, whatever its surroundings (context fields 0).
 * Stage 2: the block in its boundary state. Every field is 64-bit so the
 * struct has no padding and memcmp compares it. */
struct block_key {
    uint64_t stage;            /* 1 or 2 */
    uint64_t chip_fp;          /* tpusim_chip.fingerprint */
    uint64_t stack_fp;         /* tpusim_stack.fingerprint of the query's stack */
    uint64_t dtype, no_fusion; /* resolved options */
    uint64_t overhead_bits;    /* framework_overhead_us's bits */
    int64_t n, c, h, w;        /* the block's input */
    int64_t block[9];          /* tpusim_block's fields */
    uint64_t capacity_key;     /* min(activation capacity, in + all outputs bytes) */
    uint64_t cache_left_key;   /* min(Edge TPU parameter cache left, block parameters) */
    uint64_t in_resident, weights_on_chip, is_last;
    uint64_t in_host;          /* the op before the block ran on the host CPU */
    uint64_t in_prologue;      /* the op before the block joined its first op's operand */
    uint64_t in_prologue_hbm_bytes, in_prologue_l2_bytes; /* what that op reads there */
};

struct block_val {
    /* stage 1 */
    uint64_t param_bytes;      /* the block's parameters in the run's dtype */
    uint64_t bound_bytes;      /* its input plus all its ops' outputs */
    /* stage 2 */
    struct sim_totals sum;     /* over the block's ops */
    uint64_t cache_used;       /* Edge TPU parameter cache the block takes */
    uint64_t out_resident;     /* its output stays on chip */
    uint64_t out_host;         /* its last op ran on the host CPU */
    uint64_t out_prologue;     /* its last op joins the next block's first op's operand */
    uint64_t out_prologue_hbm_bytes, out_prologue_l2_bytes; /* and reads these there */
};

struct cache_slot {
    uint64_t hash;             /* 0: empty */
    struct block_key key;
    struct block_val val;
};

struct block_cache {
    struct cache_slot *slots;
    size_t cap;                /* slots, a power of two (0: not allocated) */
    size_t used;
    size_t limit_bytes;
    uint64_t hits, misses, flushes;
};

/* Smallest limit accepted: 64 KiB. */
#define CACHE_MIN_BYTES ((size_t)64 << 10)

void cache_init(struct block_cache *bc, size_t limit_bytes);
void cache_free(struct block_cache *bc);
uint64_t cache_hash(const struct block_key *k);
/* The value stored under k, or NULL; counts a hit or a miss. */
const struct block_val *cache_find(struct block_cache *bc, const struct block_key *k,
                                   uint64_t hash);
/* Stores (or replaces) k's value. TPUSIM_ERR_NOMEM leaves the cache as it
 * was (still valid). */
int cache_put(struct block_cache *bc, const struct block_key *k, uint64_t hash,
              const struct block_val *v);
/* Memory the table holds, bytes. */
size_t cache_bytes(const struct block_cache *bc);

#endif /* TPUSIM_CACHE_H */
