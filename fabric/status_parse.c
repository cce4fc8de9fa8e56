#include "fabric/status_parse.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fabric/jsonr.h"

static struct jv *parse(const char *json)
{
	char err[128];

	return json ? jv_parse(json, err, sizeof(err)) : NULL;
}

static bool established(const struct jv *peer)
{
	const char *state = jv_str(jv_get(peer, "state"));

	return state && !strcmp(state, "Established");
}

/* {"peers":[{"peer":"swp1","state":"Established",...},...]} */
int sp_routerd_sessions(const char *json, struct sp_sessions *s)
{
	struct jv *root = parse(json);
	const struct jv *peers = jv_get(root, "peers");

	memset(s, 0, sizeof(*s));
	if (!peers || peers->type != JV_ARRAY) {
		jv_free(root);
		return -1;
	}
	s->total = peers->n_items;
	for (unsigned i = 0; i < peers->n_items; i++)
		s->up += established(&peers->items[i]);
	jv_free(root);
	return 0;
}

/* Is peer `name` Established in any address family of FRR's summary? */
static bool frr_peer_up(const struct jv *root, const char *name)
{
	for (unsigned i = 0; i < root->n_items; i++)
		if (established(jv_get(jv_get(&root->items[i], "peers"), name)))
			return true;
	return false;
}

/* Was peer `name` already listed under an earlier family than family f? */
static bool frr_seen(const struct jv *root, unsigned f, const char *name)
{
	for (unsigned i = 0; i < f; i++)
		if (jv_get(jv_get(&root->items[i], "peers"), name))
			return true;
	return false;
}

/* {"ipv4Unicast":{"peers":{"swp1":{"state":"Established"}}},"ipv6Unicast":{...}}:
 * one session per peer name, up when Established in any family. */
int sp_frr_sessions(const char *json, struct sp_sessions *s)
{
	struct jv *root = parse(json);

	memset(s, 0, sizeof(*s));
	if (!root || root->type != JV_OBJECT) {
		jv_free(root);
		return -1;
	}
	for (unsigned f = 0; f < root->n_items; f++) {
		const struct jv *peers = jv_get(&root->items[f], "peers");

		for (unsigned i = 0; i < jv_len(peers); i++) {
			const char *name = peers->items[i].key;

			if (frr_seen(root, f, name))
				continue;
			s->total++;
			s->up += frr_peer_up(root, name);
		}
	}
	jv_free(root);
	return 0;
}

/* "10.0.254.2" (a /32), "10.1.2.0/26"; "default" is 0.0.0.0/0. */
static int parse_dst(const char *s, uint32_t *dst, unsigned *plen)
{
	char addr[32];
	const char *slash = strchr(s, '/');
	struct in_addr in;
	size_t len = slash ? (size_t)(slash - s) : strlen(s);

	if (!strcmp(s, "default")) {
		*dst = 0;
		*plen = 0;
		return 0;
	}
	if (len >= sizeof(addr))
		return -1;
	memcpy(addr, s, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, &in) != 1)
		return -1;
	*dst = ntohl(in.s_addr);
	*plen = slash ? (unsigned)atoi(slash + 1) : 32;
	return *plen <= 32 ? 0 : -1;
}

static void read_route(const struct jv *e, struct sp_route *r)
{
	const char *proto = jv_str(jv_get(e, "protocol"));
	const struct jv *nexthops = jv_get(e, "nexthops");
	int64_t nhid;

	r->bgp = proto && !strcmp(proto, "bgp");
	r->nhid = jv_int(jv_get(e, "nhid"), 1, INT32_MAX, &nhid) == 0 ? (int)nhid : 0;
	if (nexthops && nexthops->type == JV_ARRAY)
		r->width = nexthops->n_items;
	else if (jv_get(e, "dev") || jv_get(e, "gateway") || jv_get(e, "via"))
		r->width = 1;
	else
		r->width = 0;
}

int sp_kernel_routes(const char *json, struct sp_routes *r)
{
	struct jv *root = parse(json);

	memset(r, 0, sizeof(*r));
	if (!root || root->type != JV_ARRAY) {
		jv_free(root);
		return -1;
	}
	r->v = calloc(root->n_items ? root->n_items : 1, sizeof(*r->v));
	for (unsigned i = 0; r->v && i < root->n_items; i++) {
		const char *dst = jv_str(jv_get(&root->items[i], "dst"));
		struct sp_route *x = &r->v[r->n];

		if (!dst || parse_dst(dst, &x->dst, &x->plen) < 0)
			continue;
		read_route(&root->items[i], x);
		r->n++;
	}
	jv_free(root);
	return r->v ? 0 : -1;
}

void sp_routes_free(struct sp_routes *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

struct sp_route *sp_find(const struct sp_routes *r, uint32_t dst, unsigned plen)
{
	for (unsigned i = 0; i < r->n; i++)
		if (r->v[i].dst == dst && r->v[i].plen == plen)
			return &r->v[i];
	return NULL;
}

unsigned sp_count_bgp(const struct sp_routes *r)
{
	unsigned n = 0;

	for (unsigned i = 0; i < r->n; i++)
		n += r->v[i].bgp;
	return n;
}

/* [{"id":23,"group":[{"id":21},{"id":22}],...}] or [{"id":21,"gateway":...}] */
int sp_nexthop_width(const char *json, unsigned *width)
{
	struct jv *root = parse(json);
	const struct jv *nh =
		root && root->type == JV_ARRAY && root->n_items ? &root->items[0] : NULL;
	const struct jv *group = jv_get(nh, "group");

	if (!nh) {
		jv_free(root);
		return -1;
	}
	*width = group && group->type == JV_ARRAY ? group->n_items : 1;
	jv_free(root);
	return 0;
}
