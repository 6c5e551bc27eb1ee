/* jsonlex — the one JSON tokenizer of walhook, for every reader of JSON
 * text (the wal2json decoder, walhook.json.decode): pure and
 * bounds-checked over one byte range, allocating nothing.
 *
 * A reader walks a document value by value: jsonlex_value reads a
 * string, number, true, false or null whole, or only the opening bracket
 * of an array or object, whose elements or members the reader then asks
 * for with jsonlex_element or jsonlex_member until they say the container
 * is closed. How many arrays and objects may be open at once is bounded.
 *
 * Strings are views of their text between the quotes, as written: checked
 * (escapes, surrogate pairs, no control characters) when read, and copied
 * out unescaped by jsonlex_unescape when they hold escapes. Numbers are the
 * text of their token, checked against JSON's grammar and never converted
 * here, so a numeric value keeps every digit.
 *
 * On a fault a function returns -1 and leaves in the lexer what went wrong
 * and the byte where; the reader reports it in its own terms, with
 * jsonlex_fault_text for the words. */
#ifndef WALHOOK_JSONLEX_H
#define WALHOOK_JSONLEX_H

#include <stdbool.h>
#include <stddef.h>

/* What a value is, told by its first bytes. */
enum jsonlex_kind {
	JSONLEX_END = 0, /* nothing but white space is left */
	JSONLEX_OBJECT = '{',
	JSONLEX_ARRAY = '[',
	JSONLEX_STRING = '"',
	JSONLEX_NUMBER = '0',
	JSONLEX_TRUE = 't',
	JSONLEX_FALSE = 'f',
	JSONLEX_NULL = 'n',
	JSONLEX_BAD = '?', /* no value starts here */
};

enum jsonlex_fault {
	JSONLEX_OK,
	JSONLEX_NO_VALUE,
	JSONLEX_NO_ELEMENT, /* the text ends where an element should be */
	JSONLEX_NO_KEY,
	JSONLEX_NO_COLON,
	JSONLEX_NO_MEMBER_SEP,
	JSONLEX_NO_ELEMENT_SEP,
	JSONLEX_END_IN_STRING,
	JSONLEX_CONTROL_CHAR,
	JSONLEX_BAD_ESCAPE,
	JSONLEX_LONE_LOW_SURROGATE,
	JSONLEX_LONE_HIGH_SURROGATE,
	JSONLEX_NO_DIGITS, /* a '-' without digits */
	JSONLEX_NO_FRACTION,
	JSONLEX_NO_EXPONENT,
	JSONLEX_TOO_DEEP,
};

struct jsonlex_token {
	enum jsonlex_kind kind;
	/* A view of the input: a string's text between its quotes, escapes
	 * as written; a number's token; true, false or null; a bracket. */
	const char *text;
	size_t len;
	bool escaped; /* a string with escapes: read it with jsonlex_unescape */
};

struct jsonlex {
	const char *start, *end;
	/* The next byte to read. A reader may move it on over text it reads
	 * itself (wal2json's unquoted type names), never back or past end. */
	const char *p;
	int depth;     /* arrays and objects open */
	int max_depth; /* opening one more is JSONLEX_TOO_DEEP */
	/* After a -1: what went wrong, and the byte where (end when the text
	 * stopped short). */
	enum jsonlex_fault fault;
	const char *fault_at;
};

/* Starts reading the n bytes at s, which must outlive every token. */
void jsonlex_init(struct jsonlex *lx, const char *s, size_t n, int max_depth);

/* Skips white space and tells what the next value is, without reading
 * it: by its first byte, but true, false and null only when the whole word
 * is there. */
enum jsonlex_kind jsonlex_peek(struct jsonlex *lx);

/* Reads the next value into t: a scalar whole, or the opening bracket of
 * an array or object (its contents come from jsonlex_element or
 * jsonlex_member). 0, or -1 on a fault. */
int jsonlex_value(struct jsonlex *lx, struct jsonlex_token *t);

/* The members of an object, after its '{': 1 with the member's name in
 * key and its ':' read (its value is next), 0 after the closing '}', -1 on
 * a fault. *first starts true and is the caller's to keep for the object. */
int jsonlex_member(struct jsonlex *lx, bool *first, struct jsonlex_token *key);

/* The elements of an array, after its '[': 1 when an element is next, 0
 * after the closing ']', -1 on a fault. *first as for jsonlex_member. */
int jsonlex_element(struct jsonlex *lx, bool *first);

/* Reads the next value whole, whatever it holds; 0 or -1. */
int jsonlex_skip(struct jsonlex *lx);

/* Skips white space, then reads the byte c if it is next. For the
 * readers of text that is not quite JSON (wal2json's stray comma). */
bool jsonlex_take(struct jsonlex *lx, char c);

/* Skips white space; is that the end of the text? */
bool jsonlex_at_end(struct jsonlex *lx);

/* Writes the text of the string t unescaped into out, which has room for
 * t->len bytes (no escape is shorter than what it stands for); returns its
 * length. t was checked when it was read, so this cannot fail. */
size_t jsonlex_unescape(const struct jsonlex_token *t, char *out);

/* The fault as words ("expected ':' after a member name"), written into
 * buf of n bytes; returns buf. */
const char *jsonlex_fault_text(const struct jsonlex *lx, char *buf, size_t n);

#endif
