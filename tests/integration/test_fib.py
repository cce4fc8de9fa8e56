"""routerd/kernel (fib, neigh, iface) against a real kernel, through fib-driver.

Each test gets one namespace ("<run prefix>-<n>-fib", removed by the lab
fixture's teardown even on failure) with veth pairs v0..v3 (both ends inside,
v<i> has 10.99.<i>.1/24 and 2001:db8:99:<i>::1/64) and vdown, a pair left
down. fib-driver installs through fib.c; the checks read the kernel's own
view with `ip -j route|nexthop|neigh`.

ROUTERD_FIB_BENCH=1 adds the 1,000,000-route install (about 100 ECMP groups).
"""

import json
import os
import subprocess

import pytest

import netlab
from netlab import poll, run

DRIVER = netlab.BUILD / "tests" / "fib-driver"
MAC = "02:00:5e:00:53:01"
GWS = ["10.99.0.2", "10.99.0.3", "10.99.1.2", "10.99.1.3"]


@pytest.fixture
def fib_ns(lab):
    if not os.access(DRIVER, os.X_OK):
        pytest.fail(f"not built: {DRIVER} (ninja -C {netlab.BUILD} tests/fib-driver)")
    node = lab.node("fib")
    node.exec("sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0",
              "net.ipv6.conf.default.accept_dad=0")
    for i in range(4):
        node.exec("ip", "link", "add", f"v{i}", "type", "veth", "peer", "name", f"v{i}p")
        node.exec("ip", "addr", "add", f"10.99.{i}.1/24", "dev", f"v{i}")
        node.exec("ip", "addr", "add", f"2001:db8:99:{i}::1/64", "dev", f"v{i}", "nodad")
        node.exec("ip", "link", "set", f"v{i}", "up")
        node.exec("ip", "link", "set", f"v{i}p", "up")
    node.exec("ip", "link", "add", "vdown", "type", "veth", "peer", "name", "vdownp")
    return node


def driver(node, *args, timeout=120):
    """Runs fib-driver in node; returns (its JSON result, its log lines)."""
    p = run([DRIVER] + [str(a) for a in args], ns=node.ns, check=False, timeout=timeout)
    assert p.returncode == 0, f"fib-driver rc={p.returncode}\nstdout: {p.stdout}\nstderr: {p.stderr}"
    try:
        return json.loads(p.stdout), p.stderr.splitlines()
    except ValueError as e:
        raise AssertionError(f"fib-driver printed no JSON ({e}): {p.stdout!r}\n{p.stderr}")


def ip_json(node, *args):
    out = node.exec("ip", "-j", *args).stdout
    return json.loads(out) if out.strip() else []


def bgp_routes(node):
    """{dst: route} for every proto bgp route, both families."""
    routes = ip_json(node, "-4", "route", "show", "proto", "bgp")
    routes += ip_json(node, "-6", "route", "show", "proto", "bgp")
    return {r["dst"]: r for r in routes}


def nexthops(node, proto=None):
    nhs = {n["id"]: n for n in ip_json(node, "nexthop", "show")}
    return {i: n for i, n in nhs.items() if proto is None or n.get("protocol") == proto}


def permanent_neighbors(node, dev):
    return [n for n in ip_json(node, "neigh", "show", "dev", dev)
            if "PERMANENT" in n.get("state", [])]


def gw_args():
    return [a for g in GWS for a in ("--gw", g)]


# ---------------------------------------------------------------------------


