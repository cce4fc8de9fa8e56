"""Routing policy end to end (docs/policy.md, docs/config.md#policy, docs/cli.md `clear bgp`).

The seeds' FRR configurations and their routerd translations are golden data under
tests/integration/data/: seed003-*.frr.conf are the seed's frr.conf files, seed003-*.routerd.json
and seed002-nva.routerd.json their routerd form (policy exactly as in the seeds).

1. Seed 003 (Clos, unnumbered, `redistribute connected route-map`): one lab holds the same
   leaf and the same spine twice, once as routerd, once as FRR running the seed's frr.conf:

        rd leaf L1 swp3 -- swp1 FRR spine S1 swp2 -- swp3 FRR leaf L2 swp4 -- swp1 rd spine S2

   L1 and L2 have identical interfaces (loopback /32s, subnets the prefix-list DC_LOCAL_SUBNET
   permits and subnets it does not), as have S1 and S2 (addresses on lo and off lo). FRR spine
   S1 must receive from the routerd leaf exactly the prefixes (and AS paths, origins) it
   receives from the FRR leaf; FRR leaf L2 from the routerd spine (`match interface lo`)
   exactly what it gets from the FRR spine. Then the same addresses are added and removed on
   both twins while running, and they must still agree.
2. Seed 002 (Azure NVA, traditional profile): routerd AS 65001 with the seed's two ARS peers
   on one segment (rmap-bogon-asns in, rmap-azure-asns out, soft-reconfiguration-inbound):
   10.0.210.4 is FRR (AS 65515, paths made with `set as-path prepend`), 10.0.210.5 is BIRD
   (FRR cannot prepend AS 0; BIRD sends `65515 0`, and has its AS-loop check off), plus an FRR
   "on-prem" router (AS 65002, permit-all maps on routerd). Bogon paths are rejected but still
   listed by received-routes (`65515 0` is malformed by RFC 7607 and never gets that far);
   nothing whose path holds 65515 goes to either ARS; the NVA's supernet and the AS 65002
   route do. Withdrawals leave received-routes and the table.
3. RFC 8212: the same NVA without route-maps exchanges nothing with an eBGP FRR ((Policy) in
   `show bgp summary`, policy-blocks-in/out in JSON); with route-map-in only, routes come in
   and none go out; with `ebgp-requires-policy: false` routes flow. (routerd is restarted
   with each file: reload is not under test here.)
4. ROUTE-REFRESH: `clear bgp PEER soft in` without soft-reconfiguration sends one (both sides
   count it), with it re-applies from the Adj-RIB-In and sends none; FRR's own `clear bgp soft
   in` makes routerd re-send its Adj-RIB-Out, sessions untouched.
5. `clear bgp PEER soft out` (and `soft`): the peer's table, Adj-RIB-In and table version are
   unchanged, the session not reset.

Tests 2, 4 and 5 share one lab (module fixture `nva`), in that order; the seed 003 tests share
the fixture `clos`. Checks poll; "nothing arrived" is checked after a barrier (UPDATE counters
equal on both ends, then two more KEEPALIVEs read by the peer).
"""

import json
import time
from pathlib import Path

import pytest

import netlab
from netlab import Bird, Frr, note, poll

DATA = Path(__file__).resolve().parent / "data"

FAST_TIMERS = {"keepalive": 3, "hold": 9, "connect-retry": 2}


def data_json(name):
    return json.loads((DATA / name).read_text())


def data_text(name):
    return (DATA / name).read_text()


def aspath(s):
    return " ".join((s or "").split())


@pytest.fixture(autouse=True)
def _binaries(routerd_binaries):
    return routerd_binaries


# --------------------------------------------------------------------------
# FRR and routerd views


def frr_meds(frr, peer, family=4):
    """{prefix: MED or None} of the paths FRR accepted from peer."""
    d = frr.vtysh_json(f"show bgp ipv{family} unicast neighbors {peer} routes json")
    return {prefix: paths[0].get("metric") for prefix, paths in (d.get("routes") or {}).items()}


def frr_routes_from(frr, peer, family=4):
    """{prefix: (as path, origin)} of the paths FRR accepted from peer (post-policy)
    (`show bgp ipvN unicast neighbors PEER routes json`)."""
    d = frr.vtysh_json(f"show bgp ipv{family} unicast neighbors {peer} routes json")
    out = {}
    for prefix, paths in (d.get("routes") or {}).items():
        for p in paths:
            if p.get("valid"):
                out[prefix] = (aspath(p.get("path")), p.get("origin"))
    return out


def frr_adj(frr, peer, which, family=4):
    """{prefix: as path} of FRR's `received-routes` (its soft-reconfiguration Adj-RIB-In:
    before policy and before its AS-loop check) or `advertised-routes`."""
    d = frr.vtysh_json(f"show bgp ipv{family} unicast neighbors {peer} {which} json")
    key = {"received-routes": "receivedRoutes", "advertised-routes": "advertisedRoutes"}[which]
    return {prefix: aspath(r.get("path")) for prefix, r in (d.get(key) or {}).items()}


def bird_routes_from(bird, peer):
    """{prefix: AS path} of BIRD's routes from its BGP protocol with peer."""
    proto = Bird.proto_name(peer)
    return {prefix: aspath(r.get("as_path")) for prefix, rs in bird.routes().items()
            for r in rs if r["proto"] == proto}


def frr_stats(frr, peer):
    n = frr.neighbor(peer)
    s = dict(n.get("messageStats", {}))
    s["connectionsEstablished"] = n.get("connectionsEstablished")
    s["connectionsDropped"] = n.get("connectionsDropped")
    s["upMsec"] = n.get("bgpTimerUpMsec")
    s["state"] = n.get("bgpState")
    return s


def frr_table_version(frr, family=4):
    return frr.vtysh_json(f"show bgp ipv{family} unicast json").get("tableVersion")


def rd_rib(rd, family=4):
    """{prefix: best path's AS path} of routerd's `show bgp ipvN unicast json`."""
    out = {}
    for prefix, paths in rd.routes(family).items():
        best = [p for p in paths if p.get("best")] or paths
        out[prefix] = aspath(best[0].get("as-path"))
    return out


def rd_adj(rd, peer, which):
    return {prefix: aspath(paths[0].get("as-path"))
            for prefix, paths in rd.neighbor_routes(peer, which).items()}


