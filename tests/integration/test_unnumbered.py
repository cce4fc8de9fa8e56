"""Unnumbered BGP (seed 003, docs/unnumbered.md): sessions over IPv6 link-local addresses
learned from router advertisements, IPv4 routes over RFC 8950 next hops.

Every fabric port is a veth with no address but the kernel's link-local one; each router
has its loopback (10.0.0.N/32, 2001:db8:ff::N/128) on lo and redistributes connected, as
the FRR fabric of seed 003 does. Checks read routerd's view (routerctl JSON) and the
kernel's (`ip -j route|nexthop|neigh`), and poll until they converge; timings are printed
and repeated in the run's "measurements" section. Numbers are the issue's acceptance points.

  2. routerd <-> routerd over one veth: Established, loopbacks exchanged, ping between
     them, `via 169.254.0.1 onlink` and a PERMANENT 169.254.0.1 entry with the peer's MAC
  3. routerd <-> FRR 8.4 (seed 003's config), either side starting first
  4. routerd <-> BIRD 2 (`extended next hop on`, [::, LL] next hops); BIRD's own RAs carry
     no source link-layer address option, which ndra needs, so `ndra watch` advertises
     for BIRD's namespace, as radvd would next to a real BIRD
  5. three routerds on one bridge: a session with each other router (swp1, swp1:2),
     `via inet6 LLA` next hops, no 169.254.0.1 entry; one leaves, only its routes go
  6. two routerds over two veths: an ECMP group of two; one link down: its next hop and
     neighbor entry go, its session drops; link up: Established again within 1 s
  7. the peer changes its MAC: the PERMANENT entry follows within one RA interval
"""

import time
from datetime import datetime, timezone

import pytest

import netlab
from netlab import Frr, RouterD, note, poll, run

ONLINK_GW = "169.254.0.1"
RA_INTERVAL = 5  # the datacenter profile's default; every test runs with it


@pytest.fixture(autouse=True)
def _binaries(routerd_binaries):
    return routerd_binaries


# --------------------------------------------------------------------------
# helpers


def loopback(i, family=4):
    return f"10.0.0.{i}" if family == 4 else f"2001:db8:ff::{i}"


def fabric_node(lab, name, i):
    """A router namespace: forwarding on (a router ignores RAs for its own routing) and
    loopbacks 10.0.0.i/32 and 2001:db8:ff::i/128 on lo."""
    n = lab.node(name)
    n.exec("sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1")
    n.loopback(f"{loopback(i)}/32", f"{loopback(i, 6)}/128")
    n.index = i
    return n


def start_routerd(node, ports=("swp1",), **kw):
    rd = node.routerd(RouterD.unnumbered_config(loopback(node.index), 65000 + node.index,
                                                list(ports), **kw))
    return rd.wait_ready()


def wait_states(rd, want, timeout=15, what=None):
    """Polls until routerd's summary shows exactly the peers of want ({peer: state})."""
    def check():
        got = rd.states()
        assert got == want, f"{rd.node.name}: sessions {got}, want {want}"
    poll(check, timeout, interval=0.05, what=what or f"{rd.node.name}: sessions {want}")


def kernel_route(node, prefix, family=4):
    rs = node.ip_json(f"-{family}", "route", "show", "exact", prefix)
    assert rs, f"{node.name}: no kernel route {prefix}"
    assert len(rs) == 1, f"{node.name}: several kernel routes for {prefix}: {rs}"
    return rs[0]


def kernel_hops(node, prefix, family=4):
    """The next hops of the kernel route for prefix, resolved through nexthop objects and
    groups: sorted [(gateway, dev, onlink)] (gateway None for a device route), and the
    route itself."""
    r = kernel_route(node, prefix, family)
    if "nhid" not in r:
        hops = r.get("nexthops") or [r]
        return sorted(((_gw(h), h.get("dev"), "onlink" in h.get("flags", [])) for h in hops),
                      key=str), r
    nhs = {n["id"]: n for n in node.ip_json("nexthop", "show")}
    nh = nhs.get(r["nhid"])
    assert nh, f"{node.name}: {prefix} uses nexthop {r['nhid']}, not in the kernel: {nhs}"
    ids = [g["id"] for g in nh["group"]] if "group" in nh else [nh["id"]]
    hops = []
    for i in ids:
        assert i in nhs, f"{node.name}: group {nh['id']} member {i} not in the kernel"
        hops.append((nhs[i].get("gateway"), nhs[i].get("dev"), "onlink" in nhs[i].get("flags", [])))
    return sorted(hops, key=str), r


def _gw(h):
    if "gateway" in h:
        return h["gateway"]
    return (h.get("via") or {}).get("host")


