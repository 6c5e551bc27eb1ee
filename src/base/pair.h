/* pair — a NAME=VALUE pair, as --set hands values to a script. */
#ifndef WALHOOK_PAIR_H
#define WALHOOK_PAIR_H

struct pair {
	const char *name;
	const char *value;
};

#endif
