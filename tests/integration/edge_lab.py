"""An emulated Azure "ExpressRoute hairpin" for an NVA (seeds 000 and 002), on netlab.

Two on-prem sites, each behind its own ExpressRoute circuit, reach each other through an NVA
in the hub VNet: the NVA announces a supernet of both sites to Azure Route Server (ARS), the
ExpressRoute gateway passes it to both circuits, and UDRs on the GatewaySubnet steer traffic
that comes in from one circuit for the other circuit's site to the NVA, which sends it back to
the gateway. Without the supernet no site has a route to the other; without the UDRs the
gateway refuses circuit-to-circuit traffic (Azure's no-transit rule). lab/edge-hairpin/README.md
has the picture, the address plan and what each piece stands for.

Everything Azure (MSEEs, gateway, both ARS instances) and both sites run FRR; the NVA's BGP
speaker is the caller's: AzureHairpin makes the NVA namespaces (hub interface, address, on-link
route to the hub VNet, IP forwarding only if asked) and the ARS peerings to their addresses.

    az = AzureHairpin(lab, {"nva1": "10.200.0.5"})     # builds, starts and waits
    nva = az.nva("nva1")                               # netlab.Node: run FRR or routerd there
    az.set_udrs([("10.100.10.0/24", "10.200.0.5"), ("10.100.20.0/24", "10.200.0.5")])
    az.wait_supernet()                                 # both sites see 10.100.0.0/19
    assert az.ping("site1", "10.100.20.1")

`python3 edge_lab.py udr-agent ...` is the ILB emulation's agent (AzureHairpin.follow_bgp).
"""

import ipaddress
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from netlab import Daemon, poll

SUPERNET = "10.100.0.0/19"          # what the seed's NVA announces
AZURE_AS = 65515                    # ARS and the ExpressRoute gateway
MSEE_AS = 12076                     # Microsoft's edge (both circuits)
NVA_AS = 65001                      # the seeds' NVA
HUB_IF = "eth0"                     # every hub VNet member's interface (as on an Azure VM)
HUB_SPACE = "10.200.0.0/16"         # the hub VNet's address space
HUB_PLEN = 27                       # each "subnet" of the hub
ERGW_IP = "10.200.1.4"              # GatewaySubnet
ARS_IPS = ("10.200.2.4", "10.200.2.5")  # RouteServerSubnet: ars1, ars2
UDR_TABLE = 100                     # the GatewaySubnet's route table at ergw
UDR_RULE_PREF = 1000
LAN_IF = "lan0"                     # each site's LAN (a stub veth)

# site name -> (AS, prefix it originates, its address in it, its MSEE)
SITES = {
    "site1": (65150, "10.100.10.0/24", "10.100.10.1", "msee1"),
    "site2": (65151, "10.100.20.0/24", "10.100.20.1", "msee2"),
}
SITE_PREFIXES = [s[1] for s in SITES.values()]

# The emulated Azure BGP speakers keep lab timers among themselves (sessions up in a second or
# two); towards the NVAs ARS uses its documented 60/180.
ARS_NVA_TIMERS = (60, 180)
ARS_NVA_CONNECT = 5
ARS_MAX_PREFIX = 1000


def _frr_head(hostname, asn, router_id, policy=()):
    """The start of an emulated piece's frr.conf, up to `router bgp`. policy (as-path lists,
    route-maps) goes before the router block: a neighbor's route-map that does not exist yet
    when FRR 8.4 reads the neighbor filters everything until the route-map delay timer (5 s)
    re-applies the policy, which would hold up every first UPDATE by 5 s."""
    return (["frr defaults datacenter", f"hostname {hostname}", "log timestamp precision 3",
             "debug bgp neighbor-events", "!"] + list(policy) +
            ["!", f"router bgp {asn}", f" bgp router-id {router_id}",
             " no bgp ebgp-requires-policy", " no bgp network import-check"])


def _fast(addr):
    return [f" neighbor {addr} timers 3 9", f" neighbor {addr} timers connect 2"]