def onlink_entries(node, dev=None):
    """The kernel's 169.254.0.1 neighbor entries (on dev, or on any device)."""
    args = ["neigh", "show", "to", ONLINK_GW] + (["dev", dev] if dev else [])
    return [n for n in node.ip_json(*args) if n.get("dst") == ONLINK_GW]


def wait_onlink_install(node, prefix, dev, peer_mac, timeout=5):
    """prefix goes via 169.254.0.1 dev onlink, and the only 169.254.0.1 entry on dev is
    PERMANENT with exactly peer_mac (proto bgp)."""
    def check():
        hops, r = kernel_hops(node, prefix)
        assert hops == [(ONLINK_GW, dev, True)], f"{node.name}: {prefix} next hops {hops}"
        assert r.get("protocol") == "bgp", f"{node.name}: {prefix} is not proto bgp: {r}"
        es = onlink_entries(node, dev)
        assert len(es) == 1, f"{node.name}: 169.254.0.1 entries on {dev}: {es}"
        e = es[0]
        assert e.get("state") == ["PERMANENT"], f"{node.name}: 169.254.0.1 entry {e}"
        assert e.get("lladdr") == peer_mac, \
            f"{node.name}: 169.254.0.1 lladdr {e.get('lladdr')}, peer's MAC is {peer_mac}"
        assert e.get("protocol") == "bgp", f"{node.name}: 169.254.0.1 entry {e}"
    poll(check, timeout, interval=0.05, what=f"{node.name}: {prefix} via 169.254.0.1 on {dev}")


def wait_ping(node, dst, src, timeout=5):
    poll(lambda: node.ping(dst, src) or False, timeout, interval=0.1,
         what=f"{node.name}: ping {dst} from {src}")


def rib_path(rd, prefix, family=4):
    """routerd's best path for prefix (from `show bgp ipvN unicast json`)."""
    d = rd.ctl_json("show", "bgp", f"ipv{family}", "unicast")
    for r in d.get("routes", []):
        if r["prefix"] == prefix:
            best = [p for p in r["paths"] if p.get("best")]
            assert best, f"{rd.node.name}: no best path for {prefix}: {r}"
            return best[0]
    raise AssertionError(f"{rd.node.name}: {prefix} not in the BGP table: {d}")


def rd_fib(rd, prefix):
    """routerd's installed route for prefix (`show ip route json`): (fib state, sorted
    [(next hop, interface)])."""
    for r in rd.ctl_json("show", "ip", "route").get("routes", []):
        if r["prefix"] == prefix:
            return r.get("fib"), sorted((h.get("ip"), h.get("interface")) for h in r["nexthops"])
    raise AssertionError(f"{rd.node.name}: {prefix} not in `show ip route`")


def log_time(path, needle, after):
    """Wall-clock time (epoch s) of the first routerd log line containing needle logged
    at or after `after` (epoch s), or None. routerd stamps lines in UTC, ms precision."""
    try:
        lines = open(path, errors="replace").read().splitlines()
    except OSError:
        return None
    for line in lines:
        if needle not in line:
            continue
        try:
            t = datetime.strptime(line.split()[0], "%Y-%m-%dT%H:%M:%S.%fZ")
        except ValueError:
            continue
        t = t.replace(tzinfo=timezone.utc).timestamp()
        if t >= after - 0.0005:
            return t
    return None


def monitor_time(path, needle):
    """Epoch time of the first `ip -ts monitor` line containing needle, or None."""
    try:
        lines = open(path, errors="replace").read().splitlines()
    except OSError:
        return None
    for line in lines:
        if needle in line and line.startswith("["):
            try:
                stamp = line[1:line.index("]")]  # local time, microseconds
                return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%f").timestamp()
            except ValueError:
                continue
    return None


def ms(seconds):
    return int(round(seconds * 1000))


def operstate(node, ifname):
    return node.ip_json("link", "show", "dev", ifname)[0].get("operstate")


# --------------------------------------------------------------------------
# 2. routerd <-> routerd over one veth


