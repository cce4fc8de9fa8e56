"""Acceptance tests for routerd's BGP sessions (numbered, eBGP, datacenter profile).

(a) Established with FRR, BIRD 2, GoBGP and another routerd, over IPv4 and
    IPv6, routerd active and routerd passive; routerctl and each peer's own
    CLI agree on state, AS numbers and router-ids.
(b) A wrong AS on either side gives Bad Peer AS (2/2) and both sides show it.
(c) A SIGSTOPped peer is dropped at hold-timer expiry and comes back after SIGCONT.
(d) SIGTERM: routerd exits 0 and its peers record a Cease NOTIFICATION.
(e) routerctl with a missing socket exits 1 with a one-line error.
"""

import os
import signal
import time

import pytest

from netlab import BUILD, Bird, Frr, GoBgp, RouterD, note, poll, run

RD_AS, RD_ID = 65001, "10.0.0.1"
FRR_AS, FRR_ID = 65002, "10.0.0.2"
BIRD_AS, BIRD_ID = 65003, "10.0.0.3"
GOBGP_AS, GOBGP_ID = 65004, "10.0.0.4"
RD2_AS, RD2_ID = 65005, "10.0.0.5"

# Every peer of the central routerd: (node name, kind, AS, router-id).
PEERS = [("frr", "frr", FRR_AS, FRR_ID), ("bird", "bird", BIRD_AS, BIRD_ID),
         ("gobgp", "gobgp", GOBGP_AS, GOBGP_ID), ("rd2", "routerd", RD2_AS, RD2_ID)]
FAMILIES = (4, 6)

# routerd as a peer: connect-retry tuned like the other peers'.
FAST_TIMERS = {"keepalive": 3, "hold": 9, "connect-retry": 2}

# What BIRD 2.0.12 prints after "Received: " for a Cease (code 6) NOTIFICATION.
BIRD_CEASE_TEXTS = {"Cease", "Maximum number of prefixes reached", "Administrative shutdown",
                    "Peer de-configured", "Administrative reset", "Connection rejected",
                    "Other configuration change", "Connection collision resolution",
                    "Out of Resources", "Hard reset"}


def start_peer(node, kind, asn, rid, neighbors):
    """neighbors: [{addr, remote_as, passive?, connect?}] in netlab's generic shape."""
    if kind == "frr":
        return node.frr(Frr.config(node.name, rid, asn, neighbors))
    if kind == "bird":
        return node.bird(Bird.config(rid, asn, neighbors))
    if kind == "gobgp":
        return node.gobgp(GoBgp.config(rid, asn, neighbors))
    if kind == "routerd":
        return node.routerd(RouterD.config(rid, asn, [
            dict({"peer": n["addr"], "remote-as": n["remote_as"], "timers": FAST_TIMERS},
                 **({"passive": True} if n.get("passive") else {})) for n in neighbors]))
    raise ValueError(kind)


def wait_established(pairs, timeout=45):
    """pairs: [(daemon, peer address as that daemon knows it)]; all must be Established.
    Returns {(daemon node name, addr): seconds until first seen Established}."""
    t0 = time.monotonic()
    seen = {}

    def check():
        bad = []
        for d, addr in pairs:
            s = d.session(addr)
            if s.state != "Established":
                bad.append(f"{d.kind}@{d.node.name} -> {addr}: {s.state}")
            else:
                seen.setdefault((d.node.name, addr), time.monotonic() - t0)
        assert not bad, "; ".join(bad)

    poll(check, timeout, interval=0.3, what="sessions Established")
    return seen


# --------------------------------------------------------------------------
# (a)


