#include <stdio.h>
#include "greet.h"
#include "version.h"

int main(int argc, char **argv)
{
	char buf[256];
	greet(buf, (int)sizeof buf, argc > 1 ? argv[1] : "world");
	printf("%s (hello %s)\n", buf, HELLO_VERSION);
	return 0;
}
