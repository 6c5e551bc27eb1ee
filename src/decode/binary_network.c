/* binary_network — converters of the binary forms of network addresses
 * (inet, cidr, macaddr, macaddr8) and bit strings (bit, varbit), whose
 * texts spell out their bytes and bits (see binary_conv.h). */
#include "decode/binary_conv.h"

/* ---- network addresses ---- */

/* macaddr (6 bytes) and macaddr8 (8 bytes): hex pairs joined by ':'. */
bool bin_macaddr(struct bin_conv *c, const struct pg_type *t,
		 const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, t->oid == OID_MACADDR ? 6 : 8))
		return false;
	for (uint32_t i = 0; i < len; i++) {
		if (i)
			buf_putc(c->out, ':');
		bin_put_hex(c->out, d + i, 1);
	}
	return true;
}

/* The IPv6 text of inet_net_ntop: the longest run (the first of equal
 * ones) of two or more zero words becomes "::", and an address whose
 * first six words are zero, or five zeros and ffff, ends in dotted IPv4. */
static void put_ipv6(struct buf *b, const unsigned char *a)
{
	unsigned words[8];
	for (int i = 0; i < 8; i++)
		words[i] = rd16(a + 2 * i);
	int best = -1, best_len = 0, cur = -1, cur_len = 0;
	for (int i = 0; i <= 8; i++) {
		if (i < 8 && words[i] == 0) {
			if (cur < 0)
				cur = i, cur_len = 0;
			cur_len++;
		} else if (cur >= 0) {
			if (cur_len > best_len)
				best = cur, best_len = cur_len;
			cur = -1;
		}
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				buf_putc(b, ':');
			continue;
		}
		if (i != 0)
			buf_putc(b, ':');
		if (i == 6 && best == 0 &&
		    (best_len == 6 || (best_len == 5 && words[5] == 0xffff))) {
			buf_printf(b, "%u.%u.%u.%u", a[12], a[13], a[14],
				   a[15]);
			return;
		}
		buf_printf(b, "%x", words[i]);
	}
	if (best >= 0 && best + best_len == 8)
		buf_putc(b, ':');
}

/* Byte family (2 IPv4, 3 IPv6), Byte bits, Byte is_cidr (ignored, as
 * network_recv does: the type decides), Byte address length, address.
 * inet omits a full mask length, cidr always shows it. */
bool bin_inet(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	if (!bin_want_min(c, t, len, 4))
		return false;
	unsigned family = d[0], bits = d[1], nb = d[3];
	unsigned maxbits = family == 2 ? 32 : family == 3 ? 128 : 0;
	if (!maxbits)
		return bin_fail(c, "%s: invalid address family %u", t->name,
				family);
	if (bits > maxbits)
		return bin_fail(c, "%s: invalid bits %u", t->name, bits);
	if (nb != maxbits / 8 || len != 4 + nb)
		return bin_fail(c, "%s: invalid address length", t->name);
	if (family == 2)
		buf_printf(c->out, "%u.%u.%u.%u", d[4], d[5], d[6], d[7]);
	else
		put_ipv6(c->out, d + 4);
	if (bits != maxbits || t->oid == OID_CIDR)
		buf_printf(c->out, "/%u", bits);
	return true;
}

/* ---- bit strings ---- */

/* bit and varbit: Int32 bit count, then the bits, first one highest. */
bool bin_bits(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	if (!bin_want_min(c, t, len, 4))
		return false;
	int32_t nbits = (int32_t)rd32(d);
	if (nbits < 0 || len - 4 != ((uint32_t)nbits + 7) / 8)
		return bin_fail(c, "%s: %u bytes for %d bits", t->name, len,
				nbits);
	buf_reserve(c->out, (size_t)nbits);
	for (int32_t i = 0; i < nbits; i++)
		c->out->data[c->out->len++] =
		    d[4 + i / 8] & (0x80 >> (i % 8)) ? '1' : '0';
	return true;
}
