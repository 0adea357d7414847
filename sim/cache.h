/*
 * cache.h — the NAS result cache of a context: an open-addressing hash
 * table of fixed-size keys and values with a byte limit. When a table at
 * its limit is half full, it is emptied (a flush) and fills again: memory
 * stays bounded and an answer is never stale, only recomputed.
 *
 * Keys are compared in full (every byte), not by hash alone, so a hash
 * collision costs a probe, never a wrong answer.
 *
 * A block's time depends on the activation capacity only through the
 * residency decisions of the lowering's live-set walk; its stage-2 value
 * says over which capacities those come out as stored ([capacity_lo_bytes,
 * capacity_hi_bytes)), and a lookup returns a value only for a capacity
 * inside that interval. The intervals of one stage-2 key partition the
 * capacities; the first stored lives under the key itself, each further
 * one under a stage-3 key (the stage-2 key with stage 3 and capacity_lo),
 * linked from the stage-2 entry (more, more_lo).
 */
#ifndef TPUSIM_CACHE_H
#define TPUSIM_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

/* Stage 1: what a block is, whatever its surroundings (context fields 0).
 * Stage 2: the block in its boundary state, the capacity aside.
 * Stage 3: a further capacity interval of a stage-2 key.
 * Every field is 64-bit so the struct has no padding and memcmp compares it. */
struct block_key {
    uint64_t stage;            /* 1, 2 or 3 */
    uint64_t chip_fp;          /* tpusim_chip.fingerprint */
    uint64_t stack_fp;         /* tpusim_stack.fingerprint of the query's stack */
    uint64_t dtype, no_fusion; /* resolved options */
    uint64_t overhead_bits;    /* framework_overhead_us's bits */
    int64_t n, c, h, w;        /* the block's input */
    int64_t block[9];          /* tpusim_block's fields */
    uint64_t capacity_lo;      /* stage 3: its interval's capacity_lo_bytes (else 0) */
    uint64_t cache_left_key;   /* min(Edge TPU parameter cache left, block parameters) */
    uint64_t in_resident, weights_on_chip, is_last;
    uint64_t in_host;          /* the op before the block ran on the host CPU */
    uint64_t in_prologue;      /* the op before the block joined its first op's operand */
    uint64_t in_prologue_hbm_bytes, in_prologue_l2_bytes; /* what that op reads there */
};

struct block_val {
    /* stage 1 */
    uint64_t param_bytes;      /* the block's parameters in the run's dtype */
    /* stages 2 and 3 */
    struct sim_totals sum;     /* over the block's ops */
    uint64_t cache_used;       /* Edge TPU parameter cache the block takes */
    uint64_t out_resident;     /* its output stays on chip */
    uint64_t out_host;         /* its last op ran on the host CPU */
    uint64_t out_prologue;     /* its last op joins the next block's first op's operand */
    uint64_t out_prologue_hbm_bytes, out_prologue_l2_bytes; /* and reads these there */
    /* The activation capacities for which this value holds: [lo, hi). */
    uint64_t capacity_lo_bytes, capacity_hi_bytes;
    /* Set by the cache: another interval of the same stage-2 key is stored
     * (more), under the stage-3 key whose capacity_lo is more_lo. */
    uint64_t more, more_lo;
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
/* Stage 2: the value stored for stage-2 key k whose capacity interval
 * holds `capacity_bytes`, or NULL; counts one hit or one miss. */
const struct block_val *cache_find_capacity(struct block_cache *bc, const struct block_key *k,
                                            uint64_t hash, uint64_t capacity_bytes);
/* Stage 2: stores v for stage-2 key k and v's capacity interval (or
 * replaces the value stored for that interval); errors as cache_put. */
int cache_put_capacity(struct block_cache *bc, const struct block_key *k, uint64_t hash,
                       const struct block_val *v);
/* Memory the table holds, bytes. */
size_t cache_bytes(const struct block_cache *bc);

#endif /* TPUSIM_CACHE_H */
