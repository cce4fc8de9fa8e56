"""A small network-namespace lab for routerd's integration tests.

Modelled on FRR's topotests: one namespace per router, veth links with
documentation addresses that exist only inside the namespaces, one daemon
(or daemon set) per namespace with its own directory and log files, JSON state
queried through each daemon's own CLI, and checks that poll until the state
converges (no fixed sleeps).

Every namespace of a run is named "<prefix>-<lab>-<node>" where <prefix> is
ROUTERD_TEST_PREFIX or "rdt<pid>", so a run (and only that run) can always
find and delete what it made, even after a crash. Every daemon runs inside one
of those namespaces, which is how teardown finds every process to end.

Environment:
  ROUTERD_BUILD        build directory holding routerd and routerctl (default <repo>/build)
  ROUTERD_TEST_PREFIX  namespace prefix of this run (default rdt<pid>)
  ROUTERD_TEST_DIR     where per-test directories and logs go (default /tmp/routerd-it-<prefix>)
"""

import ipaddress
import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("ROUTERD_BUILD", REPO / "build")).resolve()
PREFIX = os.environ.get("ROUTERD_TEST_PREFIX") or f"rdt{os.getpid()}"
RUN_DIR = Path(os.environ.get("ROUTERD_TEST_DIR") or f"/tmp/routerd-it-{PREFIX}")

FRR_LIBEXEC = Path("/usr/lib/frr")

# Labs alive right now; conftest attaches their logs to failing tests.
ACTIVE_LABS = []
# Measurements worth showing after the run (conftest prints them in the summary).
NOTES = []


def note(msg):
    """Prints msg now and again in the run's summary."""
    print(msg)
    NOTES.append(msg)


class DaemonDied(Exception):
    """A daemon exited while a test still needed it (not retried by poll)."""


# --------------------------------------------------------------------------
# small helpers


class CommandFailed(AssertionError):
    """A CLI query failed; an AssertionError so that poll() retries it."""


def run(cmd, ns=None, check=True, timeout=30, input=None):
    """Runs cmd (a list), inside namespace ns if given; returns CompletedProcess.
    With check, a non-zero exit raises CommandFailed."""
    if ns is not None:
        cmd = ["ip", "netns", "exec", ns] + list(cmd)
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True,
                       timeout=timeout, input=input)
    if check and p.returncode != 0:
        raise CommandFailed(f"command failed (rc={p.returncode}): {' '.join(map(str, cmd))}\n"
                           f"stdout: {p.stdout.strip()}\nstderr: {p.stderr.strip()}")
    return p


def poll(fn, timeout=30.0, interval=0.2, what=None):
    """Calls fn until it succeeds or timeout seconds pass; returns its result.

    fn signals "not yet" by raising AssertionError (preferably with a message
    saying what it saw) or by returning False; anything else is success.
    DaemonDied and other exceptions propagate at once. On timeout an
    AssertionError carries `what` and fn's last complaint.
    """
    __tracebackhide__ = True
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            r = fn()
            if r is not False:
                return r
            last = "returned False"
        except AssertionError as e:
            last = str(e) or "assertion failed"
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what or getattr(fn, '__name__', 'condition')}: "
                                 f"not reached within {timeout:g}s; last: {last}")
        time.sleep(interval)


def tail(path, lines=80):
    try:
        with open(path, errors="replace") as f:
            data = f.readlines()
    except OSError as e:
        return f"<cannot read {path}: {e}>\n"
    cut = data[-lines:]
    head = f"... ({len(data) - lines} earlier lines in {path})\n" if len(data) > lines else ""
    return head + "".join(cut)


def netns_list():
    p = run(["ip", "netns", "list"], check=False)
    return [line.split()[0] for line in p.stdout.splitlines() if line.strip()]


def netns_pids(ns):
    p = run(["ip", "netns", "pids", ns], check=False)
    return [int(x) for x in p.stdout.split() if x.isdigit()]


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def destroy_netns(ns):
    """Kills every process inside ns (by pid), then deletes ns and its FRR dir."""
    for sig in (signal.SIGCONT, signal.SIGKILL):
        for pid in netns_pids(ns):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 5
    while netns_pids(ns) and time.monotonic() < deadline:
        time.sleep(0.05)
    run(["ip", "netns", "delete", ns], check=False)
    shutil.rmtree(Path("/etc/frr") / ns, ignore_errors=True)


def cleanup_prefix(prefix):
    """Deletes every namespace (and its processes) whose name starts with prefix-."""
    for ns in netns_list():
        if ns.startswith(prefix + "-"):
            destroy_netns(ns)


def cleanup_stale_runs():
    """Deletes namespaces left by earlier runs whose owning process is gone."""
    for ns in netns_list():
        m = re.match(r"rdt(\d+)-", ns)
        if m and int(m.group(1)) != os.getpid() and not _pid_alive(int(m.group(1))):
            destroy_netns(ns)
    for d in Path("/etc/frr").glob("rdt*-*"):
        m = re.match(r"rdt(\d+)-", d.name)
        if m and not _pid_alive(int(m.group(1))) and d.name not in netns_list():
            shutil.rmtree(d, ignore_errors=True)


# --------------------------------------------------------------------------
# daemons