def test_install_forms_ecmp_and_failures(fib_ns):
    n = fib_ns
    # A non-BGP route for recursive resolution, and one of ours covering part of it.
    n.exec("ip", "route", "add", "203.0.113.0/24", "via", "10.99.2.2", "proto", "static")
    res, log = driver(
        n, "--keep", *gw_args(), "--routes", 1000, "--groups", 4, "--width", 2,
        "--route", "198.51.100.0/24=ll,v0,fe80::2",
        "--route", f"198.51.101.0/24=onlink,v1,{MAC}",
        "--route", "198.51.102.0/24=blackhole",
        "--route", "2001:db8:100::/48=gw,2001:db8:99:2::2",
        "--route", "2001:db8:101::/48=blackhole",
        "--route", "198.51.103.0/24=dev,vdown,10.99.9.9",      # device down: must fail
        "--route", "198.51.104.0/24=ifindex,9999,10.99.9.9",   # no such device: must fail
        "--route", "198.51.105.0/24=gw,203.0.113.7",           # recursive via the static /24
        "--route", "203.0.113.0/25=dev,v3,10.99.3.2",          # ours, covers the next gw
        "--route", "198.51.106.0/24=gw,203.0.113.9",           # must ignore our /25
        "--route", "198.51.107.0/24=group,10.99.2.2,10.99.3.2,10.99.2.2")
    ex = res["explicit"]

    # step: the driver's counters: 1000 bulk + 9 explicit installed, 2 failed, nothing pending
    st = res["stats"]
    assert res["errors"] == 0, res
    assert (st["installed"], st["failed"], st["pending"]) == (1009, 2, 0), st
    assert st["nh_failed"] == 2 and st["groups"] == 5, st

    # step: each failure is logged with its prefix and the kernel's reason
    for pfx in ("198.51.103.0/24", "198.51.104.0/24"):
        lines = [l for l in log if "event=fib-error" in l and f"prefix={pfx}" in l]
        assert lines, f"no fib-error line for {pfx} in:\n" + "\n".join(log)
        assert "error=" in lines[0]

    routes, nhs = bgp_routes(n), nexthops(n)

    # step: the bulk routes are there, round-robin over the 4 groups, with metric 20
    groups = res["group_ids"]
    bulk = {d: r for d, r in routes.items() if d.startswith("32.")}
    assert len(bulk) == 1000
    for i in (0, 1, 2, 3, 500, 999):
        a = (32 << 24) + (i << 8)
        dst = f"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.0/24"
        r = bulk[dst]
        assert r["nhid"] == groups[i % 4], (dst, r)
        assert r.get("metric") == 20, r

    # step: each group is an ECMP pair of our numbered nexthops (protocol bgp)
    by_gw = {nh["gateway"]: i for i, nh in nhs.items() if nh.get("gateway") in GWS}
    assert len(by_gw) == 4, nhs
    pairs = [(0, 1), (0, 2), (0, 3), (1, 2)]
    for gid, (a, b) in zip(groups, pairs):
        g = nhs[gid]
        assert g.get("protocol") == "bgp", g
        assert sorted(m["id"] for m in g["group"]) == sorted([by_gw[GWS[a]], by_gw[GWS[b]]]), g
    for g in GWS:
        nh = nhs[by_gw[g]]
        assert nh["dev"] == ("v0" if g.startswith("10.99.0.") else "v1"), nh

    # step: IPv4 over an IPv6 link-local gateway shows `via inet6 fe80::2`
    r = routes["198.51.100.0/24"]
    assert r["nhid"] == ex["198.51.100.0/24"]
    assert r.get("via") == {"family": "inet6", "host": "fe80::2"} and r["dev"] == "v0", r

    # step: RFC 5549 form: 169.254.0.1 onlink, and its PERMANENT neighbor entry
    nh = nhs[ex["198.51.101.0/24"]]
    assert (nh["gateway"], nh["dev"]) == ("169.254.0.1", "v1") and "onlink" in nh["flags"], nh
    assert routes["198.51.101.0/24"]["nhid"] == nh["id"]
    neigh = [e for e in permanent_neighbors(n, "v1") if e["dst"] == "169.254.0.1"]
    assert neigh and neigh[0]["lladdr"] == MAC, ip_json(n, "neigh", "show", "dev", "v1")

    # step: blackholes of both families, and an IPv6 route through a numbered gateway
    assert routes["198.51.102.0/24"].get("type") == "blackhole"
    assert routes["2001:db8:101::/48"].get("type") == "blackhole"
    r6 = routes["2001:db8:100::/48"]
    assert (r6.get("gateway"), r6.get("dev")) == ("2001:db8:99:2::2", "v2"), r6

    # step: the failed routes are not in the kernel
    assert "198.51.103.0/24" not in routes and "198.51.104.0/24" not in routes

    # step: recursive resolution: the static route's gateway, ignoring our own /25
    for pfx in ("198.51.105.0/24", "198.51.106.0/24"):
        nh = nhs[routes[pfx]["nhid"]]
        assert (nh["gateway"], nh["dev"]) == ("10.99.2.2", "v2"), (pfx, nh)

    # step: a group given with a duplicate member has each member once
    g = nhs[routes["198.51.107.0/24"]["nhid"]]
    members = {nhs[m["id"]]["gateway"] for m in g["group"]}
    assert members == {"10.99.2.2", "10.99.3.2"} and len(g["group"]) == 2, g