def rd_counters(rd, peer):
    n = rd.neighbor(peer)
    return {"sent": n["messages"]["sent"], "received": n["messages"]["received"],
            "established": n.get("connections-established"),
            "dropped": n.get("connections-dropped"), "uptime": n.get("uptime-seconds"),
            "state": n.get("state")}


def frr_keepalive_barrier(frr, peer, n=2, timeout=15):
    """Returns once FRR has received n more KEEPALIVEs from peer: everything routerd sent on
    that session before this call has then been read and processed by FRR (TCP keeps order;
    n=2 makes sure the keepalive counted was sent after the call, not already in flight)."""
    k0 = frr_stats(frr, peer)["keepalivesRecv"]
    poll(lambda: frr_stats(frr, peer)["keepalivesRecv"] >= k0 + n or False, timeout,
         interval=0.2, what=f"FRR on {frr.node.name}: {n} more keepalives from {peer}")


def log_lines(rd, needle, start=0):
    """routerd log lines from byte offset start that contain needle."""
    with open(rd.logs["routerd"], errors="replace") as f:
        f.seek(start)
        return [line.rstrip() for line in f if needle in line]


def log_size(rd):
    return Path(rd.logs["routerd"]).stat().st_size


# --------------------------------------------------------------------------
# 1. seed 003: routerd leaf / spine advertise what FRR does with the same config

LEAF_LO = ["10.0.254.1/32", "10.0.254.100/32"]
# interface -> addresses; the DC_LOCAL_SUBNET verdict of each connected prefix in the comment.
LEAF_STUBS = {
    "vlan10": ["10.1.1.1/26"],          # 10.1.1.0/26: permit (seq 5, ge 26)
    "vlan20": ["10.1.2.1/24"],          # 10.1.2.0/24: deny (shorter than ge 26)
    "vlan30": ["10.1.3.1/28"],          # 10.1.3.0/28: permit
    "vlan40": ["10.1.5.1/25"],          # 10.1.5.0/25: deny (25 < 26)
    "host1": ["10.1.4.1/32"],           # 10.1.4.1/32: permit (ge 26 reaches /32)
    "lo24": ["10.0.254.65/26"],         # 10.0.254.64/26: deny (seq 10 wants ge 32)
    "other": ["10.2.0.1/26"],           # 10.2.0.0/26: deny (outside 10.1.0.0/16)
    "mgmt": ["192.168.50.1/24"],        # 192.168.50.0/24: deny
}
LEAF_WANT = {"10.0.254.1/32", "10.0.254.100/32", "10.1.1.0/26", "10.1.3.0/28", "10.1.4.1/32"}

SPINE_LO = ["10.0.254.254/32", "10.0.253.1/32"]
SPINE_STUBS = {
    "eth9": ["10.1.9.1/26"],            # would pass DC_LOCAL_SUBNET, but it is not lo
    "host9": ["10.0.254.200/32"],       # a /32 like the loopback's, not on lo
    "mgmt": ["192.168.60.1/24"],
}
SPINE_WANT = {"10.0.254.254/32", "10.0.253.1/32"}


def clos_node(lab, name, lo, stubs):
    n = lab.node(name)
    n.exec("sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1")
    n.loopback(*lo)
    for ifname, addrs in stubs.items():
        n.stub(ifname, *addrs)
    return n


@pytest.fixture(scope="module")
def clos():
    lab = netlab.Lab("policy-clos")
    try:
        t0 = time.monotonic()
        l1 = clos_node(lab, "l1", LEAF_LO, LEAF_STUBS)     # routerd leaf
        s1 = clos_node(lab, "s1", SPINE_LO, SPINE_STUBS)   # FRR spine
        l2 = clos_node(lab, "l2", LEAF_LO, LEAF_STUBS)     # FRR leaf
        s2 = clos_node(lab, "s2", SPINE_LO, SPINE_STUBS)   # routerd spine
        lab.bare_link(s1, l1, "swp1", "swp3")
        lab.bare_link(s1, l2, "swp2", "swp3")
        lab.bare_link(l2, s2, "swp4", "swp1")
        c = type("Clos", (), {})()
        c.lab = lab
        c.s1 = s1.frr(data_text("seed003-spine.frr.conf")).wait_started()
        c.l2 = l2.frr(data_text("seed003-leaf.frr.conf")).wait_started()
        c.l1 = l1.routerd(data_json("seed003-leaf.routerd.json")).wait_ready()
        c.s2 = s2.routerd(data_json("seed003-spine.routerd.json")).wait_ready()

        def established():
            bad = []
            for frr, port in ((c.s1, "swp1"), (c.s1, "swp2"), (c.l2, "swp3"), (c.l2, "swp4")):
                st = frr.neighbor(port).get("bgpState")
                if st != "Established":
                    bad.append(f"FRR {frr.node.name} {port}: {st}")
            for rd, port in ((c.l1, "swp3"), (c.s2, "swp1")):
                st = rd.states().get(port)
                if st != "Established":
                    bad.append(f"routerd {rd.node.name} {port}: {st}")
            assert not bad, "; ".join(bad)
        poll(established, 30, interval=0.2, what="seed 003 fabric Established")
        note(f"policy clos: sessions Established {time.monotonic() - t0:.1f}s "
             f"after the lab started")
        yield c
    finally:
        errors = lab.teardown()
    if errors:
        pytest.fail("teardown: " + "; ".join(errors))


def compare_roles(frr, rd_port, frr_port, want, role, timeout=30):
    """Polls until FRR holds from rd_port (routerd) and frr_port (FRR) the same prefixes,
    both equal to want; returns the two views {prefix: (path, origin)}."""
    seen = {}

    def same():
        got_rd = frr_routes_from(frr, rd_port)
        got_frr = frr_routes_from(frr, frr_port)
        seen["rd"], seen["frr"] = got_rd, got_frr
        assert set(got_frr) == want, \
            f"FRR {role} ({frr_port}) advertises {sorted(got_frr)}, expected {sorted(want)}"
        assert set(got_rd) == set(got_frr), (
            f"{frr.node.name} receives from the routerd {role} ({rd_port}) {sorted(got_rd)}, "
            f"from the FRR {role} ({frr_port}) {sorted(got_frr)}: routerd only "
            f"{sorted(set(got_rd) - set(got_frr))}, FRR only {sorted(set(got_frr) - set(got_rd))}")
    poll(same, timeout, interval=0.3, what=f"seed 003 {role}: routerd advertises what FRR does")
    return seen["rd"], seen["frr"]


