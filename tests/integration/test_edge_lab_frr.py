"""The emulated ExpressRoute hairpin (edge_lab.py, lab/edge-hairpin/README.md) with FRR NVAs.

The NVA is FRR configured as seed 002 (AS 65001, both ARS instances remote-as 65515 ebgp-multihop
255, soft-reconfiguration inbound, rmap-bogon-asns in, rmap-azure-asns out, `network` of the
supernet) with seed 000's addresses (ARS 10.200.2.4/.5, supernet 10.100.0.0/19). The supernet's
blackhole is a kernel route: netlab runs zebra and bgpd only, no staticd for `ip route`.
nva2 is the same with `set as-path prepend 65001 65001` out: the standby of an active/standby
pair. One lab for the module; the tests run in this order, each setting up what it needs:

1. Hairpin: with UDRs for both site prefixes to nva1, each site's only route to the other is
   10.100.0.0/19 with AS path exactly [12076]; pings both ways (from the site addresses)
   succeed and the traceroute from site1 goes through nva1 (10.200.0.5).
2. ARS filtering: a prefix nva1 sends with 65515 in its path is not accepted by either ARS
   and reaches no site; the supernet still does.
3. ARS maximum-prefix: 1000 prefixes from nva1 are accepted; two more make both ARS
   instances tear the session down (Cease/Maximum Number of Prefixes Reached); it stays down
   until cleared (edge_lab's reset_ars_peer).
4. Controls: no UDRs (the supernet still at both sites), nva1 not forwarding, nva1's FRR
   stopped (UDRs still to it): no site reaches the other, either way.
5. Circuits withdrawn at the gateway: the NVA loses both site prefixes (ARS withdraws them),
   the sites lose everything Azure sent; restored, all of it comes back.
6. ILB emulation (follow_bgp): the UDRs follow ergw's best path for the supernet: nva1 while it
   runs, nva2 once it stops (the failover time is printed), nva1 again when it is back;
   with both NVAs down the sites lose the supernet.
"""

import time

import pytest

import netlab
from edge_lab import AzureHairpin, SITE_PREFIXES, SITES, SUPERNET
from netlab import note, poll

NVAS = {"nva1": "10.200.0.5", "nva2": "10.200.0.6"}
NVA_AS = 65001
AZURE_PATH_PREFIX = "10.100.64.0/24"    # test 2: nva1 sends it with 65515 in the path

SEED002_POLICY = """\
bgp as-path access-list azure-asns seq 5 permit _65515_
bgp as-path access-list bogon-asns seq 5 permit _0_
bgp as-path access-list bogon-asns seq 10 permit _23456_
bgp as-path access-list bogon-asns seq 15 permit _1310[0-6][0-9]_|_13107[0-1]_
bgp as-path access-list bogon-asns seq 20 deny _65515_
bgp as-path access-list bogon-asns seq 25 permit ^65
!
route-map rmap-bogon-asns deny 5
 match as-path bogon-asns
exit
!
route-map rmap-bogon-asns permit 10
exit
!
route-map rmap-azure-asns deny 5
 match as-path azure-asns
exit
!
route-map rmap-azure-asns permit 10
{prepend}exit
"""


def nva_conf(hostname, router_id, ars_ips, prepend=None):
    """Seed 002's frr.conf for an NVA at router_id peering with ars_ips (prepend: ASNs the
    out route-map prepends, for a standby NVA). The policy comes first: in the seed's order
    (`show run`'s) FRR 8.4 reads the neighbors' route-maps before they exist and sends and
    accepts nothing until its route-map delay timer fires 5 s later."""
    policy = SEED002_POLICY.replace("{prepend}", f" set as-path prepend {prepend}\n"
                                    if prepend else "")
    lines = ["frr defaults traditional", f"hostname {hostname}", "log timestamp precision 3",
             "debug bgp neighbor-events", "no ipv6 forwarding", "!", policy.rstrip(), "!",
             f"router bgp {NVA_AS}", f" bgp router-id {router_id}"]
    for a in ars_ips:
        lines += [f" neighbor {a} remote-as 65515", f" neighbor {a} ebgp-multihop 255"]
    lines += [" !", " address-family ipv4 unicast", f"  network {SUPERNET}"]
    for a in ars_ips:
        lines += [f"  neighbor {a} soft-reconfiguration inbound",
                  f"  neighbor {a} route-map rmap-bogon-asns in",
                  f"  neighbor {a} route-map rmap-azure-asns out"]
    lines += [" exit-address-family", "exit", "!", "end", ""]
    return "\n".join(lines)