def test_routes_hold_references(fib_ns):
    n = fib_ns
    res, _ = driver(
        n, "--no-sweep", "--keep",
        "--route", "198.51.110.0/24=gw,10.99.2.2",
        "--route", "198.51.112.0/24=gw,10.99.2.3",
        "--route", "198.51.110.0/24=gw,10.99.3.2",     # re-pointed: 10.99.2.2 unused
        "--route", "198.51.111.0/24=group,10.99.2.3,10.99.3.3",
        "--route", "198.51.112.0/24=group,10.99.2.3,10.99.3.3",  # same group: shared
        "--route", "198.51.111.0/24=del",               # group still used by .112
        "--route", "198.51.113.0/24=dev,v3,10.99.3.4",
        "--route", "198.51.113.0/24=del")               # 10.99.3.4 unused
    st = res["stats"]
    assert (st["installed"], st["failed"], st["pending"]) == (2, 0, 0), st

    # step: objects no route uses are deleted; shared ones stay
    routes, nhs = bgp_routes(n), nexthops(n, "bgp")
    assert set(routes) == {"198.51.110.0/24", "198.51.112.0/24"}, routes
    gws = sorted(nh["gateway"] for nh in nhs.values() if "gateway" in nh)
    assert gws == ["10.99.2.3", "10.99.3.2", "10.99.3.3"], nhs
    groups = [nh for nh in nhs.values() if "group" in nh]
    assert len(groups) == 1 and routes["198.51.112.0/24"]["nhid"] == groups[0]["id"], nhs
    assert (st["nexthops"], st["groups"]) == (3, 1), st


def test_sweep_removes_what_an_earlier_run_left(fib_ns):
    n = fib_ns
    # step: what a crashed earlier run would leave, plus things that are not ours
    for cmd in (["nexthop", "add", "id", "5001", "via", "10.99.0.2", "dev", "v0", "proto", "bgp"],
                ["nexthop", "add", "id", "5002", "via", "10.99.1.2", "dev", "v1", "proto", "bgp"],
                ["nexthop", "add", "id", "5003", "group", "5001/5002", "proto", "bgp"],
                ["route", "add", "100.64.0.0/24", "nhid", "5003", "proto", "bgp", "metric", "20"],
                ["route", "add", "100.64.1.0/24", "via", "10.99.0.2", "proto", "bgp", "metric", "20"],
                ["route", "add", "100.64.2.0/24", "via", "10.99.0.2", "proto", "bgp", "metric", "50"],
                ["-6", "route", "add", "2001:db8:64::/48", "via", "2001:db8:99:0::2", "proto", "bgp"],
                ["neigh", "add", "169.254.0.1", "lladdr", MAC, "dev", "v2", "nud", "permanent",
                 "proto", "bgp"],
                ["nexthop", "add", "id", "6001", "via", "10.99.0.3", "dev", "v0", "proto", "static"],
                ["route", "add", "100.65.0.0/24", "nhid", "6001", "proto", "static"],
                ["route", "add", "100.65.1.0/24", "via", "10.99.0.3", "proto", "bgp", "table", "100"],
                ["neigh", "add", "10.99.3.9", "lladdr", MAC, "dev", "v3", "nud", "permanent"]):
        n.exec("ip", *cmd)

    res, log = driver(n, "--keep", "--route", "198.51.100.0/24=gw,10.99.0.2")

    # step: 4 routes, 1 group and 2 nexthops swept; the stale neighbor too
    assert res["swept"] == 7, (res, log)
    assert res["neigh_swept"] == 1, (res, log)
    routes = bgp_routes(n)
    assert set(routes) == {"198.51.100.0/24"}, routes
    assert not {5001, 5002, 5003} & set(nexthops(n)), nexthops(n)
    assert not permanent_neighbors(n, "v2")

    # step: what is not ours (other protocol, other table, untagged neighbor) stays
    assert 6001 in nexthops(n)
    assert any(r["dst"] == "100.65.0.0/24" for r in ip_json(n, "route", "show", "proto", "static"))
    assert ip_json(n, "route", "show", "table", "100")
    assert permanent_neighbors(n, "v3")

    # step: a second run sweeps everything the first one left (it kept its routes)
    first = driver(n, "--keep", *gw_args(), "--routes", 300, "--groups", 3,
                   "--route", f"198.51.101.0/24=onlink,v1,{MAC}")[0]
    ours_before = set(nexthops(n, "bgp"))
    assert len(ours_before) == 4 + 3 + 1, ours_before  # next hops, groups, onlink
    assert first["stats"]["installed"] == 301, first
    second, _ = driver(n, "--keep", "--route", "198.51.110.0/24=gw,10.99.1.3")
    assert second["swept"] == 301 + len(ours_before), (first, second)
    assert second["neigh_swept"] == 1
    assert set(bgp_routes(n)) == {"198.51.110.0/24"}
    assert len(nexthops(n, "bgp")) == 1