def note_meds(frr, rd_port, frr_port, role):
    """Not part of the acceptance point (prefixes): says whether MEDs agree. FRR 8.4 sends the
    redistributed route's metric (0 for connected routes) as MED."""
    m_rd, m_frr = frr_meds(frr, rd_port), frr_meds(frr, frr_port)
    if m_rd != m_frr:
        note(f"seed 003 {role}: MED differs (not asserted): routerd {m_rd}, FRR {m_frr}")


def test_seed003_leaf_advertises_what_frr_does(clos):
    got_rd, got_frr = compare_roles(clos.s1, "swp1", "swp2", LEAF_WANT, "leaf")
    # Same AS path and origin (incomplete, as redistributed routes are) on each prefix.
    assert got_rd == got_frr, f"routerd leaf {got_rd}\nFRR leaf {got_frr}"
    note_meds(clos.s1, "swp1", "swp2", "leaf")
    # routerd's own view of what it advertises agrees.
    adv = set(clos.l1.neighbor_routes("swp3", "advertised-routes"))
    assert adv == LEAF_WANT, f"routerd leaf advertised-routes {sorted(adv)}"


def test_seed003_spine_advertises_what_frr_does(clos):
    got_rd, got_frr = compare_roles(clos.l2, "swp4", "swp3", SPINE_WANT, "spine")
    assert got_rd == got_frr, f"routerd spine {got_rd}\nFRR spine {got_frr}"
    note_meds(clos.l2, "swp4", "swp3", "spine")
    # What the spine advertises to the leaf is its own lo prefixes only: the leaf's routes it
    # learned come back (sent back within the update group) or not, but never anything else.
    adv = set(clos.s2.neighbor_routes("swp1", "advertised-routes"))
    assert SPINE_WANT <= adv and adv - SPINE_WANT <= LEAF_WANT, \
        f"routerd spine advertised-routes {sorted(adv)}"


def test_seed003_follows_address_changes(clos):
    """Addresses added and removed while running go through the route-maps as at start:
    both implementations (the same changes on both twins) still agree."""
    leaf_add = {"vlan10": "10.1.6.1/27", "vlan20": "10.1.7.1/24"}   # permit, deny
    leaf_del = {"vlan30": "10.1.3.1/28"}                              # was permitted
    for node in (clos.l1.node, clos.l2.node):
        for ifname, a in leaf_add.items():
            node.exec("ip", "addr", "add", a, "dev", ifname)
        for ifname, a in leaf_del.items():
            node.exec("ip", "addr", "del", a, "dev", ifname)
    spine_add = {"lo": "10.0.252.1/32", "eth9": "10.1.10.1/26"}      # on lo: yes; eth9: no
    for node in (clos.s1.node, clos.s2.node):
        for ifname, a in spine_add.items():
            node.exec("ip", "addr", "add", a, "dev", ifname)
    leaf_want = (LEAF_WANT | {"10.1.6.0/27"}) - {"10.1.3.0/28"}
    spine_want = SPINE_WANT | {"10.0.252.1/32"}
    got_rd, got_frr = compare_roles(clos.s1, "swp1", "swp2", leaf_want, "leaf")
    assert got_rd == got_frr, f"routerd leaf {got_rd}\nFRR leaf {got_frr}"
    got_rd, got_frr = compare_roles(clos.l2, "swp4", "swp3", spine_want, "spine")
    assert got_rd == got_frr, f"routerd spine {got_rd}\nFRR spine {got_frr}"


# --------------------------------------------------------------------------
# 2, 4, 5. seed 002: the NVA between an Azure Route Server and an on-prem router

NVA_AS, ARS_AS, ONPREM_AS = 65001, 65515, 65002
ARS_ADDR, NVA_ARS_ADDR = "10.0.210.4", "10.0.210.1"    # seed 002's ARS addresses
ARS2_ADDR = "10.0.210.5"                               # its second ARS instance (BIRD here)
AS0_PREFIX = "10.69.0.0/16"                            # announced by ARS2 as `65515 0`
SUPERNET = "10.0.0.0/8"                                # `network 10.0.0.0/8`, lo 10.0.0.1/8

# What the ARS announces, and the AS path routerd sees: FRR prepends the extra ASNs, then 65515.
ARS_ROUTES = {
    "10.100.0.0/16": None,                     # 65515: Azure's own, accepted
    "10.200.0.0/16": "12076 65150",            # 65515 12076 65150: via ExpressRoute, accepted
    "10.201.0.0/16": "131072",                 # 65515 131072: not a bogon for this list
    "10.66.0.0/16": "23456",                   # 65515 23456: bogon (seq 10)
    "10.67.0.0/16": "131070",                  # 65515 131070: bogon (seq 15, 13107[0-1])
    "10.68.0.0/16": "131069",                  # 65515 131069: bogon (seq 15, 1310[0-6][0-9])
}
ARS_ACCEPTED = {"10.100.0.0/16", "10.200.0.0/16", "10.201.0.0/16"}
ARS_BOGONS = {"10.66.0.0/16", "10.67.0.0/16", "10.68.0.0/16"}
# What the on-prem router announces: a plain route, and one whose path holds 65515.
ONPREM_ROUTES = {"172.16.0.0/16": None, "172.17.0.0/16": "65515"}


def ars_path(prefix):
    extra = ARS_ROUTES[prefix]
    return f"{ARS_AS} {extra}" if extra else f"{ARS_AS}"


def onprem_path(prefix):
    extra = ONPREM_ROUTES[prefix]
    return f"{ONPREM_AS} {extra}" if extra else f"{ONPREM_AS}"


def prepend_maps(name, routes, family_kw="ip"):
    """FRR route-map `name` that prepends per prefix (routes: {prefix: "ASNs" or None})."""
    lines, seq = [], 10
    for i, (prefix, extra) in enumerate(sorted(routes.items())):
        if not extra:
            continue
        lines += [f"ip prefix-list {name}-{i} seq 5 permit {prefix}",
                  f"route-map {name} permit {seq}",
                  f" match {family_kw} address prefix-list {name}-{i}",
                  f" set as-path prepend {extra}", "exit"]
        seq += 10
    lines += [f"route-map {name} permit 1000", "exit"]
    return lines


