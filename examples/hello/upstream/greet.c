#include <stdio.h>
#include "greet.h"

int greet(char *buf, int len, const char *name)
{
	return snprintf(buf, (size_t)len, "hello, %s", name);
}
