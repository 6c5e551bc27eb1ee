/* record — walhook's recording format: a replication stream captured as
 * received, replayed later through the same decoders and hooks with no
 * server.
 *
 * A recording is a header, then frames:
 *
 *   header  "WALHOOK\x01" (8 bytes) · u32 format version (1) ·
 *           u32 n · n bytes of text, NAME=VALUE lines (walhook version,
 *           time, system id, server version, slot, plugin, and one
 *           option=NAME=VALUE line per plugin option) · u32 CRC-32C of it
 *   frame   u8 type · u32 n · n bytes · u32 CRC-32C of type, n and bytes
 *           type 'd': one CopyData message as the server sent it
 *                     ('w' XLogData with its LSNs and send time, or 'k'
 *                     keepalive)
 *           type 'c': a (re)connection: NAME=VALUE lines of what
 *                     handle_connect gets
 *
 * All integers big-endian. A damaged frame is detected by its CRC, a cut
 * one by its length: the reader stops at the frame where the damage is. */
#ifndef WALHOOK_RECORD_H
#define WALHOOK_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/err.h"

#define RECORD_VERSION 1

enum record_frame {
	RECORD_COPYDATA = 'd',
	RECORD_CONNECT = 'c',
};

struct recorder {
	FILE *f;
	const char *path;
};

/* Creates path (replacing it) and writes the header. */
int recorder_open(struct recorder *r, const char *path, const char *header_text,
		  struct err *e);
int recorder_frame(struct recorder *r, enum record_frame type, const void *data,
		   uint32_t len, struct err *e);
/* Writes what is buffered and, when durable, syncs it to disk: called
 * before the server hears of a confirmed position, so the recording holds
 * everything the slot was told was taken. */
int recorder_flush(struct recorder *r, bool durable, struct err *e);
int recorder_close(struct recorder *r, struct err *e);

/* Reads with read(2) into a buffer of its own, so a frame costs no call
 * into the C library when it is already there. */
struct record_reader {
	int fd;
	const char *path;
	uint64_t frames;   /* frames read so far */
	long offset;	   /* where the next frame starts */
	long frame_offset; /* where the frame last read starts */
	/* The file's size when last asked (opened, or a frame claimed more
	 * than was left of it); -1 when it is no regular file. */
	long long size;
	struct buf in; /* bytes read from the file: in.data[pos..in.len) are
			* not handed out yet */
	size_t pos;
	/* The frame last read: a view into in, valid until the next call,
	 * followed by a NUL (where its checked checksum was), so a connect
	 * frame's text is a C string. */
	char *data;
	uint32_t len;
};

/* Opens a recording and reads its header text into header (NUL-ended).
 * r needs record_reader_close even when this fails. */
int record_reader_open(struct record_reader *r, const char *path,
		       struct buf *header, struct err *e);
/* 1 with the frame in *type and r->data, r->len; 0 at a clean end, -1 on
 * damage. */
int record_reader_next(struct record_reader *r, enum record_frame *type,
		       struct err *e);
void record_reader_close(struct record_reader *r);

/* The value of key in a header or connect frame's NAME=VALUE lines,
 * copied into out; "" when absent. Returns out. */
const char *record_kv(const char *text, const char *key, char *out,
		      size_t outlen);

/* Whether the file starts like a recording (as opposed to JSON lines). */
bool record_is_recording(const char *path);

#endif