class Hairpin:
    """The module's lab: AzureHairpin with two FRR NVAs (nva1 active, nva2 standby)."""

    def __init__(self, lab):
        self.lab = lab
        t0 = time.monotonic()
        self.az = AzureHairpin(lab, NVAS, forwarding=True)
        self.frr = {}
        for name in NVAS:
            self.az.nva(name).exec("ip", "route", "add", "blackhole", SUPERNET)
            self.start_nva(name)
        self.wait_nva(*NVAS)
        self.az.wait_supernet()
        note(f"edge lab: emulated Azure up in {self.az.startup_s:.1f}s, NVAs' routes at the "
             f"sites {time.monotonic() - t0:.1f}s after the lab started")

    def running(self, name):
        f = self.frr.get(name)
        return f is not None and all(p.poll() is None for p in f.procs.values())

    def start_nva(self, name):
        """Starts a fresh FRR in the NVA (netlab's Frr starts once), unless one runs."""
        if not self.running(name):
            node = self.az.nva(name)
            # zebra's socket from an earlier run would let bgpd start before zebra listens.
            (node.dir / "zserv.api").unlink(missing_ok=True)
            conf = nva_conf(name, NVAS[name], self.az.ars_ips,
                            prepend="65001 65001" if name == "nva2" else None)
            self.frr[name] = node.frr(conf).wait_ready()

    def stop_nva(self, name):
        if self.running(name):
            self.frr[name].stop()

    def wait_nva(self, *names, timeout=30):
        """Both ARS instances have the supernet from each of names."""
        def check():
            for n in names:
                for ars in ("ars1", "ars2"):
                    got = self.az.ars_received(ars, NVAS[n])
                    assert got["established"], f"{ars} -> {n}: {got['state']}"
                    assert SUPERNET in got["accepted"], f"{ars} has {got['accepted']} from {n}"
        poll(check, timeout, what=f"ARS has the supernet from {names}")

    def reach(self):
        return self.az.reach()

    def wait_reach(self, ok=True, timeout=20):
        return self.az.wait_reach(ok, timeout)

    def static_udrs(self, nva="nva1"):
        self.az.set_udrs([(p, NVAS[nva]) for p in SITE_PREFIXES])


@pytest.fixture(scope="module")
def hairpin():
    lab = netlab.Lab("edge-lab-frr")
    try:
        yield Hairpin(lab)
    finally:
        errors = lab.teardown()
    if errors:
        pytest.fail("teardown: " + "; ".join(errors))


def test_hairpin_through_nva(hairpin):
    h, az = hairpin, hairpin.az
    h.start_nva("nva1")
    h.static_udrs("nva1")
    assert az.nva("nva1").exec("sysctl", "-n", "net.ipv4.ip_forward").stdout.strip() == "1"
    paths = az.wait_supernet()
    assert paths == {"site1": [12076], "site2": [12076]}, paths
    for site, (_, prefix, _, _) in SITES.items():
        other = [p for p in SITE_PREFIXES if p != prefix][0]
        routes = az.site_routes(site)
        assert other not in routes, f"{site} has the other site's {other}: {routes[other]}"
    t0 = time.monotonic()
    r = h.wait_reach(True)
    note(f"edge lab (1): both sites reach each other through nva1 "
         f"({time.monotonic() - t0:.2f}s after the UDRs); supernet at sites: {paths}")
    hops = az.traceroute("site1", "10.100.20.1")
    note(f"edge lab (1): traceroute site1 -> 10.100.20.1: {' '.join(map(str, hops))}")
    assert NVAS["nva1"] in hops and hops[-1] == "10.100.20.1", hops
    assert r == {("site1", "10.100.20.1"): True, ("site2", "10.100.10.1"): True}
    back = az.traceroute("site2", "10.100.10.1")
    assert NVAS["nva1"] in back and back[-1] == "10.100.10.1", back
    # What the NVA learns: the sites behind 65515 12076, next hop the gateway (seed 000).
    nva_routes = h.frr["nva1"].routes()
    for site, (asn, prefix, _, _) in SITES.items():
        best = [p for p in nva_routes.get(prefix, []) if p.get("bestpath")]
        assert best and best[0]["path"] == f"65515 12076 {asn}", nva_routes.get(prefix)
        assert [n["ip"] for n in best[0]["nexthops"]] == [az.ergw_ip], best