def nva_conf(onprem_addr, with_policy=True, requires_policy=None):
    """Seed 002's NVA (data/seed002-nva.routerd.json) with lab timers, plus the on-prem peer
    (permit-all maps, as RFC 8212 wants some). with_policy=False drops every route-map."""
    conf = data_json("seed002-nva.routerd.json")
    top = conf["routerd:routerd"]
    bgp = top["bgp"]
    for n in bgp["neighbor"]:
        n["timers"] = dict(FAST_TIMERS)
    bgp["neighbor"].append({"peer": onprem_addr, "remote-as": ONPREM_AS,
                            "route-map-in": "PASS", "route-map-out": "PASS",
                            "timers": dict(FAST_TIMERS)})
    top["policy"]["route-map"].append({"name": "PASS", "entry": [{"seq": 10, "action": "permit"}]})
    if not with_policy:
        for n in bgp["neighbor"]:
            for k in ("route-map-in", "route-map-out"):
                n.pop(k, None)
    if requires_policy is not None:
        bgp["ebgp-requires-policy"] = requires_policy
    return conf


def ars_conf(nva_addr, soft_reconfig=True):
    ipv4 = [f"network {p}" for p in ARS_ROUTES] + [f"neighbor {nva_addr} route-map TO-NVA out"]
    if soft_reconfig:
        ipv4.append(f"neighbor {nva_addr} soft-reconfiguration inbound")
    return Frr.config("ars", "10.0.210.4", ARS_AS, [{"addr": nva_addr, "remote_as": NVA_AS}],
                      ipv4=ipv4, extra=prepend_maps("TO-NVA", ARS_ROUTES))


def onprem_conf(nva_addr):
    """On-prem FRR, no soft-reconfiguration; its inbound map RD-IN denies the NVA's supernet
    until test 4 removes that entry, and `bgp route-map delay-timer 0` keeps FRR from acting on
    route-map edits by itself: only an explicit `clear bgp ... soft in` brings the supernet in."""
    ipv4 = [f"network {p}" for p in ONPREM_ROUTES] + [
        f"neighbor {nva_addr} route-map TO-NVA out", f"neighbor {nva_addr} route-map RD-IN in"]
    extra = prepend_maps("TO-NVA", ONPREM_ROUTES) + [
        f"ip prefix-list SUPERNET seq 5 permit {SUPERNET}",
        "route-map RD-IN deny 5", " match ip address prefix-list SUPERNET", "exit",
        "route-map RD-IN permit 10", "exit", "bgp route-map delay-timer 0"]
    return Frr.config("onprem", "10.0.2.2", ONPREM_AS, [{"addr": nva_addr, "remote_as": NVA_AS}],
                      ipv4=ipv4, extra=extra)


def bird_ars_conf(nva_addr):
    """The seed's second ARS instance (10.0.210.5) as BIRD: FRR cannot prepend AS 0 (its
    `set as-path prepend` takes 1..4294967295), BIRD can, so this one announces `65515 0`.
    `allow local as` turns off BIRD's AS-loop check: a route with 65515 that routerd wrongly
    sent would show up in its table."""
    return f"""log "@DIR@/bird.log" all;
router id {ARS2_ADDR};
debug protocols {{ states, events }};
protocol device {{}}
protocol static s4 {{ ipv4; route {AS0_PREFIX} blackhole; }}
protocol bgp {Bird.proto_name(nva_addr)} {{
  local as {ARS_AS}; neighbor {nva_addr} as {NVA_AS};
  hold time 9; keepalive time 3; connect retry time 2; connect delay time 1;
  error wait time 1, 5;
  allow local as 10;
  ipv4 {{
    import all;
    export filter {{ if net = {AS0_PREFIX} then bgp_path.prepend(0); accept; }};
  }};
}}
"""


class Nva:
    def __init__(self, lab):
        self.lab = lab
        self.nva_node, self.ars_node, self.ars2_node, self.onprem_node = (
            lab.node("nva"), lab.node("ars"), lab.node("ars2"), lab.node("onprem"))
        # seed 002's RouteServerSubnet: the NVA and both ARS instances on one segment.
        lab.bridge([self.nva_node, self.ars_node, self.ars2_node], ifname="azure0", name="rss")
        for node, a in ((self.nva_node, NVA_ARS_ADDR), (self.ars_node, ARS_ADDR),
                        (self.ars2_node, ARS2_ADDR)):
            node.exec("ip", "addr", "add", f"{a}/24", "dev", "azure0")
        lo = lab.link(self.nva_node, self.onprem_node)
        self.onprem_addr, self.nva_onprem_addr = lo.b_v4, lo.a_v4
        # seed 002: `interface lo / ip address 10.0.0.1/8` satisfies the import check of
        # `network 10.0.0.0/8`.
        self.nva_node.loopback("10.0.0.1/8")
        self.ars = self.ars_node.frr(ars_conf(NVA_ARS_ADDR))
        self.onprem = self.onprem_node.frr(onprem_conf(self.nva_onprem_addr))
        self.ars2 = self.ars2_node.bird(bird_ars_conf(NVA_ARS_ADDR))
        self.ars.wait_ready()
        self.onprem.wait_ready()
        self.ars2.wait_ready()
        self.rd = self.nva_node.routerd(nva_conf(self.onprem_addr)).wait_ready()

    def wait_established(self, timeout=30):
        def check():
            bad = []
            for d, peer in ((self.rd, ARS_ADDR), (self.rd, ARS2_ADDR), (self.rd, self.onprem_addr),
                            (self.ars, NVA_ARS_ADDR), (self.ars2, NVA_ARS_ADDR),
                            (self.onprem, self.nva_onprem_addr)):
                s = d.session(peer)
                if s.state != "Established":
                    bad.append(f"{d.kind}@{d.node.name} -> {peer}: {s.state}")
            assert not bad, "; ".join(bad)
        poll(check, timeout, interval=0.2, what="NVA sessions Established")

    def caught_up(self):
        """Both FRRs have processed every UPDATE routerd sent them and routerd every UPDATE
        they sent (message counters equal on both ends of each session)."""
        for frr, at_frr, at_rd in ((self.ars, NVA_ARS_ADDR, ARS_ADDR),
                                   (self.onprem, self.nva_onprem_addr, self.onprem_addr)):
            f, r = frr_stats(frr, at_frr), rd_counters(self.rd, at_rd)
            assert f["updatesRecv"] == r["sent"]["update"], (
                f"{frr.node.name}: FRR read {f['updatesRecv']} UPDATEs, "
                f"routerd sent {r['sent']['update']}")
            assert f["updatesSent"] == r["received"]["update"], (
                f"{frr.node.name}: FRR sent {f['updatesSent']} UPDATEs, "
                f"routerd read {r['received']['update']}")

    def sessions(self):
        """Counters that change when a session resets: per side and peer."""
        return {"rd-ars": rd_counters(self.rd, ARS_ADDR),
                "rd-onprem": rd_counters(self.rd, self.onprem_addr),
                "ars": frr_stats(self.ars, NVA_ARS_ADDR),
                "onprem": frr_stats(self.onprem, self.nva_onprem_addr)}