def test_routerd_pair(lab):
    r1, r2 = fabric_node(lab, "r1", 1), fabric_node(lab, "r2", 2)
    lab.bare_link(r1, r2)
    for n in (r1, r2):
        v4 = [a for x in n.ip_json("-4", "addr", "show", "dev", "swp1")
              for a in x.get("addr_info", [])]
        assert not v4, f"{n.name}/swp1 must have no IPv4 address: {v4}"
    info = {n.name: n.link_info("swp1") for n in (r1, r2)}

    t0 = time.monotonic()
    rd = {n.name: start_routerd(n) for n in (r1, r2)}
    for n in (r1, r2):
        wait_states(rd[n.name], {"swp1": "Established"})
    note(f"unnumbered routerd pair: both sessions Established {ms(time.monotonic() - t0)} ms "
         f"after the first routerd was started")

    for n, peer in ((r1, r2), (r2, r1)):
        # routerd's table: the peer's loopbacks, learned on swp1 with the peer's LLA as next hop.
        def learned(n=n, peer=peer):
            for fam in (4, 6):
                plen = 32 if fam == 4 else 128
                p = rib_path(rd[n.name], f"{loopback(peer.index, fam)}/{plen}", fam)
                assert p["peer"] == "swp1", p
                ll = p.get("nexthop-link-local") or p.get("nexthop")
                want = info[peer.name]["lla"]
                assert ll == want, f"{n.name}: next hop {p}, want {want}"
        poll(learned, 5, interval=0.05, what=f"{n.name} learned {peer.name}'s loopbacks")
        neigh = rd[n.name].neighbor("swp1")
        assert "extended-nexthop" in neigh.get("capabilities", {}).get("negotiated", []), neigh
        # The kernel: via 169.254.0.1 onlink, the PERMANENT entry naming the peer's MAC.
        wait_onlink_install(n, loopback(peer.index), "swp1", info[peer.name]["mac"])
        assert len(onlink_entries(n)) == 1, f"{n.name}: {onlink_entries(n)}"
        # IPv6 goes straight to the peer's link-local address.
        def v6(n=n, peer=peer):
            hops, _ = kernel_hops(n, loopback(peer.index, 6), 6)
            assert hops == [(info[peer.name]["lla"], "swp1", False)], f"{n.name}: {hops}"
        poll(v6, 5, interval=0.05, what=f"{n.name}: IPv6 loopback of {peer.name} via its LLA")

    for n, peer in ((r1, r2), (r2, r1)):
        for fam in (4, 6):
            wait_ping(n, loopback(peer.index, fam), loopback(n.index, fam))

    # The PERMANENT entry deleted behind routerd's back comes back (re-asserted every 2 s).
    r1.exec("ip", "neigh", "del", "169.254.0.1", "dev", "swp1")
    assert not onlink_entries(r1), f"r1: entry not deleted: {onlink_entries(r1)}"
    t_del = time.monotonic()
    wait_onlink_install(r1, loopback(r2.index), "swp1", info["r2"]["mac"])
    note(f"unnumbered: deleted 169.254.0.1 entry restored after {ms(time.monotonic() - t_del)} ms")
    wait_ping(r1, loopback(r2.index, 4), loopback(r1.index, 4))

    # SIGTERM: r1's routerd takes its routes and its 169.254.0.1 entry along; r2 drops
    # r1's routes and its own entry for r1 (its port has no router left).
    rcs = rd["r1"].stop()
    assert rcs.get("routerd") == 0, f"routerd on r1 exited {rcs}"
    for fam in (4, 6):
        left = r1.ip_json(f"-{fam}", "route", "show", "proto", "bgp")
        assert not left, f"r1: routes left behind by routerd: {left}"
    assert not onlink_entries(r1), f"r1: entry left behind: {onlink_entries(r1)}"

    def r2_clean():
        for fam in (4, 6):
            rs = r2.ip_json(f"-{fam}", "route", "show", "exact", loopback(1, fam))
            assert not rs, f"r2 still routes to r1: {rs}"
        assert not onlink_entries(r2), f"r2: {onlink_entries(r2)}"
    poll(r2_clean, 3, interval=0.05, what="r2 forgot r1")


# --------------------------------------------------------------------------
# 3. routerd <-> FRR


