"""The edge role (docs/edge-azure.md): routerd as the NVA of seed 000's ExpressRoute hairpin.

The emulated Azure is edge_lab.AzureHairpin (FRR: two sites, two MSEEs in AS 12076, the ER
gateway and two ARS instances in AS 65515; lab/edge-hairpin/README.md). Both NVAs run routerd
with nothing but the issue's edge block (plus role, and manage-sysctls: the NVA namespaces
start with ip_forward 0, so routerd must fix it). One lab for the module; the tests run in
order, each setting up what it needs:

1. Hairpin: the GatewaySubnet UDRs are programmed from nva1's `show edge json`; the sites see
   10.100.0.0/19 with AS path [12076] only; pings work both ways; the traceroute shows nva1;
   with nva1 stopped the sites cannot reach each other (the control).
2. Circuits withdrawn at the gateway: nva1 withdraws the supernet from ARS (conditional
   advertisement) in one UPDATE, `show edge` says why; restored, it comes back.
3. Primary and secondary: the UDRs follow the NVA ARS prefers (the ILB emulation); traffic
   uses nva1; stopping nva1 moves it to nva2 (the outage is printed: routerd's Cease on
   SIGTERM makes ARS withdraw at once instead of after its 180 s hold timer); nva1 back, it
   takes over again.
4. Route-count guard: a policy change that would send 1,500 routes sends the supernet only,
   `show edge` raises the alarm, the ARS sessions stay up; undone, the alarm clears.
5. `show edge json` lists exactly the two site prefixes as UDRs toward nva1.
"""

import json
import os
import subprocess
import time

import pytest

import netlab
from edge_lab import ARS_IPS, AzureHairpin, SITE_PREFIXES, SITES, SUPERNET
from netlab import note, poll

NVAS = {"nva1": "10.200.0.5", "nva2": "10.200.0.6"}
NVA_AS = 65001
N_EXTRA = 1500  # test 4: routes the policy would send once the lab's deny is lifted


def extra_networks():
    """N_EXTRA /32s in 10.150.0.0/16, outside the supernet (test 4)."""
    return [f"10.150.{i // 250}.{i % 250 + 1}/32" for i in range(N_EXTRA)]


def nva_conf(name, guard_lifted=False, next_hop=None, import_check=False, exactly_1000=False):
    """The issue's block for NVA name (nva2: role secondary), plus test 4's routes: N_EXTRA
    networks that edge-ars-out seq 20 denies unless guard_lifted; exactly_1000 denies all
    but the first 1,000 (10.150.0-3.x)."""
    entries = [{"seq": 30, "action": "permit"}]
    if not guard_lifted:
        entries.insert(0, {"seq": 20, "action": "deny", "match": {"prefix-list": "lab-extra"}})
    extra = "10.150.4.0/22" if exactly_1000 else "10.150.0.0/16"
    return {"routerd:routerd": {
        "router-id": NVAS[name],
        "bgp": {"asn": NVA_AS,
                "ipv4-unicast": {"network": extra_networks(), "network-import-check": import_check}},
        "policy": {
            "prefix-list": [{"name": "lab-extra", "entry": [
                {"seq": 5, "action": "permit", "prefix": extra, "le": 32}]}],
            "route-map": [{"name": "edge-ars-out", "entry": entries}]},
        "edge": {"azure-route-server": {
            "peers": list(ARS_IPS),
            "supernet": [SUPERNET],
            "role": "secondary" if name == "nva2" else "primary",
            "manage-sysctls": True, **({"next-hop": next_hop} if next_hop else {})}}}}