def test_shutdown_removes_everything(fib_ns):
    n = fib_ns
    n.exec("ip", "route", "add", "100.65.0.0/24", "via", "10.99.0.3", "proto", "static")
    res, _ = driver(n, *gw_args(), "--routes", 2000, "--groups", 6,
                    "--route", f"198.51.101.0/24=onlink,v1,{MAC}",
                    "--route", "198.51.100.0/24=ll,v0,fe80::2",
                    "--route", "2001:db8:100::/48=gw,2001:db8:99:2::2")

    # step: everything was installed, then fib_shutdown removed it
    assert res["stats"]["installed"] == 2003 and res["stats"]["failed"] == 0, res
    after = res["after_shutdown"]
    assert (after["installed"], after["nexthops"], after["groups"], after["pending"]) == \
        (0, 0, 0, 0), after

    # step: the kernel agrees: no bgp route, nexthop or neighbor left; others untouched
    assert bgp_routes(n) == {}
    assert nexthops(n, "bgp") == {}
    assert not permanent_neighbors(n, "v1")
    assert ip_json(n, "route", "show", "proto", "static")


def test_iface_table_matches_the_kernel(fib_ns):
    n = fib_ns
    res, _ = driver(n, "--no-sweep", "--keep", "--ifaces")
    mine = {i["name"]: i for i in res["ifaces"]}
    kernel = {l["ifname"]: l for l in ip_json(n, "addr", "show")}

    # step: same interfaces, indexes, MACs, flags and addresses as `ip -j addr`
    assert set(mine) == set(kernel), (sorted(mine), sorted(kernel))
    for name, k in kernel.items():
        m = mine[name]
        assert m["ifindex"] == k["ifindex"], (m, k)
        assert m.get("mac") == k.get("address"), (m, k)
        assert m["up"] == ("UP" in k["flags"]), (m, k)
        assert m["mtu"] == k["mtu"], (m, k)
        addrs = {f"{a['local']}/{a['prefixlen']}" for a in k.get("addr_info", [])}
        assert set(m["addrs"]) == addrs, (name, m["addrs"], addrs)
    assert mine["v0"]["running"] and not mine["vdown"]["up"]


def test_iface_events(fib_ns):
    n = fib_ns
    out = n.dir / "watch.jsonl"
    with open(out, "w") as f:
        p = subprocess.Popen(["ip", "netns", "exec", n.ns, str(DRIVER), "--watch", "30"],
                             stdout=f, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        def events():
            lines = [l for l in out.read_text().splitlines() if l.startswith("{")]
            return [json.loads(l) for l in lines]

        def seen(**want):
            def check():
                evs = events()
                assert any(all(e.get(k) == v for k, v in want.items()) for e in evs), \
                    f"no event {want} in {evs}"
            poll(check, 10, 0.05, what=f"event {want}")

        seen(event="ready")
        # step: link down/up of an interface that was usable
        n.exec("ip", "link", "set", "v3", "down")
        seen(event="link", what="down", name="v3")
        n.exec("ip", "link", "set", "v3", "up")
        seen(event="link", what="up", name="v3")
        # step: address added and removed
        n.exec("ip", "addr", "add", "10.98.0.1/24", "dev", "v2")
        seen(event="addr", what="added", name="v2", addr="10.98.0.1/24")
        n.exec("ip", "addr", "del", "10.98.0.1/24", "dev", "v2")
        seen(event="addr", what="removed", name="v2", addr="10.98.0.1/24")
        # step: an interface created then deleted
        n.exec("ip", "link", "add", "vnew", "type", "veth", "peer", "name", "vnewp")
        seen(event="link", what="added", name="vnew")
        n.exec("ip", "link", "del", "vnew")
        seen(event="link", what="removed", name="vnew")
        seen(event="link", what="removed", name="vnewp")
    finally:
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)


def install_bench(node, routes, groups):
    gws = [f"10.99.{i}.{h}" for i in range(4) for h in range(2, 6)]  # 16 next hops
    args = [a for g in gws for a in ("--gw", g)]
    res, _ = driver(node, *args, "--routes", routes, "--groups", groups, "--width", 2,
                    "--spread", timeout=600)
    st = res["stats"]
    assert (st["installed"], st["failed"], st["pending"]) == (routes, 0, 0), st
    assert res["after_shutdown"]["installed"] == 0, res
    netlab.note(f"fib: {routes} routes over {groups} ECMP groups installed in "
                f"{res['seconds']:.2f} s, removed in {res['shutdown_seconds']:.2f} s")
    return res


def test_install_100k(fib_ns):
    install_bench(fib_ns, 100_000, 100)


@pytest.mark.skipif(not os.environ.get("ROUTERD_FIB_BENCH"),
                    reason="set ROUTERD_FIB_BENCH=1 for the 1M-route install")
def test_install_1m(fib_ns):
    install_bench(fib_ns, 1_000_000, 100)
