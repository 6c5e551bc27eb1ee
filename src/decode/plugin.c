#include "decode/plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode/textplugin.h"

const char *plugin_option(const struct plugin_option *opts, int n,
			  const char *name, bool *given)
{
	for (int i = 0; i < n; i++) {
		if (strcmp(opts[i].name, name) == 0) {
			if (given)
				*given = true;
			return opts[i].value;
		}
	}
	if (given)
		*given = false;
	return NULL;
}

static bool has(const struct plugin_option *opts, int n, const char *name)
{
	bool given;
	plugin_option(opts, n, name, &given);
	return given;
}

/* decoderbufs reads debug-mode with PostgreSQL's parse_bool, where any
 * prefix of true, yes or on (at least "on") is true, and no value false. */
static bool debug_mode(const char *v)
{
	if (!v || !*v)
		return false;
	size_t n = strlen(v);
	return strncasecmp(v, "true", n) == 0 || strncasecmp(v, "yes", n) == 0 ||
	       (n >= 2 && strncasecmp(v, "on", n) == 0) || strcmp(v, "1") == 0;
}

/* pgoutput reads its booleans with defGetBoolean: no value is true, else
 * true, false, on or off in any case (the server refuses anything else). */
static bool def_boolean(const struct plugin_option *opts, int n,
			const char *name)
{
	bool given;
	const char *v = plugin_option(opts, n, name, &given);
	if (!given)
		return false;
	return !v || strcasecmp(v, "true") == 0 || strcasecmp(v, "on") == 0;
}

static enum plugin_decoder decoder_of(const char *plugin,
				      const struct plugin_option *opts, int n)
{
	if (strcmp(plugin, "pgoutput") == 0)
		return PLUGIN_PGOUTPUT;
	if (strcmp(plugin, "test_decoding") == 0)
		return PLUGIN_TEST_DECODING;
	if (strcmp(plugin, "decoderbufs") == 0)
		return debug_mode(plugin_option(opts, n, "debug-mode", NULL))
			   ? PLUGIN_RAW
			   : PLUGIN_DECODERBUFS;
	if (strcmp(plugin, "wal2json") != 0)
		return PLUGIN_RAW;
	const char *format = plugin_option(opts, n, "format-version", NULL);
	return format && atoi(format) == 2 ? PLUGIN_WAL2JSON_2
					   : PLUGIN_WAL2JSON_1;
}

struct plugin_profile plugin_profile(const char *plugin,
				     const struct plugin_option *opts, int n)
{
	struct plugin_profile p = { .decoder = decoder_of(plugin, opts, n) };
	if (p.decoder == PLUGIN_PGOUTPUT) {
		const char *proto =
		    plugin_option(opts, n, "proto_version", NULL);
		const char *streaming =
		    plugin_option(opts, n, "streaming", NULL);
		p.abort_has_lsn = proto && atoi(proto) >= 4 && streaming &&
				  strcmp(streaming, "parallel") == 0;
		p.messages = def_boolean(opts, n, "messages");
	}
	return p;
}

/* The text decoders name the options they read. */
static int add_text_options(enum plugin_decoder decoder,
			    const struct plugin_option *opts, int n,
			    struct plugin_option *out, int at)
{
	const char *const *req = textplugin_required_options(
	    decoder == PLUGIN_TEST_DECODING ? TEXTPLUGIN_TEST_DECODING
	    : decoder == PLUGIN_WAL2JSON_2  ? TEXTPLUGIN_WAL2JSON_2
					    : TEXTPLUGIN_WAL2JSON_1);
	for (; *req; req += 2)
		if (!has(opts, n, req[0]))
			out[at++] = (struct plugin_option){ req[0], req[1] };
	return at;
}

static int add_pgoutput_options(int server_version, const char *publications,
				const struct plugin_option *opts, int n,
				struct plugin_option *out, int at,
				char proto[8], struct err *e)
{
	if (!has(opts, n, "proto_version")) {
		snprintf(proto, 8, "%d",
			 server_version >= 160000   ? 4
			 : server_version >= 150000 ? 3
			 : server_version >= 140000 ? 2
						    : 1);
		out[at++] = (struct plugin_option){ "proto_version", proto };
	}
	if (!has(opts, n, "publication_names")) {
		if (!publications)
			return err_set(
			    e,
			    "pgoutput needs publications: give --publication NAMES (or -o publication_names=NAMES)");
		out[at++] =
		    (struct plugin_option){ "publication_names", publications };
	}
	return at;
}

int plugin_options(const char *plugin, int server_version,
		   const char *publications, const struct plugin_option *opts,
		   int n, struct plugin_option *out, char proto[8],
		   struct err *e)
{
	for (int i = 0; i < n; i++)
		out[i] = opts[i];
	enum plugin_decoder decoder = decoder_of(plugin, opts, n);
	switch (decoder) {
	case PLUGIN_PGOUTPUT:
		return add_pgoutput_options(server_version, publications, opts,
					    n, out, n, proto, e);
	case PLUGIN_WAL2JSON_1:
	case PLUGIN_WAL2JSON_2:
	case PLUGIN_TEST_DECODING:
		return add_text_options(decoder, opts, n, out, n);
	case PLUGIN_DECODERBUFS:
	case PLUGIN_RAW: break;
	}
	return n;
}