class Hairpin:
    """The module's lab: AzureHairpin with two routerd NVAs (nva1 primary, nva2 secondary)."""

    def __init__(self, lab):
        t0 = time.monotonic()
        self.lab = lab
        self.az = AzureHairpin(lab, NVAS, forwarding=False)
        self.rd = {}
        for name in NVAS:
            self.rd[name] = self.az.nva(name).routerd(nva_conf(name)).wait_ready()
        self.wait_nva(*NVAS)
        note(f"edge: emulated Azure up in {self.az.startup_s:.1f}s, routerd NVAs' supernet "
             f"at ARS {time.monotonic() - t0:.1f}s after the lab started")

    def running(self, name):
        return self.rd[name].main_proc().poll() is None

    def start_nva(self, name):
        if not self.running(name):
            self.rd[name].start().wait_ready()

    def stop_nva(self, name):
        if self.running(name):
            rcs = self.rd[name].stop()
            assert list(rcs.values()) == [0], f"routerd on {name} exited {rcs}"

    def edge(self, name="nva1"):
        return self.rd[name].ctl_json("show", "edge")

    def wait_nva(self, *names, timeout=40, present=True):
        """Both ARS instances have (present) or lack the supernet from each of names."""
        def check():
            for n in names:
                for ars in ("ars1", "ars2"):
                    got = self.az.ars_received(ars, NVAS[n])
                    assert got["established"], f"{ars} -> {n}: {got['state']}"
                    assert (SUPERNET in got["accepted"]) == present, \
                        f"{ars} has {got['accepted']} from {n}"
        poll(check, timeout, what=f"ARS {'has' if present else 'lacks'} the supernet from {names}")

    def udrs_from_edge(self, name="nva1"):
        """The UDRs as nva's `show edge json` gives them, programmed at the gateway."""
        udr = [(u["prefix"], u["next-hop"]) for u in self.edge(name)["udr"]]
        self.az.set_udrs(udr)
        return udr

    def reach(self):
        return self.az.reach()

    def wait_reach(self, ok=True, timeout=20):
        return self.az.wait_reach(ok, timeout)


@pytest.fixture(scope="module")
def hairpin():
    for b in ("routerd", "routerctl"):
        if not (netlab.BUILD / b).exists():
            pytest.fail(f"not built: {netlab.BUILD / b}")
    lab = netlab.Lab("edge")
    netlab.ACTIVE_LABS.append(lab)
    try:
        yield Hairpin(lab)
    finally:
        netlab.ACTIVE_LABS.remove(lab)
        errors = lab.teardown()
    if errors:
        pytest.fail("teardown: " + "; ".join(errors))


def test_expansion_and_sysctls(hairpin):
    """The one block became two ARS sessions (show running), and routerd fixed the sysctls."""
    h = hairpin
    run = h.rd["nva1"].ctl("show", "running").stdout
    for a in h.az.ars_ips:
        for line in (f"neighbor {a} remote-as 65515", f"neighbor {a} ebgp-multihop 255",
                     f"neighbor {a} timers 60 180",
                     f"neighbor {a} soft-reconfiguration inbound",
                     f"neighbor {a} route-map edge-ars-in in",
                     f"neighbor {a} route-map edge-ars-out out"):
            assert line in run, f"{line!r} not in show running:\n{run}"
    assert "bgp as-path access-list edge-azure-asns seq 5 permit _65515_" in run, run
    run2 = h.rd["nva2"].ctl("show", "running").stdout
    assert " set as-path prepend 65001 65001" in run2, run2
    e = h.edge("nva1")
    assert [s["state"] for s in e["sessions"]] == ["Established", "Established"], e
    bad = [s for s in e["sysctls"] if not s["ok"]]
    assert not bad and len(e["sysctls"]) == 4, e["sysctls"]
    for name in NVAS:
        node = h.az.nva(name)
        assert node.exec("sysctl", "-n", "net.ipv4.ip_forward").stdout.strip() == "1"
        assert node.exec("sysctl", "-n",
                         "net.ipv4.conf.eth0.send_redirects").stdout.strip() == "0"
        routes = node.exec("ip", "-4", "route", "show", SUPERNET).stdout
        assert routes.startswith("blackhole"), f"{name}: {routes!r}"
    # What ARS hands the NVA: the sites behind 65515 12076, next hop the gateway, installed.
    learned = h.rd["nva1"].routes()
    for site, (asn, prefix, _, _) in SITES.items():
        best = [p for p in learned.get(prefix, []) if p.get("best")]
        assert best, learned.get(prefix)
    kr = h.az.nva("nva1").exec("ip", "-4", "route", "show", "10.100.10.0/24").stdout
    assert f"via {h.az.ergw_ip}" in kr, kr


