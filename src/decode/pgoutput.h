/* pgoutput — a pure decoder of PostgreSQL's pgoutput protocol, versions 1 to 4.
 *
 * Bytes in, one tagged message out: no I/O, no Lua. Strings, values and
 * arrays in a decoded message are views into the input buffer or into the
 * decoder's scratch space, valid until the next pgo_decode call on the same
 * decoder. The decoder's only state is whether it is inside a streamed block
 * (between Stream Start and Stream Stop), where messages carry an xid. */
#ifndef WALHOOK_PGOUTPUT_H
#define WALHOOK_PGOUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/values.h"

/* The values are the wire bytes themselves. */
enum pgo_kind {
	PGO_BEGIN = 'B',
	PGO_COMMIT = 'C',
	PGO_ORIGIN = 'O',
	PGO_RELATION = 'R',
	PGO_TYPE = 'Y',
	PGO_INSERT = 'I',
	PGO_UPDATE = 'U',
	PGO_DELETE = 'D',
	PGO_TRUNCATE = 'T',
	PGO_MESSAGE = 'M',
	PGO_STREAM_START = 'S',
	PGO_STREAM_STOP = 'E',
	PGO_STREAM_COMMIT = 'c',
	PGO_STREAM_ABORT = 'A',
	PGO_BEGIN_PREPARE = 'b',
	PGO_PREPARE = 'P',
	PGO_COMMIT_PREPARED = 'K',
	PGO_ROLLBACK_PREPARED = 'r',
	PGO_STREAM_PREPARE = 'p',
};

/* Never fails: "unknown" for bytes that are no message type. */
const char *pgo_kind_name(int kind);

#define PGO_TRUNCATE_CASCADE	      1
#define PGO_TRUNCATE_RESTART_IDENTITY 2
#define PGO_MESSAGE_TRANSACTIONAL     1
#define PGO_COLUMN_KEY		      1

struct pgo_tuple {
	uint16_t ncols;
	const struct datum *cols;
};

struct pgo_column {
	uint8_t flags; /* PGO_COLUMN_KEY */
	const char *name;
	uint32_t typoid;
	int32_t typmod;
};

struct pgo_msg {
	enum pgo_kind kind;
	/* Set for Relation, Type, changes, Truncate and Message inside a
	 * streamed block: the (sub)transaction the message belongs to. */
	bool has_xid;
	uint32_t xid;
	union {
		struct {
			uint64_t final_lsn;
			int64_t commit_time;
			uint32_t xid;
		} begin;
		struct {
			uint8_t flags;
			uint64_t commit_lsn;
			uint64_t end_lsn;
			int64_t commit_time;
		} commit;
		struct {
			uint64_t commit_lsn;
			const char *name;
		} origin;
		struct {
			uint32_t relid;
			const char *nspname; /* "" means pg_catalog */
			const char *relname;
			char replident; /* 'd', 'n', 'f' or 'i' */
			uint16_t ncols;
			const struct pgo_column *cols;
		} relation;
		struct {
			uint32_t typoid;
			const char *nspname;
			const char *typname;
		} type;
		/* Insert, Update and Delete. */
		struct {
			uint32_t relid;
			char
			    old_kind; /* 0 (none), 'K' (key) or 'O' (old row) */
			struct pgo_tuple old;
			struct pgo_tuple new; /* ncols 0 for Delete */
		} change;
		struct {
			uint8_t options; /* PGO_TRUNCATE_* */
			uint32_t nrels;
			const uint32_t *relids;
		} truncate;
		struct {
			uint8_t flags; /* PGO_MESSAGE_TRANSACTIONAL */
			uint64_t lsn;
			const char *prefix;
			uint32_t len;
			const char *content;
		} message;
		struct {
			uint32_t xid;
			bool first_segment;
		} stream_start;
		struct {
			uint32_t xid;
			uint8_t flags;
			uint64_t commit_lsn;
			uint64_t end_lsn;
			int64_t commit_time;
		} stream_commit;
		struct {
			uint32_t xid;
			uint32_t subxid;
			bool has_abort_lsn; /* protocol 4 with parallel
					       streaming */
			uint64_t abort_lsn;
			int64_t abort_time;
		} stream_abort;
		/* Begin Prepare, Prepare, Commit Prepared and Stream Prepare:
		 * lsn is the prepare or commit LSN, time its time. */
		struct {
			uint8_t flags;
			uint64_t lsn;
			uint64_t end_lsn;
			int64_t time;
			uint32_t xid;
			const char *gid;
		} prepare;
		struct {
			uint8_t flags;
			uint64_t prepare_end_lsn;
			uint64_t rollback_end_lsn;
			int64_t prepare_time;
			int64_t rollback_time;
			uint32_t xid;
			const char *gid;
		} rollback_prepared;
	};
};

struct pgo_decoder {
	/* Set by the caller before decoding: Stream Abort carries its LSN and
	 * time only with protocol 4 and streaming = parallel. */
	bool abort_has_lsn;
	bool in_stream;
	/* Scratch space, reused from message to message. */
	struct datum *vals;
	size_t vals_cap;
	struct pgo_column *cols;
	size_t cols_cap;
	uint32_t *relids;
	size_t relids_cap;
	char err[256];
};

void pgo_decoder_init(struct pgo_decoder *d);
/* Forgets the streamed-block state, as after a reconnect. */
void pgo_decoder_reset(struct pgo_decoder *d);
void pgo_decoder_free(struct pgo_decoder *d);

/* Decodes one message. 0 on success; -1 with a reason in d->err when the
 * message is truncated, too long, of an unknown type or breaks a protocol
 * rule (a nonzero flags byte, a bad tuple kind, a Stream Stop outside a
 * block). */
int pgo_decode(struct pgo_decoder *d, const uint8_t *buf, size_t len,
	       struct pgo_msg *out);

#endif