@pytest.mark.parametrize("order", ["frr-first", "frr-later"])
def test_frr(lab, order):
    rdn, frn = fabric_node(lab, "rd", 1), fabric_node(lab, "frr", 2)
    lab.bare_link(rdn, frn)
    info = {n.name: n.link_info("swp1") for n in (rdn, frn)}
    conf = Frr.unnumbered_config("frr", loopback(2), 65002, ["swp1"], ra_interval=RA_INTERVAL)

    if order == "frr-first":
        fr = frn.frr(conf).wait_started()
        t0 = time.time()
        rd = start_routerd(rdn)
        since = "routerd was started"
    else:
        rd = start_routerd(rdn)

        # FRR comes up once routerd is past its start burst (3 RAs 0.2 s apart), so routerd
        # must find FRR by FRR's RAs and FRR must learn routerd from routerd's answer.
        def burst_done():
            ifs = rd.ctl_json("show", "ndra", "neighbors").get("interfaces", [])
            tx = sum(i.get("tx-ra", 0) for i in ifs)
            assert tx >= 3, f"routerd sent {tx} RAs so far"
            assert "Established" not in rd.states().values(), f"before FRR runs: {rd.states()}"
        poll(burst_done, 5, interval=0.05, what="routerd past its initial RAs")
        t0 = time.time()
        fr = frn.frr(conf)
        since = "FRR was started"

    def both_established():
        assert rd.states() == {"swp1": "Established"}, f"routerd: {rd.states()}"
        s = fr.neighbor("swp1").get("bgpState")
        assert s == "Established", f"FRR: swp1 {s}"
    poll(both_established, 20, interval=0.05, what="routerd and FRR Established on swp1")
    t_est = log_time(rd.logs["routerd"], "event=session-established peer=swp1", t0)
    assert t_est, "routerd logged no session-established"
    dt = t_est - t0
    note(f"unnumbered routerd<->FRR ({order}): Established {ms(dt)} ms after {since}")
    assert dt <= RA_INTERVAL, f"Established {dt:.2f} s after {since}, more than one RA interval"

    # Both directions of routes, both families; FRR's kernel: via inet6 LLA (FRR 8.4 on
    # this kernel), routerd's: 169.254.0.1 onlink with FRR's MAC.
    def frr_learned():
        r = fr.vtysh_json("show ip route 10.0.0.1/32 json").get("10.0.0.1/32")
        assert r and r[0].get("installed"), f"FRR has no installed 10.0.0.1/32: {r}"
        hops, _ = kernel_hops(frn, loopback(1))
        assert [h[:2] for h in hops] in ([(info["rd"]["lla"], "swp1")], [(ONLINK_GW, "swp1")]), \
            f"FRR's kernel route to 10.0.0.1: {hops}"
        hops6, _ = kernel_hops(frn, loopback(1, 6), 6)
        assert [h[:2] for h in hops6] == [(info["rd"]["lla"], "swp1")], hops6
    poll(frr_learned, 10, interval=0.1, what="FRR installed routerd's loopbacks")
    wait_onlink_install(rdn, loopback(2), "swp1", info["frr"]["mac"], timeout=10)
    p = rib_path(rd, "10.0.0.2/32")
    assert p["peer"] == "swp1" and p["as-path"] == "65002", p
    poll(lambda: kernel_hops(rdn, loopback(2, 6), 6)[0] == [(info["frr"]["lla"], "swp1", False)]
         or False, 10, what="routerd: FRR's IPv6 loopback via FRR's LLA")

    for n, peer in ((rdn, frn), (frn, rdn)):
        for fam in (4, 6):
            wait_ping(n, loopback(peer.index, fam), loopback(n.index, fam))


# --------------------------------------------------------------------------
# 4. routerd <-> BIRD 2


class NdraSpeaker(netlab.Daemon):
    """`ndra watch` advertising on behalf of a daemon that sends no usable RAs."""

    kind = "ndra"

    def __init__(self, node, ifaces, interval=RA_INTERVAL):
        super().__init__(node, "ndra")
        self.argv = [netlab.BUILD / "ndra", "watch", "-i", interval] + list(ifaces)

    def start(self):
        self._spawn("ndra", self.argv)
        return self


def bird_conf(asn, router_id, peer_lla, peer_as, port="swp1"):
    return f"""log "@DIR@/bird.log" all;
router id {router_id};
debug protocols {{ states, events }};
protocol device {{ scan time 1; }}
protocol direct {{ ipv4; ipv6; interface "lo"; }}
protocol kernel {{ ipv4 {{ export where source = RTS_BGP; }}; }}
protocol kernel {{ ipv6 {{ export where source = RTS_BGP; }}; }}
protocol bgp routerd {{
  local as {asn};
  neighbor {peer_lla} % '{port}' as {peer_as};
  hold time 9; keepalive time 3; connect retry time 2; connect delay time 1;
  error wait time 1, 5;
  ipv4 {{ extended next hop on; import all; export where source = RTS_DEVICE; }};
  ipv6 {{ import all; export where source = RTS_DEVICE; }};
}}
"""


