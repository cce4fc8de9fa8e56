"""ndra runtime tests: `ndra watch --json` in network namespaces.

Each test builds its own namespaces through netlab.Lab (the `lab` fixture), whose
teardown always stops the ndra processes and deletes the namespaces, even when a
test fails. Checks poll the JSON event stream with a bounded timeout; times are
taken from the events' "t-ms" (CLOCK_MONOTONIC, shared by all namespaces) and
printed in the run's measurements.

  1. two routers on a veth: each learns the other's LLA and exact MAC, within 1 s
  2. three routers on a bridge: two peers each; a killed one expires after its
     router lifetime, one that exits gracefully (final RA, lifetime 0) goes at once
  3. MAC change: peer-changed with the new MAC (with and without the link monitor)
  4. link down/up: peer-down at once on both sides; peer-up within 1 s of the links
     being up (and the same without the link monitor, within ndra's own poll)
  5. malformed RAs from a Python raw socket: dropped, counted by reason
  6. a link-local address still in DAD: ndra retries until it can send
"""

import json
import os
import signal
import subprocess
import time

import pytest

import netlab
from netlab import note, poll

NDRA = netlab.BUILD / "ndra"


@pytest.fixture(autouse=True)
def ndra_binary():
    if not os.access(NDRA, os.X_OK):
        pytest.fail(f"not built: {NDRA} (ninja -C <build> ndra, or set ROUTERD_BUILD)")


class Ndra(netlab.Daemon):
    """`ndra watch --json` in a namespace: JSON events to ndra.jsonl, logs to ndra.log."""

    kind = "ndra"

    def __init__(self, node, ifaces, interval=1, extra=()):
        super().__init__(node, "ndra")
        self.ifaces, self.interval, self.extra = list(ifaces), interval, list(extra)
        self.out = node.dir / "ndra.jsonl"
        self.err = node.dir / "ndra.log"

    def start(self):
        argv = [NDRA, "watch", "--json", "-i", self.interval] + self.extra + self.ifaces
        with open(self.out, "ab") as out, open(self.err, "ab") as err:
            p = subprocess.Popen(["ip", "netns", "exec", self.node.ns] + [str(a) for a in argv],
                                 stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                 start_new_session=True)
        self.procs["ndra"] = p
        self.logs = {"ndra.jsonl": self.out, "ndra.log": self.err}
        poll(lambda: self._started(), 5, interval=0.02, what=f"ndra on {self.node.name} started")
        return self

    def _started(self):
        self.check_alive()
        assert self.events("start"), "no start event yet"

    def events(self, kind=None):
        """Every complete JSON line so far (optionally only those of one event kind)."""
        try:
            text = self.out.read_text()
        except FileNotFoundError:
            return []
        evs = []
        for line in text.splitlines(keepends=True):
            if line.endswith("\n") and line.startswith("{"):
                evs.append(json.loads(line))
        return [e for e in evs if kind is None or e["event"] == kind]

    @property
    def start_ms(self):
        return self.events("start")[-1]["t-ms"]

    def wait(self, kind, timeout=5.0, after_ms=0, what=None, **match):
        """The first event of kind, at or after after_ms, whose fields equal match."""
        def found():
            for e in self.events(kind):
                if e["t-ms"] >= after_ms and all(e.get(k) == v for k, v in match.items()):
                    return e
            self.check_alive()
            raise AssertionError(f"no {kind} {match} on {self.node.name} yet; "
                                 f"events: {self.events()[-6:]}")
        return poll(found, timeout, interval=0.02, what=what or f"{self.node.name}: {kind} {match}")

    def peers(self):
        """{lla: event} of peers currently up, replayed from the events."""
        table = {}
        for e in self.events():
            if e["event"] in ("peer-up", "peer-changed"):
                table[e["lla"]] = e
            elif e["event"] == "peer-down":
                table.pop(e["lla"], None)
        return table

    def stats(self):
        """Asks for a stats line (SIGUSR1) and returns {ifname: counters}."""
        n = len(self.events("stats"))
        os.kill(self.pid, signal.SIGUSR1)
        poll(lambda: len(self.events("stats")) > n or False, 5, interval=0.02,
             what=f"stats from ndra on {self.node.name}")
        return {i["ifname"]: i for i in self.events("stats")[-1]["interfaces"]}

    def session(self, peer):
        raise NotImplementedError