def test_hairpin_through_nva(hairpin):
    h, az = hairpin, hairpin.az
    h.start_nva("nva1")
    h.stop_nva("nva2")  # one NVA here; test 3 runs the pair
    h.wait_nva("nva1")
    udr = h.udrs_from_edge("nva1")
    assert sorted(udr) == sorted((p, NVAS["nva1"]) for p in SITE_PREFIXES), udr
    paths = az.wait_supernet()
    assert paths == {"site1": [12076], "site2": [12076]}, paths
    t0 = time.monotonic()
    h.wait_reach(True)
    note(f"edge (1): sites reach each other through routerd nva1 "
         f"({time.monotonic() - t0:.2f}s after the UDRs); supernet at sites {paths}")
    hops = az.traceroute("site1", "10.100.20.1")
    note(f"edge (1): traceroute site1 -> 10.100.20.1: {' '.join(map(str, hops))}")
    assert NVAS["nva1"] in hops and hops[-1] == "10.100.20.1", hops
    back = az.traceroute("site2", "10.100.10.1")
    assert NVAS["nva1"] in back and back[-1] == "10.100.10.1", back
    # The control: without the NVA the sites cannot reach each other.
    h.stop_nva("nva1")
    az.wait_supernet(present=False)
    r = h.wait_reach(False)
    note(f"edge (1): nva1 stopped: supernet gone from both sites, pings {r}")
    h.start_nva("nva1")
    h.wait_nva("nva1")
    h.wait_reach(True)


def test_circuits_withdrawn(hairpin):
    h, az = hairpin, hairpin.az
    h.start_nva("nva1")
    h.wait_nva("nva1")
    rd = h.rd["nva1"]
    before = rd.neighbor(az.ars_ips[0])
    az.withdraw_circuits()
    try:
        t0 = time.monotonic()
        h.wait_nva("nva1", present=False, timeout=20)
        took = time.monotonic() - t0
        e = h.edge()
        sn = e["supernets"][0]
        assert not sn["advertised"] and sn["erRoutes"] == 0, sn
        assert "no ER-learned route inside" in sn["reason"], sn
        text = rd.ctl("show", "edge").stdout
        assert "withdrawn" in text and "no ER-learned route inside" in text, text
        assert e["udr"] == [], e["udr"]
        # Still anchored: traffic for the vanished sites is dropped at the NVA, not looped.
        assert az.nva("nva1").exec("ip", "-4", "route", "show", SUPERNET).stdout.startswith(
            "blackhole")
        after = rd.neighbor(az.ars_ips[0])
        sent = (after.get("messages", {}).get("sent", {}).get("update", 0) -
                before.get("messages", {}).get("sent", {}).get("update", 0))
        note(f"edge (2): circuits down: supernet withdrawn from ARS in {took:.2f}s "
             f"({sent} UPDATE(s) to ars1); show edge: {sn['reason']}")
    finally:
        az.restore_circuits()
    t0 = time.monotonic()
    h.wait_nva("nva1", present=True, timeout=40)
    sn = h.edge()["supernets"][0]
    assert sn["advertised"] and sn["erRoutes"] == 2, sn
    note(f"edge (2): circuits back: supernet re-advertised {time.monotonic() - t0:.2f}s later "
         f"({sn['reason']})")


def test_primary_secondary_failover(hairpin):
    h, az = hairpin, hairpin.az
    for n in NVAS:
        h.start_nva(n)
    h.wait_nva(*NVAS)
    az.follow_bgp()

    def via(nva):
        def check():
            assert az.ergw_best()["nexthop"] == NVAS[nva], az.ergw_best()
            assert az.udrs().get(SITE_PREFIXES[0]) == NVAS[nva], az.udrs()
        poll(check, 20, what=f"UDRs toward {nva}")
        h.wait_reach(True)
        hops = az.traceroute("site1", "10.100.20.1")
        assert NVAS[nva] in hops, hops
        return hops

    via("nva1")
    best = az.ergw_best()
    assert best["path"].split()[:1] == ["65001"] and len(best["path"].split()) == 1, best
    t0 = time.monotonic()
    h.stop_nva("nva1")

    def moved():
        assert az.udrs().get(SITE_PREFIXES[0]) == NVAS["nva2"], az.udrs()
    poll(moved, 30, interval=0.05, what="UDRs toward nva2")
    switched = time.monotonic() - t0
    h.wait_reach(True, timeout=30)
    outage = time.monotonic() - t0
    hops = via("nva2")
    note(f"edge (3): primary stopped: UDRs on nva2 after {switched:.2f}s, pings through nva2 "
         f"after {outage:.2f}s (1 s ping timeout granularity; ARS hold timer 180 s, routerd's "
         f"Cease withdraws at once); traceroute {' '.join(map(str, hops))}")
    assert outage < 30
    h.start_nva("nva1")
    h.wait_nva("nva1")
    via("nva1")
    az.set_udrs([])  # stops the agent; later tests program their own


