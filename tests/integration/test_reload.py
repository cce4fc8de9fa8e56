"""Configuration reload (routerctl reload, SIGHUP): a policy-only change is
swapped in and the peer soft-refreshed without resetting the session; a file
that fails validation, or one that changes more than policy, is refused and
the running configuration kept.

Topology: BIRD (AS 65003) originates two prefixes and exports them to routerd
(AS 65001), whose inbound route-map lets through the prefixes its prefix-list
names; routerd sends its own network back through an outbound route-map.
"""

import copy
import json
import os
import signal

from netlab import Bird, RouterD, poll, run

RD_AS, RD_ID = 65001, "10.0.0.1"
BIRD_AS, BIRD_ID = 65003, "10.0.0.3"
A, B = "198.51.100.0/24", "203.0.113.0/24"
OWN = "10.0.254.1/32"


def rd_config(peer, allowed, send_own=True):
    """routerd's config with prefix-list IN allowing `allowed` and OUT passing our /32 or not."""
    conf = RouterD.config(RD_ID, RD_AS, [
        {"peer": peer, "remote-as": BIRD_AS, "route-map-in": "IN", "route-map-out": "OUT",
         "soft-reconfiguration-inbound": True}],
        ipv4={"network": [OWN]})
    conf["routerd:routerd"]["policy"] = {
        "prefix-list": [
            {"name": "ALLOWED", "entry": [
                {"seq": 5 * (i + 1), "action": "permit", "prefix": p}
                for i, p in enumerate(allowed)]},
            {"name": "OWN", "entry": [{"seq": 5, "action": "permit", "prefix": OWN}]}],
        "route-map": [
            {"name": "IN", "entry": [
                {"seq": 10, "action": "permit", "match": {"prefix-list": "ALLOWED"}}]},
            {"name": "OUT", "entry": [
                {"seq": 10, "action": "permit" if send_own else "deny",
                 "match": {"prefix-list": "OWN"}}]}]}
    return conf


def write(rd, conf):
    rd.conf_path.write_text(json.dumps(conf, indent=2) + "\n")


def session_facts(rd, peer):
    n = rd.neighbor(peer)
    return n["state"], n["connections-established"], n["messages"]["received"]["notification"], \
        n["messages"]["sent"]["notification"]


def test_reload_policy_live(lab, routerd_binaries):
    r, b = lab.node("rd"), lab.node("bird")
    link = lab.link(r, b)
    run(["ip", "addr", "add", OWN, "dev", "lo"], ns=r.ns)
    peer = link.addr(b, 4)
    bird = b.bird(Bird.config(BIRD_ID, BIRD_AS, [{"addr": link.addr(r, 4), "remote_as": RD_AS}],
                              export="all", static=(A, B)))
    bird.wait_ready()
    rd = r.routerd(rd_config(peer, [A]))
    rd.wait_ready()

    def only(expected):
        def check():
            got = set(rd.routes(4)) - {OWN}
            assert got == expected, f"routerd has {sorted(got)}, want {sorted(expected)}"
        return check

    def bird_has_own(want):
        def check():
            assert (OWN in bird.routes()) == want, f"BIRD has {OWN}: {not want}, want {want}"
        return check

    poll(only({A}), 30, what="routerd accepted only the allowed prefix")
    poll(bird_has_own(True), 30, what="BIRD has routerd's network")
    before = session_facts(rd, peer)
    assert before[0] == "Established"

    # 1. policy-only change through routerctl reload: B let in, our /32 withdrawn
    write(rd, rd_config(peer, [A, B], send_own=False))
    p = rd.ctl("reload", check=False)
    assert p.returncode == 0, f"reload failed: {p.stdout}{p.stderr}"
    poll(only({A, B}), 10, what="reloaded inbound policy let B in")
    poll(bird_has_own(False), 10, what="reloaded outbound policy withdrew our network")
    assert session_facts(rd, peer) == before, "the session was reset by a policy reload"

    # 2. a file that fails validation: refused, running policy kept
    rd.conf_path.write_text('{ "routerd:routerd": { "router-id": "10.0.0.1", ')
    p = rd.ctl("reload", check=False)
    assert p.returncode == 1 and "reload refused" in p.stderr and str(rd.conf_path) in p.stderr, \
        f"invalid file not refused clearly: rc={p.returncode} {p.stderr!r}"
    assert set(rd.routes(4)) - {OWN} == {A, B}

    # 3. a change beyond policy: refused, naming it
    other = copy.deepcopy(rd_config(peer, [A]))
    other["routerd:routerd"]["bgp"]["neighbor"][0]["remote-as"] = 65099
    write(rd, other)
    p = rd.ctl("reload", check=False)
    assert p.returncode == 1 and f"neighbor {peer} changed" in p.stderr, \
        f"non-policy change not refused by name: {p.stderr!r}"
    assert set(rd.routes(4)) - {OWN} == {A, B}

    # 4. SIGHUP does what routerctl reload does
    write(rd, rd_config(peer, [A]))
    os.kill(rd.main_proc().pid, signal.SIGHUP)
    poll(only({A}), 10, what="SIGHUP reload restricted the inbound policy again")
    poll(bird_has_own(True), 10, what="SIGHUP reload sent our network again")
    assert session_facts(rd, peer) == before, "the session was reset by SIGHUP reload"