class UdrAgent(Daemon):
    """The ILB emulation's background process in ergw's namespace (see follow_bgp); a
    netlab Daemon, so Lab.teardown stops it (and destroy_netns kills it in any case: it runs
    inside the namespace)."""

    kind = "udr-agent"

    def __init__(self, node, frr, supernet, prefixes, table=UDR_TABLE, interval=0.2):
        super().__init__(node, "udr-agent")
        self.argv = ["/usr/bin/python3", Path(__file__).resolve(), "udr-agent",
                     "--vty-socket", frr.node.dir, "--supernet", supernet,
                     "--table", table, "--interval", interval] + list(prefixes)

    def start(self):
        self._spawn("udr-agent", self.argv)
        return self

    def log_text(self):
        try:
            return self.logs["udr-agent"].read_text()
        except OSError:
            return ""

    def wait_ready(self, timeout=10):
        def ready():
            self.check_alive()
            assert "applied" in self.log_text(), "agent has not applied its first UDRs"
        poll(ready, timeout, what=f"udr-agent on {self.node.name} running")
        return self


class AzureHairpin:
    """The emulation, built, started and converged by the constructor.

    lab: the netlab.Lab that owns every namespace and process (its teardown removes all).
    nvas: {name: hub address}, e.g. {"nva1": "10.200.0.5", "nva2": "10.200.0.6"}; each
        becomes a namespace with HUB_IF at address/HUB_PLEN and `HUB_SPACE dev HUB_IF`, and
        a peer of both ARS instances (remote-as nva_as, ebgp-multihop 255).
    forwarding: net.ipv4.ip_forward=1 in the NVAs: True (all), False (none) or a collection
        of NVA names; the others keep the namespace's default 0.
    nva_as: the NVAs' ASN as both ARS peerings expect it (Azure asks for it per peer).
    ars_graceful_restart: leave FRR's graceful-restart helper on in ARS (off by default: an
        NVA whose session drops is withdrawn at once, not kept as stale for its restart time).

    No UDRs exist at first (table 100 refuses both site prefixes): call set_udrs or
    follow_bgp. Nothing of the NVAs' BGP is waited for.
    """

    def __init__(self, lab, nvas, forwarding=True, nva_as=NVA_AS, ars_graceful_restart=False,
                 timeout=30):
        t0 = time.monotonic()
        self.lab, self.nva_as, self.ars_gr = lab, nva_as, ars_graceful_restart
        self.nva_ips = dict(nvas)
        self.ars_ips = list(ARS_IPS)
        self.ergw_ip = ERGW_IP
        self.agent = None
        self.nodes = {n: lab.node(n) for n in
                      ["site1", "site2", "msee1", "msee2", "ergw", "ars1", "ars2"] + list(nvas)}
        nd = self.nodes
        # Circuits: site - MSEE - gateway, netlab's 192.0.2.x/30 links.
        self.site_links = {s: lab.link(nd[s], nd[SITES[s][3]]) for s in SITES}
        self.circuits = {SITES[s][3]: lab.link(nd[SITES[s][3]], nd["ergw"]) for s in SITES}
        # The hub VNet: one L2 segment; every member reaches every "subnet" on-link.
        self.hub_members = {"ergw": ERGW_IP, "ars1": ARS_IPS[0], "ars2": ARS_IPS[1], **nvas}
        self.hub = lab.bridge([nd[n] for n in self.hub_members], ifname=HUB_IF, name="hubvnet")
        for n, a in self.hub_members.items():
            nd[n].exec("ip", "addr", "add", f"{a}/{HUB_PLEN}", "dev", HUB_IF)
            nd[n].exec("ip", "route", "add", HUB_SPACE, "dev", HUB_IF)
        for s, (_, prefix, addr, _) in SITES.items():
            plen = ipaddress.ip_network(prefix).prefixlen
            nd[s].stub(LAN_IF, f"{addr}/{plen}")
        fwd = set(nvas) if forwarding is True else set() if not forwarding else set(forwarding)
        for n, node in nd.items():
            if n in nvas:
                if n in fwd:
                    node.exec("sysctl", "-qw", "net.ipv4.ip_forward=1")
                continue
            # Asymmetric paths are the point here (ergw sees a flow on a circuit and on the hub):
            # no reverse-path filter on the emulated pieces, whatever the host's default is.
            self._no_rp_filter(node)
            if n in ("msee1", "msee2", "ergw"):
                node.exec("sysctl", "-qw", "net.ipv4.ip_forward=1")
        self._gateway_subnet()
        self.frr = {}
        for n, conf in self._configs().items():
            self.frr[n] = nd[n].frr(conf)
        for f in self.frr.values():
            f.wait_ready()
        self.wait_converged(timeout)
        self.startup_s = time.monotonic() - t0

    # ---- building

    @staticmethod
    def _no_rp_filter(node):
        links = [l["ifname"] for l in node.ip_json("link", "show")]
        node.exec("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0",
                  "net.ipv4.conf.default.rp_filter=0",
                  *[f"net.ipv4.conf.{i}.rp_filter=0" for i in links])

    def circuit_if(self, msee):
        """ergw's interface to msee ("msee1", "msee2")."""
        return self.circuits[msee].b_if

    def _behind_circuits(self):
        """Every destination behind a circuit: the site prefixes and the circuit links."""
        nets = list(SITE_PREFIXES)
        for l in list(self.circuits.values()) + list(self.site_links.values()):
            nets.append(str(ipaddress.ip_network(f"{l.a_v4}/30", strict=False)))
        return nets

    def _gateway_subnet(self):
        """ergw's data plane: whatever arrives on a circuit is looked up in UDR_TABLE first.
        There, everything behind a circuit is unreachable unless a UDR (same prefix) says
        otherwise, so circuit -> circuit forwarding cannot happen; other destinations (the
        VNet, the NVA's supernet) find no route in UDR_TABLE and fall through to main."""
        g = self.nodes["ergw"]
        for msee in self.circuits:
            g.exec("ip", "rule", "add", "iif", self.circuit_if(msee), "lookup", UDR_TABLE,
                   "pref", UDR_RULE_PREF)
        self.set_udrs([])

    def _configs(self):
        c = {}
        for s, (asn, prefix, addr, msee) in SITES.items():
            l = self.site_links[s]
            peer = l.b_v4
            c[s] = "\n".join(_frr_head(s, asn, addr) + [
                f" neighbor {peer} remote-as {MSEE_AS}", *_fast(peer),
                " address-family ipv4 unicast", f"  network {prefix}", " exit-address-family",
                "exit", "!", "end", ""])
        for s, (asn, prefix, addr, msee) in SITES.items():
            site, gw = self.site_links[s], self.circuits[msee]
            c[msee] = "\n".join(_frr_head(msee, MSEE_AS, gw.a_v4) + [
                f" neighbor {site.a_v4} remote-as {asn}", *_fast(site.a_v4),
                f" neighbor {gw.b_v4} remote-as {AZURE_AS}", *_fast(gw.b_v4),
                " address-family ipv4 unicast",
                # The customer sees Microsoft's AS only (seed 000: `12076 i`).
                f"  neighbor {site.a_v4} remove-private-AS all",
                " exit-address-family", "exit", "!", "end", ""])
        # No circuit gets another circuit's routes: only the VNet's and ARS's go out.
        g = _frr_head("ergw", AZURE_AS, ERGW_IP, [
            f"bgp as-path access-list FROM-CIRCUIT seq 5 permit _{MSEE_AS}_",
            "route-map GW-TO-CIRCUIT deny 5", " match as-path FROM-CIRCUIT", "exit",
            "route-map GW-TO-CIRCUIT permit 10", "exit"])
        for msee, l in self.circuits.items():
            g += [f" neighbor {l.a_v4} remote-as {MSEE_AS}", *_fast(l.a_v4)]
        for a in ARS_IPS:
            g += [f" neighbor {a} remote-as {AZURE_AS}", *_fast(a)]
        g += [" address-family ipv4 unicast", f"  network {HUB_SPACE}"]
        g += [f"  neighbor {l.a_v4} route-map GW-TO-CIRCUIT out" for l in self.circuits.values()]
        g += [f"  neighbor {a} next-hop-self" for a in ARS_IPS]
        g += [" exit-address-family", "exit", "!", "end", ""]
        c["ergw"] = "\n".join(g)
        for i, ars in enumerate(("ars1", "ars2")):
            a = _frr_head(ars, AZURE_AS, ARS_IPS[i], [
                f"bgp as-path access-list AZURE-AS seq 5 permit _{AZURE_AS}_",
                "route-map ARS-FROM-NVA deny 5", " match as-path AZURE-AS", "exit",
                "route-map ARS-FROM-NVA permit 10", "exit"])
            if not self.ars_gr:
                # Not even a helper: an NVA's session that drops takes its routes with it.
                a.append(" bgp graceful-restart-disable")
            a += [f" neighbor {ERGW_IP} remote-as {AZURE_AS}", *_fast(ERGW_IP)]
            for ip in self.nva_ips.values():
                a += [f" neighbor {ip} remote-as {self.nva_as}",
                      f" neighbor {ip} ebgp-multihop 255",
                      f" neighbor {ip} timers {ARS_NVA_TIMERS[0]} {ARS_NVA_TIMERS[1]}",
                      f" neighbor {ip} timers connect {ARS_NVA_CONNECT}"]
            a += [" address-family ipv4 unicast"]
            for ip in self.nva_ips.values():
                a += [f"  neighbor {ip} route-map ARS-FROM-NVA in",
                      f"  neighbor {ip} maximum-prefix {ARS_MAX_PREFIX}",
                      f"  neighbor {ip} soft-reconfiguration inbound",
                      # A route server: the NVA sees the gateway as next hop, not ARS.
                      f"  neighbor {ip} attribute-unchanged next-hop"]
            a += [" exit-address-family", "exit", "!", "end", ""]
            c[ars] = "\n".join(a)
        return c

    # ---- state

    def nva(self, name):
        """The NVA's netlab.Node (namespace, HUB_IF with its address; no BGP speaker)."""
        return self.nodes[name]

    def internal_sessions(self):
        """[(frr, peer)] of every session among the emulated pieces (not to the NVAs)."""
        out = []
        for s, (_, _, _, msee) in SITES.items():
            out += [(self.frr[s], self.site_links[s].b_v4),
                    (self.frr[msee], self.site_links[s].a_v4),
                    (self.frr[msee], self.circuits[msee].b_v4),
                    (self.frr["ergw"], self.circuits[msee].a_v4)]
        for i, ars in enumerate(("ars1", "ars2")):
            out += [(self.frr[ars], ERGW_IP), (self.frr["ergw"], ARS_IPS[i])]
        return out

    def wait_converged(self, timeout=30):
        """Every internal session Established and both sites have the VNet's route."""
        def check():
            states = {}  # one `show bgp summary` per daemon, not one query per session
            bad = []
            for f, p in self.internal_sessions():
                if f.node.name not in states:
                    d = f.vtysh_json("show bgp ipv4 unicast summary json")
                    states[f.node.name] = {a: v.get("state") for a, v in
                                           d.get("peers", {}).items()}
                st = states[f.node.name].get(p)
                if st != "Established":
                    bad.append(f"{f.node.name} -> {p}: {st}")
            assert not bad, "; ".join(bad)
            for s in SITES:
                assert HUB_SPACE in self.frr[s].routes(), f"{s} has no {HUB_SPACE} yet"
        poll(check, timeout, what="emulated Azure converged")

    def site_routes(self, site):
        """site's BGP table: Frr.routes() ({prefix: [path, ...]}, FRR 8.4 JSON)."""
        return self.frr[site].routes()

    def site_path(self, site, prefix=SUPERNET):
        """AS path (list of ints) of site's best path for prefix; None when it has none."""
        for p in self.site_routes(site).get(prefix, []):
            if p.get("bestpath"):
                return [int(x) for x in p.get("path", "").split()]
        return None

    def wait_supernet(self, present=True, prefix=SUPERNET, timeout=30):
        """Polls until both sites have (present) or lack a best path for prefix; returns
        {site: AS path}."""
        def check():
            got = {s: self.site_path(s, prefix) for s in SITES}
            missing = [s for s, p in got.items() if (p is None) == present]
            assert not missing, f"{prefix} {'missing at' if present else 'still at'} {missing}"
            return got
        return poll(check, timeout, what=f"{prefix} {'at' if present else 'gone from'} sites")

    def ars_received(self, ars, nva_ip, routes=True):
        """What ars ("ars1"/"ars2") has from nva_ip: {"state", "established", "count": its
        accepted-prefix counter, "accepted": sorted prefixes in its table from that peer
        (after the inbound policy), "received": sorted prefixes of its Adj-RIB-In (before
        policy), "neighbor": FRR's neighbor JSON}. routes=False skips the two lists (None):
        cheaper with many routes."""
        f = self.frr[ars]
        n = f.neighbor(nva_ip)
        up = n.get("bgpState") == "Established"
        af = n.get("addressFamilyInfo", {}).get("ipv4Unicast", {})
        accepted = received = None
        if routes:
            acc = f.vtysh_json(f"show bgp ipv4 unicast neighbors {nva_ip} routes json")
            accepted = sorted((acc.get("routes") or {}).keys())
            received = []
            if up:
                rcv = f.vtysh_json(f"show bgp ipv4 unicast neighbors {nva_ip} "
                                   f"received-routes json")
                received = sorted((rcv.get("receivedRoutes") or {}).keys())
        return {"state": n.get("bgpState"), "established": up,
                "count": af.get("acceptedPrefixCounter", 0) if up else 0,
                "accepted": accepted, "received": received, "neighbor": n}

    def reset_ars_peer(self, nva_ip):
        """`clear bgp NVA` at both ARS instances: the only way back for a session that
        maximum-prefix tore down (FRR keeps it Idle; no `restart` is configured)."""
        for ars in ("ars1", "ars2"):
            self.frr[ars].vtysh(f"clear bgp ipv4 unicast {nva_ip}")

    def ergw_best(self, prefix=SUPERNET):
        """ergw's best path for prefix as {"nexthop", "path", "peer"}, or None."""
        d = self.frr["ergw"].vtysh_json(f"show ip bgp {prefix} json")
        return _best_of(d)

    # ---- the GatewaySubnet's route table

    def udrs(self):
        """UDR_TABLE at ergw as {prefix: next hop address, or "unreachable"}."""
        out = {}
        for r in self.nodes["ergw"].ip_json("-4", "route", "show", "table", UDR_TABLE):
            out[r["dst"]] = r.get("gateway") or r.get("type", "?")
        return out

    def set_udrs(self, udrs):
        """Replaces the GatewaySubnet's UDRs: udrs is [(prefix, next hop)]; every destination
        behind a circuit without a UDR of its own is unreachable from the circuits. Stops a
        follow_bgp agent first."""
        self._stop_agent()
        g = self.nodes["ergw"]
        want = {p: None for p in self._behind_circuits()}
        want.update({str(ipaddress.ip_network(p)): nh for p, nh in udrs})
        # Entry by entry, never flushed: an empty table for a moment would let a circuit's
        # packet fall through to main, i.e. straight to the other circuit.
        for p, nh in want.items():
            g.exec("ip", "route", "replace", *(["unreachable", p] if nh is None else
                                               [p, "via", nh]), "table", UDR_TABLE)
        for p in self.udrs():
            if p not in want:
                g.exec("ip", "route", "del", p, "table", UDR_TABLE)

    def follow_bgp(self, supernet=SUPERNET, prefixes=SITE_PREFIXES, interval=0.2):
        """The ILB emulation for an active/standby NVA pair: a background agent at ergw keeps
        the UDRs of prefixes pointing at the next hop of ergw's best path for supernet (the
        NVA ARS prefers), or unreachable when there is none; reads every interval s. Returns
        the agent (a netlab Daemon; its log has one line per change)."""
        self.set_udrs([])
        g = self.nodes["ergw"]
        self.agent = g.add(UdrAgent(g, self.frr["ergw"], supernet, prefixes,
                                    interval=interval)).start()
        self.agent.wait_ready()
        return self.agent

    def _stop_agent(self):
        if self.agent is not None:
            self.agent.stop()
            self.agent = None

    # ---- the circuits' BGP

    def _msee_sessions(self, shut):
        cmds = [f"router bgp {AZURE_AS}"]
        for l in self.circuits.values():
            cmds.append(f"{'' if shut else 'no '}neighbor {l.a_v4} shutdown")
        self.frr["ergw"].configure(*cmds)

    def withdraw_circuits(self):
        """At the gateway: `neighbor X shutdown` on both MSEE sessions."""
        self._msee_sessions(True)

    def restore_circuits(self):
        """Undoes withdraw_circuits (the sessions come back in a few seconds; not waited for)."""
        self._msee_sessions(False)

    # ---- data plane from the sites

    def site_addr(self, site):
        return SITES[site][2]

    def ping(self, site, dst, count=1, wait=1):
        """True when dst answers a ping from site's LAN address."""
        return self.nodes[site].ping(dst, src=self.site_addr(site), count=count, wait=wait)

    def reach(self):
        """{(site, dst): ping ok} for both directions between the sites' LAN addresses."""
        return {("site1", "10.100.20.1"): self.ping("site1", "10.100.20.1"),
                ("site2", "10.100.10.1"): self.ping("site2", "10.100.10.1")}

    def wait_reach(self, ok=True, timeout=20):
        """Polls until every ping of reach() gives ok; returns the results."""
        def check():
            r = self.reach()
            assert all(v == ok for v in r.values()), f"ping results {r}, want all {ok}"
            return r
        return poll(check, timeout, interval=0.1, what=f"sites {'' if ok else 'un'}reachable")

    def traceroute(self, site, dst, max_hops=12):
        """Hop addresses (None for a hop that did not answer) of a UDP traceroute from site's
        LAN address (`traceroute -n -q1 -w1 -s ADDR`)."""
        out = self.nodes[site].exec("traceroute", "-n", "-q1", "-w1", "-m", max_hops, "-s",
                                    self.site_addr(site), dst, check=False, timeout=60).stdout
        hops = []
        for line in out.splitlines()[1:]:
            f = line.split()
            if len(f) >= 2 and f[0].isdigit():
                hops.append(None if f[1] == "*" else f[1])
        return hops