def assert_not_reset(before, after):
    problems = []
    for k in ("rd-ars", "rd-onprem"):
        b, a = before[k], after[k]
        if a["state"] != "Established" or a["established"] != b["established"] or \
                a["dropped"] != b["dropped"] or a["uptime"] < b["uptime"]:
            keys = ("state", "established", "dropped", "uptime")
            problems.append(f"routerd {k}: before {({x: b[x] for x in keys})} "
                            f"after {({x: a[x] for x in keys})}")
    for k in ("ars", "onprem"):
        b, a = before[k], after[k]
        if a["state"] != "Established" or \
                a["connectionsEstablished"] != b["connectionsEstablished"] or \
                a["connectionsDropped"] != b["connectionsDropped"] or a["upMsec"] < b["upMsec"]:
            keys = ("state", "connectionsEstablished", "connectionsDropped", "upMsec")
            problems.append(f"FRR {k}: before {({x: b[x] for x in keys})} "
                            f"after {({x: a[x] for x in keys})}")
    assert not problems, "session reset:\n" + "\n".join(problems)


@pytest.fixture(scope="module")
def nva():
    lab = netlab.Lab("policy-nva")
    try:
        t0 = time.monotonic()
        n = Nva(lab)
        n.wait_established()
        note(f"policy nva: sessions Established {time.monotonic() - t0:.1f}s after the lab started")
        yield n
    finally:
        errors = lab.teardown()
    if errors:
        pytest.fail("teardown: " + "; ".join(errors))


def nva_converged(n):
    """Polls until the NVA lab shows the seed 002 policy's full effect; returns the views."""
    views = {}

    def check():
        rib = rd_rib(n.rd)
        recv_ars = rd_adj(n.rd, ARS_ADDR, "received-routes")
        views.update(rib=rib, recv_ars=recv_ars)
        # routerd holds Azure's accepted routes and the on-prem ones, its own supernet.
        for p in ARS_ACCEPTED:
            assert rib.get(p) == ars_path(p), \
                f"routerd: {p} path {rib.get(p)!r}, want {ars_path(p)!r}"
        for p in ONPREM_ROUTES:
            assert rib.get(p) == onprem_path(p), f"routerd: {p} path {rib.get(p)!r}"
        assert rib.get(SUPERNET) == "", \
            f"routerd: own {SUPERNET} missing or not local: {rib.get(SUPERNET)!r}"
        # received-routes (soft-reconfiguration inbound): everything the ARS sent, bogons too.
        want_recv = {p: ars_path(p) for p in ARS_ROUTES}
        assert recv_ars == want_recv, \
            f"routerd received-routes from the ARS {recv_ars}, ARS sent {want_recv}"
        n.caught_up()
        views.update(ars_table=frr_routes_from(n.ars, NVA_ARS_ADDR),
                     ars_adj_in=frr_adj(n.ars, NVA_ARS_ADDR, "received-routes"),
                     onprem_table=frr_routes_from(n.onprem, n.nva_onprem_addr))
        views["ars2_table"] = bird_routes_from(n.ars2, NVA_ARS_ADDR)
        assert views["ars2_table"], "the BIRD ARS has nothing from routerd yet"
        assert views["ars_table"], "the ARS has nothing from routerd yet"
        assert views["onprem_table"], "on-prem has nothing from routerd yet"
    poll(check, 30, interval=0.3, what="seed 002 policy converged")
    return views


