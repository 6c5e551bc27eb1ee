/* binary_text — converters of the binary forms of types whose text is
 * their bytes, or close to them (see binary_conv.h): strings, jsonb and
 * jsonpath, bytea, uuid, and text search's tsvector and tsquery. */
#include "decode/binary_conv.h"

#include <stdlib.h>
#include <string.h>

/* ---- strings ---- */

/* text, varchar, bpchar, name, json, xml, refcursor: the bytes as sent
 * (walhook's connection asks for the database's encoding: UTF-8). */
bool bin_text(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	(void)t;
	buf_put(c->out, d, len);
	return true;
}

/* jsonb and jsonpath: a version byte, 1, then the text. */
bool bin_versioned_text(struct bin_conv *c, const struct pg_type *t,
			const unsigned char *d, uint32_t len)
{
	if (len < 1)
		return bin_fail(c, "%s: no version byte", t->name);
	if (d[0] != 1)
		return bin_fail(c, "%s: unsupported version %u", t->name, d[0]);
	buf_put(c->out, d + 1, len - 1);
	return true;
}

bool bin_bytea(struct bin_conv *c, const struct pg_type *t,
	       const unsigned char *d, uint32_t len)
{
	(void)t;
	buf_puts(c->out, "\\x");
	bin_put_hex(c->out, d, len);
	return true;
}

bool bin_uuid(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 16))
		return false;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf_putc(c->out, '-');
		bin_put_hex(c->out, d + i, 1);
	}
	return true;
}

/* ---- text search ---- */

/* A lexeme or a query operand between single quotes, with ' doubled and
 * \ escaped, as tsvectorout and tsqueryout write them. */
static void put_lexeme(struct buf *b, const unsigned char *s, size_t n)
{
	buf_putc(b, '\'');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\'')
			buf_putc(b, '\'');
		else if (s[i] == '\\')
			buf_putc(b, '\\');
		buf_putc(b, (char)s[i]);
	}
	buf_putc(b, '\'');
}

/* tsvectorsend: Int32 count, then per lexeme its text and a NUL, UInt16
 * count of positions, and each as UInt16: weight in the top two bits (3
 * is A ... 0 is D, which is not printed), position in the rest. */
bool bin_tsvector(struct bin_conv *c, const struct pg_type *t,
		  const unsigned char *d, uint32_t len)
{
	if (!bin_want_min(c, t, len, 4))
		return false;
	uint32_t n = rd32(d), pos = 4;
	if (n > len)
		return bin_fail(c, "%s: %u lexemes in %u bytes", t->name, n,
				len);
	for (uint32_t i = 0; i < n; i++) {
		const unsigned char *word = d + pos;
		const unsigned char *nul = memchr(word, '\0', len - pos);
		if (!nul)
			return bin_fail(c, "%s: lexeme %u has no end", t->name,
					i + 1);
		pos += (uint32_t)(nul - word) + 1;
		if (len - pos < 2)
			return bin_fail(c, "%s: truncated", t->name);
		uint32_t npos = rd16(d + pos);
		pos += 2;
		if ((len - pos) / 2 < npos)
			return bin_fail(c, "%s: truncated", t->name);
		if (i)
			buf_putc(c->out, ' ');
		put_lexeme(c->out, word, (size_t)(nul - word));
		for (uint32_t j = 0; j < npos; j++, pos += 2) {
			uint16_t wp = rd16(d + pos);
			buf_printf(c->out, "%c%u", j ? ',' : ':', wp & 0x3fffu);
			if (wp >> 14)
				buf_putc(c->out, "DCBA"[wp >> 14]);
		}
	}
	if (pos != len)
		return bin_fail(c, "%s: %u bytes after the lexemes", t->name,
				len - pos);
	return true;
}

/* tsquery items, in the order tsquerysend writes them: an operator, then
 * its right operand, then its left. */
enum {
	TSQ_VAL = 1,
	TSQ_OPR = 2
};
enum {
	TSQ_NOT = 1,
	TSQ_AND = 2,
	TSQ_OR = 3,
	TSQ_PHRASE = 4
};

struct tsq_item {
	uint8_t type, oper, weight, prefix;
	int16_t distance;
	const unsigned char *operand;
	size_t operand_len;
	uint32_t left; /* index of an operator's left operand */
};

struct tsq {
	struct tsq_item *items;
	uint32_t n;
};

/* Checks the subtree at *at and finds each operator's left operand, as
 * tsqueryrecv's findoprnd does; *at ends past the subtree. */