@pytest.mark.parametrize("mode", ["routerd-active", "routerd-passive"])
def test_established_with_every_peer(lab, routerd_binaries, mode):
    routerd_passive = mode == "routerd-passive"
    rd_node = lab.node("rd")
    peers = []
    for name, kind, asn, rid in PEERS:
        node = lab.node(name)
        peers.append({"name": name, "kind": kind, "asn": asn, "rid": rid, "node": node,
                      "link": lab.link(rd_node, node)})

    rd_neighbors = []
    for p in peers:
        for fam in FAMILIES:
            n = {"peer": p["link"].addr(p["node"], fam), "remote-as": p["asn"]}
            if routerd_passive:
                n["passive"] = True
            rd_neighbors.append(n)
    rd = RouterD(rd_node, RouterD.config(RD_ID, RD_AS, rd_neighbors))
    rd_node.add(rd)

    # The peers start first and settle (see Frr.wait_ready for why); with routerd
    # passive their first attempts are refused and retried every 2 s.
    for p in peers:
        p["daemon"] = start_peer(p["node"], p["kind"], p["asn"], p["rid"], [
            {"addr": p["link"].addr(rd_node, fam), "remote_as": RD_AS,
             "passive": not routerd_passive, "connect": 2} for fam in FAMILIES])
    for p in peers:
        p["daemon"].wait_ready()
        if not routerd_passive:
            p["daemon"].wait_listening()
    rd.start().wait_ready()

    pairs = []
    for p in peers:
        for fam in FAMILIES:
            pairs.append((rd, p["link"].addr(p["node"], fam)))
            pairs.append((p["daemon"], p["link"].addr(rd_node, fam)))
    times = wait_established(pairs)
    slow = max(times, key=times.get)
    note(f"(a) {mode}: all 8 sessions Established after {times[slow]:.1f}s "
         f"(last: {slow[0]} -> {slow[1]})")
    if not routerd_passive:
        # Every peer was listening before routerd started, so routerd's first
        # connection attempt must succeed; a failed one costs connect-retry (10 s).
        late = {k: round(v, 1) for k, v in times.items() if v > 8.0}
        assert not late, f"routerd active, peers listening, yet Established only after: {late}"

    summary = rd.summary()
    assert summary.get("router-id") == RD_ID, summary
    assert summary.get("as") == RD_AS, summary
    assert sorted(x.get("peer") for x in summary.get("peers", [])) == \
        sorted(n["peer"] for n in rd_neighbors), summary

    conns = rd_node.bgp_connections()
    problems = []
    for p in peers:
        for fam in FAMILIES:
            peer_addr, rd_addr = p["link"].addr(p["node"], fam), p["link"].addr(rd_node, fam)
            label = f"{p['name']} IPv{fam}"
            ours = rd.session(peer_addr)
            theirs = p["daemon"].session(rd_addr)
            if (ours.local_as, ours.remote_as, ours.remote_id) != (RD_AS, p["asn"], p["rid"]):
                problems.append(f"{label}: routerctl says {ours}, want local {RD_AS}, "
                                f"remote {p['asn']} id {p['rid']}")
            if (theirs.local_as, theirs.remote_as, theirs.remote_id) != (p["asn"], RD_AS, RD_ID):
                problems.append(f"{label}: {p['kind']} says {theirs}, want local {p['asn']}, "
                                f"remote {RD_AS} id {RD_ID}")
            n = ours.raw["neighbor"]
            if (n.get("hold-time"), n.get("keepalive")) != (9, 3):
                problems.append(f"{label}: routerd hold/keepalive {n.get('hold-time')}/"
                                f"{n.get('keepalive')}, want 9/3 (datacenter)")
            caps = (n.get("capabilities") or {}).get("negotiated") or []
            for cap in ("four-octet-as", "route-refresh", f"ipv{fam}-unicast"):
                if cap not in caps:
                    problems.append(f"{label}: capability {cap} not negotiated: {caps}")
            if n.get("last-error") is not None:
                problems.append(f"{label}: clean bring-up but last-error {n.get('last-error')}")
            msgs = n.get("messages") or {}
            if (msgs.get("sent", {}).get("open", 0) < 1
                    or msgs.get("received", {}).get("open", 0) < 1):
                problems.append(f"{label}: message counters without OPENs: {msgs}")
            mine = [c for c in conns if c[2] == peer_addr]
            if len(mine) != 1:
                problems.append(f"{label}: want one TCP connection, have {mine}")
            elif routerd_passive and mine[0][1] != 179:
                problems.append(f"{label}: routerd is passive but connected out: {mine[0]}")
            elif not routerd_passive and (mine[0][3] != 179 or mine[0][1] == 179):
                problems.append(f"{label}: routerd is active but the peer connected: {mine[0]}")
    assert not problems, "\n".join(problems)

    text = rd.ctl("show", "bgp", "summary").stdout
    missing = [n["peer"] for n in rd_neighbors if n["peer"] not in text]
    assert RD_ID in text and not missing, f"text summary lacks {missing or RD_ID}:\n{text}"