def test_bird(lab):
    rdn, bn = fabric_node(lab, "rd", 1), fabric_node(lab, "bird", 3)
    lab.bare_link(rdn, bn)
    info = {n.name: n.link_info("swp1") for n in (rdn, bn)}

    bird = bn.bird(bird_conf(65003, loopback(3), info["rd"]["lla"], 65001))
    bird.wait_listening()
    bn.add(NdraSpeaker(bn, ["swp1"])).start()
    t0 = time.time()
    rd = start_routerd(rdn)

    def established():
        assert rd.states() == {"swp1": "Established"}, f"routerd: {rd.states()}"
        s = bird.protocols().get("routerd", {}).get("BGP state")
        assert s == "Established", f"BIRD: {s}"
    poll(established, 15, interval=0.05, what="routerd and BIRD Established")
    t_est = log_time(rd.logs["routerd"], "event=session-established peer=swp1", t0)
    note(f"unnumbered routerd<->BIRD: Established {ms(t_est - t0)} ms after routerd was started")
    n = rd.neighbor("swp1")
    assert "extended-nexthop" in n.get("capabilities", {}).get("negotiated", []), n
    assert n.get("remote-as") == 65003, n

    # BIRD learned routerd's loopback with the [::, LL] next hop and installed it via inet6.
    def bird_learned():
        rs = bird.birdc("show", "route", "for", "10.0.0.1/32", "all")
        assert "BGP.next_hop" in rs, f"BIRD has no BGP route to 10.0.0.1: {rs}"
        nh = [l.split(":", 1)[1].split() for l in rs.splitlines() if "BGP.next_hop" in l][0]
        assert info["rd"]["lla"] in nh, f"BIRD's next hop for 10.0.0.1: {nh}"
        hops, _ = kernel_hops(bn, loopback(1))
        assert [h[:2] for h in hops] == [(info["rd"]["lla"], "swp1")], f"BIRD's kernel: {hops}"
        hops6, _ = kernel_hops(bn, loopback(1, 6), 6)
        assert [h[:2] for h in hops6] == [(info["rd"]["lla"], "swp1")], f"BIRD's kernel: {hops6}"
    poll(bird_learned, 10, interval=0.1, what="BIRD installed routerd's loopbacks")

    # routerd learned BIRD's, next hop [::, LL] (BIRD's form) -> 169.254.0.1 with BIRD's MAC.
    def rd_learned():
        p = rib_path(rd, "10.0.0.3/32")
        assert p["peer"] == "swp1" and p["as-path"] == "65003", p
        # BIRD's form: 32 bytes, the global half unspecified.
        assert p.get("nexthop") == "::" and p.get("nexthop-link-local") == info["bird"]["lla"], p
    poll(rd_learned, 5, interval=0.05, what="routerd learned BIRD's loopback")
    wait_onlink_install(rdn, loopback(3), "swp1", info["bird"]["mac"])
    poll(lambda: kernel_hops(rdn, loopback(3, 6), 6)[0] == [(info["bird"]["lla"], "swp1", False)]
         or False, 5, what="routerd: BIRD's IPv6 loopback via BIRD's LLA")

    for n, peer in ((rdn, bn), (bn, rdn)):
        for fam in (4, 6):
            wait_ping(n, loopback(peer.index, fam), loopback(n.index, fam))


# --------------------------------------------------------------------------
# 5. three routers on one bridge


