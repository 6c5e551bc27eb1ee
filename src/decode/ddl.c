#include "decode/ddl.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "decode/jsonlex.h"

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

static int member_of(const struct jsonlex_token *key)
{
	for (int i = 0; i < NMEMBERS; i++)
		if (!key->escaped && strlen(member_names[i]) == key->len &&
		    !memcmp(member_names[i], key->text, key->len))
			return i;
	return -1;
}

/* The string t unescaped into d->text with its NUL; its offset there. */
static size_t keep_string(struct ddl *d, const struct jsonlex_token *t)
{
	size_t at = d->text.len;
	buf_reserve(&d->text, t->len + 1);
	size_t n = t->escaped
		       ? jsonlex_unescape(t, d->text.data + at)
		       : (memcpy(d->text.data + at, t->text, t->len), t->len);
	d->text.len += n;
	buf_putc(&d->text, '\0');
	return at;
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

static int lex_fault(const struct jsonlex *lx, struct err *e)
{
	char what[160];
	return err_set(e, "not JSON at byte %td: %s", lx->fault_at - lx->start,
		       jsonlex_fault_text(lx, what, sizeof what));
}

/* One member's value, whose name was m (-1: one walhook does not know);
 * offs[m] set. */
static int read_member(struct ddl *d, struct jsonlex *lx, int m, size_t *offs,
		       struct err *e)
{
	struct jsonlex_token t;
	if (m < 0)
		return jsonlex_skip(lx) < 0 ? lex_fault(lx, e) : 0;
	if (jsonlex_value(lx, &t) < 0)
		return lex_fault(lx, e);
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
	offs[m] = keep_string(d, &t);
	return 0;
}

static int read_object(struct ddl *d, struct jsonlex *lx, size_t *offs,
		       struct err *e)
{
	struct jsonlex_token t;
	if (jsonlex_peek(lx) != JSONLEX_OBJECT)
		return err_set(e, "expected a JSON object");
	if (jsonlex_value(lx, &t) < 0)
		return lex_fault(lx, e);
	bool first = true;
	int more;
	while ((more = jsonlex_member(lx, &first, &t)) == 1)
		if (read_member(d, lx, member_of(&t), offs, e) < 0)
			return -1;
	if (more < 0)
		return lex_fault(lx, e);
	if (!jsonlex_at_end(lx))
		return err_set(e, "text after the JSON object");
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
	if (read_object(d, &lx, offs, e) < 0)
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