class Session:
    """One BGP session as a daemon reports it, normalised across daemons."""

    def __init__(self, state, local_as=None, remote_as=None, remote_id=None, raw=None):
        self.state, self.local_as, self.remote_as, self.remote_id = state, local_as, remote_as, remote_id
        self.raw = raw

    def __repr__(self):
        return (f"Session(state={self.state!r}, local_as={self.local_as!r}, "
                f"remote_as={self.remote_as!r}, remote_id={self.remote_id!r})")


RFC_STATES = {s.lower(): s for s in
              ("Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established")}


class Daemon:
    kind = "daemon"

    def __init__(self, node, name):
        self.node, self.name = node, name
        self.procs = {}  # label -> Popen
        self.logs = {}   # label -> path

    def _spawn(self, label, argv, log_name=None):
        log = self.node.dir / (log_name or f"{label}.log")
        self.logs[label] = log
        f = open(log, "ab")
        p = subprocess.Popen(["ip", "netns", "exec", self.node.ns] + [str(a) for a in argv],
                             stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT,
                             start_new_session=True)
        f.close()
        self.procs[label] = p
        return p

    def main_proc(self):
        return next(reversed(self.procs.values()))

    @property
    def pid(self):
        return self.main_proc().pid

    def check_alive(self):
        for label, p in self.procs.items():
            rc = p.poll()
            if rc is not None:
                raise DaemonDied(f"{self.kind} {label} on {self.node.name} exited rc={rc}; "
                                 f"log {self.logs.get(label)}:\n{tail(self.logs.get(label), 30)}")

    def pause(self):
        os.kill(self.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.pid, signal.SIGCONT)

    def stop(self, timeout=5.0):
        """SIGTERM (after SIGCONT) each process, SIGKILL after timeout; returns {label: rc}."""
        rcs = {}
        for label, p in reversed(list(self.procs.items())):
            if p.poll() is None:
                try:
                    os.kill(p.pid, signal.SIGCONT)
                    p.terminate()
                except ProcessLookupError:
                    pass
                try:
                    p.wait(timeout)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(5)
            rcs[label] = p.returncode
        return rcs

    def wait_listening(self, port=179, timeout=15):
        def listening():
            self.check_alive()
            out = run(["ss", "-Hltn", f"sport = :{port}"], ns=self.node.ns).stdout
            assert out.strip(), f"nothing listens on port {port} in {self.node.ns}"
        poll(listening, timeout, what=f"{self.kind} on {self.node.name} listening on {port}")

    def session(self, peer):
        raise NotImplementedError


class RouterD(Daemon):
    kind = "routerd"

    def __init__(self, node, conf, name="routerd"):
        super().__init__(node, name)
        self.conf_path = node.dir / "routerd.json"
        self.conf_path.write_text(json.dumps(conf, indent=2) + "\n")
        self.sock = node.dir / "routerd.sock"

    @staticmethod
    def config(router_id, asn, neighbors, profile="datacenter", ipv4=None, ipv6=None):
        """neighbors: list of dicts in routerd's YANG shape ({"peer", "remote-as", ...});
        ipv4/ipv6: the bgp/ipv4-unicast and bgp/ipv6-unicast containers, if any
        ({"network": [...], "redistribute": [...], "maximum-paths": N})."""
        bgp = {"asn": asn, "profile": profile, "neighbor": neighbors}
        if ipv4 is not None:
            bgp["ipv4-unicast"] = ipv4
        if ipv6 is not None:
            bgp["ipv6-unicast"] = ipv6
        return {"routerd:routerd": {"router-id": router_id, "bgp": bgp}}

    def start(self):
        """Starts routerd; again after kill() to restart it (its log is appended to)."""
        self._spawn("routerd", [BUILD / "routerd", "-f", self.conf_path, "-s", self.sock])
        return self

    def kill(self):
        """SIGKILL: routerd gets no chance to clean up its kernel routes or say goodbye."""
        p = self.main_proc()
        if p.poll() is None:
            p.kill()
        p.wait(5)

    def wait_ready(self, timeout=10):
        def ready():
            self.check_alive()
            p = self.ctl("show", "bgp", "summary", "json", check=False)
            assert p.returncode == 0, f"routerctl rc={p.returncode}: {p.stderr.strip()}"
        poll(ready, timeout, what=f"routerd on {self.node.name} answering routerctl")
        return self

    def ctl(self, *args, check=True):
        return run([BUILD / "routerctl", "-s", self.sock] + list(args), check=check)

    def ctl_json(self, *args):
        self.check_alive()
        out = self.ctl(*args, "json").stdout
        try:
            return json.loads(out)
        except ValueError as e:
            raise AssertionError(f"routerctl {' '.join(args)} json: invalid JSON ({e}): {out!r}")

    def summary(self):
        return self.ctl_json("show", "bgp", "summary")

    def neighbor(self, peer):
        d = self.ctl_json("show", "bgp", "neighbors", peer)
        ns = [n for n in d.get("neighbors", []) if n.get("peer") == peer]
        assert ns, f"routerd {self.node.name}: no neighbor {peer} in {d}"
        return ns[0]

    def last_error(self, peer):
        return self.neighbor(peer).get("last-error")

    def routes(self, family=4):
        """`show bgp ipv4|ipv6 unicast json` as {prefix: [path, ...]}."""
        d = self.ctl_json("show", "bgp", f"ipv{family}", "unicast")
        return {r["prefix"]: r["paths"] for r in d.get("routes", [])}

    def neighbor_routes(self, peer, which="advertised-routes"):
        """`show bgp neighbors PEER advertised-routes|received-routes json` as
        {prefix: [path, ...]} (both families)."""
        d = self.ctl_json("show", "bgp", "neighbors", peer, which)
        return {r["prefix"]: r["paths"] for r in d.get("routes", [])}

    def session(self, peer):
        s = self.summary()
        ps = [p for p in s.get("peers", []) if p.get("peer") == peer]
        assert ps, f"routerd {self.node.name}: peer {peer} not in summary {s}"
        n = self.neighbor(peer)
        return Session(ps[0].get("state"), n.get("local-as", s.get("as")), ps[0].get("remote-as"),
                       n.get("remote-router-id"), raw={"summary": ps[0], "neighbor": n})

    @staticmethod
    def unnumbered_config(router_id, asn, ports, ra_interval=None, group="fabric",
                          maximum_paths=64, profile="datacenter"):
        """An unnumbered fabric node as in seed 003: peer-group `group` with remote-as
        external, one interface neighbor per port (swp1, ...), redistribute connected (the
        loopback /32 on lo) with maximum-paths for both families; ra_interval, if given,
        becomes interface/ra-interval of every port (else the profile's: 5 s datacenter)."""
        af = {"redistribute": [{"protocol": "connected"}], "maximum-paths": maximum_paths}
        bgp = {"asn": asn, "profile": profile,
               "peer-group": [{"name": group, "remote-as": "external"}],
               "neighbor": [{"peer": p, "peer-group": group} for p in ports],
               "ipv4-unicast": af, "ipv6-unicast": dict(af)}
        conf = {"router-id": router_id, "bgp": bgp}
        if ra_interval is not None:
            conf["interface"] = [{"name": p, "ra-interval": ra_interval} for p in ports]
        return {"routerd:routerd": conf}

    def states(self):
        """{peer: state} from `show bgp summary json`; unnumbered peers are named after
        their port and slot (swp1, swp1:2, ...)."""
        return {p.get("peer"): p.get("state") for p in self.summary().get("peers", [])}

