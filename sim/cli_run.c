/* cli_run.c — `tpusim run`. STUB: to be implemented. */
#include "cli.h"

int cmd_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tpusim run: not implemented yet\n");
    return 1;
}