def now_ms():
    return int(time.monotonic() * 1000)


def link_info(node, ifname):
    """(mac, link-local address) of ifname in node."""
    mac = json.loads(node.exec("ip", "-j", "link", "show", "dev", ifname).stdout)[0]["address"]
    addrs = json.loads(node.exec("ip", "-j", "-6", "addr", "show", "dev", ifname).stdout)
    # iproute2 6.1 leaves {} for addresses a filter drops, so filter here.
    lla = [a["local"] for a in addrs[0]["addr_info"]
           if a.get("scope") == "link" and a.get("local", "").startswith("fe80:")]
    assert lla, f"{node.name}/{ifname} has no link-local address: {addrs}"
    return mac, lla[0]


def ndra(node, ifaces, **kw):
    return node.add(Ndra(node, ifaces, **kw)).start()


# --------------------------------------------------------------------------
# 1. two routers on a veth


def test_pair_learns_lla_and_mac_within_1s(lab):
    a, b = lab.node("a"), lab.node("b")
    link = lab.link(a, b)
    a_mac, a_lla = link_info(a, link.a_if)
    b_mac, b_lla = link_info(b, link.b_if)

    na = ndra(a, [link.a_if], interval=5)
    nb = ndra(b, [link.b_if], interval=5)
    t0 = max(na.start_ms, nb.start_ms)  # nobody can learn a peer that does not exist yet

    ea = na.wait("peer-up", 2, lla=b_lla)
    eb = nb.wait("peer-up", 2, lla=a_lla)
    assert ea["mac"] == b_mac and ea["ifname"] == link.a_if, ea
    assert eb["mac"] == a_mac and eb["ifname"] == link.b_if, eb
    assert ea["lifetime"] == eb["lifetime"] == 15, "default lifetime is 3 x interval"
    da, db = ea["t-ms"] - t0, eb["t-ms"] - t0
    note(f"ndra pair: a learned b {da} ms, b learned a {db} ms after both started")
    assert max(da, db) <= 1000, f"learned after {da} / {db} ms"
    # Exactly one peer each: our own RAs are not looped back to us.
    assert list(na.peers()) == [b_lla] and list(nb.peers()) == [a_lla]


# --------------------------------------------------------------------------
# 2. three routers on a bridge