class Frr(Daemon):
    kind = "frr"

    def __init__(self, node, conf_text, name="frr"):
        super().__init__(node, name)
        self.conf_path = node.dir / "frr.conf"
        self.conf_path.write_text(conf_text)
        self.etc = Path("/etc/frr") / node.ns

    @staticmethod
    def config(hostname, router_id, asn, neighbors, defaults="datacenter", ipv4=(), ipv6=(),
               extra=()):
        """neighbors: list of dicts {addr, remote_as, passive?, connect?, timers?: (ka, hold),
        families?}. families (default: FRR's own, i.e. IPv4 for every neighbor plus IPv6
        for IPv6 neighbors) lists the address families (4, 6) the neighbor is activated in.
        ipv4/ipv6: extra lines of the address-family blocks ("network 198.51.100.0/24",
        "neighbor X route-map M out", "maximum-paths 4"); extra: lines after the router
        block (route-maps, prefix-lists, "ip route ... blackhole")."""
        lines = [f"frr defaults {defaults}", f"hostname {hostname}", "log timestamp precision 3",
                 "debug bgp neighbor-events", "!", f"router bgp {asn}",
                 f" bgp router-id {router_id}", " no bgp ebgp-requires-policy",
                 " no bgp network import-check"]
        v4_off, v6 = [], []
        for n in neighbors:
            a = n["addr"]
            lines.append(f" neighbor {a} remote-as {n['remote_as']}")
            if n.get("passive"):
                lines.append(f" neighbor {a} passive")
            if n.get("connect"):
                lines.append(f" neighbor {a} timers connect {n['connect']}")
            if n.get("timers"):
                lines.append(f" neighbor {a} timers {n['timers'][0]} {n['timers'][1]}")
            fams = n.get("families")
            if fams is None:
                fams = (4, 6) if ipaddress.ip_address(a).version == 6 else (4,)
            if 4 not in fams:
                v4_off.append(a)
            if 6 in fams:
                v6.append(a)
        if v4_off or ipv4:
            lines.append(" address-family ipv4 unicast")
            lines += [f"  {line}" for line in ipv4]
            lines += [f"  no neighbor {a} activate" for a in v4_off]
            lines.append(" exit-address-family")
        if v6 or ipv6:
            lines.append(" address-family ipv6 unicast")
            lines += [f"  {line}" for line in ipv6]
            lines += [f"  neighbor {a} activate" for a in v6]
            lines.append(" exit-address-family")
        lines += ["exit", "!"] + list(extra) + ["!", "end", ""]
        return "\n".join(lines)

    def start(self):
        d = self.node.dir
        self.etc.mkdir(parents=True, exist_ok=True)
        (self.etc / "vtysh.conf").touch()
        shutil.chown(d, "frr", "frr")
        shutil.chown(self.conf_path, "frr", "frr")
        common = ["-N", self.node.ns, "-z", d / "zserv.api", "--vty_socket", d,
                  "-f", self.conf_path, "-u", "frr", "-g", "frr", "--log-level", "debug"]
        self._spawn("zebra", [FRR_LIBEXEC / "zebra", "-i", d / "zebra.pid",
                              "--log", f"file:{d}/zebra.log"] + common, "zebra.out")
        self.logs["zebra"] = d / "zebra.log"
        poll(lambda: self.check_alive() or (d / "zserv.api").exists() or False, 10,
             what=f"zebra on {self.node.name} created zserv.api")
        self._spawn("bgpd", [FRR_LIBEXEC / "bgpd", "-i", d / "bgpd.pid",
                             "--log", f"file:{d}/bgpd.log"] + common, "bgpd.out")
        self.logs["bgpd"] = d / "bgpd.log"
        self.logs["zebra.out"] = d / "zebra.out"
        self.logs["bgpd.out"] = d / "bgpd.out"
        return self

    def stop(self, timeout=5.0):
        rcs = super().stop(timeout)
        shutil.rmtree(self.etc, ignore_errors=True)
        return rcs

    def vtysh(self, cmd):
        self.check_alive()
        return run(["vtysh", "--vty_socket", self.node.dir, "-c", cmd], ns=self.node.ns).stdout

    def vtysh_json(self, cmd):
        out = self.vtysh(cmd)
        try:
            return json.loads(out)
        except ValueError as e:
            raise AssertionError(f"vtysh -c '{cmd}': invalid JSON ({e}): {out[:500]!r}")

    def wait_ready(self, timeout=15):
        """bgpd answers, listens, and has started every neighbor: FRR keeps a new
        neighbor Idle until zebra reports the connected route, and answers a
        connection that arrives before then with NOTIFICATION 5/0."""
        def ready():
            d = self.vtysh_json("show bgp neighbors json")
            idle = [a for a, n in d.items() if n.get("bgpState") == "Idle"]
            assert not idle, f"neighbors still Idle: {idle}"
        poll(ready, timeout, what=f"frr on {self.node.name} ready (no neighbor Idle)")
        self.wait_listening()
        return self

    def neighbor(self, addr):
        d = self.vtysh_json(f"show bgp neighbors {addr} json")
        assert addr in d, f"frr {self.node.name}: no neighbor {addr}: {d}"
        return d[addr]

    def configure(self, *lines):
        """Applies config lines in vtysh's configure mode ("router bgp 65002", ...)."""
        self.check_alive()
        args = ["vtysh", "--vty_socket", self.node.dir, "-c", "configure terminal"]
        for line in lines:
            args += ["-c", line]
        return run(args, ns=self.node.ns).stdout

    def routes(self, family=4):
        """`show bgp ipv4|ipv6 unicast json` as {prefix: [path, ...]}; a path has FRR 8.4's
        keys: "valid", "bestpath", "multipath", "path" (the AS path), "peerId",
        "nexthops": [{"ip", "afi", "used"}, ...]."""
        return self.vtysh_json(f"show bgp ipv{family} unicast json").get("routes", {})

    def session(self, peer):
        n = self.neighbor(peer)
        return Session(n.get("bgpState"), n.get("localAs"), n.get("remoteAs"),
                       n.get("remoteRouterId"), raw=n)

    def last_error(self, peer):
        """The last NOTIFICATION FRR 8.4 recorded for peer, as routerd's last-error shape
        ({"direction", "code", "subcode", "text"}), or None.

        FRR 8.4's neighbor JSON: "lastResetDueTo": "BGP Notification send" | "BGP
        Notification received", "lastErrorCodeSubcode": "0202" (hex code, subcode),
        "lastNotificationReason": "OPEN Message Error/Bad Peer AS"."""
        n = self.neighbor(peer)
        cs = n.get("lastErrorCodeSubcode")
        if not cs:
            return None
        due = n.get("lastResetDueTo", "")
        direction = ("sent" if due == "BGP Notification send" else
                     "received" if due == "BGP Notification received" else due)
        return {"direction": direction, "code": int(cs[:2], 16), "subcode": int(cs[2:4], 16),
                "text": n.get("lastNotificationReason"), "raw": {
                    k: v for k, v in n.items() if k.startswith("last")}}

    @staticmethod
    def unnumbered_config(hostname, router_id, asn, ports, ra_interval=5, group="fabric"):
        """FRR's side of an unnumbered fabric, as in seed 003 (and docs/unnumbered.md):
        RAs every ra_interval s on each port, peer-group `group` (remote-as external,
        extended next hop) with one `neighbor PORT interface` each, redistribute connected
        in both families."""
        lines = ["frr defaults datacenter", f"hostname {hostname}", "log timestamp precision 3",
                 "debug bgp neighbor-events", "!"]
        for p in ports:
            lines += [f"interface {p}", f" ipv6 nd ra-interval {ra_interval}",
                      " no ipv6 nd suppress-ra", "exit", "!"]
        lines += [f"router bgp {asn}", f" bgp router-id {router_id}",
                  " no bgp ebgp-requires-policy", " bgp bestpath as-path multipath-relax",
                  f" neighbor {group} peer-group", f" neighbor {group} remote-as external",
                  f" neighbor {group} capability extended-nexthop"]
        lines += [f" neighbor {p} interface peer-group {group}" for p in ports]
        for fam in ("ipv4", "ipv6"):
            lines += [f" address-family {fam} unicast", "  redistribute connected",
                      f"  neighbor {group} activate", "  maximum-paths 64",
                      " exit-address-family"]
        lines += ["exit", "!", "end", ""]
        return "\n".join(lines)

    def wait_started(self, timeout=15):
        """bgpd answers vtysh and listens (wait_ready's "no neighbor Idle" does not apply to
        interface neighbors, which stay Idle until zebra has heard the port's router)."""
        poll(lambda: self.vtysh_json("show bgp summary json") is not None, timeout,
             what=f"frr on {self.node.name} answering vtysh")
        self.wait_listening()
        return self

