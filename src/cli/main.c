/* The amanat command (placeholder until the command table lands). */
#include <stdio.h>

#include "amanat/error.h"

int main(void)
{
	puts(am_strerror(AM_OK));
	return 0;
}
