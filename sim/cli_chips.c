/* cli_chips.c — `tpusim chips`. STUB: to be implemented. */
#include "cli.h"

int cmd_chips(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tpusim chips: not implemented yet\n");
    return 1;
}