def test_seed002_nva_policy(nva):
    n = nva
    v = nva_converged(n)
    rib = v["rib"]
    # Inbound, rmap-bogon-asns: bogon paths rejected (not in the table) though received.
    bogons_in_rib = {p: rib[p] for p in ARS_BOGONS if p in rib}
    assert not bogons_in_rib, f"bogon paths accepted by routerd: {bogons_in_rib}"
    assert ARS_BOGONS <= set(v["recv_ars"]), f"received-routes lacks bogons: {v['recv_ars']}"

    # Outbound, rmap-azure-asns: the ARS gets the supernet and the AS 65002 route, never a
    # path with 65515 (its Adj-RIB-In is kept before its own AS-loop check, so a route routerd
    # wrongly sent would be listed there).
    want_ars = {SUPERNET: f"{NVA_AS}", "172.16.0.0/16": f"{NVA_AS} {ONPREM_AS}"}
    assert v["ars_adj_in"] == want_ars, \
        f"ARS received from routerd {v['ars_adj_in']}, want {want_ars}"
    got = {p: path for p, (path, _) in v["ars_table"].items()}
    assert got == want_ars, f"ARS table from routerd {got}, want {want_ars}"
    # Still so once the ARS has read everything routerd sent until now.
    frr_keepalive_barrier(n.ars, NVA_ARS_ADDR)
    adj = frr_adj(n.ars, NVA_ARS_ADDR, "received-routes")
    assert adj == want_ars, f"ARS received from routerd {adj}, want {want_ars}"
    for peer in (ARS_ADDR, ARS2_ADDR):
        with_65515 = {p: a for p, a in rd_adj(n.rd, peer, "advertised-routes").items()
                      if str(ARS_AS) in a.split()}
        assert not with_65515, f"routerd advertised-routes to ARS {peer} hold 65515: {with_65515}"
    # The BIRD ARS (no AS-loop check) holds the same two routes.
    got = bird_routes_from(n.ars2, NVA_ARS_ADDR)
    assert got == want_ars, f"BIRD ARS table from routerd {got}, want {want_ars}"

    # `65515 0` (BIRD ARS): AS 0 makes the UPDATE malformed (RFC 7607, treat-as-withdraw per
    # RFC 7606) before any policy, as in FRR: neither in the table nor in received-routes.
    assert AS0_PREFIX not in rib, f"routerd accepted {AS0_PREFIX} ({rib[AS0_PREFIX]!r})"
    recv2 = rd_adj(n.rd, ARS2_ADDR, "received-routes")
    assert AS0_PREFIX not in recv2, f"received-routes from {ARS2_ADDR}: {recv2}"
    errs = n.rd.neighbor(ARS2_ADDR).get("update-errors", {})
    assert errs.get("treat-as-withdraw", 0) >= 1, f"update-errors from {ARS2_ADDR}: {errs}"
    assert log_lines(n.rd, f"event=update-error peer={ARS2_ADDR} action=treat-as-withdraw "
                           f"reason=as-path-as0"), "routerd logged no as-path-as0 update error"

    # On-prem (permit-all maps) gets Azure's accepted routes, never the rejected bogons; the
    # supernet is filtered by on-prem's own RD-IN until test 4.
    got = {p: path for p, (path, _) in v["onprem_table"].items()}
    want_onprem = {p: f"{NVA_AS} {ars_path(p)}" for p in ARS_ACCEPTED}
    assert got == want_onprem, f"on-prem table from routerd {got}, want {want_onprem}"

    # Policy present on both eBGP sessions: RFC 8212 blocks nothing. The prefix counts are
    # vtysh's: PfxRcd counts what the inbound policy accepted (FRR's pcount), not received-routes.
    peers = routerd_summary_peers(n.rd)
    for p in peers.values():
        assert p.get("policy-blocks-in") is False and p.get("policy-blocks-out") is False, p
    assert peers[ARS_ADDR].get("prefixes-received") == len(ARS_ACCEPTED), peers[ARS_ADDR]
    assert peers[ARS_ADDR].get("prefixes-sent") == len(want_ars), peers[ARS_ADDR]
    line, text = summary_line(n.rd, ARS_ADDR)
    assert line.split()[-3:-1] == [str(len(ARS_ACCEPTED)), str(len(want_ars))], text

    # Withdrawals keep the Adj-RIB-In right: a withdrawn bogon leaves received-routes, a
    # withdrawn accepted route leaves both; announced again, both come back as before.
    gone = {"10.66.0.0/16", "10.100.0.0/16"}
    n.ars.configure(f"router bgp {ARS_AS}", "address-family ipv4 unicast",
                    *[f"no network {p}" for p in sorted(gone)])

    def withdrawn():
        recv = rd_adj(n.rd, ARS_ADDR, "received-routes")
        want = {p: ars_path(p) for p in ARS_ROUTES if p not in gone}
        assert recv == want, f"received-routes {recv}, want {want}"
        rib = rd_rib(n.rd)
        assert "10.100.0.0/16" not in rib, f"routerd kept withdrawn 10.100.0.0/16: {rib}"
        got = {p for p in frr_routes_from(n.onprem, n.nva_onprem_addr)}
        assert "10.100.0.0/16" not in got, f"on-prem still has 10.100.0.0/16: {got}"
    poll(withdrawn, 15, what="ARS withdrawals seen through soft-reconfiguration")
    n.ars.configure(f"router bgp {ARS_AS}", "address-family ipv4 unicast",
                    *[f"network {p}" for p in sorted(gone)])
    v = nva_converged(n)
    assert not ARS_BOGONS & set(v["rib"]), f"bogons in routerd's table: {v['rib']}"


def routerd_summary_peers(rd):
    return {p["peer"]: p for p in rd.summary().get("peers", [])}