def test_route_guard(hairpin):
    h, az = hairpin, hairpin.az
    h.stop_nva("nva2")
    h.start_nva("nva1")
    h.wait_nva("nva1")
    rd = h.rd["nva1"]
    e = h.edge()
    assert e["routeGuard"]["mode"] == "send-all" and not e["routeGuard"]["alarm"], e
    assert e["routeGuard"]["sent"] == 1, e["routeGuard"]
    rd.conf_path.write_text(json.dumps(nva_conf("nva1", guard_lifted=True), indent=2) + "\n")
    out = rd.ctl("reload").stdout
    assert "reloaded" in out, out

    def alarm():
        g = h.edge()["routeGuard"]
        assert g["alarm"] and g["mode"] == "supernets-only", g
        return g
    g = poll(alarm, 20, what="route guard alarm")
    text = rd.ctl("show", "edge").stdout
    assert "ALARM" in text, text
    time.sleep(2)  # ARS would tear the session down within this if it had seen > 1,000
    for ars in ("ars1", "ars2"):
        got = az.ars_received(ars, NVAS["nva1"])
        assert got["established"], got
        assert got["accepted"] == [SUPERNET], got["accepted"][:5]
    assert h.edge()["routeGuard"]["sent"] == 1
    note(f"edge (4): policy would send {N_EXTRA + 1} routes: sent {g['sent']} (the supernet), "
         f"ARS sessions up; alarm: {g['text']}")
    log = rd.logs["routerd"].read_text()
    assert "event=edge-route-guard" in log
    rd.conf_path.write_text(json.dumps(nva_conf("nva1"), indent=2) + "\n")
    assert "reloaded" in rd.ctl("reload").stdout

    def clear():
        g = h.edge()["routeGuard"]
        assert not g["alarm"] and g["mode"] == "send-all", g
    poll(clear, 20, what="route guard cleared")


def test_route_guard_burst(hairpin):
    """1,500 routes appearing at once while the guard is clear (kernel routes that satisfy the
    networks' import check): the group trips as it fills, ARS never sees more than 1,000."""
    h, az = hairpin, hairpin.az
    h.stop_nva("nva2")
    h.stop_nva("nva1")
    rd, node = h.rd["nva1"], az.nva("nva1")
    rd.conf_path.write_text(json.dumps(nva_conf("nva1", guard_lifted=True, import_check=True),
                                       indent=2) + "\n")
    batch = node.dir / "burst.batch"
    try:
        h.start_nva("nva1")
        h.wait_nva("nva1")
        assert h.edge()["routeGuard"]["mode"] == "send-all"
        batch.write_text("".join(f"route add blackhole {p} proto static\n"
                                 for p in extra_networks()))
        node.exec("ip", "-batch", str(batch))
        peak = {"n": 0}

        def tripped():
            for ars in ("ars1", "ars2"):
                got = az.ars_received(ars, NVAS["nva1"], routes=False)
                assert got["established"], got["state"]
                peak["n"] = max(peak["n"], got["count"])
            g = h.edge()["routeGuard"]
            assert g["alarm"] and g["sent"] == 1, g
            return g
        g = poll(tripped, 30, interval=0.1, what="guard tripped by the burst")
        time.sleep(2)
        for ars in ("ars1", "ars2"):
            got = az.ars_received(ars, NVAS["nva1"])
            assert got["established"] and got["accepted"] == [SUPERNET], got["state"]
        assert peak["n"] <= 1000, peak
        note(f"edge (4b): {N_EXTRA} routes at once: guard tripped, ARS peak {peak['n']} "
             f"accepted (limit 1000), now the supernet only; sessions up")
    finally:
        node.exec("ip", "route", "flush", "proto", "static", check=False)
        h.stop_nva("nva1")
        rd.conf_path.write_text(json.dumps(nva_conf("nva1"), indent=2) + "\n")
        h.start_nva("nva1")
        h.wait_nva("nva1")