def test_ars_drops_azure_asn(hairpin):
    h, az = hairpin, hairpin.az
    h.start_nva("nva1")
    h.wait_nva("nva1")
    nva, frr = az.nva("nva1"), h.frr["nva1"]
    nva.exec("ip", "route", "replace", "blackhole", AZURE_PATH_PREFIX)
    # The route-map edits take effect at once, not 5 s later (FRR's route-map delay timer).
    frr.configure("bgp route-map delay-timer 0",
                  f"ip prefix-list WITH-65515 seq 5 permit {AZURE_PATH_PREFIX}",
                  "route-map rmap-azure-asns permit 7",
                  " match ip address prefix-list WITH-65515", " set as-path prepend 65515",
                  "exit", f"router bgp {NVA_AS}", " address-family ipv4 unicast",
                  f"  network {AZURE_PATH_PREFIX}")
    try:
        def sent():
            adv = frr.vtysh_json(f"show bgp ipv4 unicast neighbors {az.ars_ips[0]} "
                                 f"advertised-routes json").get("advertisedRoutes", {})
            assert AZURE_PATH_PREFIX in adv, f"nva1 advertises {sorted(adv)}"
            return adv[AZURE_PATH_PREFIX]
        adv = poll(sent, 15, what=f"nva1 advertises {AZURE_PATH_PREFIX}")

        def caught_up():
            # Barrier: each ARS has read every UPDATE nva1 sent it.
            for ars, ip in zip(("ars1", "ars2"), az.ars_ips):
                sent_n = frr.neighbor(ip)["messageStats"]["updatesSent"]
                read_n = az.frr[ars].neighbor(NVAS["nva1"])["messageStats"]["updatesRecv"]
                assert sent_n == read_n, f"{ars} read {read_n} of nva1's {sent_n} UPDATEs"
        poll(caught_up, 10, what="ARS read nva1's UPDATEs")
        for ars in ("ars1", "ars2"):
            got = az.ars_received(ars, NVAS["nva1"])
            note(f"edge lab (2): {ars} from nva1: accepted {got['accepted']}, "
                 f"Adj-RIB-In {got['received']}")
            assert got["established"] and SUPERNET in got["accepted"], got
            assert AZURE_PATH_PREFIX not in got["accepted"], got
        for n in ("ergw", "site1", "site2"):
            assert AZURE_PATH_PREFIX not in az.frr[n].routes(), f"{n} has {AZURE_PATH_PREFIX}"
        assert adv.get("path", "").split()[-1:] == ["65515"], adv
    finally:
        frr.configure(f"router bgp {NVA_AS}", " address-family ipv4 unicast",
                      f"  no network {AZURE_PATH_PREFIX}", "exit-address-family", "exit",
                      "no route-map rmap-azure-asns permit 7")


def test_ars_maximum_prefix(hairpin):
    h, az = hairpin, hairpin.az
    h.start_nva("nva1")
    h.wait_nva("nva1")
    frr, ip = h.frr["nva1"], NVAS["nva1"]
    # 1000 prefixes (the supernet and 999 more) are allowed; more are not. FRR 8.4 checks a
    # new prefix against the count before it, so a 1001st that arrives on its own is taken
    # (and the session stays up until the next new prefix): send two at once.
    nets = [f"10.{101 + i // 250}.{i % 250}.0/24" for i in range(1001)]
    bgp = [f"router bgp {NVA_AS}", "no bgp network import-check", "address-family ipv4 unicast"]
    frr.configure(*bgp, *[f"network {p}" for p in nets[:999]])
    try:
        poll(lambda: all(az.ars_received(a, ip, routes=False)["count"] == 1000
                         for a in ("ars1", "ars2")),
             20, what="ARS accepted 1000 prefixes from nva1")
        frr.configure(*bgp, *[f"network {p}" for p in nets[999:]])
        t0 = time.monotonic()

        def torn_down():
            for ars in ("ars1", "ars2"):
                n = az.ars_received(ars, ip, routes=False)["neighbor"]
                assert n.get("bgpState") != "Established", f"{ars}: {n.get('bgpState')}"
                assert n.get("lastNotificationReason", "").endswith(
                    "Maximum Number of Prefixes Reached"), n.get("lastNotificationReason")
        poll(torn_down, 15, interval=0.1, what="ARS tore down nva1 above 1000 prefixes")
        note(f"edge lab (3): 1002 prefixes: both ARS sent Cease/Maximum Number of Prefixes "
             f"Reached within {time.monotonic() - t0:.2f}s")
        az.wait_supernet()  # nva2's supernet is still there
    finally:
        frr.configure(*bgp, *[f"no network {p}" for p in nets], "exit-address-family",
                      "bgp network import-check")
        az.reset_ars_peer(ip)
    h.wait_nva("nva1")
    assert all(az.ars_received(a, ip)["accepted"] == [SUPERNET] for a in ("ars1", "ars2"))


