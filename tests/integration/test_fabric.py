"""The `fabric` tool end to end (docs/lab.md): plan a Clos, bring it up in network
namespaces, check it converges (`fabric status` exit 0), ping across it, take it down.

  1. the containerlab topology of every plan parses as YAML and names every node, link,
     image and bound config (the committed labs too); Docker is not needed
  2. an all-FRR 2x2 fabric: up, converged within 60 s, every ping answered, a second `up`
     refused, `down` leaves no namespace, veth or process behind
  3. a partial `up` (one node's daemon exits at start) names that daemon's log and is
     removed completely by `down`
  4. routerd fabrics (lab/clos-2x4 and lab/clos-mixed as planned, 2 spines x 4 leaves):
     only when unnumbered sessions work, found by a quick probe (a 1x1 routerd fabric
     Established within 10 s); skipped with the reason otherwise
  5. one spine of a 2x4 routerd fabric stops (issue acceptance 3): every leaf drops to
     ECMP width 1 over the other spine within a bound, and every ping that does not
     target the stopped spine is answered. Three ways to stop: SIGTERM (a lifetime-0
     RA and a Cease), SIGKILL (the kernel closes the dead daemon's TCP connections), and
     SIGSTOP (a hung spine: nothing tells the leaves, the 9 s hold timer does). The
     measured time is printed and noted in the run's summary.

Every lab's namespace prefix starts with this run's prefix, so conftest and tests/run
remove whatever a failed test leaves.
"""

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

import netlab

FABRIC = netlab.BUILD / "fabric"
RUN = netlab.RUN_DIR / "fabric-run"
LABS = netlab.REPO / "lab"
PROBE_SECS = 10
CONVERGE_SECS = 60

_counter = [0]
_probe = {}


def fabric(*args, env=None, timeout=180):
    e = dict(os.environ, FABRIC_RUN_DIR=str(RUN), ROUTERD_BUILD=str(netlab.BUILD))
    e.update(env or {})
    return subprocess.run([str(FABRIC)] + [str(a) for a in args], capture_output=True,
                          text=True, timeout=timeout, env=e)


def ok(p, what):
    assert p.returncode == 0, (f"{what}: exit {p.returncode}\nstdout:\n{p.stdout}\n"
                               f"stderr:\n{p.stderr}")
    return p


class PlannedLab:
    def __init__(self, path, prefix):
        self.path, self.prefix = path, prefix

    def namespaces(self):
        return [ns for ns in netlab.netns_list() if ns.startswith(self.prefix + "-")]

    def pids(self):
        """Pids `fabric up` recorded (fabric.pids of every node)."""
        pids = []
        for f in (RUN / self.prefix).glob("*/fabric.pids"):
            pids += [int(line.split()[1]) for line in f.read_text().splitlines() if line]
        return pids


@pytest.fixture
def planned(tmp_path):
    """plan(args...) -> PlannedLab in tmp_path; every lab planned is taken down at the end."""
    if not os.access(FABRIC, os.X_OK):
        pytest.fail(f"not built: {FABRIC} (ninja -C build fabric, or set ROUTERD_BUILD)")
    labs = []

    def plan(*args, name="lab"):
        _counter[0] += 1
        prefix = f"{netlab.PREFIX}-fab{_counter[0]}"
        path = tmp_path / name
        ok(fabric("plan", "clos", *args, "--ns-prefix", prefix, "--out", path), "fabric plan")
        lab = PlannedLab(path, prefix)
        labs.append(lab)
        return lab

    yield plan
    for lab in labs:
        fabric("down", lab.path)
        netlab.cleanup_prefix(lab.prefix)


def root_links():
    out = netlab.run(["ip", "-o", "link", "show"]).stdout
    return {line.split(":")[1].strip().split("@")[0] for line in out.splitlines()}