class Bird(Daemon):
    kind = "bird"

    def __init__(self, node, conf_text, name="bird"):
        super().__init__(node, name)
        self.conf_path = node.dir / "bird.conf"
        self.conf_path.write_text(conf_text.replace("@DIR@", str(node.dir)))
        self.ctl_sock = node.dir / "bird.ctl"

    @staticmethod
    def proto_name(addr):
        return "p_" + re.sub(r"[^0-9a-zA-Z]", "_", addr)

    @staticmethod
    def config(router_id, asn, neighbors, export="none", static=()):
        """neighbors: list of dicts {addr, remote_as, passive?, connect?, timers?: (ka, hold)}.
        export: the BGP channels' export clause ("all"); static: prefixes BIRD originates
        (blackhole static routes, exported to peers when export allows)."""
        out = ['log "@DIR@/bird.log" all;', f"router id {router_id};",
               "debug protocols { states, events };", "protocol device {}", ""]
        for fam in (4, 6):
            routes = [p for p in static if ipaddress.ip_network(p).version == fam]
            if routes:
                out += [f"protocol static static{fam} {{", f"  ipv{fam};"]
                out += [f"  route {p} blackhole;" for p in routes]
                out += ["}", ""]
        for n in neighbors:
            a = n["addr"]
            fam = "ipv6" if ipaddress.ip_address(a).version == 6 else "ipv4"
            ka, hold = n.get("timers", (3, 9))
            out += [f"protocol bgp {Bird.proto_name(a)} {{",
                    f"  local as {asn};", f"  neighbor {a} as {n['remote_as']};",
                    f"  hold time {hold};", f"  keepalive time {ka};",
                    f"  connect retry time {n.get('connect', 2)};", "  connect delay time 1;",
                    "  error wait time 1, 5;",
                    f"  passive {'on' if n.get('passive') else 'off'};",
                    f"  {fam} {{ import all; export {export}; }};", "}", ""]
        return "\n".join(out)

    def start(self):
        self._spawn("bird", ["bird", "-f", "-c", self.conf_path, "-s", self.ctl_sock,
                             "-P", self.node.dir / "bird.pid"], "bird.out")
        self.logs["bird.log"] = self.node.dir / "bird.log"
        return self

    def birdc(self, *args):
        self.check_alive()
        return run(["birdc", "-s", self.ctl_sock] + list(args), ns=self.node.ns).stdout

    def wait_ready(self, timeout=15):
        def ready():
            ps = self.protocols()
            assert ps, "birdc shows no protocols"
            idle = [n for n, p in ps.items() if p.get("proto") == "BGP"
                    and p.get("BGP state") in (None, "Idle", "Down")]
            assert not idle, f"BGP protocols not started: {idle}"
        poll(ready, timeout, what=f"bird on {self.node.name} ready (no BGP protocol Idle)")
        if any(p.get("proto") == "BGP" for p in self.protocols().values()):
            self.wait_listening()
        return self

    def protocols(self):
        """`show protocols all` parsed: {name: {"proto", "state", "info", "<Key>": value, ...}}."""
        text = self.birdc("show", "protocols", "all")
        protos, cur = {}, None
        for line in text.splitlines():
            if not line.strip() or line.startswith(("BIRD ", "Name ")):
                continue
            if not line[0].isspace():
                f = line.split(None, 5)
                cur = {"proto": f[1] if len(f) > 1 else "", "state": f[3] if len(f) > 3 else "",
                       "info": f[5].strip() if len(f) > 5 else ""}
                protos[f[0]] = cur
                continue
            m = re.match(r"\s+([A-Za-z][A-Za-z0-9 /-]*?):\s*(.*)$", line)
            if cur is not None and m and m.group(1) not in cur:
                cur[m.group(1)] = m.group(2).strip()
        return protos

    def routes(self):
        """`show route all` parsed: {prefix: [route, ...]}, a route being
        {"proto", "primary", "via", "as_path", "next_hop", "type", "<BGP.attr>": value}
        (as_path is "" for a route BIRD originates)."""
        text = self.birdc("show", "route", "all")
        routes, cur = {}, None
        for line in text.splitlines():
            if not line.strip() or line.startswith(("BIRD ", "Table ")):
                continue
            m = re.match(r"^(\S+)?\s+(\w+) \[(\S+) [^\]]*\]( \*)?", line)
            if m and not line.startswith("\t") and "[" in line and (m.group(1) or cur):
                prefix = m.group(1) or cur["prefix"]
                cur = {"prefix": prefix, "type": m.group(2), "proto": m.group(3),
                       "primary": bool(m.group(4)), "via": None, "as_path": ""}
                routes.setdefault(prefix, []).append(cur)
                continue
            if cur is None:
                continue
            s = line.strip()
            if s.startswith("via "):
                cur["via"] = s.split()[1]
            elif ":" in s:
                k, v = s.split(":", 1)
                cur[k.strip()] = v.strip()
                if k.strip() == "BGP.as_path":
                    cur["as_path"] = v.strip()
                elif k.strip() == "BGP.next_hop":
                    cur["next_hop"] = v.strip()
        return routes

    def protocol(self, addr):
        name = self.proto_name(addr)
        ps = self.protocols()
        assert name in ps, f"bird {self.node.name}: no protocol {name}: {list(ps)}"
        return ps[name]

    def last_error(self, peer):
        """BIRD's "Last error" line for peer: "Received: <text>" for a NOTIFICATION
        received, "BGP Error: <text>" for one sent; None when there is none."""
        return self.protocol(peer).get("Last error")

    def session(self, peer):
        p = self.protocol(peer)
        asn = lambda v: int(v) if v and v.isdigit() else v
        return Session(p.get("BGP state"), asn(p.get("Local AS")), asn(p.get("Neighbor AS")),
                       p.get("Neighbor ID"), raw=p)


