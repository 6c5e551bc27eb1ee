/* fuzz_fixture — the fixture reader of --replay: lines of JSON through
 * lh_fixture_line into a whole Lua host, split and filtered as
 * replay.c's replay_fixture does (blank lines and # comments skipped, a
 * line with a NUL refused), then lh_fixture_end.
 *
 * The first input byte picks the host: no script (events written as
 * JSON lines, the tables never built), or a script that defines every
 * hook a fixture reaches and hands each change back to be written
 * (building the tables, calling the hooks, encoding what they return).
 * The output is kept in memory (a memory sink) and read through at the
 * end. Promises checked: a failing line says why; nothing
 * crashes, leaks or reads out of bounds. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/delivery.h"
#include "fuzz.h"
#include "lua/host.h"
#include "sinks/lines.h"

static const char script_text[] =
    "local n = 0\n"
    "function handle_begin(tx) n = n + 1 end\n"
    "function handle_change(c)\n"
    "  if c.new and c.new.drop then return false end\n"
    "  return c\n"
    "end\n"
    "function handle_truncate(t) print(walhook.json.encode(t)) end\n"
    "function handle_message(m) print(m.prefix, m.content) end\n"
    "function handle_commit(tx) n = n - 1 end\n";

static char script_path[64];

static void remove_script(void)
{
	unlink(script_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(script_path, sizeof script_path,
		 "/tmp/walhook-fuzz-fixture-XXXXXX");
	int fd = mkstemp(script_path);
	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, script_text, sizeof script_text - 1) ==
		   (ssize_t)(sizeof script_text - 1));
	close(fd);
	atexit(remove_script);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct delivery d;
	delivery_init(&d, NULL, NULL);
	delivery_set_output(&d, sink_memory_new());
	struct stats stats = { 0 };
	struct lh_config cfg = {
		.script = data[0] & 1 ? script_path : NULL,
		.delivery = &d,
		.stats = &stats,
	};
	struct err e;
	struct lh *h = lh_new(&cfg, &e);
	FUZZ_CHECK(h != NULL);
	/* One copy with a NUL after each line, as getline gives them. */
	char *text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	size_t n = size - 1;
	int rc = 0;
	long lineno = 1;
	for (size_t at = 0; at < n && rc == 0; lineno++) {
		char *line = text + at;
		char *nl = memchr(line, '\n', n - at);
		size_t len = nl ? (size_t)(nl - line) : n - at;
		at += len + (nl ? 1 : 0);
		if (nl)
			*nl = '\0';
		while (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (memchr(line, '\0', len))
			break; /* replay refuses the line, before any host sees
				  it */
		size_t lead = strspn(line, " \t");
		if (line[lead] == '\0' || line[lead] == '#')
			continue;
		char where[32];
		snprintf(where, sizeof where, "fuzz:%ld", lineno);
		e.msg[0] = '\0';
		rc = lh_fixture_line(h, line, len, where, &e);
		if (rc < 0)
			FUZZ_CHECK(e.msg[0] != '\0');
	}
	if (rc == 0 && lh_fixture_end(h, &e) < 0)
		FUZZ_CHECK(e.msg[0] != '\0');
	free(text);
	lh_free(h);
	struct buf written = { 0 };
	sink_memory_take(d.output, &written);
	fuzz_touch(written.data, written.len);
	buf_free(&written);
	delivery_free(&d);
	return 0;
}
