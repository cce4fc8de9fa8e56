#include "routerd/lib/addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static size_t family_bytes(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

bool ipaddr_parse(const char *s, struct ipaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->bytes) == 1) {
		a->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, a->bytes) == 1) {
		a->family = AF_INET6;
		return true;
	}
	return false;
}

const char *ipaddr_fmt(const struct ipaddr *a, char *out, size_t outlen)
{
	if (!a->family || !inet_ntop(a->family, a->bytes, out, outlen))
		snprintf(out, outlen, "-");
	return out;
}

bool ipaddr_equal(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, family_bytes(a->family)) == 0;
}

bool ipaddr_is_unspec(const struct ipaddr *a)
{
	static const uint8_t zero[16];

	return !a->family || memcmp(a->bytes, zero, family_bytes(a->family)) == 0;
}

bool ipaddr_is_v6_linklocal(const struct ipaddr *a)
{
	return a->family == AF_INET6 && a->bytes[0] == 0xfe && (a->bytes[1] & 0xc0) == 0x80;
}

socklen_t ipaddr_to_sockaddr(const struct ipaddr *a, uint16_t port, uint32_t scope,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a->bytes, 4);
		return sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_scope_id = scope;
		memcpy(&sin6->sin6_addr, a->bytes, 16);
		return sizeof(*sin6);
	}
}

bool ipaddr_from_sockaddr(const struct sockaddr *sa, struct ipaddr *a, uint32_t *scope)
{
	memset(a, 0, sizeof(*a));
	if (scope)
		*scope = 0;
	if (sa->sa_family == AF_INET) {
		a->family = AF_INET;
		memcpy(a->bytes, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			a->family = AF_INET;
			memcpy(a->bytes, sin6->sin6_addr.s6_addr + 12, 4);
			return true;
		}
		a->family = AF_INET6;
		memcpy(a->bytes, &sin6->sin6_addr, 16);
		if (scope)
			*scope = sin6->sin6_scope_id;
		return true;
	}
	return false;
}

const char *router_id_fmt(uint32_t id, char *out, size_t outlen)
{
	snprintf(out, outlen, "%u.%u.%u.%u", id >> 24, (id >> 16) & 0xff, (id >> 8) & 0xff,
		 id & 0xff);
	return out;
}

bool prefix_parse(const char *s, struct prefix *p)
{
	char tmp[ADDR_STRLEN + 4];
	struct ipaddr a;
	char *slash, *end;
	long len;

	memset(p, 0, sizeof(*p));
	if (strlen(s) >= sizeof(tmp))
		return false;
	strcpy(tmp, s);
	slash = strchr(tmp, '/');
	if (!slash)
		return false;
	*slash = '\0';
	if (!ipaddr_parse(tmp, &a))
		return false;
	len = strtol(slash + 1, &end, 10);
	if (*end || end == slash + 1 || len < 0 || len > (a.family == AF_INET ? 32 : 128))
		return false;
	p->family = a.family;
	p->len = (uint8_t)len;
	memcpy(p->bytes, a.bytes, sizeof(p->bytes));
	return true;
}

const char *prefix_fmt(const struct prefix *p, char *out, size_t outlen)
{
	char a[ADDR_STRLEN];

	if (!p->family || !inet_ntop(p->family, p->bytes, a, sizeof(a)))
		snprintf(out, outlen, "-");
	else
		snprintf(out, outlen, "%s/%u", a, p->len);
	return out;
}

bool prefix_normalize(struct prefix *p)
{
	size_t nbytes = family_bytes(p->family);
	bool clean = true;

	for (size_t i = 0; i < nbytes; i++) {
		unsigned bits = p->len > i * 8 ? p->len - i * 8 : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		if (p->bytes[i] & ~mask)
			clean = false;
		p->bytes[i] &= mask;
	}
	return clean;
}

bool prefix_equal(const struct prefix *a, const struct prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       !memcmp(a->bytes, b->bytes, family_bytes(a->family));
}

bool prefix_within(const struct prefix *inner, const struct prefix *outer)
{
	struct prefix q = *inner;

	if (inner->family != outer->family || inner->len < outer->len)
		return false;
	q.len = outer->len;
	prefix_normalize(&q);
	return prefix_equal(&q, outer);
}