class GoBgp(Daemon):
    kind = "gobgp"
    STATES = {"idle": "Idle", "connect": "Connect", "active": "Active", "opensent": "OpenSent",
              "openconfirm": "OpenConfirm", "established": "Established",
              1: "Idle", 2: "Connect", 3: "Active", 4: "OpenSent", 5: "OpenConfirm",
              6: "Established"}

    def __init__(self, node, conf_text, name="gobgp"):
        super().__init__(node, name)
        self.conf_path = node.dir / "gobgpd.toml"
        self.conf_path.write_text(conf_text)
        self.api = "127.0.0.1"
        self.api_port = 50051

    @staticmethod
    def config(router_id, asn, neighbors):
        """neighbors: list of dicts {addr, remote_as, passive?, connect?, timers?: (ka, hold)}.

        GoBGP 3.10 makes its first outgoing attempt 5-10 s after start whatever
        connect-retry says (a fixed random delay in its FSM), so an active GoBGP
        is the slowest peer to come up."""
        out = ["[global.config]", f"  as = {asn}", f'  router-id = "{router_id}"', ""]
        for n in neighbors:
            a = n["addr"]
            ka, hold = n.get("timers", (3, 9))
            fam = "ipv6-unicast" if ipaddress.ip_address(a).version == 6 else "ipv4-unicast"
            out += ["[[neighbors]]", "  [neighbors.config]", f'    neighbor-address = "{a}"',
                    f"    peer-as = {n['remote_as']}", "  [neighbors.timers.config]",
                    f"    connect-retry = {n.get('connect', 2)}", f"    hold-time = {hold}",
                    f"    keepalive-interval = {ka}", "  [neighbors.transport.config]",
                    f"    passive-mode = {'true' if n.get('passive') else 'false'}",
                    "  [[neighbors.afi-safis]]", "    [neighbors.afi-safis.config]",
                    f'      afi-safi-name = "{fam}"', ""]
        return "\n".join(out)

    def start(self):
        self._spawn("gobgpd", ["gobgpd", "-f", self.conf_path, "-p", "-l", "debug",
                               "--pprof-disable", "--api-hosts", f"{self.api}:{self.api_port}"])
        return self

    def gobgp(self, *args):
        self.check_alive()
        return run(["gobgp", "-u", self.api, "-p", str(self.api_port)] + list(args),
                   ns=self.node.ns).stdout

    def neighbors(self):
        out = self.gobgp("neighbor", "-j")
        try:
            return json.loads(out)
        except ValueError as e:
            raise AssertionError(f"gobgp neighbor -j: invalid JSON ({e}): {out[:300]!r}")

    def wait_ready(self, timeout=15):
        def ready():
            self.check_alive()
            p = run(["gobgp", "-u", self.api, "-p", str(self.api_port), "global", "-j"],
                    ns=self.node.ns, check=False)
            assert p.returncode == 0, f"gobgp API not answering: {p.stderr.strip()}"
        poll(ready, timeout, what=f"gobgpd on {self.node.name} answering its API")

        def started():
            idle = [n.get("conf", {}).get("neighbor_address") for n in self.neighbors()
                    if self.STATES.get(n.get("state", {}).get("session_state"), "Idle") == "Idle"]
            assert not idle, f"neighbors still Idle: {idle}"
        poll(started, timeout, what=f"gobgpd on {self.node.name} started its neighbors")
        if self.neighbors():
            self.wait_listening()
        return self

    def neighbor(self, addr):
        ns = [n for n in self.neighbors() if n.get("conf", {}).get("neighbor_address") == addr]
        assert ns, f"gobgp {self.node.name}: no neighbor {addr}"
        return ns[0]

    def session(self, peer):
        n = self.neighbor(peer)
        st = n.get("state", {})
        raw_state = st.get("session_state")
        state = self.STATES.get(raw_state.lower() if isinstance(raw_state, str) else raw_state,
                                raw_state)
        return Session(state, n.get("conf", {}).get("local_asn"),
                       st.get("peer_asn") or n.get("conf", {}).get("peer_asn"),
                       st.get("router_id"), raw=n)


