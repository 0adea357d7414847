#include <stdio.h>
#include "tpusim.h"
int main(void) { printf("tpusim %s\n", tpusim_version()); return 0; }