@pytest.mark.parametrize("leave", ["sigterm", "sigkill"])
def test_shared_segment(lab, leave):
    nodes = [fabric_node(lab, f"r{i}", i) for i in (1, 2, 3)]
    lab.bridge(nodes)
    info = {n.name: n.link_info("swp1") for n in nodes}
    rd = {n.name: start_routerd(n) for n in nodes}
    t0 = time.monotonic()
    both = {"swp1": "Established", "swp1:2": "Established"}
    for n in nodes:
        wait_states(rd[n.name], both, timeout=20)
    note(f"unnumbered bridge: all 6 sessions Established {ms(time.monotonic() - t0)} ms "
         f"after the third routerd answered")

    # Each session is bound to a different router (by its LLA).
    for n in nodes:
        bound = {e["session"]: e["link-local"]
                 for e in rd[n.name].ctl_json("show", "ndra", "neighbors")["neighbors"]}
        want = {info[o.name]["lla"] for o in nodes if o is not n}
        assert set(bound) == {"swp1", "swp1:2"} and set(bound.values()) == want, \
            f"{n.name}: ndra bindings {bound}, want the LLAs {want}"

    def via_inet6(n, others):
        """Every other router's loopbacks via inet6 <its LLA> dev swp1; no 169.254.0.1."""
        for o in others:
            for fam in (4, 6):
                hops, r = kernel_hops(n, loopback(o.index, fam), fam)
                assert hops == [(info[o.name]["lla"], "swp1", False)], \
                    f"{n.name}: {loopback(o.index, fam)} via {hops}, " \
                    f"want inet6 {info[o.name]['lla']}"
                if fam == 4 and "nhid" not in r:
                    assert (r.get("via") or {}).get("family") == "inet6", r
        es = onlink_entries(n, "swp1")
        assert not es, f"{n.name}: 169.254.0.1 entry on a shared segment: {es}"

    for n in nodes:
        others = [o for o in nodes if o is not n]
        poll(lambda n=n, others=others: via_inet6(n, others), 10, interval=0.1,
             what=f"{n.name}: IPv4 and IPv6 routes via inet6 gateways")
        r = kernel_route(n, loopback(others[0].index))
        txt = n.exec("ip", "route", "show", "exact", loopback(others[0].index)).stdout
        assert "via inet6" in txt, f"{n.name}: {txt!r} ({r})"
        for o in others:
            wait_ping(n, loopback(o.index), loopback(n.index))

    # r1 leaves. SIGTERM: a Cease and a final RA with lifetime 0, so at once. SIGKILL: not a
    # word; the sessions end when the hold timer (9 s) expires and ndra forgets r1 when its
    # router lifetime (15 s) runs out. Either way only r1's routes may go.
    t_stop = time.monotonic()
    if leave == "sigterm":
        rcs = rd["r1"].stop()
        assert rcs.get("routerd") == 0, f"routerd on r1 exited {rcs}"
    else:
        p = rd["r1"].main_proc()
        p.kill()
        p.wait(5)
    gone_within = 5 if leave == "sigterm" else 9 + 3
    for n, other in ((nodes[1], nodes[2]), (nodes[2], nodes[1])):
        def r1_gone(n=n):
            for fam in (4, 6):
                rs = n.ip_json(f"-{fam}", "route", "show", "exact", loopback(1, fam))
                assert not rs, f"{n.name} still routes to r1: {rs}"
            # The port's first slot (swp1) stays listed when unbound, as FRR lists an
            # interface neighbor it has not found; one session only may remain up.
            st = rd[n.name].states()
            assert list(st.values()).count("Established") == 1, st
            assert set(st) <= {"swp1", "swp1:2"}, st
        poll(r1_gone, gone_within, interval=0.02, what=f"{n.name} dropped r1")
        note(f"unnumbered bridge ({leave}): {n.name} removed r1's routes "
             f"{ms(time.monotonic() - t_stop)} ms after r1's routerd got {leave.upper()}")
        # The survivor's routes stay; with one router left on the segment they may switch
        # to 169.254.0.1, whose entry must then name the survivor, never r1.
        def survivor_ok(n=n, other=other):
            hops, _ = kernel_hops(n, loopback(other.index))
            if hops == [(ONLINK_GW, "swp1", True)]:
                es = onlink_entries(n, "swp1")
                assert [(e.get("lladdr"), e.get("state")) for e in es] == \
                    [(info[other.name]["mac"], ["PERMANENT"])], f"{n.name}: {es}"
            else:
                assert hops == [(info[other.name]["lla"], "swp1", False)], f"{n.name}: {hops}"
                assert not onlink_entries(n, "swp1"), f"{n.name}: {onlink_entries(n, 'swp1')}"
            hops6, _ = kernel_hops(n, loopback(other.index, 6), 6)
            assert hops6 == [(info[other.name]["lla"], "swp1", False)], f"{n.name}: {hops6}"
        poll(survivor_ok, 5, interval=0.05, what=f"{n.name} keeps {other.name}'s routes")
        mode = "169.254.0.1 onlink" if kernel_hops(n, loopback(other.index))[0][0][0] == ONLINK_GW \
            else "via inet6"
        note(f"unnumbered bridge ({leave}): after r1 left, {n.name} reaches {other.name} {mode}")
        wait_ping(n, loopback(other.index), loopback(n.index))
        assert not any(e.get("lladdr") == info["r1"]["mac"] for e in onlink_entries(n)), \
            f"{n.name}: an entry still names r1's MAC: {onlink_entries(n)}"

    # r1 comes back: three routers again, so every route goes back to inet6 gateways and the
    # 169.254.0.1 entry a survivor may have installed meanwhile must go.
    t_back = time.monotonic()
    rd["r1"].start().wait_ready()
    for n in nodes:
        wait_states(rd[n.name], both, timeout=10, what=f"{n.name}: both sessions after r1 is back")
    note(f"unnumbered bridge ({leave}): r1 restarted, all 6 sessions Established again "
         f"{ms(time.monotonic() - t_back)} ms later")
    for n in nodes:
        others = [o for o in nodes if o is not n]
        poll(lambda n=n, others=others: via_inet6(n, others), 5, interval=0.05,
             what=f"{n.name}: via inet6 again once r1 is back")
        for o in others:
            wait_ping(n, loopback(o.index), loopback(n.index))


# --------------------------------------------------------------------------
# 6. ECMP over two links; one goes down and comes back


