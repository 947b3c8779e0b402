#ifndef GREET_H
#define GREET_H
/* Writes the greeting for `name` into `buf` (at most `len` bytes); returns its length. */
int greet(char *buf, int len, const char *name);
#endif