# --------------------------------------------------------------------------
# (b)


@pytest.mark.parametrize("wrong", ["routerd", "frr"])
def test_bad_peer_as(lab, routerd_binaries, wrong):
    """The side configured with the wrong remote-as sends OPEN Error/Bad Peer AS."""
    rd_node, f = lab.node("rd"), lab.node("frr")
    l = lab.link(rd_node, f)
    frr = f.frr(Frr.config("frr", FRR_ID, FRR_AS, [
        {"addr": l.addr(rd_node, fam), "remote_as": 65099 if wrong == "frr" else RD_AS,
         "connect": 2} for fam in FAMILIES]))
    frr.wait_ready()
    rd = rd_node.routerd(RouterD.config(RD_ID, RD_AS, [
        {"peer": l.addr(f, fam), "remote-as": 65099 if wrong == "routerd" else FRR_AS}
        for fam in FAMILIES]))
    rd.wait_ready()
    rd_dir, frr_dir = ("sent", "received") if wrong == "routerd" else ("received", "sent")

    def both_sides_show_it():
        for fam in FAMILIES:
            e = rd.last_error(l.addr(f, fam))
            assert e and (e.get("direction"), e.get("code"), e.get("subcode")) == \
                (rd_dir, 2, 2), f"routerd IPv{fam} last-error {e}, want {rd_dir} 2/2"
            assert "Bad Peer AS" in (e.get("text") or ""), f"routerd IPv{fam} last-error {e}"
            fe = frr.last_error(l.addr(rd_node, fam))
            assert fe and (fe["direction"], fe["code"], fe["subcode"]) == (frr_dir, 2, 2), \
                f"frr IPv{fam} {fe}, want {frr_dir} 2/2"
            assert "Bad Peer AS" in (fe["text"] or ""), fe

    poll(both_sides_show_it, 30, what=f"Bad Peer AS ({wrong} misconfigured) on both sides")
    for fam in FAMILIES:
        s = rd.session(l.addr(f, fam))
        assert s.state != "Established", s
        assert frr.neighbor(l.addr(rd_node, fam))["connectionsEstablished"] == 0
        assert s.raw["neighbor"].get("connections-established") == 0, s.raw["neighbor"]
        counters = s.raw["neighbor"].get("messages", {}).get(rd_dir, {})
        assert counters.get("notification", 0) >= 1, f"routerd {rd_dir} counters {counters}"


# --------------------------------------------------------------------------
# (c)