def test_ecmp_link_down_up(lab):
    r1, r2 = fabric_node(lab, "r1", 1), fabric_node(lab, "r2", 2)
    for p in ("swp1", "swp2"):
        lab.bare_link(r1, r2, p, p)
    info = {(n.name, p): n.link_info(p) for n in (r1, r2) for p in ("swp1", "swp2")}
    rd = {n.name: start_routerd(n, ports=("swp1", "swp2")) for n in (r1, r2)}
    up = {"swp1": "Established", "swp2": "Established"}
    for n in (r1, r2):
        wait_states(rd[n.name], up)
    pairs = ((r1, r2), (r2, r1))

    def width2(n, peer):
        hops, r = kernel_hops(n, loopback(peer.index))
        assert hops == [(ONLINK_GW, "swp1", True), (ONLINK_GW, "swp2", True)], \
            f"{n.name}: {loopback(peer.index)} via {hops}"
        nh = {x["id"]: x for x in n.ip_json("nexthop", "show")}[r["nhid"]]
        assert len(nh.get("group", [])) == 2, f"{n.name}: nexthop {nh} is not a group of 2"
        f = rd_fib(rd[n.name], f"{loopback(peer.index)}/32")
        assert f == ("installed", [(ONLINK_GW, "swp1"), (ONLINK_GW, "swp2")]), f"{n.name}: {f}"
        for p in ("swp1", "swp2"):
            es = onlink_entries(n, p)
            assert [(e.get("lladdr"), e.get("state")) for e in es] == \
                [(info[(peer.name, p)]["mac"], ["PERMANENT"])], f"{n.name}/{p}: {es}"
    for n, peer in pairs:
        poll(lambda n=n, peer=peer: width2(n, peer), 10, interval=0.05,
             what=f"{n.name}: ECMP group of 2 to {peer.name}")
        wait_ping(n, loopback(peer.index), loopback(n.index))

    # --- link down, from r1's side. Tight poll on the kernels (ip -n, a few ms a round).
    def swp1_gone(n, peer):
        hops, _ = kernel_hops(n, loopback(peer.index))
        return hops == [(ONLINK_GW, "swp2", True)]

    t_cmd = time.monotonic()
    run(["ip", "-n", r1.ns, "link", "set", "swp1", "down"])
    seen = {}
    deadline = t_cmd + 3
    while time.monotonic() < deadline and len(seen) < 3:
        now = time.monotonic()
        if "r1-nh" not in seen and swp1_gone(r1, r2):
            seen["r1-nh"] = now - t_cmd
        if "r2-oper" not in seen and operstate(r2, "swp1") != "UP":
            seen["r2-oper"] = now - t_cmd
        if "r2-nh" not in seen and swp1_gone(r2, r1):
            seen["r2-nh"] = now - t_cmd
    assert "r1-nh" in seen, f"r1: swp1 next hop still there 3 s after link down: " \
                            f"{kernel_hops(r1, loopback(2))[0]}"
    note(f"unnumbered ECMP link down: r1 (ip link set down there) lost the swp1 next hop "
         f"{ms(seen['r1-nh'])} ms after the command")
    assert seen["r1-nh"] <= 0.100, f"swp1 next hop gone after {ms(seen['r1-nh'])} ms"
    assert "r2-oper" in seen and "r2-nh" in seen, f"r2 side after 3 s: {seen}"
    note(f"unnumbered ECMP link down: r2 (carrier loss) lost the swp1 next hop "
         f"{ms(seen['r2-nh'] - seen['r2-oper'])} ms after its kernel reported swp1 down "
         f"({ms(seen['r2-nh'])} ms after the command; linkwatch delays carrier news up to 1 s)")
    assert seen["r2-nh"] - seen["r2-oper"] <= 0.100

    for n, peer in pairs:
        def swp1_down(n=n, peer=peer):
            st = rd[n.name].states()
            assert st.get("swp1") != "Established" and st.get("swp2") == "Established", \
                f"{n.name}: {st}"
            assert not onlink_entries(n, "swp1"), f"{n.name}: {onlink_entries(n, 'swp1')}"
            assert swp1_gone(n, peer), f"{n.name}: {kernel_hops(n, loopback(peer.index))[0]}"
            f = rd_fib(rd[n.name], f"{loopback(peer.index)}/32")
            assert f == ("installed", [(ONLINK_GW, "swp2")]), f"{n.name}: routerd's view {f}"
        poll(swp1_down, 3, interval=0.02, what=f"{n.name}: swp1 session and entry gone")
        note(f"unnumbered ECMP link down: {n.name} session on swp1 down and its 169.254.0.1 "
             f"entry removed {ms(time.monotonic() - t_cmd)} ms after the command (polled)")
        wait_ping(n, loopback(peer.index), loopback(n.index))
    # Nothing puts the swp1 entry back while the link is down (the re-assert timer runs
    # every 2 s): watch for 2.5 s.
    t_end = time.monotonic() + 2.5
    while time.monotonic() < t_end:
        for n, peer in pairs:
            es = onlink_entries(n, "swp1")
            assert not es, f"{n.name}: the swp1 entry came back: {es}"
            assert swp1_gone(n, peer), f"{n.name}: {kernel_hops(n, loopback(peer.index))[0]}"
        time.sleep(0.1)

    # --- link up: Established again within 1 s of the kernel reporting both ends up.
    t_cmd = time.monotonic()
    t_cmd_wall = time.time()
    run(["ip", "-n", r1.ns, "link", "set", "swp1", "up"])
    oper = {}
    while time.monotonic() < t_cmd + 3 and len(oper) < 2:
        for n in (r1, r2):
            if n.name not in oper and operstate(n, "swp1") == "UP":
                oper[n.name] = time.monotonic() - t_cmd
    assert len(oper) == 2, f"swp1 oper-up after 3 s: {oper}"
    links_up = max(oper.values())
    for n in (r1, r2):
        wait_states(rd[n.name], up, timeout=5)
    est = {}
    for n in (r1, r2):
        t = log_time(rd[n.name].logs["routerd"], "event=session-established peer=swp1 ", t_cmd_wall)
        assert t, f"{n.name}: no session-established for swp1 after link up"
        est[n.name] = t - t_cmd_wall
    for n in (r1, r2):
        note(f"unnumbered ECMP link up: {n.name} swp1 Established {ms(est[n.name] - links_up)} ms "
             f"after the kernel reported both ends up ({ms(est[n.name])} ms after the command; "
             f"polled oper-up r1 {ms(oper['r1'])} ms, r2 {ms(oper['r2'])} ms; negative: the "
             f"session was up before the ~5 ms poll saw oper-up)")
    for n in (r1, r2):
        assert est[n.name] - links_up <= 1.0, \
            f"{n.name}: Established {est[n.name] - links_up:.3f} s after both links were up"
    for n, peer in pairs:
        poll(lambda n=n, peer=peer: width2(n, peer), 5, interval=0.05,
             what=f"{n.name}: ECMP group of 2 again")