def test_route_refresh(nva):
    n = nva
    nva_converged(n)
    before = n.sessions()

    # (a) on-prem: no soft-reconfiguration inbound -> ROUTE-REFRESH, counted on both sides,
    # answered by FRR with its routes again.
    rr_sent0 = before["rd-onprem"]["sent"]["route-refresh"]
    frr_rr0 = before["onprem"]["routeRefreshRecv"]
    frr_upd0 = before["onprem"]["updatesSent"]
    mark = log_size(n.rd)
    out = n.rd.ctl("clear", "bgp", n.onprem_addr, "soft", "in").stdout
    assert "soft in done" in out, out
    assert rd_counters(n.rd, n.onprem_addr)["sent"]["route-refresh"] == rr_sent0 + 1, \
        f"routerd route-refresh sent counter after clear soft in: " \
        f"{rd_counters(n.rd, n.onprem_addr)['sent']}"

    def refreshed():
        s = frr_stats(n.onprem, n.nva_onprem_addr)
        assert s["routeRefreshRecv"] == frr_rr0 + 1, \
            f"on-prem FRR routeRefreshRecv {s['routeRefreshRecv']}, was {frr_rr0}"
        assert s["updatesSent"] > frr_upd0, f"on-prem FRR sent no UPDATE since ({s['updatesSent']})"
        n.caught_up()
    poll(refreshed, 10, what="on-prem FRR answered routerd's ROUTE-REFRESH")
    assert log_lines(n.rd, f"peer={n.onprem_addr} from=route-refresh", mark), \
        "routerd logged no soft-in from=route-refresh"
    rib = rd_rib(n.rd)
    assert all(rib.get(p) == onprem_path(p) for p in ONPREM_ROUTES), f"routerd table {rib}"

    # (b) ARS: soft-reconfiguration inbound -> re-applied from the Adj-RIB-In, no ROUTE-REFRESH.
    c0 = rd_counters(n.rd, ARS_ADDR)
    frr_rr0 = frr_stats(n.ars, NVA_ARS_ADDR)["routeRefreshRecv"]
    mark = log_size(n.rd)
    out = n.rd.ctl("clear", "bgp", ARS_ADDR, "soft", "in").stdout
    assert "soft in done" in out, out
    c1 = rd_counters(n.rd, ARS_ADDR)
    assert c1["sent"]["route-refresh"] == c0["sent"]["route-refresh"], \
        f"routerd sent a ROUTE-REFRESH despite soft-reconfiguration: {c0['sent']} -> {c1['sent']}"
    assert log_lines(n.rd, f"peer={ARS_ADDR} from=adj-rib-in", mark), \
        "routerd logged no soft-in from=adj-rib-in"
    frr_keepalive_barrier(n.ars, NVA_ARS_ADDR)
    assert frr_stats(n.ars, NVA_ARS_ADDR)["routeRefreshRecv"] == frr_rr0, \
        "the ARS received a ROUTE-REFRESH though routerd keeps its Adj-RIB-In"
    v = nva_converged(n)  # policy re-applied: same result
    assert not ARS_BOGONS & set(v["rib"]), f"bogons after soft in: {v['rib']}"

    # (c) ROUTE-REFRESH from FRR: on-prem drops its RD-IN entry that denied the supernet
    # (no automatic refresh: delay-timer 0), then `clear bgp soft in` without soft-reconfig:
    # only routerd re-sending its Adj-RIB-Out can bring the supernet in.
    assert SUPERNET not in frr_routes_from(n.onprem, n.nva_onprem_addr)
    n.onprem.configure("no route-map RD-IN deny 5")
    c0 = rd_counters(n.rd, n.onprem_addr)
    s0 = frr_stats(n.onprem, n.nva_onprem_addr)
    mark = log_size(n.rd)
    n.onprem.vtysh(f"clear bgp ipv4 unicast {n.nva_onprem_addr} soft in")

    def resent():
        s = frr_stats(n.onprem, n.nva_onprem_addr)
        assert s["routeRefreshSent"] == s0["routeRefreshSent"] + 1, \
            f"on-prem FRR routeRefreshSent {s['routeRefreshSent']} (was {s0['routeRefreshSent']})"
        c = rd_counters(n.rd, n.onprem_addr)
        assert c["received"]["route-refresh"] == c0["received"]["route-refresh"] + 1, \
            f"routerd route-refresh received {c['received']['route-refresh']}"
        assert s["updatesRecv"] > s0["updatesRecv"], \
            f"on-prem FRR received no UPDATE since the ROUTE-REFRESH ({s['updatesRecv']})"
        got = {p: path for p, (path, _) in frr_routes_from(n.onprem, n.nva_onprem_addr).items()}
        want = {p: f"{NVA_AS} {ars_path(p)}" for p in ARS_ACCEPTED}
        want[SUPERNET] = f"{NVA_AS}"
        assert got == want, f"on-prem table from routerd {got}, want {want}"
        # complete: every route routerd advertises that FRR can take (not its own back)
        adv = {p for p, a in rd_adj(n.rd, n.onprem_addr, "advertised-routes").items()
               if str(ONPREM_AS) not in a.split()}
        assert set(got) == adv, f"on-prem has {sorted(got)}, routerd advertises {sorted(adv)}"
    poll(resent, 10, what="routerd re-sent its Adj-RIB-Out after FRR's ROUTE-REFRESH")
    assert log_lines(n.rd, f"event=route-refresh-received peer={n.onprem_addr}", mark), \
        "routerd logged no route-refresh-received"
    assert_not_reset(before, n.sessions())


def test_soft_out(nva):
    n = nva
    nva_converged(n)
    before = n.sessions()
    tables = {"ars": (frr_routes_from(n.ars, NVA_ARS_ADDR),
                      frr_adj(n.ars, NVA_ARS_ADDR, "received-routes")),
              "onprem": (frr_routes_from(n.onprem, n.nva_onprem_addr), None)}
    versions = {"ars": frr_table_version(n.ars), "onprem": frr_table_version(n.onprem)}
    for name, frr, peer, at_frr in (("ars", n.ars, ARS_ADDR, NVA_ARS_ADDR),
                                    ("onprem", n.onprem, n.onprem_addr, n.nva_onprem_addr)):
        out = n.rd.ctl("clear", "bgp", peer, "soft", "out").stdout
        assert "soft out done" in out, out
        frr_keepalive_barrier(frr, at_frr)
        poll(n.caught_up, 10, what="UPDATE counters equal after soft out")
        after = frr_routes_from(frr, at_frr)
        assert after == tables[name][0], f"{name}: table from routerd changed by soft out:\n" \
                                         f"before {tables[name][0]}\nafter  {after}"
        if tables[name][1] is not None:
            adj = frr_adj(frr, at_frr, "received-routes")
            assert adj == tables[name][1], f"{name}: Adj-RIB-In changed: {tables[name][1]} -> {adj}"
        v = frr_table_version(frr)
        assert v == versions[name], \
            f"{name}: FRR's table version went {versions[name]} -> {v}: soft out changed routes"
    # `clear bgp PEER soft` is both: a ROUTE-REFRESH to on-prem (no soft-reconfiguration)
    # and the same Adj-RIB-Out again.
    c0 = rd_counters(n.rd, n.onprem_addr)
    out = n.rd.ctl("clear", "bgp", n.onprem_addr, "soft").stdout
    assert "soft both done" in out or "soft done" in out, out
    assert rd_counters(n.rd, n.onprem_addr)["sent"]["route-refresh"] == \
        c0["sent"]["route-refresh"] + 1
    frr_keepalive_barrier(n.onprem, n.nva_onprem_addr)
    poll(n.caught_up, 10, what="UPDATE counters equal after soft")
    assert frr_routes_from(n.onprem, n.nva_onprem_addr) == tables["onprem"][0]
    assert frr_table_version(n.onprem) == versions["onprem"]
    assert_not_reset(before, n.sessions())


# --------------------------------------------------------------------------
# 3. RFC 8212


def summary_line(rd, peer):
    text = rd.ctl("show", "bgp", "summary").stdout
    lines = [l for l in text.splitlines() if l.split() and l.split()[0] == peer]
    assert lines, f"no line for {peer} in:\n{text}"
    return lines[0], text


def restart(rd, conf, edit):
    """Stops routerd, applies edit to conf's bgp container, starts it with the new file."""
    rcs = rd.stop()
    assert rcs.get("routerd") == 0, rcs
    edit(conf["routerd:routerd"]["bgp"])
    rd.conf_path.write_text(json.dumps(conf, indent=2) + "\n")
    rd.start().wait_ready()