def test_hold_timer_expiry_and_recovery(lab, routerd_binaries):
    rd_node, f = lab.node("rd"), lab.node("frr")
    l = lab.link(rd_node, f)
    frr = f.frr(Frr.config("frr", FRR_ID, FRR_AS, [
        {"addr": l.addr(rd_node, fam), "remote_as": RD_AS, "passive": True}
        for fam in FAMILIES]))
    frr.wait_ready()
    rd = rd_node.routerd(RouterD.config(RD_ID, RD_AS, [
        {"peer": l.addr(f, fam), "remote-as": FRR_AS} for fam in FAMILIES]))
    rd.wait_ready()
    pairs = [(rd, l.addr(f, fam)) for fam in FAMILIES] + \
            [(frr, l.addr(rd_node, fam)) for fam in FAMILIES]
    wait_established(pairs)
    for fam in FAMILIES:
        assert rd.neighbor(l.addr(f, fam)).get("hold-time") == 9

    dropped = {}
    t0 = time.monotonic()
    frr.pause()  # SIGSTOP bgpd: the kernel still ACKs, only KEEPALIVEs stop
    try:
        def all_dropped():
            for fam in FAMILIES:
                if fam not in dropped and rd.session(l.addr(f, fam)).state != "Established":
                    dropped[fam] = time.monotonic() - t0
            assert len(dropped) == len(FAMILIES), \
                f"after {time.monotonic() - t0:.1f}s still Established: " \
                f"{[fam for fam in FAMILIES if fam not in dropped]}"

        poll(all_dropped, 20, interval=0.1, what="routerd drops the stopped peer")
        errors = {fam: rd.last_error(l.addr(f, fam)) for fam in FAMILIES}
    finally:
        frr.resume()
    note("(c) hold timer (9 s): routerd dropped the SIGSTOPped FRR after " +
         ", ".join(f"IPv{fam} {dropped[fam]:.1f}s" for fam in FAMILIES))
    for fam in FAMILIES:
        # The last KEEPALIVE came at most 3 s before SIGSTOP: expiry is 6..9 s later.
        assert 5.0 <= dropped[fam] <= 10.0, f"IPv{fam} dropped after {dropped[fam]:.1f}s"
        e = errors[fam]
        assert e and (e.get("direction"), e.get("code"), e.get("subcode")) == ("sent", 4, 0), \
            f"IPv{fam}: last-error {e}, want sent 4/0 (Hold Timer Expired)"

    t1 = time.monotonic()
    wait_established(pairs, timeout=40)
    note(f"(c) sessions back {time.monotonic() - t1:.1f}s after SIGCONT")


# --------------------------------------------------------------------------
# (d)


def test_sigterm_sends_cease(lab, routerd_binaries):
    rd_node, f, b = lab.node("rd"), lab.node("frr"), lab.node("bird")
    lf, lb = lab.link(rd_node, f), lab.link(rd_node, b)
    frr = f.frr(Frr.config("frr", FRR_ID, FRR_AS, [
        {"addr": lf.addr(rd_node, fam), "remote_as": RD_AS, "passive": True}
        for fam in FAMILIES]))
    bird = b.bird(Bird.config(BIRD_ID, BIRD_AS, [
        {"addr": lb.addr(rd_node, 4), "remote_as": RD_AS, "passive": True}]))
    frr.wait_ready()
    bird.wait_ready()
    rd = rd_node.routerd(RouterD.config(RD_ID, RD_AS, [
        {"peer": lf.addr(f, 4), "remote-as": FRR_AS},
        {"peer": lf.addr(f, 6), "remote-as": FRR_AS},
        {"peer": lb.addr(b, 4), "remote-as": BIRD_AS}]))
    rd.wait_ready()
    wait_established([(rd, lf.addr(f, 4)), (rd, lf.addr(f, 6)), (rd, lb.addr(b, 4)),
                      (frr, lf.addr(rd_node, 4)), (frr, lf.addr(rd_node, 6)),
                      (bird, lb.addr(rd_node, 4))])

    proc = rd.main_proc()
    t0 = time.monotonic()
    os.kill(proc.pid, signal.SIGTERM)
    try:
        rc = proc.wait(10)
    except Exception:
        pytest.fail("routerd did not exit within 10 s of SIGTERM")
    note(f"(d) routerd exited rc={rc} {time.monotonic() - t0:.2f}s after SIGTERM")
    assert rc == 0, f"routerd exit status {rc} after SIGTERM"

    def peers_saw_cease():
        for fam in FAMILIES:
            e = frr.last_error(lf.addr(rd_node, fam))
            assert e and (e["direction"], e["code"]) == ("received", 6), \
                f"frr IPv{fam}: last notification {e}, want a received Cease (6)"
            assert frr.neighbor(lf.addr(rd_node, fam))["messageStats"]["notificationsRecv"] >= 1
        last = bird.last_error(lb.addr(rd_node, 4)) or ""
        assert last.startswith("Received: ") and \
            last[len("Received: "):].split(" (")[0] in BIRD_CEASE_TEXTS, \
            f"bird last error {last!r}, want a received Cease"

    poll(peers_saw_cease, 15, what="peers recorded a Cease NOTIFICATION")


