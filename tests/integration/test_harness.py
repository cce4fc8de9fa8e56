"""Self-test of the lab harness with reference daemons only (no routerd needed).

FRR peers with BIRD 2 and GoBGP over IPv4 and IPv6, each side active once and
passive once; every session must reach Established and both ends must agree.
Then a deliberate AS mismatch checks the error fields the routerd tests rely
on, and a teardown check proves nothing of a lab survives it.
"""

import os

import pytest

import netlab
from netlab import Bird, Frr, GoBgp, poll

FRR_AS, FRR_ID = 65002, "10.0.0.2"
BIRD_AS, BIRD_ID = 65003, "10.0.0.3"
GOBGP_AS, GOBGP_ID = 65004, "10.0.0.4"


def test_frr_bird_gobgp_establish(lab):
    f, b, g = lab.node("frr"), lab.node("bird"), lab.node("gobgp")
    fb, fg = lab.link(f, b), lab.link(f, g)
    # IPv4: FRR active, peer passive. IPv6: FRR passive, peer active.
    frr = f.frr(Frr.config("frr", FRR_ID, FRR_AS, [
        {"addr": fb.b_v4, "remote_as": BIRD_AS, "connect": 2},
        {"addr": fb.b_v6, "remote_as": BIRD_AS, "passive": True},
        {"addr": fg.b_v4, "remote_as": GOBGP_AS, "connect": 2},
        {"addr": fg.b_v6, "remote_as": GOBGP_AS, "passive": True},
    ]))
    bird = b.bird(Bird.config(BIRD_ID, BIRD_AS, [
        {"addr": fb.a_v4, "remote_as": FRR_AS, "passive": True},
        {"addr": fb.a_v6, "remote_as": FRR_AS, "connect": 2},
    ]))
    gobgp = g.gobgp(GoBgp.config(GOBGP_ID, GOBGP_AS, [
        {"addr": fg.a_v4, "remote_as": FRR_AS, "passive": True},
        {"addr": fg.a_v6, "remote_as": FRR_AS, "connect": 2},
    ]))
    for d in (frr, bird, gobgp):
        d.wait_ready()

    pairs = [  # (peer daemon, peer AS, peer id, FRR's address for it, its address for FRR)
        (bird, BIRD_AS, BIRD_ID, fb.b_v4, fb.a_v4), (bird, BIRD_AS, BIRD_ID, fb.b_v6, fb.a_v6),
        (gobgp, GOBGP_AS, GOBGP_ID, fg.b_v4, fg.a_v4),
        (gobgp, GOBGP_AS, GOBGP_ID, fg.b_v6, fg.a_v6),
    ]

    def all_established():
        for peer, _, _, frr_side, peer_side in pairs:
            s1, s2 = frr.session(frr_side), peer.session(peer_side)
            assert s1.state == "Established", f"frr -> {frr_side}: {s1}"
            assert s2.state == "Established", f"{peer.kind} -> {peer_side}: {s2}"

    poll(all_established, 40, what="FRR/BIRD/GoBGP sessions Established")

    for peer, asn, rid, frr_side, peer_side in pairs:
        s1, s2 = frr.session(frr_side), peer.session(peer_side)
        assert (s1.local_as, s1.remote_as, s1.remote_id) == (FRR_AS, asn, rid), s1
        assert (s2.local_as, s2.remote_as, s2.remote_id) == (asn, FRR_AS, FRR_ID), s2
        assert frr.neighbor(frr_side)["bgpTimerHoldTimeMsecs"] == 9000


def test_bad_peer_as_fields(lab):
    """FRR misconfigured on IPv4 (FRR sends Bad Peer AS), BIRD on IPv6 (BIRD sends it)."""
    f, b = lab.node("frr"), lab.node("bird")
    l = lab.link(f, b)
    frr = f.frr(Frr.config("frr", FRR_ID, FRR_AS, [
        {"addr": l.b_v4, "remote_as": 65099, "connect": 2},
        {"addr": l.b_v6, "remote_as": BIRD_AS, "connect": 2},
    ]))
    bird = b.bird(Bird.config(BIRD_ID, BIRD_AS, [
        {"addr": l.a_v4, "remote_as": FRR_AS},
        {"addr": l.a_v6, "remote_as": 65098},
    ]))
    frr.wait_ready()
    bird.wait_ready()

    def errors_seen():
        e4, e6 = frr.last_error(l.b_v4), frr.last_error(l.b_v6)
        assert e4 and (e4["direction"], e4["code"], e4["subcode"]) == ("sent", 2, 2), e4
        assert e6 and (e6["direction"], e6["code"], e6["subcode"]) == ("received", 2, 2), e6
        assert "Bad Peer AS" in e4["text"] and "Bad Peer AS" in e6["text"], (e4, e6)
        assert bird.last_error(l.a_v4) == "Received: Bad peer AS", bird.protocol(l.a_v4)
        assert bird.last_error(l.a_v6) == "BGP Error: Bad peer AS", bird.protocol(l.a_v6)

    poll(errors_seen, 20, what="Bad Peer AS recorded on both sides")
    for a in (l.b_v4, l.b_v6):
        assert frr.neighbor(a)["connectionsEstablished"] == 0


def test_teardown_leaves_nothing():
    lb = netlab.Lab("teardown-check")
    try:
        n = lb.node("x")
        lb.link(n, lb.node("y"))
        bird = n.bird(Bird.config("10.0.0.9", 65009, []))
        bird.wait_ready()
        pid = bird.pid
        bird.pause()  # a stopped process must still be removed
    finally:
        errors = lb.teardown()
    assert errors == []
    assert not [ns for ns in netlab.netns_list() if ns.startswith(lb.prefix + "-")]
    assert not os.path.exists(f"/proc/{pid}"), f"bird pid {pid} survived teardown"
    assert lb not in netlab.ACTIVE_LABS


def test_poll_reports_last_complaint():
    def never():
        assert False, "still 41"

    with pytest.raises(AssertionError, match="answer: not reached within 0.3s; last: still 41"):
        poll(never, 0.3, interval=0.05, what="answer")
    seen = []
    assert poll(lambda: seen.append(1) or len(seen) >= 3 or False, 5, interval=0.01) is True
    assert len(seen) == 3