def test_rfc8212_ebgp_requires_policy(lab):
    rd_node, ars_node = lab.node("nva"), lab.node("ars")
    link = lab.link(rd_node, ars_node)
    rd_node.exec("ip", "addr", "add", f"{NVA_ARS_ADDR}/24", "dev", link.a_if)
    ars_node.exec("ip", "addr", "add", f"{ARS_ADDR}/24", "dev", link.b_if)
    rd_node.loopback("10.0.0.1/8")
    ars = ars_node.frr(ars_conf(NVA_ARS_ADDR, soft_reconfig=True)).wait_ready()

    # The NVA of seed 002, traditional profile, no route-map anywhere (only the ARS peer).
    conf = data_json("seed002-nva.routerd.json")
    bgp = conf["routerd:routerd"]["bgp"]
    bgp["neighbor"] = [nb for nb in bgp["neighbor"] if nb["peer"] == ARS_ADDR]
    for nb in bgp["neighbor"]:
        nb.pop("route-map-in")
        nb.pop("route-map-out")
        nb["timers"] = dict(FAST_TIMERS)
    rd = rd_node.routerd(conf).wait_ready()

    def established():
        assert rd.session(ARS_ADDR).state == "Established", rd.session(ARS_ADDR)
        assert ars.session(NVA_ARS_ADDR).state == "Established"
    poll(established, 30, what="NVA and ARS Established")

    # Both sides have something to send: routerd its supernet, FRR its six prefixes.
    poll(lambda: rd_rib(rd).get(SUPERNET) == "" or False, 10,
         what=f"routerd originates {SUPERNET}")
    poll(lambda: set(frr_adj(ars, NVA_ARS_ADDR, "advertised-routes")) == set(ARS_ROUTES) or False,
         15, what="the ARS advertises its prefixes to routerd")

    def summary_blocked():
        line, text = summary_line(rd, ARS_ADDR)
        f = line.split()
        assert f[-3:-1] == ["(Policy)", "(Policy)"], \
            f"State/PfxRcd and PfxSnt should be (Policy):\n{text}"
        p = routerd_summary_peers(rd)[ARS_ADDR]
        assert p.get("policy-blocks-in") is True and p.get("policy-blocks-out") is True, p
        assert p.get("state") == "Established", p
    poll(summary_blocked, 5, what="(Policy) in show bgp summary")

    # Nothing crossed: wait until FRR read every UPDATE routerd sent and routerd every one FRR
    # sent, and two keepalives more, then compare.
    def counters_equal():
        f, r = frr_stats(ars, NVA_ARS_ADDR), rd_counters(rd, ARS_ADDR)
        assert f["updatesSent"] >= 1 and f["updatesSent"] == r["received"]["update"], (f, r)
        assert f["updatesRecv"] == r["sent"]["update"], (f, r)
    poll(counters_equal, 10, what="UPDATE counters equal")
    frr_keepalive_barrier(ars, NVA_ARS_ADDR)
    counters_equal()
    rib = rd_rib(rd)
    leaked_in = sorted(set(rib) & set(ARS_ROUTES))
    assert not leaked_in, f"routerd accepted {leaked_in} without an inbound route-map (RFC 8212)"
    recv = rd_adj(rd, ARS_ADDR, "received-routes")
    assert recv == {p: ars_path(p) for p in ARS_ROUTES}, \
        f"received-routes (soft-reconfiguration keeps them before policy): {recv}"
    assert not frr_adj(ars, NVA_ARS_ADDR, "received-routes"), \
        f"the ARS received {frr_adj(ars, NVA_ARS_ADDR, 'received-routes')} " \
        "without an outbound route-map"
    assert not rd_adj(rd, ARS_ADDR, "advertised-routes"), "advertised-routes should be empty"
    p = routerd_summary_peers(rd)[ARS_ADDR]
    assert p.get("prefixes-received") == 0 and p.get("prefixes-sent") == 0, p

    # An inbound route-map only: routes come in (through it), none go out.
    restart(rd, conf, lambda b: b["neighbor"][0].update({"route-map-in": "rmap-bogon-asns"}))

    def in_only():
        rib = rd_rib(rd)
        got = {p: rib.get(p) for p in ARS_ROUTES if p in rib}
        assert got == {p: ars_path(p) for p in ARS_ACCEPTED}, f"routerd table {got}"
        p = routerd_summary_peers(rd)[ARS_ADDR]
        assert p.get("policy-blocks-in") is False and p.get("policy-blocks-out") is True, p
        line, text = summary_line(rd, ARS_ADDR)
        assert line.split()[-3:-1] == [str(len(ARS_ACCEPTED)), "(Policy)"], text
    poll(in_only, 30, what="route-map-in only: routes in, (Policy) out")
    frr_keepalive_barrier(ars, NVA_ARS_ADDR)
    assert not frr_adj(ars, NVA_ARS_ADDR, "received-routes"), \
        f"the ARS received {frr_adj(ars, NVA_ARS_ADDR, 'received-routes')} " \
        "without an outbound route-map"

    # No route-maps, "ebgp-requires-policy": false: everything flows.
    def no_policy(b):
        b["neighbor"][0].pop("route-map-in")
        b["ebgp-requires-policy"] = False
    restart(rd, conf, no_policy)

    def flowing():
        rib = rd_rib(rd)
        want = {p: ars_path(p) for p in ARS_ROUTES}
        got = {p: rib.get(p) for p in ARS_ROUTES}
        assert got == want, f"routerd table {got}"
        got = {p: path for p, (path, _) in frr_routes_from(ars, NVA_ARS_ADDR).items()}
        assert got == {SUPERNET: f"{NVA_AS}"}, f"ARS table from routerd {got}"
        p = routerd_summary_peers(rd)[ARS_ADDR]
        assert p.get("policy-blocks-in") is False and p.get("policy-blocks-out") is False, p
        line, text = summary_line(rd, ARS_ADDR)
        adv = rd_adj(rd, ARS_ADDR, "advertised-routes")
        assert SUPERNET in adv, f"advertised-routes {adv}"
        assert "(Policy)" not in line and \
            line.split()[-3:-1] == [str(len(ARS_ROUTES)), str(len(adv))], text
    poll(flowing, 30, what="routes flow with ebgp-requires-policy false")