def _best_of(d):
    for p in (d or {}).get("paths", []):
        best = p.get("bestpath")
        if best and (best is True or best.get("overall")):
            nhs = [h.get("ip") for h in p.get("nexthops", []) if h.get("ip")]
            return {"nexthop": nhs[0] if nhs else None,
                    "path": (p.get("aspath") or {}).get("string", ""),
                    "peer": (p.get("peer") or {}).get("peerId")}
    return None


# --------------------------------------------------------------------------
# the ILB emulation's agent: python3 edge_lab.py udr-agent --vty-socket DIR ... PREFIX...


def _udr_agent(argv):
    import argparse
    ap = argparse.ArgumentParser(prog="edge_lab.py udr-agent")
    ap.add_argument("--vty-socket", required=True)
    ap.add_argument("--supernet", required=True)
    ap.add_argument("--table", default=str(UDR_TABLE))
    ap.add_argument("--interval", type=float, default=0.2)
    ap.add_argument("prefixes", nargs="+")
    a = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    t0 = time.monotonic()
    current = "init"
    while True:
        p = subprocess.run(["vtysh", "--vty_socket", a.vty_socket, "-c",
                            f"show ip bgp {a.supernet} json"], capture_output=True, text=True)
        try:
            best = _best_of(json.loads(p.stdout)) if p.returncode == 0 else None
        except ValueError:
            best = None
        nh = best["nexthop"] if best else None
        if nh != current:
            for prefix in a.prefixes:
                via = ["via", nh] if nh else []
                cmd = ["ip", "route", "replace"] + (["unreachable"] if not nh else []) + \
                    [prefix] + via + ["table", a.table]
                subprocess.run(cmd, check=False)
            print(f"{time.strftime('%H:%M:%S')} +{time.monotonic() - t0:.3f}s applied: "
                  f"{' '.join(a.prefixes)} -> {nh or 'unreachable'}"
                  f"{' (path ' + best['path'] + ')' if best else ''}", flush=True)
            current = nh
        time.sleep(a.interval)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "udr-agent":
        _udr_agent(sys.argv[2:])
    else:
        sys.exit(f"usage: {sys.argv[0]} udr-agent --vty-socket DIR --supernet P PREFIX...")