# --------------------------------------------------------------------------
# topology


class Node:
    def __init__(self, lab, name):
        self.lab, self.name = lab, name
        self.ns = f"{lab.prefix}-{name}"
        self.dir = lab.dir / name
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o755)
        self.daemons = []

    def exec(self, *cmd, check=True, timeout=30):
        return run(list(cmd), ns=self.ns, check=check, timeout=timeout)

    def add(self, daemon):
        self.daemons.append(daemon)
        return daemon

    def bgp_connections(self):
        """Established TCP connections on port 179 in this namespace:
        [(local_addr, local_port, remote_addr, remote_port)], IPv4-mapped shown as IPv4."""
        out = self.exec("ss", "-Htn", "state", "established",
                        "( sport = :179 or dport = :179 )").stdout
        conns = []
        for line in out.splitlines():
            f = line.split()
            if len(f) < 4:
                continue
            ends = []
            for ep in f[-2:]:
                addr, port = ep.rsplit(":", 1)
                addr = addr.strip("[]").split("%")[0]
                if addr.startswith("::ffff:") and "." in addr:
                    addr = addr[7:]
                ends += [addr, int(port)]
            conns.append(tuple(ends))
        return conns

    def kernel_routes(self, family=4, proto="bgp", prefix=None):
        """`ip -j -4|-6 route show [PREFIX] proto PROTO` (main table) as a list of dicts."""
        cmd = ["ip", "-j", f"-{family}", "route", "show"] + ([prefix] if prefix else [])
        cmd += ["proto", proto] if proto else []
        out = self.exec(*cmd).stdout.strip()
        return json.loads(out) if out else []

    def kernel_nexthops(self, proto="bgp"):
        """`ip -j nexthop show [protocol PROTO]` as {id: nexthop dict}. (iproute2 6.1
        takes only a number there: "bgp" is sent as 186.)"""
        proto = {"bgp": 186, "zebra": 11}.get(proto, proto)
        out = self.exec("ip", "-j", "nexthop", "show",
                        *(["protocol", proto] if proto else [])).stdout.strip()
        return {n["id"]: n for n in (json.loads(out) if out else [])}

    def kernel_gateways(self, route, nexthops=None):
        """The gateways a kernel route leads to: [(gateway, dev)], resolving its nhid
        through nexthop objects and groups (nexthops: kernel_nexthops(None) to reuse)."""
        if "nhid" not in route:
            hops = route.get("nexthops") or [route]
            return sorted((h.get("gateway"), h.get("dev")) for h in hops)
        nhs = nexthops if nexthops is not None else self.kernel_nexthops(None)
        nh = nhs.get(route["nhid"])
        assert nh, f"{self.name}: route {route} uses nexthop {route['nhid']}, not in the kernel"
        ids = [g["id"] for g in nh["group"]] if "group" in nh else [nh["id"]]
        out = []
        for i in ids:
            assert i in nhs, f"{self.name}: group {nh['id']} member {i} not in the kernel"
            out.append((nhs[i].get("gateway"), nhs[i].get("dev")))
        return sorted(out)

    def stub(self, name, *addrs):
        """A veth pair with both ends inside this node (there is no dummy interface
        here), both up, with addrs ("203.0.113.1/24", "2001:db8:ff::1/64") on name."""
        peer = f"{name}-p"[:15]
        self.exec("ip", "link", "add", name, "type", "veth", "peer", "name", peer)
        for a in addrs:
            self.exec("ip", "addr", "add", a, "dev", name, *(["nodad"] if ":" in a else []))
        self.exec("ip", "link", "set", peer, "up")
        self.exec("ip", "link", "set", name, "up")
        return name

    def routerd(self, conf):
        return self.add(RouterD(self, conf)).start()

    def frr(self, conf_text):
        return self.add(Frr(self, conf_text)).start()

    def bird(self, conf_text):
        return self.add(Bird(self, conf_text)).start()

    def gobgp(self, conf_text):
        return self.add(GoBgp(self, conf_text)).start()

    def ip_json(self, *args):
        """`ip -n NS -j ARGS` parsed (an empty list for no output). `ip -n` costs a few ms
        less than `ip netns exec`, which matters in tight timing polls."""
        out = run(["ip", "-n", self.ns, "-j"] + list(args)).stdout.strip()
        return json.loads(out) if out else []

    def loopback(self, *addrs):
        """Adds addrs ("10.0.0.1/32", "2001:db8:ff::1/128") to lo."""
        for a in addrs:
            self.exec("ip", "addr", "add", a, "dev", "lo")

    def link_info(self, ifname):
        """{"ifindex", "mac", "lla", "operstate"} of ifname; lla is its fe80:: address."""
        link = self.ip_json("link", "show", "dev", ifname)[0]
        addrs = self.ip_json("-6", "addr", "show", "dev", ifname)
        # iproute2 6.1 leaves {} for the addresses a filter drops, so filter here.
        lla = [a["local"] for x in addrs for a in x.get("addr_info", [])
               if a.get("scope") == "link" and a.get("local", "").startswith("fe80:")]
        return {"ifindex": link["ifindex"], "mac": link["address"], "lla": lla[0] if lla else None,
                "operstate": link.get("operstate")}

    def ping(self, dst, src=None, count=1, wait=1):
        """True when `ping -c count [-I src] dst` gets an answer."""
        cmd = ["ping", "-n", "-q", "-c", str(count), "-W", str(wait)] + (["-I", src] if src else [])
        return self.exec(*cmd, dst, check=False, timeout=count * wait + 10).returncode == 0

    def __repr__(self):
        return f"Node({self.name}, ns={self.ns})"


