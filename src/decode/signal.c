#include "decode/signal.h"

#include <stdbool.h>
#include <string.h>

#include "decode/jsonobj.h"

/* The largest chunk a signal may ask for, as --backfill-chunk allows. */
#define MAX_CHUNK 1000000

enum {
	M_BACKFILL,
	M_PAUSE,
	M_RESUME,
	M_CANCEL,
	M_WHERE,
	M_CHUNK,
	NMEMBERS
};
/* The first four in the order of enum signal_action. */
static const char *const member_names[NMEMBERS] = {
	"backfill", "pause", "resume", "cancel", "where", "chunk",
};

#define ABSENT SIZE_MAX

void signal_init(struct signal *s)
{
	*s = (struct signal){ 0 };
}

void signal_free(struct signal *s)
{
	buf_free(&s->text);
	signal_init(s);
}

const char *signal_action_name(enum signal_action a)
{
	return a <= SIGNAL_CANCEL ? member_names[a] : "?";
}

const char *backfill_origin_name(enum backfill_origin by)
{
	switch (by) {
	case BACKFILL_BY_FLAG: return "--backfill";
	case BACKFILL_BY_SCRIPT: return "walhook.backfill";
	case BACKFILL_BY_SIGNAL: return "a signal";
	}
	return "?";
}

static bool read_chunk(const struct jsonlex_token *t, int *out)
{
	if (t->kind != JSONLEX_NUMBER || !t->len || t->len > 7)
		return false;
	int v = 0;
	for (size_t i = 0; i < t->len; i++) {
		if (t->text[i] < '0' || t->text[i] > '9')
			return false;
		v = v * 10 + (t->text[i] - '0');
	}
	*out = v;
	return v > 0 && v <= MAX_CHUNK;
}

struct reading {
	struct signal *s;
	size_t *offs;
};

static int read_member(void *ctx, struct jsonlex *lx,
		       const struct jsonlex_token *key, struct err *e)
{
	struct signal *s = ((struct reading *)ctx)->s;
	size_t *offs = ((struct reading *)ctx)->offs;
	int m = jsonobj_member(key, member_names, NMEMBERS);
	if (m < 0)
		return err_set(e, "unknown member \"%.*s\"", (int)key->len,
			       key->text);
	if (offs[m] != ABSENT)
		return err_set(e, "\"%s\" twice", member_names[m]);
	struct jsonlex_token t;
	if (jsonlex_value(lx, &t) < 0)
		return jsonobj_fault(lx, e);
	if (m == M_CHUNK) {
		if (!read_chunk(&t, &s->req.chunk))
			return err_set(e, "\"chunk\" must be an integer from 1 to %d",
				       MAX_CHUNK);
		offs[m] = 0;
		return 0;
	}
	if (t.kind != JSONLEX_STRING || !t.len)
		return err_set(e, "\"%s\" must be a non-empty string",
			       member_names[m]);
	offs[m] = jsonobj_keep(&s->text, &t);
	return 0;
}

/* Exactly one action, and where and chunk only with backfill. */
static int take_action(struct signal *s, const size_t *offs, struct err *e)
{
	int found = -1;
	for (int a = M_BACKFILL; a <= M_CANCEL; a++) {
		if (offs[a] == ABSENT)
			continue;
		if (found >= 0)
			return err_set(e, "both \"%s\" and \"%s\"",
				       member_names[found], member_names[a]);
		found = a;
	}
	if (found < 0)
		return err_set(e, "no action: \"backfill\", \"pause\", \"resume\" or \"cancel\"");
	if (found != M_BACKFILL &&
	    (offs[M_WHERE] != ABSENT || offs[M_CHUNK] != ABSENT))
		return err_set(e, "\"where\" and \"chunk\" go with \"backfill\" only");
	s->action = (enum signal_action)found;
	s->req.table = s->text.data + offs[found];
	s->req.where =
	    offs[M_WHERE] == ABSENT ? NULL : s->text.data + offs[M_WHERE];
	return 0;
}

int signal_decode(struct signal *s, const char *json, size_t n, struct err *e)
{
	struct jsonlex lx;
	size_t offs[NMEMBERS];
	for (int i = 0; i < NMEMBERS; i++)
		offs[i] = ABSENT;
	buf_reset(&s->text);
	s->req = (struct backfill_request){ .by = BACKFILL_BY_SIGNAL };
	jsonlex_init(&lx, json, n, 2);
	struct reading r = { s, offs };
	if (jsonobj_read(&lx, read_member, &r, e) < 0)
		return -1;
	/* The text has stopped growing: now the pointers may be made. */
	return take_action(s, offs, e);
}
