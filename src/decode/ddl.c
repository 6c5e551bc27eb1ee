#include "decode/ddl.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "decode/jsonobj.h"

/* Where a member's text is in d->text, or one of these. */
#define ABSENT	    SIZE_MAX
#define NULL_SCHEMA (SIZE_MAX - 1)
/* Members walhook does not know may hold anything, to this depth. */
#define MAX_DEPTH   16

/* The members walhook reads, in the order of these tables. */
enum {
	M_TAG,
	M_OBJECT_TYPE,
	M_IDENTITY,
	M_SCHEMA,
	M_STATEMENT,
	M_COMMAND,
	NMEMBERS
};
static const char *const member_names[NMEMBERS] = {
	"tag", "object_type", "identity", "schema", "statement", "command",
};

void ddl_init(struct ddl *d)
{
	*d = (struct ddl){ 0 };
}

void ddl_free(struct ddl *d)
{
	buf_free(&d->text);
	ddl_init(d);
}

/* A positive integer token of at most 18 digits. */
static bool read_command(const struct jsonlex_token *t, long long *out)
{
	if (t->kind != JSONLEX_NUMBER || !t->len || t->len > 18 ||
	    t->text[0] == '-' || t->text[0] == '0')
		return false;
	long long v = 0;
	for (size_t i = 0; i < t->len; i++) {
		if (t->text[i] < '0' || t->text[i] > '9')
			return false;
		v = v * 10 + (t->text[i] - '0');
	}
	*out = v;
	return true;
}

struct reading {
	struct ddl *d;
	size_t *offs;
};

/* One member's value (one walhook does not know is skipped); its offset
 * set. */
static int read_member(void *ctx, struct jsonlex *lx,
		       const struct jsonlex_token *key, struct err *e)
{
	struct ddl *d = ((struct reading *)ctx)->d;
	size_t *offs = ((struct reading *)ctx)->offs;
	int m = jsonobj_member(key, member_names, NMEMBERS);
	struct jsonlex_token t;
	if (m < 0)
		return jsonlex_skip(lx) < 0 ? jsonobj_fault(lx, e) : 0;
	if (jsonlex_value(lx, &t) < 0)
		return jsonobj_fault(lx, e);
	if (m == M_COMMAND) {
		if (!read_command(&t, &d->command))
			return err_set(
			    e, "\"command\" must be a positive integer");
		offs[m] = 0;
		return 0;
	}
	if (m == M_SCHEMA && t.kind == JSONLEX_NULL) {
		offs[m] = NULL_SCHEMA;
		return 0;
	}
	if (t.kind != JSONLEX_STRING)
		return err_set(e, "\"%s\" must be a string%s", member_names[m],
			       m == M_SCHEMA ? " or null" : "");
	offs[m] = jsonobj_keep(&d->text, &t);
	return 0;
}

int ddl_decode(struct ddl *d, const char *json, size_t n, struct err *e)
{
	struct jsonlex lx;
	size_t offs[NMEMBERS];
	for (int i = 0; i < NMEMBERS; i++)
		offs[i] = ABSENT;
	buf_reset(&d->text);
	jsonlex_init(&lx, json, n, MAX_DEPTH);
	struct reading r = { d, offs };
	if (jsonobj_read(&lx, read_member, &r, e) < 0)
		return -1;
	for (int i = 0; i < NMEMBERS; i++)
		if (offs[i] == ABSENT)
			return err_set(e, "no \"%s\"", member_names[i]);
	/* The text has stopped growing: now the pointers may be made. */
	const char **fields[] = { &d->tag, &d->object_type, &d->identity,
				  &d->schema, &d->statement };
	for (int i = 0; i < M_COMMAND; i++)
		*fields[i] =
		    offs[i] == NULL_SCHEMA ? NULL : d->text.data + offs[i];
	return 0;
}
