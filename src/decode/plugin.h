/* plugin — what walhook knows of each output plugin, in one place: which
 * decoder reads its messages, the options it must be started with, and
 * the details of its protocol that decoding depends on. */
#ifndef WALHOOK_PLUGIN_H
#define WALHOOK_PLUGIN_H

#include <stdbool.h>

#include "base/err.h"

struct plugin_option {
	const char *name;
	const char *value; /* NULL: the option is given without a value */
};

enum plugin_decoder {
	PLUGIN_PGOUTPUT,
	PLUGIN_WAL2JSON_1,
	PLUGIN_WAL2JSON_2,
	PLUGIN_TEST_DECODING,
	PLUGIN_DECODERBUFS,
	PLUGIN_RAW, /* any other plugin, or --raw: payloads go to handle_data */
};

/* How a stream's messages are read. */
struct plugin_profile {
	enum plugin_decoder decoder;
	/* pgoutput 4 with streaming=parallel: Stream Abort carries the abort
	 * LSN and time. */
	bool abort_has_lsn;
	/* pgoutput asked for logical messages (messages=true). */
	bool messages;
};

/* Options walhook may add to the user's. */
#define PLUGIN_MAX_ADDED 8

/* The options a stream starts with: the user's n first, then each one the
 * plugin needs that they do not give. pgoutput: proto_version, the newest
 * the server speaks (written into proto, 8 bytes, which must outlive out),
 * and publication_names from publications (an error without them);
 * wal2json and test_decoding: what their decoders read (xids, times,
 * LSNs, type OIDs); decoderbufs: none (it refuses every option but
 * debug-mode). out has room for n + PLUGIN_MAX_ADDED. Returns how
 * many, or -1 with e filled. */
int plugin_options(const char *plugin, int server_version,
		   const char *publications, const struct plugin_option *opts,
		   int n, struct plugin_option *out, char proto[8],
		   struct err *e);

/* The profile of a stream of plugin started with opts (the options as
 * sent, or as a recording's header lists them). decoderbufs with
 * debug-mode on writes text for people to read: its payloads are raw. */
struct plugin_profile plugin_profile(const char *plugin,
				     const struct plugin_option *opts, int n);

/* The value of option name in opts, or NULL; *given (may be NULL) says
 * whether it is there at all (an option without a value is given). */
const char *plugin_option(const struct plugin_option *opts, int n,
			  const char *name, bool *given);

#endif
