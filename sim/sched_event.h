/*
 * sched_event.h — what the event engine leaves behind besides op rows:
 * every activity it ran (a transfer, a tile on a unit, a prologue, a
 * launch), with its times and the activity that decided its start, for
 * traces and per-unit accounting. A sim_result from the event engine
 * owns one (sim_result.events).
 */
#ifndef TPUSIM_SCHED_EVENT_H
#define TPUSIM_SCHED_EVENT_H

#include <stdint.h>

/* Where an activity runs: one track per core and unit in a trace (AU_LAUNCH:
 * the host issuing kernels and invocations). */
enum act_unit { AU_DMA_IN, AU_DMA_OUT, AU_MXU, AU_VPU, AU_HOST, AU_LAUNCH, AU_COUNT };

enum act_kind {
    AK_WEIGHTS,   /* an op's weights, HBM -> on chip (prefetched or not) */
    AK_READ,      /* a tile's inputs, HBM -> on chip */
    AK_WRITE,     /* a tile's outputs, on chip -> HBM */
    AK_PROLOGUE,  /* the matrix unit's first weight load of an op */
    AK_MXU,       /* a tile on the matrix unit */
    AK_VPU,       /* a tile on the vector unit */
    AK_HOST_IN,   /* host link, to the chip */
    AK_HOST_OUT,  /* host link, from the chip */
    AK_LAUNCH,    /* a kernel starts: after its dispatch and the device's gap */
    AK_DISPATCH,  /* the host issues a kernel (the stack's dispatch) */
    AK_INVOKE,    /* the stack's per-inference cost, before the first op */
    AK_COUNT
};

/* Why a unit sat idle before an activity: the kind of activity it
 * waited for. */
enum wait_reason {
    WAIT_DMA,        /* data to arrive from HBM or the host */
    WAIT_BUFFER,     /* an on-chip buffer slot to be freed */
    WAIT_DEPENDENCY, /* another unit's work on the same data, or the previous op */
    WAIT_FILL_DRAIN, /* the matrix unit's outputs to drain */
    WAIT_LAUNCH,     /* a kernel launch */
    WAIT_IDLE,       /* nothing to do: before the first activity, after the last */
    WAIT_COUNT
};

const char *act_unit_name(enum act_unit u);
const char *act_kind_name(enum act_kind k);
const char *wait_reason_name(enum wait_reason w);

#define ACT_NONE UINT32_MAX

struct act {
    uint64_t ready, start, end;  /* cycles */
    uint64_t bytes;              /* transfers */
    uint32_t pred;               /* the activity whose end decided the start, or ACT_NONE */
    uint32_t prev_on_unit;       /* the unit's previous activity, or ACT_NONE */
    uint32_t row;                /* op row (sim_result.ops) */
    uint32_t tile;
    uint16_t core;
    uint8_t unit, kind;          /* enum act_unit, enum act_kind */
    uint8_t gap_cause;           /* cause of the latency between pred's end and ready;
                                  * CAUSE_COUNT when there is none */
};

/* One unit of one core over the whole run: busy cycles by cause and idle
 * cycles by reason; together they add up to the run's cycles. */
struct unit_time {
    uint64_t busy[16];           /* by enum cause (CAUSE_COUNT <= 16) */
    uint64_t wait[WAIT_COUNT];
};

/* HBM throughput from `t` on, until the next sample: bytes per cycle. */
struct rate_sample {
    uint64_t t;
    double bytes_per_cycle;
};

struct event_log {
    struct act *acts;
    uint32_t n;
    struct rate_sample *hbm;     /* in time order */
    uint32_t n_hbm;
    int cores;
    struct unit_time *units;     /* cores x AU_COUNT */
    uint64_t *core_cycles;       /* per core: its last activity's end */
    uint64_t hidden_weight_cycles; /* weight transfers that ran while another op computed */
    uint64_t exposed_weight_cycles;/* weight transfers on the critical path */
};

void event_log_free(struct event_log *l);

#endif /* TPUSIM_SCHED_EVENT_H */