def test_controls(hairpin):
    h, az = hairpin, hairpin.az
    h.start_nva("nva1")
    h.static_udrs("nva1")
    h.wait_reach(True)
    # No UDRs: the sites still have the supernet, the gateway refuses circuit -> circuit.
    az.set_udrs([])
    assert az.wait_supernet() == {"site1": [12076], "site2": [12076]}
    r = h.reach()
    assert not any(r.values()), f"without UDRs: {r}"
    hops = az.traceroute("site1", "10.100.20.1", max_hops=4)
    assert NVAS["nva1"] not in hops and "10.100.20.1" not in hops, hops
    note(f"edge lab (4): no UDRs: pings {r}, traceroute {hops}")
    h.static_udrs("nva1")
    h.wait_reach(True)
    # The NVA does not forward.
    nva = az.nva("nva1")
    nva.exec("sysctl", "-qw", "net.ipv4.ip_forward=0")
    try:
        r = h.reach()
        assert not any(r.values()), f"nva1 not forwarding: {r}"
    finally:
        nva.exec("sysctl", "-qw", "net.ipv4.ip_forward=1")
    h.wait_reach(True)
    # The NVA's BGP speaker stops; the UDRs still send everything to it.
    h.stop_nva("nva1")
    r = h.wait_reach(False)
    note(f"edge lab (4): nva1 stopped, static UDRs to it: pings {r}")


def test_circuits_withdrawn(hairpin):
    h, az = hairpin, hairpin.az
    h.start_nva("nva1")
    h.wait_nva("nva1")
    h.static_udrs("nva1")
    h.wait_reach(True)

    def nva_sites(want):
        def check():
            have = sorted(p for p in SITE_PREFIXES if p in h.frr["nva1"].routes())
            assert have == sorted(want), f"nva1 has {have} of the site prefixes"
        return check

    poll(nva_sites(SITE_PREFIXES), 10, what="nva1 has both site prefixes")
    t0 = time.monotonic()
    az.withdraw_circuits()
    try:
        poll(nva_sites([]), 15, what="nva1 lost the site prefixes")
        t_nva = time.monotonic() - t0
        az.wait_supernet(present=False, timeout=15)
        for site in SITES:
            assert "10.200.0.0/16" not in az.site_routes(site), f"{site} still has the VNet"
        assert not any(h.reach().values())
    finally:
        az.restore_circuits()
    t0 = time.monotonic()
    az.wait_converged()
    az.wait_supernet()
    poll(nva_sites(SITE_PREFIXES), 15, what="nva1 has the site prefixes again")
    h.wait_reach(True)
    note(f"edge lab (5): circuits shut at ergw: nva1 without site routes after {t_nva:.2f}s; "
         f"restored: hairpin back after {time.monotonic() - t0:.2f}s")


def test_follow_bgp_failover(hairpin):
    h, az = hairpin, hairpin.az
    h.start_nva("nva1")
    h.start_nva("nva2")
    h.wait_nva("nva1", "nva2")
    agent = az.follow_bgp(SUPERNET, SITE_PREFIXES)

    def udrs_to(ip):
        def check():
            u = az.udrs()
            assert all(u.get(p) == ip for p in SITE_PREFIXES), f"UDRs {u}, want {ip}"
        return check

    poll(udrs_to(NVAS["nva1"]), 10, what="UDRs to nva1 (best path)")
    h.wait_reach(True)
    # Active NVA gone: ARS withdraws, ergw's best becomes nva2, the agent follows.
    t0 = time.monotonic()
    h.stop_nva("nva1")
    poll(udrs_to(NVAS["nva2"]), 15, interval=0.05, what="UDRs to nva2")
    t_udr = time.monotonic() - t0
    h.wait_reach(True)
    t_ping = time.monotonic() - t0
    hops = az.traceroute("site1", "10.100.20.1")
    assert NVAS["nva2"] in hops and hops[-1] == "10.100.20.1", hops
    note(f"edge lab (6): nva1 stopped: UDRs on nva2 after {t_udr:.2f}s, both sites reach "
         f"each other again after {t_ping:.2f}s; traceroute {' '.join(map(str, hops))}")
    # Back: nva1's shorter path wins again.
    h.start_nva("nva1")
    poll(udrs_to(NVAS["nva1"]), 30, what="UDRs back to nva1")
    h.wait_reach(True)
    # Both gone: no supernet at the sites, no UDRs.
    h.stop_nva("nva1")
    h.stop_nva("nva2")
    az.wait_supernet(present=False)
    poll(udrs_to("unreachable"), 10, what="UDRs unreachable")
    assert not any(h.reach().values())
    note("edge lab (6): agent log:\n" + agent.log_text().rstrip())