def bridge_lab(lab, n=3):
    """n router namespaces, each with eth0 on a bridge in namespace "sw"."""
    sw = lab.node("sw")
    sw.exec("ip", "link", "add", "br0", "type", "bridge")
    sw.exec("ip", "link", "set", "br0", "up")
    nodes = []
    for i in range(1, n + 1):
        r = lab.node(f"r{i}")
        netlab.run(["ip", "link", "add", "eth0", "netns", r.ns, "type", "veth",
                    "peer", "name", f"p{i}", "netns", sw.ns])
        sw.exec("ip", "link", "set", f"p{i}", "master", "br0", "up")
        r.exec("ip", "link", "set", "eth0", "up")
        nodes.append(r)

    def ready():
        for r in nodes:
            out = r.exec("ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "link").stdout
            assert "fe80::" in out and "tentative" not in out, f"{r.name}: {out.strip()!r}"
    poll(ready, 10, interval=0.05, what="link-local addresses on the bridge")
    return nodes


def test_shared_segment_three_peers(lab):
    nodes = bridge_lab(lab)
    info = {r.name: link_info(r, "eth0") for r in nodes}
    nd = {r.name: ndra(r, ["eth0"], interval=1) for r in nodes}  # lifetime 3 s

    for r in nodes:
        others = {info[o.name][1]: info[o.name][0] for o in nodes if o is not r}

        def two_peers(r=r, others=others):
            got = {lla: e["mac"] for lla, e in nd[r.name].peers().items()}
            assert got == others, f"{r.name} sees {got}, want {others}"
        poll(two_peers, 3, interval=0.05, what=f"{r.name} sees both other routers")

    # r1 dies without a word: the others drop it when its router lifetime runs out.
    r1_lla = info["r1"][1]
    t_kill = now_ms()
    os.kill(nd["r1"].pid, signal.SIGKILL)
    for name in ("r2", "r3"):
        e = nd[name].wait("peer-down", 5, after_ms=t_kill, lla=r1_lla)
        assert e["reason"] == "expired", e
        dt = e["t-ms"] - t_kill
        note(f"ndra bridge: {name} expired killed r1 after {dt} ms (lifetime 3 s)")
        assert 1500 <= dt <= 3300, f"expired after {dt} ms; lifetime is 3 s, RA interval 1 s"

    # r2 leaves gracefully: its final RA (lifetime 0) removes it from r3 at once.
    r2_lla = info["r2"][1]
    t_term = now_ms()
    os.kill(nd["r2"].pid, signal.SIGTERM)
    e = nd["r3"].wait("peer-down", 2, after_ms=t_term, lla=r2_lla)
    assert e["reason"] == "lifetime-zero", e
    dt = e["t-ms"] - t_term
    note(f"ndra bridge: r3 dropped gracefully exiting r2 after {dt} ms")
    assert dt <= 500, f"graceful exit took {dt} ms"
    assert nd["r3"].peers() == {}


# --------------------------------------------------------------------------
# 3. MAC change


@pytest.mark.parametrize("monitor", [True, False], ids=["link-monitor", "no-link-monitor"])
def test_mac_change(lab, monitor):
    a, b = lab.node("a"), lab.node("b")
    link = lab.link(a, b)
    a_mac, a_lla = link_info(a, link.a_if)
    interval = 2
    extra = [] if monitor else ["--no-link-monitor", "-v"]
    na = ndra(a, [link.a_if], interval=interval, extra=extra)
    nb = ndra(b, [link.b_if], interval=interval)
    nb.wait("peer-up", 2, lla=a_lla, mac=a_mac)
    na.wait("peer-up", 2)
    # Past a's start burst, so that without the monitor the periodic RA carries the news.
    time.sleep(max(0, na.start_ms + 800 - now_ms()) / 1000)

    new_mac = "02:00:5e:10:00:01"
    t = now_ms()
    a.exec("ip", "link", "set", "dev", link.a_if, "address", new_mac)
    e = nb.wait("peer-changed", interval + 1, after_ms=t, lla=a_lla)
    assert e["mac"] == new_mac and e["old-mac"] == a_mac, e
    assert link_info(a, link.a_if) == (new_mac, a_lla), "the LLA must not change with the MAC"
    dt = e["t-ms"] - t
    note(f"ndra MAC change ({'with' if monitor else 'without'} link monitor): "
         f"peer-changed after {dt} ms (RA interval {interval} s)")
    assert dt <= (200 if monitor else interval * 1000 + 100), f"peer-changed after {dt} ms"
    assert [x["event"] for x in nb.events() if x["t-ms"] >= t and x["event"].startswith("peer")] \
        == ["peer-changed"], "a MAC change must not look like a new peer"


# --------------------------------------------------------------------------
# 4. link down / up


def link_up_ms(nd, ifname, after_ms):
    """When the kernel reported ifname oper-up (the tool's link event)."""
    return nd.wait("link", 3, after_ms=after_ms, ifname=ifname, up=True)["t-ms"]


def test_link_down_up(lab):
    a, b = lab.node("a"), lab.node("b")
    link = lab.link(a, b)
    a_mac, a_lla = link_info(a, link.a_if)
    b_mac, b_lla = link_info(b, link.b_if)
    na = ndra(a, [link.a_if], interval=5)  # lifetime 15 s: only link-down can explain a fast drop
    nb = ndra(b, [link.b_if], interval=5)
    na.wait("peer-up", 2, lla=b_lla)
    nb.wait("peer-up", 2, lla=a_lla)

    t_down = now_ms()
    a.exec("ip", "link", "set", link.a_if, "down")
    # a's own admin-down is reported at once. b's carrier loss reaches b when the kernel's
    # linkwatch runs, which is rate-limited to once a second for the whole machine: up to
    # 1 s late, whatever ndra does. So b is timed from its own link event.
    for nd, lla, ifname in ((na, b_lla, link.a_if), (nb, a_lla, link.b_if)):
        e = nd.wait("peer-down", 2, after_ms=t_down, lla=lla)
        assert e["reason"] == "link-down", e
        seen = nd.wait("link", 2, after_ms=t_down, ifname=ifname, up=False)["t-ms"]
        note(f"ndra link down: {nd.node.name} peer-down {e['t-ms'] - seen} ms after the kernel "
             f"reported the link down ({e['t-ms'] - t_down} ms after `ip link set down`)")
        assert e["t-ms"] - seen <= 50
        assert seen - t_down <= (300 if nd is na else 1300), "kernel link event late"

    t_up = now_ms()
    a.exec("ip", "link", "set", link.a_if, "up")
    links_up = max(link_up_ms(na, link.a_if, t_up), link_up_ms(nb, link.b_if, t_up))
    for nd, lla, mac in ((na, b_lla, b_mac), (nb, a_lla, a_mac)):
        e = nd.wait("peer-up", 3, after_ms=t_up, lla=lla)
        assert e["mac"] == mac, e
        note(f"ndra link up: {nd.node.name} peer-up {e['t-ms'] - links_up} ms after both links "
             f"were up ({e['t-ms'] - t_up} ms after `ip link set up`)")
        assert e["t-ms"] - links_up <= 1000


def test_link_down_up_without_link_monitor(lab):
    """ndra on its own: the down is seen at the next RA tick, the up by its 1 s poll."""
    a, b = lab.node("a"), lab.node("b")
    link = lab.link(a, b)
    a_lla, b_lla = link_info(a, link.a_if)[1], link_info(b, link.b_if)[1]
    interval = 1
    na = ndra(a, [link.a_if], interval=interval, extra=["--no-link-monitor", "-v"])
    nb = ndra(b, [link.b_if], interval=interval, extra=["--no-link-monitor", "-v"])
    na.wait("peer-up", 2, lla=b_lla)
    nb.wait("peer-up", 2, lla=a_lla)

    t_down = now_ms()
    a.exec("ip", "link", "set", link.a_if, "down")
    for nd, lla in ((na, b_lla), (nb, a_lla)):
        e = nd.wait("peer-down", 3, after_ms=t_down, lla=lla)
        assert e["reason"] == "link-down", e
        note(f"ndra link down, no monitor: {nd.node.name} peer-down after {e['t-ms'] - t_down} ms")
        # The next RA tick, or a failed send retried 0.1 s later; on b's side the kernel
        # itself may report the carrier loss up to 1 s late (linkwatch).
        assert e["t-ms"] - t_down <= interval * 1000 + 1100

    t_up = now_ms()
    a.exec("ip", "link", "set", link.a_if, "up")
    for nd, lla in ((na, b_lla), (nb, a_lla)):
        e = nd.wait("peer-up", 4, after_ms=t_up, lla=lla)
        note(f"ndra link up, no monitor: {nd.node.name} peer-up after {e['t-ms'] - t_up} ms")
        assert e["t-ms"] - t_up <= 2500  # 1 s poll + burst, plus the kernel's linkwatch delay


# --------------------------------------------------------------------------
# 5. malformed packets


CRAFT = r"""
import socket, struct, sys

ifname, kind, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
src = sys.argv[4] if len(sys.argv) > 4 else None
idx = socket.if_nametoindex(ifname)
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 254 if kind == "hop-limit" else 255)
if src:
    s.bind((src, 0, 0, 0))  # a global source address
mac = bytes.fromhex("02aabbccddee")

def ra(code=0, lifetime=30):
    # type 134, code, checksum (the kernel fills it), hop limit, flags, lifetime, reachable, retrans
    return struct.pack("!BBHBBHII", 134, code, 0, 0, 0, lifetime, 0, 0)

slla = bytes([1, 1]) + mac
pkts = {
    "hop-limit": ra() + slla,
    "source": ra() + slla,
    "short": ra()[:10],
    "opt-zero-len": ra() + bytes([1, 0]) + mac,
    "opt-overrun": ra() + bytes([1, 4]) + mac,         # says 32 bytes, 8 are there
    "bad-slla": ra() + bytes([1, 2]) + mac + bytes(8),  # a 16-byte SLLA option
    "bad-code": ra(code=1) + slla,
    "no-slla": ra(),
}
for _ in range(count):
    s.sendto(pkts[kind], ("ff02::1", 0, 0, idx))
"""

# kind -> how many to send; every count differs so a swapped counter shows.
MALFORMED = {"hop-limit": 3, "source": 2, "short": 4, "opt-zero-len": 1, "opt-overrun": 5,
             "bad-slla": 6, "bad-code": 7, "no-slla": 2}


def test_malformed_packets_dropped_and_counted(lab):
    a, b = lab.node("a"), lab.node("b")
    link = lab.link(a, b)
    na = ndra(a, [link.a_if], interval=5)
    time.sleep(0.3)  # let the kernel's own RS from b pass; they are valid and not counted here
    before = na.stats()[link.a_if]

    for kind, count in MALFORMED.items():
        args = [link.b_if, kind, count] + ([link.b_v6] if kind == "source" else [])
        b.exec("/usr/bin/python3", "-c", CRAFT, *args)

    def counted():
        st = na.stats()[link.a_if]
        got = {k: st["drops"][k] - before["drops"][k] for k in MALFORMED}
        assert got == MALFORMED, f"drops {got}, want {MALFORMED}"
        return st
    st = poll(counted, 5, interval=0.1, what="drop counters")
    assert st["drops"]["bad-type"] == before["drops"]["bad-type"] == 0
    assert st["rx-ra"] == before["rx-ra"], "a malformed RA was used"
    assert na.events("peer-up") == [], "a malformed RA created a peer"
    log = na.err.read_text()
    assert "event=ndra-drop reason=hop-limit" in log, log
    # Rate-limited: one line per interface per 5 s, not one per packet.
    assert log.count("event=ndra-drop") < sum(MALFORMED.values())

    # The stats line at exit carries the same counters.
    na.stop()
    final = na.events("stats")[-1]["interfaces"][0]
    assert final["drops"] == st["drops"], final


# --------------------------------------------------------------------------
# 6. link-local address still tentative


def test_waits_for_link_local_dad(lab):
    a, b = lab.node("a"), lab.node("b")
    netlab.run(["ip", "link", "add", "eth0", "netns", a.ns, "type", "veth",
                "peer", "name", "eth0", "netns", b.ns])
    for n in (a, b):
        n.exec("sysctl", "-qw", "net.ipv6.conf.eth0.accept_dad=1")
        n.exec("ip", "link", "set", "eth0", "up")
    na = ndra(a, ["eth0"], interval=5)
    nb = ndra(b, ["eth0"], interval=5)
    out = a.exec("ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "link").stdout
    tentative = "tentative" in out or "fe80::" not in out
    t0 = max(na.start_ms, nb.start_ms)
    ea = na.wait("peer-up", 6)
    eb = nb.wait("peer-up", 6)
    assert ea["lla"] == link_info(b, "eth0")[1] and eb["lla"] == link_info(a, "eth0")[1]
    note(f"ndra with DAD: peers after {ea['t-ms'] - t0} / {eb['t-ms'] - t0} ms "
         f"(link-local tentative at start: {tentative})")
    if tentative:
        # Sends refused while the address was tentative were retried, not fatal.
        assert na.stats()["eth0"]["tx-errors"] > 0


# --------------------------------------------------------------------------
# 7. interfaces that do not exist yet, vanish and come back


def veth_pair(a, b, name="eth0"):
    netlab.run(["ip", "link", "add", name, "netns", a.ns, "type", "veth",
                "peer", "name", name, "netns", b.ns])
    for n in (a, b):
        n.exec("ip", "link", "set", name, "up")


def test_interface_created_deleted_recreated(lab):
    a, b = lab.node("a"), lab.node("b")
    na = ndra(a, ["eth0"], interval=5)  # configured before the interface exists
    nb = ndra(b, ["eth0"], interval=5)

    for round_ in ("created", "re-created"):
        t = now_ms()
        veth_pair(a, b)
        links_up = max(link_up_ms(na, "eth0", t), link_up_ms(nb, "eth0", t))
        for nd, other in ((na, b), (nb, a)):
            mac, lla = link_info(other, "eth0")
            e = nd.wait("peer-up", 3, after_ms=t, lla=lla)
            assert e["mac"] == mac, e
            note(f"ndra interface {round_}: {nd.node.name} peer-up "
                 f"{e['t-ms'] - links_up} ms after both links were up")
            assert e["t-ms"] - links_up <= 1000

        t = now_ms()
        a.exec("ip", "link", "del", "eth0")  # takes b's end with it
        for nd in (na, nb):
            e = nd.wait("peer-down", 2, after_ms=t)
            assert e["reason"] in ("link-down", "if-removed"), e
        assert na.peers() == {} and nb.peers() == {}
