/*
 * crosscheck.h — the parts of the SystemC test program (crosscheck.cpp)
 * that live in other files.
 */
#ifndef TPUSIM_CROSSCHECK_H
#define TPUSIM_CROSSCHECK_H

#include <string>

/* The TLM-2.0 wrapper's checks (tlm_check.cpp): elaborates its own
 * platform, so it runs in a process of its own. Adds to *passed and
 * *failed; one "F <why>\n" line per failure to *out. */
void tlm_check(int *passed, int *failed, std::string *out);

#endif /* TPUSIM_CROSSCHECK_H */
