#include "ops/backfill_state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/lsn.h"

#define HEADER "walhook backfill state 2"

static const char *const state_names[] = { "running", "paused", "done",
					   "cancelled" };
static const char *const origin_names[] = { "flag", "script", "signal" };

const char *backfill_state_name(enum backfill_state s)
{
	return s <= BACKFILL_CANCELLED ? state_names[s] : "?";
}

/* The index of name in names; -1 when it is none of them. */
static int name_index(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

static void put_field(struct buf *b, const char *s)
{
	buf_putc(b, '\t');
	for (; *s; s++) {
		const char *esc = *s == '\\'   ? "\\\\"
				  : *s == '\t' ? "\\t"
				  : *s == '\n' ? "\\n"
				  : *s == '\r' ? "\\r"
					       : NULL;
		if (esc)
			buf_puts(b, esc);
		else
			buf_putc(b, *s);
	}
}

/* The next field of a line, unescaped in place; NULL past the last. */
static char *next_field(char **at)
{
	if (!*at)
		return NULL;
	char *start = *at, *w = start, *r = start;
	for (; *r && *r != '\t'; r++) {
		if (*r != '\\' || !r[1]) {
			*w++ = *r;
			continue;
		}
		r++;
		*w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r == 'r' ? '\r' : *r;
	}
	*at = *r ? r + 1 : NULL;
	*w = '\0';
	return start;
}

void backfill_progress_set_key(struct backfill_progress *p,
			       const char *const *key, size_t n)
{
	for (size_t i = 0; i < p->nkey; i++)
		free(p->key[i]);
	free(p->key);
	p->key = n ? xcalloc(n, sizeof *p->key) : NULL;
	for (size_t i = 0; i < n; i++)
		p->key[i] = xstrdup(key[i]);
	p->nkey = n;
}

static bool same_request(const struct backfill_progress *a,
			 const struct backfill_progress *b)
{
	return strcmp(a->table, b->table) == 0 &&
	       strcmp(a->where, b->where) == 0 && a->chunk == b->chunk;
}

bool backfill_progress_least(struct backfill_progress *at,
			     const struct backfill_progress *record)
{
	if (record && !same_request(at, record))
		record = NULL;
	uint64_t chunks = record ? record->chunks : 0;
	if (at->state == BACKFILL_CANCELLED || chunks >= at->chunks)
		return false;
	at->rows = record ? record->rows : 0;
	at->chunks = chunks;
	backfill_progress_set_key(at,
				  record ? (const char *const *)record->key
					 : NULL,
				  record ? record->nkey : 0);
	if (at->state == BACKFILL_DONE)
		at->state = BACKFILL_RUNNING;
	return true;
}

void backfill_progress_free(struct backfill_progress *p)
{
	backfill_progress_set_key(p, NULL, 0);
	free(p->table);
	free(p->where);
}

/* One line, its fields unescaped in place. */
static bool parse_line(char *line, struct backfill_progress *p)
{
	if (*line != '\t')
		return false;
	char *at = line + 1; /* every field follows a tab */
	char *table = next_field(&at), *where = next_field(&at),
	     *state = next_field(&at), *chunk = next_field(&at),
	     *rows = next_field(&at), *chunks = next_field(&at),
	     *by = next_field(&at), *commit = next_field(&at),
	     *lsn = next_field(&at);
	if (!lsn)
		return false;
	int st = name_index(state_names, 4, state);
	int origin = name_index(origin_names, 3, by);
	uint64_t commit_lsn, signal_lsn;
	if (st < 0 || origin < 0 || !lsn_parse(commit, &commit_lsn) ||
	    !lsn_parse(lsn, &signal_lsn))
		return false;
	*p = (struct backfill_progress){
		.table = xstrdup(table),
		.where = xstrdup(where),
		.state = (enum backfill_state)st,
		.chunk = atoi(chunk),
		.rows = strtoull(rows, NULL, 10),
		.chunks = strtoull(chunks, NULL, 10),
		.by = (enum backfill_origin)origin,
		.signal_commit = commit_lsn,
		.signal_lsn = signal_lsn,
	};
	const char *key[64];
	size_t n = 0;
	char *k;
	while (n < 64 && (k = next_field(&at)))
		key[n++] = k;
	backfill_progress_set_key(p, key, n);
	return true;
}

bool backfill_progress_parse(const char *text, struct backfill_progress *p)
{
	char *line = xstrdup(text);
	bool ok = parse_line(line, p);
	free(line);
	return ok;
}

int backfill_state_load(const char *path, struct backfill_progress **out,
			size_t *n, struct err *e)
{
	*out = NULL;
	*n = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0
				       : err_set(e, "reading %s: %s", path,
						 strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0, lineno = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (lineno++ == 0) {
			if (strcmp(line, HEADER) == 0)
				continue;
			rc = err_set(
			    e,
			    "%s is no backfill state file of this walhook (its first line is not \"" HEADER
			    "\")",
			    path);
			break;
		}
		*out = xrealloc(*out, (*n + 1) * sizeof **out);
		if (!parse_line(line, &(*out)[*n])) {
			rc = err_set(e, "%s:%d: not a backfill's line", path,
				     lineno);
			break;
		}
		(*n)++;
	}
	free(line);
	fclose(f);
	return rc;
}

static int write_all(int fd, const struct buf *b)
{
	for (size_t at = 0; at < b->len;) {
		ssize_t w = write(fd, b->data + at, b->len - at);
		if (w < 0 && errno != EINTR)
			return -1;
		at += w > 0 ? (size_t)w : 0;
	}
	return fsync(fd);
}

void backfill_progress_put(struct buf *b, const struct backfill_progress *p)
{
	put_field(b, p->table);
	put_field(b, p->where);
	char commit[LSN_STRLEN], lsn[LSN_STRLEN];
	buf_printf(b, "\t%s\t%d\t%llu\t%llu\t%s\t%s\t%s",
		   backfill_state_name(p->state), p->chunk,
		   (unsigned long long)p->rows, (unsigned long long)p->chunks,
		   origin_names[p->by], lsn_format(p->signal_commit, commit),
		   lsn_format(p->signal_lsn, lsn));
	for (size_t k = 0; k < p->nkey; k++)
		put_field(b, p->key[k]);
}

int backfill_state_save(const char *path, const struct backfill_progress *p,
			size_t n, struct err *e)
{
	struct buf b = { 0 }, tmp = { 0 };
	buf_puts(&b, HEADER "\n");
	for (size_t i = 0; i < n; i++) {
		backfill_progress_put(&b, &p[i]);
		buf_putc(&b, '\n');
	}
	buf_printf(&tmp, "%s.new", path);
	int rc = 0;
	int fd = open(buf_cstr(&tmp), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write_all(fd, &b) < 0 ||
	    rename(buf_cstr(&tmp), path) < 0)
		rc = err_set(e, "writing the backfill state %s: %s", path,
			     strerror(errno));
	if (fd >= 0)
		close(fd);
	buf_free(&b);
	buf_free(&tmp);
	return rc;
}
