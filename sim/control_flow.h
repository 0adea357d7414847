/*
 * control_flow.h — If, Loop and Scan. The importer keeps each subgraph as
 * a body: an unfinalized graph with its formal inputs and outputs. Shape
 * inference expands a control-flow op when it reaches it, once its inputs
 * are known: If takes the branch a constant condition selects, or brings
 * in both and keeps the costlier; Loop and Scan repeat their body once per
 * iteration (trip count folded from M, bound with --dim NODE.trip_count=N,
 * or the scan axis's length). The body's ops join the graph before the
 * control-flow op, which is then bypassed: its outputs stand for the body
 * outputs it selects (finalize rewires their readers).
 */
#ifndef TPUSIM_CONTROL_FLOW_H
#define TPUSIM_CONTROL_FLOW_H

#include "graph.h"

/* Unrolling stops with an error past this many ops in the graph. */
#define CF_MAX_OPS (1 << 20)

/* One subgraph: If's then/else branch, a Loop or Scan body. */
struct graph_body {
    struct tpusim_graph *g; /* its nodes and constants; never finalized */
    char **inputs;          /* formal inputs, in order */
    int n_inputs;
    char **outputs;         /* its outputs, in order */
    int n_outputs;
};

enum cf_state {
    CF_NEW,      /* bodies not yet in the graph */
    CF_CHOOSING, /* If: both branches in; the costlier is chosen at inference */
    CF_EXPANDED  /* the op reads the body outputs it stands for */
};

struct control_flow {
    struct graph_body *bodies;
    int n_bodies;
    bool owns_bodies;  /* the importer's op; copies made by expansion borrow them */
    char **outer_names; /* the bodies' names for the outer tensors the op reads as its
                           last n_outer inputs */
    int n_outer;
    enum cf_state state;
    char *failed[2];    /* If, CF_CHOOSING: why a branch cannot run on these inputs, or NULL */
};

/* Importer: gives `bodies` (n of them, malloc'ed; ownership passes on
 * success and on failure) to control-flow op `op` of g, and appends to its
 * inputs the outer tensors the bodies read, so that the op runs after them. */
int cf_attach(struct tpusim_graph *g, struct op *op, struct graph_body *bodies, int n);
/* Frees a body's contents (not b itself). */
void cf_body_free(struct graph_body *b);
void cf_free(struct control_flow *cf);

/* Finalize: whether op's bodies still have to be brought in. */
bool cf_needs_expansion(const struct op *op);
/* Brings op's bodies into g as new ops placed in g->order at position pos
 * (before op), and makes op read the body outputs it stands for. */
int cf_expand(struct tpusim_graph *g, struct op *op, int pos);
/* op failed inference (message in g->err): when it lies in a branch of an
 * If whose condition is not constant, that branch is out and the If takes
 * the other (it says so); returns whether the failure was taken so. */
bool cf_branch_failed(struct tpusim_graph *g, struct op *op);
/* Whether op lies in a branch already out (it is then dead, not inferred). */
bool cf_in_failed_branch(const struct tpusim_graph *g, const struct op *op);

#endif /* TPUSIM_CONTROL_FLOW_H */