class Link:
    def __init__(self, a, b, index, a_if, b_if):
        self.a, self.b, self.index, self.a_if, self.b_if = a, b, index, a_if, b_if
        base = 4 * (index - 1)
        self.a_v4 = f"192.0.2.{base + 1}"
        self.b_v4 = f"192.0.2.{base + 2}"
        self.a_v6 = f"2001:db8:{index:x}::1"
        self.b_v6 = f"2001:db8:{index:x}::2"

    def addr(self, node, family):
        side = "a" if node is self.a else "b"
        return getattr(self, f"{side}_v{family}")

    def peer_of(self, node):
        return self.b if node is self.a else self.a


class Lab:
    """A set of namespaces and daemons that teardown() always removes."""

    counter = 0

    def __init__(self, label="lab"):
        Lab.counter += 1
        self.prefix = f"{PREFIX}-{Lab.counter}"
        safe = re.sub(r"[^0-9A-Za-z_.-]", "_", label)[:80]
        self.dir = RUN_DIR / f"{Lab.counter:02d}-{safe}"
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        for d in (RUN_DIR, self.dir):
            os.chmod(d, 0o755)
        self.nodes, self.links = {}, []
        ACTIVE_LABS.append(self)

    def node(self, name):
        n = Node(self, name)
        run(["ip", "netns", "add", n.ns])
        self.nodes[name] = n
        n.exec("ip", "link", "set", "lo", "up")
        # No DAD in a lab: an address (the link-local one above all, which FRR
        # needs before it accepts an IPv6 session) is usable the moment it exists.
        n.exec("sysctl", "-qw", "net.ipv6.conf.all.keep_addr_on_down=1",
               "net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf.all.accept_dad=0")
        return n

    def link(self, a, b):
        """veth between a and b, both ends created directly in their namespaces,
        with 192.0.2.(4i+1|2)/30 and 2001:db8:i::1|2/64 (nodad)."""
        index = len(self.links) + 1
        if index > 63:
            raise ValueError("too many links for 192.0.2.0/24")
        a_if, b_if = f"eth-{b.name}"[:15], f"eth-{a.name}"[:15]
        run(["ip", "link", "add", a_if, "netns", a.ns, "type", "veth",
             "peer", "name", b_if, "netns", b.ns])
        l = Link(a, b, index, a_if, b_if)
        for node, ifname, v4, v6 in ((a, a_if, l.a_v4, l.a_v6), (b, b_if, l.b_v4, l.b_v6)):
            node.exec("ip", "addr", "add", f"{v4}/30", "dev", ifname)
            node.exec("ip", "-6", "addr", "add", f"{v6}/64", "dev", ifname, "nodad")
            node.exec("ip", "link", "set", ifname, "up")

        def link_local_ready():
            for node, ifname in ((a, a_if), (b, b_if)):
                out = node.exec("ip", "-6", "-o", "addr", "show", "dev", ifname,
                                "scope", "link").stdout
                assert "fe80::" in out and "tentative" not in out, \
                    f"{node.name}/{ifname} link-local not ready: {out.strip()!r}"
        poll(link_local_ready, 10, interval=0.05, what=f"link-local addresses on link {index}")
        self.links.append(l)
        return l

    def bare_link(self, a, b, a_if="swp1", b_if="swp1"):
        """A veth between a (a_if) and b (b_if) with no address but the kernel's
        link-local ones, as unnumbered fabric ports are; returns (a_if, b_if) once both
        link-local addresses are usable."""
        run(["ip", "link", "add", a_if, "netns", a.ns, "type", "veth",
             "peer", "name", b_if, "netns", b.ns])
        for node, ifname in ((a, a_if), (b, b_if)):
            node.exec("ip", "link", "set", ifname, "up")
        self._wait_link_local([(a, a_if), (b, b_if)])
        return a_if, b_if

    def bridge(self, members, ifname="swp1", name="sw"):
        """A bridge br0 in a node of its own (`name`) with a veth port to each of members,
        whose end is called ifname (a shared segment); returns the bridge's node."""
        sw = self.node(name)
        sw.exec("ip", "link", "add", "br0", "type", "bridge")
        sw.exec("ip", "link", "set", "br0", "up")
        for i, m in enumerate(members, 1):
            run(["ip", "link", "add", ifname, "netns", m.ns, "type", "veth",
                 "peer", "name", f"p{i}", "netns", sw.ns])
            sw.exec("ip", "link", "set", f"p{i}", "master", "br0", "up")
            m.exec("ip", "link", "set", ifname, "up")
        self._wait_link_local([(m, ifname) for m in members])
        return sw

    @staticmethod
    def _wait_link_local(ends):
        def ready():
            for node, ifname in ends:
                out = node.exec("ip", "-6", "-o", "addr", "show", "dev", ifname,
                                "scope", "link").stdout
                assert "fe80::" in out and "tentative" not in out, \
                    f"{node.name}/{ifname} link-local not ready: {out.strip()!r}"
        poll(ready, 10, interval=0.05, what=f"link-local addresses on {ends}")

    def daemons(self):
        return [d for n in self.nodes.values() for d in n.daemons]

    def log_files(self):
        files = []
        for d in self.daemons():
            for label, path in d.logs.items():
                files.append((f"{d.node.name}/{label}", path))
        return files

    def logs_text(self, lines=80):
        return "".join(f"----- {name} ({path}) -----\n{tail(path, lines)}"
                       for name, path in self.log_files())

    def teardown(self):
        errors = []
        for d in self.daemons():
            try:
                d.stop(timeout=3)
            except Exception as e:  # keep going: the namespaces must go regardless
                errors.append(f"{d.kind}@{d.node.name}: {e}")
        for n in self.nodes.values():
            destroy_netns(n.ns)
            shutil.rmtree(Path("/etc/frr") / n.ns, ignore_errors=True)
        cleanup_prefix(self.prefix)
        if self in ACTIVE_LABS:
            ACTIVE_LABS.remove(self)
        left = [ns for ns in netns_list() if ns.startswith(self.prefix + "-")]
        procs = [(d.kind, p.pid) for d in self.daemons() for p in d.procs.values()
                 if p.poll() is None]
        if left or procs:
            errors.append(f"left behind: namespaces {left}, processes {procs}")
        return errors
