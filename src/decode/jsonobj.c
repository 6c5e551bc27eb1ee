#include "decode/jsonobj.h"

#include <stdbool.h>
#include <string.h>

int jsonobj_member(const struct jsonlex_token *key, const char *const *names,
		   int n)
{
	for (int i = 0; i < n; i++)
		if (!key->escaped && strlen(names[i]) == key->len &&
		    !memcmp(names[i], key->text, key->len))
			return i;
	return -1;
}

size_t jsonobj_keep(struct buf *b, const struct jsonlex_token *t)
{
	size_t at = b->len;
	buf_reserve(b, t->len + 1);
	size_t n = t->escaped ? jsonlex_unescape(t, b->data + at)
			      : (memcpy(b->data + at, t->text, t->len), t->len);
	b->len += n;
	buf_putc(b, '\0');
	return at;
}

int jsonobj_fault(const struct jsonlex *lx, struct err *e)
{
	char what[160];
	return err_set(e, "not JSON at byte %td: %s", lx->fault_at - lx->start,
		       jsonlex_fault_text(lx, what, sizeof what));
}

int jsonobj_read(struct jsonlex *lx,
		 int (*member)(void *ctx, struct jsonlex *lx,
			       const struct jsonlex_token *key, struct err *e),
		 void *ctx, struct err *e)
{
	struct jsonlex_token t;
	if (jsonlex_peek(lx) != JSONLEX_OBJECT)
		return err_set(e, "expected a JSON object");
	if (jsonlex_value(lx, &t) < 0)
		return jsonobj_fault(lx, e);
	bool first = true;
	int more;
	while ((more = jsonlex_member(lx, &first, &t)) == 1)
		if (member(ctx, lx, &t, e) < 0)
			return -1;
	if (more < 0)
		return jsonobj_fault(lx, e);
	if (!jsonlex_at_end(lx))
		return err_set(e, "text after the JSON object");
	return 0;
}