static bool tsq_link(struct tsq *q, uint32_t *at, int depth)
{
	if (*at >= q->n || depth > 1000)
		return false;
	struct tsq_item *it = &q->items[(*at)++];
	if (it->type == TSQ_VAL)
		return true;
	if (it->oper == TSQ_NOT)
		return tsq_link(q, at, depth + 1);
	if (!tsq_link(q, at, depth + 1)) /* the right operand */
		return false;
	it->left = *at;
	return tsq_link(q, at, depth + 1);
}

static int tsq_priority(uint8_t oper)
{
	static const int priority[] = { 0, 4, 2, 1, 3 }; /* NOT AND OR PHRASE */
	return priority[oper];
}

/* tsqueryout's infix(): operators of lower priority than their parent's
 * in "( ... )", and a phrase operator as a right operand of another too. */
static void tsq_put(struct buf *b, const struct tsq *q, uint32_t i,
		    int parent_priority, bool right_phrase)
{
	const struct tsq_item *it = &q->items[i];
	if (it->type == TSQ_VAL) {
		put_lexeme(b, it->operand, it->operand_len);
		if (it->weight || it->prefix) {
			buf_putc(b, ':');
			if (it->prefix)
				buf_putc(b, '*');
			for (int bit = 3; bit >= 0; bit--)
				if (it->weight & (1 << bit))
					buf_putc(b, "DCBA"[bit]);
		}
		return;
	}
	int priority = tsq_priority(it->oper);
	if (it->oper == TSQ_NOT) {
		if (priority < parent_priority)
			buf_puts(b, "( ");
		buf_putc(b, '!');
		tsq_put(b, q, i + 1, priority, false);
		if (priority < parent_priority)
			buf_puts(b, " )");
		return;
	}
	bool parens = priority < parent_priority ||
		      (it->oper == TSQ_PHRASE && right_phrase);
	if (parens)
		buf_puts(b, "( ");
	tsq_put(b, q, it->left, priority, false);
	if (it->oper == TSQ_OR)
		buf_puts(b, " | ");
	else if (it->oper == TSQ_AND)
		buf_puts(b, " & ");
	else if (it->distance != 1)
		buf_printf(b, " <%d> ", it->distance);
	else
		buf_puts(b, " <-> ");
	tsq_put(b, q, i + 1, priority, it->oper == TSQ_PHRASE);
	if (parens)
		buf_puts(b, " )");
}

/* tsquerysend: Int32 count of items; an operand is Int8 1, Int8 weight
 * bits (8 A, 4 B, 2 C, 1 D), Int8 prefix flag and its text with a NUL;
 * an operator Int8 2, Int8 operator, and for a phrase Int16 distance. */
bool bin_tsquery(struct bin_conv *c, const struct pg_type *t,
		 const unsigned char *d, uint32_t len)
{
	if (!bin_want_min(c, t, len, 4))
		return false;
	uint32_t n = rd32(d), pos = 4;
	if (n > len / 2)
		return bin_fail(c, "%s: %u items in %u bytes", t->name, n, len);
	if (n == 0)
		return pos == len ||
		       bin_fail(c, "%s: bytes after an empty query", t->name);
	struct tsq q = { calloc(n, sizeof *q.items), n };
	if (!q.items)
		abort();
	bool ok = true;
	for (uint32_t i = 0; ok && i < n; i++) {
		struct tsq_item *it = &q.items[i];
		if (len - pos < 2) {
			ok = false;
			break;
		}
		it->type = d[pos++];
		if (it->type == TSQ_VAL) {
			if (len - pos < 3) {
				ok = false;
				break;
			}
			it->weight = d[pos++];
			it->prefix = d[pos++];
			it->operand = d + pos;
			const unsigned char *nul =
			    memchr(d + pos, '\0', len - pos);
			ok = nul && it->weight < 16;
			if (ok) {
				it->operand_len = (size_t)(nul - it->operand);
				pos += (uint32_t)it->operand_len + 1;
			}
		} else if (it->type == TSQ_OPR) {
			it->oper = d[pos++];
			ok = it->oper >= TSQ_NOT && it->oper <= TSQ_PHRASE;
			if (ok && it->oper == TSQ_PHRASE) {
				ok = len - pos >= 2;
				if (ok)
					it->distance = (int16_t)rd16(d + pos);
				pos += 2;
			}
		} else {
			ok = false;
		}
	}
	uint32_t end = 0;
	ok = ok && pos == len && tsq_link(&q, &end, 0) && end == n;
	if (ok)
		tsq_put(c->out, &q, 0, -1, false);
	free(q.items);
	return ok || bin_fail(c, "%s: malformed", t->name);
}