def test_sighup_keeps_sessions(lab, routerd_binaries):
    """SIGHUP reloads the (unchanged) file: no crash, no session disturbed."""
    rd_node, f = lab.node("rd"), lab.node("frr")
    lf = lab.link(rd_node, f)
    frr = f.frr(Frr.config("frr", FRR_ID, FRR_AS, [
        {"addr": lf.addr(rd_node, 4), "remote_as": RD_AS, "passive": True}]))
    frr.wait_ready()
    rd = rd_node.routerd(RouterD.config(RD_ID, RD_AS, [{"peer": lf.addr(f, 4), "remote-as": FRR_AS}]))
    rd.wait_ready()
    wait_established([(rd, lf.addr(f, 4)), (frr, lf.addr(rd_node, 4))])
    before = rd.neighbor(lf.addr(f, 4))["connections-established"]

    os.kill(rd.main_proc().pid, signal.SIGHUP)
    log = next(iter(rd.logs.values()))

    def handled():
        assert "event=reload config=" in log.read_text(), "SIGHUP reload not logged yet"

    poll(handled, 5, interval=0.05, what="routerd reloaded on SIGHUP")
    rd.check_alive()
    n = rd.neighbor(lf.addr(f, 4))
    assert n["state"] == "Established" and n["connections-established"] == before, \
        f"session disturbed by SIGHUP: {n['state']}, established {n['connections-established']}"


# --------------------------------------------------------------------------
# (e)


@pytest.mark.parametrize("args", [["show", "bgp", "summary"], ["show", "bgp", "summary", "json"],
                                  ["show", "bgp", "neighbors", "json"]])
def test_routerctl_missing_socket(routerd_binaries, tmp_path, args):
    sock = tmp_path / "absent" / "routerd.sock"
    p = run([BUILD / "routerctl", "-s", sock] + args, check=False, timeout=10)
    assert p.returncode == 1, f"rc={p.returncode} stdout={p.stdout!r} stderr={p.stderr!r}"
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].strip(), f"want one error line, got {p.stderr!r}"
    assert p.stdout == "", f"nothing on stdout, got {p.stdout!r}"


# --------------------------------------------------------------------------
# --check (part of the CLI contract the tests above rely on)


def test_check_validates_config(routerd_binaries, tmp_path):
    import json
    good = {"routerd:routerd": {"router-id": "10.0.0.1", "bgp": {
        "asn": 65001, "profile": "datacenter", "neighbor": [
            {"peer": "192.0.2.2", "remote-as": 65002},
            {"peer": "2001:db8:1::2", "remote-as": 65002, "passive": True},
            {"peer": "192.0.2.6", "remote-as": "external",
             "timers": {"keepalive": 3, "hold": 9, "connect-retry": 2}}]}}}
    bad_cases = {
        "no-remote-as": {"routerd:routerd": {"router-id": "10.0.0.1", "bgp": {
            "asn": 65001, "neighbor": [{"peer": "192.0.2.2"}]}}},
        "bad-router-id": {"routerd:routerd": {"router-id": "10.0.0.300", "bgp": {"asn": 65001}}},
        "unknown-leaf": {"routerd:routerd": {"router-id": "10.0.0.1", "bgp": {
            "asn": 65001, "no-such-leaf": 1}}},
    }
    path = tmp_path / "good.json"
    path.write_text(json.dumps(good))
    p = run([BUILD / "routerd", "-f", path, "--check"], check=False, timeout=10)
    assert p.returncode == 0, f"valid config rejected: rc={p.returncode} {p.stderr}"
    (tmp_path / "broken.json").write_text('{"routerd:routerd": {')
    bad_cases["not-json"] = None
    for name in bad_cases:
        path = tmp_path / ("broken.json" if name == "not-json" else f"{name}.json")
        if bad_cases[name] is not None:
            path.write_text(json.dumps(bad_cases[name]))
        p = run([BUILD / "routerd", "-f", path, "--check"], check=False, timeout=10)
        assert p.returncode != 0, f"{name}: invalid config accepted"
        assert p.stderr.strip(), f"{name}: rejected without saying why"
