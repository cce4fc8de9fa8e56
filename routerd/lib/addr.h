/* Compact address and prefix value types: no heap, 20 bytes at most. */
#ifndef ROUTERD_LIB_ADDR_H
#define ROUTERD_LIB_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADDR_STRLEN 48 /* enough for an IPv6 address with %scope */

struct ipaddr {
	uint8_t family; /* AF_INET or AF_INET6; 0 = unset */
	uint8_t bytes[16];
};

struct prefix {
	uint8_t family;
	uint8_t len;
	uint8_t bytes[16];
};

bool ipaddr_parse(const char *s, struct ipaddr *a);
const char *ipaddr_fmt(const struct ipaddr *a, char *out, size_t outlen);
bool ipaddr_equal(const struct ipaddr *a, const struct ipaddr *b);
bool ipaddr_is_unspec(const struct ipaddr *a);
bool ipaddr_is_v6_linklocal(const struct ipaddr *a);
/* Converts to/from socket addresses (IPv4-mapped IPv6 is folded to IPv4). */
socklen_t ipaddr_to_sockaddr(const struct ipaddr *a, uint16_t port, uint32_t scope,
			     struct sockaddr_storage *ss);
bool ipaddr_from_sockaddr(const struct sockaddr *sa, struct ipaddr *a, uint32_t *scope);

/* A BGP identifier (host byte order) in dotted-quad form. */
const char *router_id_fmt(uint32_t id, char *out, size_t outlen);

bool prefix_parse(const char *s, struct prefix *p);
const char *prefix_fmt(const struct prefix *p, char *out, size_t outlen);
/* Zeroes host bits; returns false if any host bit was set. */
bool prefix_normalize(struct prefix *p);
/* Same family, length and bytes (both normalized). */
bool prefix_equal(const struct prefix *a, const struct prefix *b);
/* inner lies within outer (equal counts), same family. */
bool prefix_within(const struct prefix *inner, const struct prefix *outer);

#endif