def test_route_guard_withdrawn_supernet(hairpin):
    """Policy permits exactly max-routes (1,000) other routes and the supernet is withdrawn
    (circuits gone): room is kept for the supernet, so the guard stays tripped, steadily (it
    used to clear and trip in a busy loop), and ARS never gets more than the limit."""
    h, az = hairpin, hairpin.az
    rd = h.rd["nva1"]
    h.start_nva("nva1")
    rd.conf_path.write_text(json.dumps(nva_conf("nva1", exactly_1000=True), indent=2) + "\n")
    assert "reloaded" in rd.ctl("reload").stdout
    az.withdraw_circuits()
    try:
        h.wait_nva("nva1", present=False, timeout=20)
        time.sleep(1)
        log = rd.logs["routerd"]
        n0 = log.read_text().count("event=edge-route-guard")
        peak = 0
        for _ in range(30):
            g = h.edge()["routeGuard"]
            assert g["mode"] == "supernets-only" and g["alarm"], g
            for ars in ("ars1", "ars2"):
                got = az.ars_received(ars, NVAS["nva1"], routes=False)
                assert got["established"], got["state"]
                peak = max(peak, got["count"])
            time.sleep(0.1)
        trips = log.read_text().count("event=edge-route-guard") - n0
        assert trips == 0, f"the guard changed state {trips} times in 3 s with nothing changing"
        assert peak == 0, f"ARS got {peak} routes while the guard was tripped"
        assert "room is kept for 1 withdrawn supernet" in g["text"], g["text"]
        note(f"edge (4c): 1,000 routes + 1 withdrawn supernet at max-routes 1000: guard "
             f"tripped and steady (no state change in 3 s), ARS got {peak}")
    finally:
        az.restore_circuits()
        rd.conf_path.write_text(json.dumps(nva_conf("nva1"), indent=2) + "\n")
        rd.ctl("reload")
    h.wait_nva("nva1", present=True, timeout=40)


def test_show_edge_udrs(hairpin):
    h = hairpin
    h.start_nva("nva1")
    h.wait_nva("nva1")
    e = h.edge()
    assert e["udr"] == [{"prefix": p, "next-hop": NVAS["nva1"]} for p in sorted(SITE_PREFIXES)], \
        e["udr"]
    assert len(e["azCommands"]) == 2
    assert all("--next-hop-type VirtualAppliance --next-hop-ip-address 10.200.0.5" in c
               for c in e["azCommands"]), e["azCommands"]
    note(f"edge (5): show edge json udr {e['udr']}")


def test_next_hop_vip(hairpin):
    """next-hop (an ILB VIP) is policy: reloaded live, it is the next hop ARS gets and the UDRs'."""
    h, az = hairpin, hairpin.az
    h.start_nva("nva1")
    h.wait_nva("nva1")
    rd, vip = h.rd["nva1"], "10.200.0.10"
    rd.conf_path.write_text(json.dumps(nva_conf("nva1", next_hop=vip), indent=2) + "\n")
    assert "reloaded" in rd.ctl("reload").stdout
    try:
        def at_ars():
            d = az.frr["ars1"].vtysh_json(f"show ip bgp {SUPERNET} json")
            nhs = [n["ip"] for p in d.get("paths", []) for n in p.get("nexthops", [])]
            assert nhs == [vip], d
        poll(at_ars, 20, what=f"ars1 has {SUPERNET} via {vip}")
        udr = h.edge()["udr"]
        assert udr == [{"prefix": p, "next-hop": vip} for p in sorted(SITE_PREFIXES)], udr
        assert "set ip next-hop 10.200.0.10" in rd.ctl("show", "running").stdout
    finally:
        rd.conf_path.write_text(json.dumps(nva_conf("nva1"), indent=2) + "\n")
        assert "reloaded" in rd.ctl("reload").stdout
    note(f"edge: next-hop {vip} reloaded live: ARS has the supernet via the VIP, UDRs {udr}")


def test_lab_script_runs():
    """lab/edge-hairpin/run --once: the runnable lab comes up, shows the hairpin, tears down."""
    env = dict(os.environ, ROUTERD_LAB_PREFIX=f"{netlab.PREFIX}-lab",
               ROUTERD_BUILD=str(netlab.BUILD))
    t0 = time.monotonic()
    p = subprocess.run([str(netlab.REPO / "lab" / "edge-hairpin" / "run"), "--once"], env=env,
                       capture_output=True, text=True, timeout=180)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    assert "edge-hairpin: OK" in p.stdout and "AS path 12076" in p.stdout, p.stdout[-2000:]
    left = [n for n in netlab.netns_list() if n.startswith(f"{netlab.PREFIX}-lab-")]
    assert not left, left
    note(f"edge: lab/edge-hairpin/run --once passed in {time.monotonic() - t0:.1f}s")