def alive(pid):
    """Running (a zombie waiting for init to reap it counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def assert_all_gone(lab, pids, links_before):
    assert not lab.namespaces(), f"namespaces left: {lab.namespaces()}"
    netlab.poll(lambda: not [p for p in pids if alive(p)], 10,
                what=f"processes {pids} gone")
    new = {l for l in root_links() - links_before
           if re.match(r"(swp\d+|to-host|eth1)$", l)}
    assert not new, f"veth ends left in the root namespace: {new}"
    assert not (RUN / lab.prefix).exists(), f"{RUN / lab.prefix} left"
    left = [d for d in Path("/etc/frr").glob(f"{lab.prefix}-*")]
    assert not left, f"FRR folders left: {left}"


def wait_converged(lab, secs=CONVERGE_SECS):
    t0 = time.monotonic()
    p = fabric("status", "--wait", secs, lab.path)
    took = time.monotonic() - t0
    ok(p, f"fabric status --wait {secs} (not converged)")
    assert "converged" in p.stdout.splitlines()[-1]
    return p, took


# --------------------------------------------------------------------------
# 1. containerlab topology


def load_yaml(path):
    yaml = pytest.importorskip("yaml", reason="python3-yaml is not installed")
    with open(path) as f:
        return yaml.safe_load(f)


def check_clab(folder, spines, leaves, frr=()):
    topo = load_yaml(folder / "topology.clab.yml")
    nodes = topo["topology"]["nodes"]
    want = ([f"spine{k}" for k in range(1, spines + 1)] + [f"leaf{n}" for n in range(1, leaves + 1)]
            + [f"host{n}" for n in range(1, leaves + 1)])
    assert topo["name"] == folder.name
    assert sorted(nodes) == sorted(want)
    for name, node in nodes.items():
        assert node["kind"] == "linux", name
        if name.startswith("host"):
            assert "alpine" in node["image"]
            continue
        if name in frr:
            assert "frr" in node["image"], name
            binds = {b.split(":")[1]: b.split(":")[0] for b in node["binds"]}
            assert (folder / binds["/etc/frr/frr.conf"]).is_file()
            assert (folder / binds["/etc/frr/daemons"]).is_file()
        else:
            assert node["image"] == "routerd:latest", name
            src = node["binds"][0].split(":")[0]
            assert (folder / src).is_file(), src
        assert any("ip addr add 10.0.254." in c for c in node["exec"]), name
    links = {tuple(sorted(l["endpoints"])) for l in topo["topology"]["links"]}
    expect = {tuple(sorted([f"leaf{n}:swp{k}", f"spine{k}:swp{n}"]))
              for n in range(1, leaves + 1) for k in range(1, spines + 1)}
    expect |= {tuple(sorted([f"leaf{n}:to-host", f"host{n}:eth1"])) for n in range(1, leaves + 1)}
    assert links == expect


def test_clab_topology_parses(planned):
    lab = planned("--spines", "3", "--leaves", "5", "--frr", "spine1,leaf5", name="clab35")
    check_clab(lab.path, 3, 5, frr=("spine1", "leaf5"))
    check_clab(LABS / "clos-2x4", 2, 4)
    check_clab(LABS / "clos-mixed", 2, 4, frr=("spine2", "leaf4"))


def test_dockerfile_matches_topology():
    """Docker is not available here: check what can be checked without it. The sources it
    copies exist, and it builds the image and config path the topologies name."""
    text = (LABS / "Dockerfile").read_text()
    copies = re.findall(r"^COPY (?!--from)(.+?) \S+$", text, re.M)
    assert copies
    for line in copies:
        for src in line.split():
            assert (netlab.REPO / src).exists(), f"Dockerfile copies missing {src}"
    assert "-t routerd:latest" in text
    assert '"/etc/routerd/routerd.json"' in text
    topo = (LABS / "clos-2x4" / "topology.clab.yml").read_text()
    assert "image: routerd:latest" in topo and ":/etc/routerd/routerd.json:ro" in topo


# --------------------------------------------------------------------------
# 2. all-FRR fabric


def test_frr_fabric_up_status_ping_down(planned):
    links_before = root_links()
    lab = planned("--spines", "2", "--leaves", "2", "--frr", "all", name="frr2x2")
    ok(fabric("up", lab.path), "fabric up")
    assert len(lab.namespaces()) == 6  # 4 routers, 2 hosts
    status, took = wait_converged(lab)
    netlab.note(f"fabric: all-FRR 2x2 converged {took:.1f} s after `up` returned")
    for node in ("spine1", "spine2", "leaf1", "leaf2"):
        line = next(l for l in status.stdout.splitlines() if l.startswith(node + " "))
        assert "2/2" in line and line.endswith("ok"), line
    assert re.search(r"^leaf1 .* leaf2:2 ", status.stdout, re.M), status.stdout
    ping = ok(fabric("ping", lab.path), "fabric ping")
    assert "12 of 12 pings answered" in ping.stdout, ping.stdout
    again = fabric("up", lab.path)
    assert again.returncode == 1
    assert "already up" in again.stderr and "fabric down" in again.stderr, again.stderr
    pids = lab.pids()
    assert len(pids) == 8, pids  # zebra + bgpd per router
    down = ok(fabric("down", lab.path), "fabric down")
    assert "removed 6 namespaces" in down.stdout, down.stdout
    assert_all_gone(lab, pids, links_before)
    st = fabric("status", lab.path)
    assert st.returncode == 1 and "is not up" in st.stderr
    assert "nothing to remove" in ok(fabric("down", lab.path), "second down").stdout


# --------------------------------------------------------------------------
# 3. partial up


def test_partial_up_is_removed_by_down(planned, tmp_path):
    links_before = root_links()
    fake = tmp_path / "fakebuild"
    fake.mkdir()
    (fake / "routerd").write_text("#!/bin/sh\necho 'fake routerd: refusing to start' >&2\n"
                                  "exit 3\n")
    (fake / "routerd").chmod(0o755)
    (fake / "routerctl").symlink_to(netlab.BUILD / "routerctl")
    lab = planned("--spines", "2", "--leaves", "2", "--frr", "spine1,spine2,leaf1",
                  name="partial")
    p = fabric("up", lab.path, env={"ROUTERD_BUILD": str(fake)})
    assert p.returncode == 1, p.stdout + p.stderr
    log = RUN / lab.prefix / "leaf2" / "routerd.log"
    assert f"leaf2: routerd exited with status 3 while starting: see its log {log}" in p.stderr, \
        p.stderr
    assert "fake routerd: refusing to start" in p.stderr
    assert "fabric down" in p.stderr
    assert lab.namespaces(), "a partial up leaves its namespaces for inspection"
    pids = lab.pids()
    assert pids
    ok(fabric("down", lab.path), "fabric down after a partial up")
    assert_all_gone(lab, pids, links_before)


# --------------------------------------------------------------------------
# 4. routerd fabrics


def unnumbered_works(planned):
    """Probe once per run: a 1x1 routerd fabric Established within PROBE_SECS."""
    if "ok" not in _probe:
        lab = planned("--spines", "1", "--leaves", "1", name="probe")
        up = fabric("up", lab.path)
        st = fabric("status", "--wait", PROBE_SECS, lab.path) if up.returncode == 0 else up
        _probe["ok"] = st.returncode == 0
        _probe["why"] = (st.stdout + st.stderr).strip().splitlines()[-3:]
        fabric("down", lab.path)
    if not _probe["ok"]:
        pytest.skip("unnumbered routerd sessions do not reach Established within "
                    f"{PROBE_SECS} s (1x1 probe): {' / '.join(_probe['why'])}")


@pytest.mark.parametrize("frr", ["", "spine2,leaf4"], ids=["clos-2x4", "clos-mixed"])
def test_routerd_fabric(planned, frr):
    unnumbered_works(planned)
    links_before = root_links()
    args = ["--spines", "2", "--leaves", "4"] + (["--frr", frr] if frr else [])
    lab = planned(*args, name="clos-mixed" if frr else "clos-2x4")
    ok(fabric("up", lab.path), "fabric up")
    status, took = wait_converged(lab)
    netlab.note(f"fabric: {lab.path.name} (2x4) converged {took:.1f} s after `up` returned")
    for node in ("spine1", "spine2"):
        line = next(l for l in status.stdout.splitlines() if l.startswith(node + " "))
        assert " 4/4 " in line and line.endswith("ok"), line
    leaf1 = next(l for l in status.stdout.splitlines() if l.startswith("leaf1 "))
    assert "leaf2:2 leaf3:2 leaf4:2" in leaf1, leaf1
    ping = ok(fabric("ping", lab.path), "fabric ping")
    assert "40 of 40 pings answered" in ping.stdout, ping.stdout
    pids = lab.pids()
    ok(fabric("down", lab.path), "fabric down")
    assert_all_gone(lab, pids, links_before)


# --------------------------------------------------------------------------
# 5. a spine stops (issue acceptance 3)

# Per way of stopping: the signal, the bound (s) for every leaf to reach ECMP width 1, and
# why. The datacenter profile's timers are keepalive 3 s / hold 9 s; ndra's RA lifetime is
# 15 s (3 x ra-interval 5), so a spine that tells nobody is noticed by the hold timer first.
STOP_WAYS = {
    "sigterm": (signal.SIGTERM, 3, "an RA with lifetime 0, then a Cease, to every leaf"),
    "sigkill": (signal.SIGKILL, 3, "the kernel closes the dead daemon's TCP connections"),
    "sigstop": (signal.SIGSTOP, 9 + 3, "hung: only the leaves' hold timer (9 s) notices"),
}


def route_widths(ns):
    """{destination: number of next hops} of the IPv4 routes in ns's main table."""
    routes = json.loads(netlab.run(["ip", "-n", ns, "-4", "-j", "route"]).stdout or "[]")
    groups = None
    widths = {}
    for r in routes:
        if "nexthops" in r:
            widths[r["dst"]] = len(r["nexthops"])
        elif "gateway" in r or "dev" in r:
            widths[r["dst"]] = 1
        elif "nhid" in r:  # only a nexthop object named (nexthop_compat_mode 0)
            if groups is None:
                out = netlab.run(["ip", "-n", ns, "-j", "nexthop"]).stdout or "[]"
                groups = {n["id"]: n for n in json.loads(out)}
            widths[r["dst"]] = len(groups.get(r["nhid"], {}).get("group", [None]))
    return widths