OWN2 = "10.0.254.2/32"


def two_peer_config(peers, maps):
    """routerd originating OWN and OWN2 to two BIRDs; maps[i]: peer i's route-map-out,
    ALL (both) or ONE (OWN only)."""
    conf = RouterD.config(RD_ID, RD_AS, [
        {"peer": peer, "remote-as": BIRD_AS + i, "route-map-out": maps[i]}
        for i, peer in enumerate(peers)], ipv4={"network": [OWN, OWN2]})
    conf["routerd:routerd"]["policy"] = {
        "prefix-list": [{"name": "OWN", "entry": [{"seq": 5, "action": "permit",
                                                   "prefix": OWN}]}],
        "route-map": [
            {"name": "ALL", "entry": [{"seq": 10, "action": "permit"}]},
            {"name": "ONE", "entry": [
                {"seq": 10, "action": "permit", "match": {"prefix-list": "OWN"}}]}]}
    return conf


def test_reload_splits_update_group(lab, routerd_binaries):
    """Two sessions share an update group (same outbound route-map); a reload gives one of
    them another route-map: it leaves the group without a session reset and sees exactly the
    withdrawal the new policy makes, the other keeps everything. A flap afterwards (the
    member rejoins a group whose key changed at the reload) and a reload back leave both
    right and routerd alive."""
    r = lab.node("rd")
    run(["ip", "addr", "add", OWN, "dev", "lo"], ns=r.ns)
    run(["ip", "addr", "add", OWN2, "dev", "lo"], ns=r.ns)
    birds, peers, rd_addrs = [], [], []
    for i in range(2):
        b = lab.node(f"bird{i + 1}")
        link = lab.link(r, b)
        peers.append(link.addr(b, 4))
        rd_addrs.append(link.addr(r, 4))
        birds.append(b.bird(Bird.config(f"10.0.0.{3 + i}", BIRD_AS + i,
                                        [{"addr": rd_addrs[i], "remote_as": RD_AS}])))
    for bird in birds:
        bird.wait_ready()
    rd = r.routerd(two_peer_config(peers, ["ALL", "ALL"])).wait_ready()

    def has(want):
        def check():
            for i, bird in enumerate(birds):
                got = {p for p in bird.routes() if p in (OWN, OWN2)}
                assert got == want[i], f"bird{i + 1} has {sorted(got)}, want {sorted(want[i])}"
        return check

    both, one = {OWN, OWN2}, {OWN}
    poll(has([both, both]), 30, what="both BIRDs have both networks")
    before = [session_facts(rd, p) for p in peers]

    write(rd, two_peer_config(peers, ["ALL", "ONE"]))
    p = rd.ctl("reload", check=False)
    assert p.returncode == 0, f"reload failed: {p.stdout}{p.stderr}"
    poll(has([both, one]), 10, what="bird2 lost OWN2 after its route-map changed, bird1 kept it")
    assert [session_facts(rd, p) for p in peers] == before, "a session was reset by the reload"

    birds[0].birdc("restart", Bird.proto_name(rd_addrs[0]))
    poll(lambda: rd.neighbor(peers[0])["connections-established"] == before[0][1] + 1, 20,
         what="bird1's session came back after its restart")
    poll(has([both, one]), 10, what="after bird1's flap: bird1 both, bird2 OWN only")

    write(rd, two_peer_config(peers, ["ALL", "ALL"]))
    p = rd.ctl("reload", check=False)
    assert p.returncode == 0, f"reload back failed: {p.stdout}{p.stderr}"
    poll(has([both, both]), 10, what="bird2 got OWN2 back after the reload back")
    rd.check_alive()
