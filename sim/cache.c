/*
 * cache.c — the NAS result cache (cache.h): linear probing, grow by
 * doubling while under the byte limit, empty when full at the limit.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "tpusim.h"

#define FIRST_SLOTS 1024

void cache_init(struct block_cache *bc, size_t limit_bytes)
{
    memset(bc, 0, sizeof *bc);
    bc->limit_bytes = limit_bytes < CACHE_MIN_BYTES ? CACHE_MIN_BYTES : limit_bytes;
}

void cache_free(struct block_cache *bc)
{
    free(bc->slots);
    bc->slots = NULL;
    bc->cap = 0;
    bc->used = 0;
}

size_t cache_bytes(const struct block_cache *bc)
{
    return bc->cap * sizeof(struct cache_slot);
}

/* A 64-bit mix over the key's words (every field is a 64-bit word). */
uint64_t cache_hash(const struct block_key *k)
{
    const uint64_t *w = (const uint64_t *)(const void *)k;
    uint64_t h = UINT64_C(0x9E3779B97F4A7C15);
    for (size_t i = 0; i < sizeof *k / sizeof *w; i++) {
        h ^= w[i] + UINT64_C(0x9E3779B97F4A7C15) + (h << 6) + (h >> 2);
        h *= UINT64_C(0xFF51AFD7ED558CCD);
    }
    h ^= h >> 33;
    return h ? h : 1; /* 0 marks an empty slot */
}

static struct cache_slot *probe(const struct block_cache *bc, const struct block_key *k,
                                uint64_t hash)
{
    size_t mask = bc->cap - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        struct cache_slot *s = &bc->slots[i];
        if (!s->hash || (s->hash == hash && memcmp(&s->key, k, sizeof *k) == 0))
            return s;
    }
}

const struct block_val *cache_find(struct block_cache *bc, const struct block_key *k,
                                   uint64_t hash)
{
    struct cache_slot *s = bc->cap ? probe(bc, k, hash) : NULL;
    if (s && s->hash) {
        bc->hits++;
        return &s->val;
    }
    bc->misses++;
    return NULL;
}

/* Doubles the table (or makes the first one); NOMEM keeps the old one. */
static int grow(struct block_cache *bc, size_t cap)
{
    struct cache_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return TPUSIM_ERR_NOMEM;
    struct block_cache old = *bc;
    bc->slots = slots;
    bc->cap = cap;
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].hash)
            *probe(bc, &old.slots[i].key, old.slots[i].hash) = old.slots[i];
    free(old.slots);
    return TPUSIM_OK;
}

/* Room for one more entry: the first table, or a table kept at most half
 * full (grown within the limit, else emptied). NOMEM only when there is no
 * table at all. Slot pointers stay valid from here to the next insert. */
static int make_room(struct block_cache *bc)
{
    if (bc->cap == 0) {
        size_t cap = FIRST_SLOTS;
        while (cap > 2 && cap * sizeof(struct cache_slot) > bc->limit_bytes)
            cap /= 2;
        if (grow(bc, cap))
            return TPUSIM_ERR_NOMEM;
    }
    if ((bc->used + 1) * 2 > bc->cap) {
        if (bc->cap * 2 * sizeof(struct cache_slot) <= bc->limit_bytes && !grow(bc, bc->cap * 2)) {
            /* grown */
        } else {
            memset(bc->slots, 0, bc->cap * sizeof *bc->slots);
            bc->used = 0;
            bc->flushes++;
        }
    }
    return TPUSIM_OK;
}

static void fill(struct block_cache *bc, struct cache_slot *s, const struct block_key *k,
                 uint64_t hash, const struct block_val *v)
{
    if (!s->hash)
        bc->used++;
    s->hash = hash;
    s->key = *k;
    s->val = *v;
}

int cache_put(struct block_cache *bc, const struct block_key *k, uint64_t hash,
              const struct block_val *v)
{
    if (make_room(bc))
        return TPUSIM_ERR_NOMEM;
    fill(bc, probe(bc, k, hash), k, hash, v);
    return TPUSIM_OK;
}

static bool holds(const struct block_val *v, uint64_t capacity_bytes)
{
    return capacity_bytes >= v->capacity_lo_bytes && capacity_bytes < v->capacity_hi_bytes;
}

/* The entry after s among the intervals of stage-2 key k (*k3 is k with
 * stage 3, its capacity_lo set here), or NULL. */
static struct cache_slot *next_interval(const struct block_cache *bc, const struct cache_slot *s,
                                        struct block_key *k3)
{
    if (!s->val.more)
        return NULL;
    k3->capacity_lo = s->val.more_lo;
    struct cache_slot *n = probe(bc, k3, cache_hash(k3));
    return n->hash ? n : NULL;
}

const struct block_val *cache_find_capacity(struct block_cache *bc, const struct block_key *k,
                                            uint64_t hash, uint64_t capacity_bytes)
{
    struct cache_slot *s = bc->cap ? probe(bc, k, hash) : NULL;
    if (s && !s->hash)
        s = NULL;
    struct block_key k3 = *k;
    k3.stage = 3;
    while (s && !holds(&s->val, capacity_bytes))
        s = next_interval(bc, s, &k3);
    if (s) {
        bc->hits++;
        return &s->val;
    }
    bc->misses++;
    return NULL;
}

/* The stage-2 entry comes first; a new interval is linked right after it.
 * make_room runs before any slot is read: nothing moves or is emptied
 * while the links are followed and set, so a link always names an entry
 * stored since the last flush. */
int cache_put_capacity(struct block_cache *bc, const struct block_key *k, uint64_t hash,
                       const struct block_val *v)
{
    if (make_room(bc))
        return TPUSIM_ERR_NOMEM;
    struct cache_slot *head = probe(bc, k, hash);
    struct block_val linked = *v;
    linked.more = 0;
    linked.more_lo = 0;
    if (!head->hash) {
        fill(bc, head, k, hash, &linked);
        return TPUSIM_OK;
    }
    struct block_key k3 = *k;
    k3.stage = 3;
    for (struct cache_slot *s = head; s; s = next_interval(bc, s, &k3)) {
        if (s->val.capacity_lo_bytes == v->capacity_lo_bytes) { /* the same interval */
            linked.more = s->val.more;
            linked.more_lo = s->val.more_lo;
            s->val = linked;
            return TPUSIM_OK;
        }
    }
    k3.capacity_lo = v->capacity_lo_bytes;
    uint64_t h3 = cache_hash(&k3);
    linked.more = head->val.more;
    linked.more_lo = head->val.more_lo;
    fill(bc, probe(bc, &k3, h3), &k3, h3, &linked);
    head->val.more = 1;
    head->val.more_lo = v->capacity_lo_bytes;
    return TPUSIM_OK;
}