def leaf_ports(ns, dst):
    """The ports of ns's route to dst."""
    r = json.loads(netlab.run(["ip", "-n", ns, "-4", "-j", "route", "show", dst]).stdout)[0]
    return sorted(h["dev"] for h in r.get("nexthops", [r]))


@pytest.mark.parametrize("way", list(STOP_WAYS))
def test_spine_stop_leaves_ecmp_1(planned, way):
    sig, bound, why = STOP_WAYS[way]
    unnumbered_works(planned)
    lab = planned("--spines", "2", "--leaves", "4", "--name", f"spine-stop-{way}",
                  name=f"spine-stop-{way}")
    plan = json.loads((lab.path / "plan.json").read_text())
    leaves = {n["name"]: n for n in plan["nodes"] if n["role"] == "leaf"}
    ok(fabric("up", lab.path), "fabric up")
    _, took = wait_converged(lab)
    pids = (RUN / lab.prefix / "spine1" / "fabric.pids").read_text().split()
    assert pids[0] == "routerd" and len(pids) == 2, pids
    spine1 = int(pids[1])

    def widths_not_1():
        bad = []
        for name, leaf in leaves.items():
            w = route_widths(leaf["namespace"])
            bad += [f"{name}->{other}:{w.get(o['router-id'], 0)}"
                    for other, o in leaves.items()
                    if other != name and w.get(o["router-id"]) != 1]
        return bad

    def all_width_1():
        bad = widths_not_1()
        assert not bad, f"{len(bad)} leaf routes not at width 1: {' '.join(bad[:6])}"

    assert len(widths_not_1()) == 12  # converged: every leaf at width 2 to the 3 others
    t0 = time.monotonic()
    os.kill(spine1, sig)
    try:
        netlab.poll(all_width_1, bound + 5, interval=0.05,
                    what=f"every leaf at ECMP width 1 after {way} of spine1 ({why})")
        took_stop = time.monotonic() - t0
        netlab.note(f"fabric: clos-2x4 (converged {took:.1f} s after up), spine1 {way}: every "
                    f"leaf at ECMP width 1 after {took_stop:.2f} s (bound {bound} s: {why})")
        assert took_stop <= bound, f"{took_stop:.2f} s > {bound} s ({why})"
        # over spine2 only (leafN swp2 is spine2's link)
        for name, leaf in leaves.items():
            for other, o in leaves.items():
                if other != name:
                    assert leaf_ports(leaf["namespace"], o["router-id"]) == ["swp2"], (name, other)

        ping = fabric("ping", lab.path)
        rows = [l.split() for l in ping.stdout.splitlines()]
        head = next(r for r in rows if r and r[0] == "from\\to")[1:]
        matrix = {r[0]: dict(zip(head, r[1:])) for r in rows if r and r[0] in leaves}
        assert sorted(matrix) == sorted(leaves), ping.stdout
        for frm, row in matrix.items():
            for to, cell in row.items():
                # spine1's loopback is announced only by spine1 itself: gone with it
                assert cell == ("FAIL" if to == "spine1" else "ok"), (frm, to, ping.stdout)
        assert f"{len(leaves) * (len(head) - 1)} of {len(leaves) * len(head)} pings" \
            in ping.stdout, ping.stdout

        st = fabric("status", lab.path)
        line = next(l for l in st.stdout.splitlines() if l.startswith("spine2 "))
        assert " 4/4 " in line and line.endswith("ok"), line
        logs = {n: (RUN / lab.prefix / n / "routerd.log").read_text() for n in leaves}
        if way == "sigterm":
            # spine1 says goodbye on both layers: an RA with lifetime 0 on every port, then a
            # Cease on every session. Whichever a leaf reads first ends its session (both are
            # there at once), so a leaf logs one or the other; none waits for a timer.
            spine = (RUN / lab.prefix / "spine1" / "routerd.log").read_text()
            for port in range(1, len(leaves) + 1):
                assert re.search(rf"notification-sent peer=swp{port} .*code=6 subcode=2", spine), \
                    f"spine1 sent no Cease on swp{port}"
            for name, log in logs.items():
                assert (re.search(r"notification-received peer=swp1 .*code=6 subcode=2", log) or
                        re.search(r"ndra-peer-down ifname=swp1 .*reason=lifetime-zero", log)), \
                    "\n".join([name] + [l for l in log.splitlines() if "swp1" in l][-8:])
        for name, log in logs.items():
            expired = "Hold Timer Expired" in log
            assert expired == (way == "sigstop"), f"{name}: hold timer expired: {expired}"
    finally:
        if way == "sigstop" and alive(spine1):
            os.kill(spine1, signal.SIGKILL)  # `down` would wait 5 s on a stopped process