# --------------------------------------------------------------------------
# 7. the peer changes its MAC


def test_peer_mac_change(lab):
    r1, r2 = fabric_node(lab, "r1", 1), fabric_node(lab, "r2", 2)
    lab.bare_link(r1, r2)
    old = r2.link_info("swp1")
    rd = {n.name: start_routerd(n) for n in (r1, r2)}
    for n in (r1, r2):
        wait_states(rd[n.name], {"swp1": "Established"})
    wait_onlink_install(r1, loopback(2), "swp1", old["mac"])

    # Change it just after one of r2's periodic RAs (r2 is past its start burst): the worst
    # case, unless routerd advertises the new MAC at once.
    def tx_ra():
        return sum(i.get("tx-ra", 0) for i in
                   rd["r2"].ctl_json("show", "ndra", "neighbors").get("interfaces", []))
    poll(lambda: tx_ra() >= 3 or False, 5, interval=0.05, what="r2 past its start burst")
    n0 = tx_ra()
    poll(lambda: tx_ra() > n0 or False, RA_INTERVAL + 1, interval=0.02,
         what="a periodic RA from r2")

    # The kernel's own record of when r1's entry changed (`ip -ts monitor neigh`), so that a
    # slow poll on a loaded machine does not count against routerd.
    mon = r1.add(netlab.Daemon(r1, "neigh-monitor"))
    mon._spawn("neigh-monitor", ["ip", "-ts", "monitor", "neigh"])

    new_mac = "02:00:5e:10:00:02"
    t = time.time()
    run(["ip", "-n", r2.ns, "link", "set", "dev", "swp1", "address", new_mac])

    def follows():
        es = onlink_entries(r1, "swp1")
        assert [(e.get("lladdr"), e.get("state")) for e in es] == [(new_mac, ["PERMANENT"])], \
            f"r1: 169.254.0.1 entries {es}"
    poll(follows, RA_INTERVAL + 2, interval=0.01, what="r1's PERMANENT entry follows r2's MAC")
    t_seen = time.time()
    t_kernel = monitor_time(mon.logs["neigh-monitor"], f"{ONLINK_GW} dev swp1 lladdr {new_mac} ")
    dt = (t_kernel or t_seen) - t
    note(f"unnumbered MAC change: r1's 169.254.0.1 entry has r2's new MAC {ms(dt)} ms after "
         f"the change ({'kernel event time' if t_kernel else 'polled'}; RA interval "
         f"{RA_INTERVAL} s; the change came right after one of r2's RAs)")
    assert dt <= RA_INTERVAL, f"entry followed after {dt:.2f} s"
    assert r2.link_info("swp1")["lla"] == old["lla"], "the LLA must not change with the MAC"
    wait_onlink_install(r1, loopback(2), "swp1", new_mac)
    wait_ping(r1, loopback(2), loopback(1))
    wait_ping(r2, loopback(1), loopback(2))
    assert rd["r1"].states() == {"swp1": "Established"}, rd["r1"].states()
