#!/usr/bin/python3
"""Records FRR's routing-policy verdicts as golden data for routerd's engine.

Run by hand (root, Debian 12, frr 8.4 and exabgp installed), never in CI:

    sudo /usr/bin/python3 tests/tools/frr_policy_golden.py            # record, write both files
    /usr/bin/python3 tests/tools/frr_policy_golden.py --header-only  # regenerate the C header
                                                                      # from the JSON already there

Why: routerd's policy engine (routerd/policy/) must behave exactly as FRR's. The hand-written
tables in tests/unit/test_policy.c say what we *think* FRR does; this tool asks FRR itself.

What it does:
  1. Two network namespaces joined by a veth: FRR 8.4 bgpd (AS 65001, `no bgp
     ebgp-requires-policy`) and ExaBGP, an iBGP peer (AS 65001, so the AS paths, LOCAL_PREF
     and MED arrive exactly as written: no neighbor AS is prepended and nothing is stripped),
     announcing ROUTES below over IPv4 and IPv6 unicast.
  2. FRR gets the policy objects below (seed 002's AS-path lists and route-maps, seed 003's
     prefix-list and route-map, and extra ones for prefix-list ge/le edge cases, community and
     large-community lists, set clauses, on-match and continue), written in FRR syntax.
  3. Verdicts, two independent ways:
     - "show": `show bgp ipv4|ipv6 unicast route-map NAME json` on the unfiltered table (FRR
       runs the route-map on a copy of each path and lists those it permits; it prints the
       attributes as received, not as the route-map left them, so this gives only the verdict);
     - "inbound": the route-map as `neighbor ... route-map NAME in` (soft-reconfiguration
       inbound keeps the Adj-RIB-In), then `show bgp ... json` and `... json detail`: the
       verdict and every attribute as FRR's route-map left it.
     Before each route-map a deny-all map empties the table, so a dump can never show the
     previous map's result.
  4. Writes tests/unit/policy_golden/frr_golden.json (inputs, FRR config, FRR version, every
     verdict and resulting attribute set) and tests/unit/policy_golden/frr_golden.h (the same
     as static C tables, read by tests/unit/test_policy_frr.c). The namespaces and every process
     in them are removed on exit, also after an error or Ctrl-C.

Mapping routerd's objects to FRR (where the two differ by design, docs/policy.md):
  - routerd has one prefix-list name space for both families; FRR has `ip prefix-list` and
    `ipv6 prefix-list`. A routerd list becomes an `ip prefix-list` with its IPv4 entries and an
    `ipv6 prefix-list` with its IPv6 entries (`any` goes into both); a family without entries
    gets no FRR list at all (so FRR's "no such list: no match" is routerd's "a list with
    entries of the other family only denies"), except that a routerd list with no entries at
    all becomes an empty (description-only) list in both families (both permit everything).
  - `match prefix-list PL` is `match ip address prefix-list PL` in the route-map FRR applies to
    IPv4 routes and `match ipv6 address prefix-list PL` in a twin route-map NAME_V6 that FRR
    applies to IPv6 routes (FRR route-maps are per family; an entry with both never matches).
  - `continue N` is recorded as written and built as on-match goto N (FRR 8.4 has no bare
    `continue`; it also refuses `match metric 0` and has no `set as-path exclude all`).

Facts worth knowing when reading the results: FRR 8.4 accepts AS 0 in an AS_PATH from an iBGP
peer; it applies an entry's set clauses in the order they were entered (its running-config
prints them in another, fixed order); `show ... route-map` prints the received attributes.
"""

import argparse
import atexit
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT_DIR = REPO / "tests" / "unit" / "policy_golden"
JSON_OUT = OUT_DIR / "frr_golden.json"
HEADER_OUT = OUT_DIR / "frr_golden.h"

FRR_AS = 65001
FRR_ADDR, EXA_ADDR = "198.18.0.1", "198.18.0.2"
FRR_ADDR6, EXA_ADDR6 = "fc00:ffff::1", "fc00:ffff::2"
RESET_MAP = "PG-DENY-ALL"

# --------------------------------------------------------------------------
# inputs: the routes ExaBGP announces
#
# A route: prefix, AS path as FRR prints it (AS_SETs written sorted, as FRR
# normalises them), origin, MED (None = absent), LOCAL_PREF (always sent: iBGP),
# communities (numeric AA:NN), large communities.


def R(prefix, path="", origin="igp", med=None, lp=100, comm=None, lcomm=None):
    return {"prefix": prefix, "aspath": path, "origin": origin, "med": med, "local_pref": lp,
            "communities": comm.split() if comm else None,
            "large_communities": lcomm.split() if lcomm else None}


ROUTES = []
# prefix-list probes: empty path, nothing else
for p in ["0.0.0.0/0", "10.0.0.0/7", "10.0.0.0/8", "10.1.0.0/16", "10.1.0.0/17", "10.1.0.0/24",
          "10.1.0.0/25", "10.1.0.0/26", "10.1.1.64/26", "10.1.2.128/27", "10.1.3.0/31",
          "10.1.255.255/32", "10.2.0.0/26", "10.0.254.0/24", "10.0.254.0/31", "10.0.254.1/32",
          "10.0.254.128/25", "10.0.255.1/32", "10.255.255.0/24", "10.255.255.0/25",
          "11.0.0.0/8", "172.16.0.0/12", "172.16.0.0/16", "172.31.255.0/24", "172.32.0.0/24",
          "192.0.2.0/24", "192.0.2.0/25", "192.0.2.0/30", "192.0.2.1/32", "192.0.2.4/31",
          "198.51.100.0/24", "198.51.100.0/25", "203.0.113.0/24",
          "::/0", "2001:db8::/31", "2001:db8::/32", "2001:db8::/47", "2001:db8:1::/48",
          "2001:db8:1::/56", "2001:db8:1:2::/64", "2001:db8:1:2::/65", "2001:db8::1/128",
          "2001:db8:ffff::/48", "2001:db8:ffff:1::/64", "2001:db8:8000::/33", "2001:db9::/32",
          "fd00::/8", "fd00:1::/64"]:
    ROUTES.append(R(p))

# AS-path probes (seed 002's regexes and the FRR dialect), one prefix each
ASPATHS = ["", "65515 12076 65150", "0", "23456", "131072", "64512 65000", "65000 64512",
           "65515", "12076 65515", "65150 12076 65515", "165515", "655150", "65515 65515 65515",
           "10", "100", "1000 2000", "20 0", "0 65000", "234567", "123456", "23456 1", "131000",
           "131069", "131070", "131071", "131079", "1310", "1310690", "2131000", "65", "650",
           "6500 1", "1 65000", "4200000000 65515", "65000 {1,65515}", "{64512,65000}",
           "3 {1,2}", "64512", "64511", "65535", "65000 65515 65150"]
for i, pth in enumerate(ASPATHS):
    ROUTES.append(R(f"100.64.{i}.0/24", pth))

# community / large-community probes (numeric on the wire; FRR names the well-known ones)
COMMS = [(None, None), ("65000:100", None), ("65000:100 65535:65281", None), ("65000:666", None),
         ("65000:666 65000:100", None), ("65000:200", None), ("65000:299", None),
         ("65000:2000", None), ("1:1 65000:250", None), ("65535:65282", None),
         ("65535:65283", None), ("65535:65284", None), ("65535:666", None), ("65535:0", None),
         ("0:0", None), ("0:80", None), ("0:80 0:90", None), ("0:90 0:80 0:100", None),
         ("65535:1", None), ("65535:7", None), ("65000:1", None), ("65000:1 65000:2", None),
         ("64512:100", None), ("65000:100 65000:1 65535:65281", None),
         (None, "65000:1:1"), (None, "65000:1:1 65000:2:2"), (None, "64512:5:5"),
         (None, "4200000000:1:2"), (None, "65000:1:10"), (None, "1:2:3 64512:0:0"),
         ("65000:100", "65000:1:1 64512:5:5")]
for i, (c, lc) in enumerate(COMMS):
    ROUTES.append(R(f"100.65.{i}.0/24", "65000", comm=c, lcomm=lc))

# attribute-value probes for set/match clauses (MED, LOCAL_PREF, origin, paths to edit)
ROUTES += [
    R("100.66.0.0/24", "65000", lp=4294967290),
    R("100.66.1.0/24", "65000", lp=50, med=5),
    R("100.66.2.0/24", "65000", med=0),
    R("100.66.3.0/24", "65000", med=4294967290),
    R("100.66.4.0/24", "65000", origin="egp", med=100, lp=0),
    R("100.66.5.0/24", "65000", origin="incomplete"),
    R("100.66.6.0/24", "65515 1 65515"),
    R("100.66.7.0/24", "65515 12076 65150", comm="65000:100 65000:1", lcomm="65000:1:1"),
    R("100.66.8.0/24", "", lp=200, med=50, comm="65535:65281"),
    R("2001:db8:66::/48", "65515 12076 65150", med=7, comm="65000:100"),
    R("2001:db8:66:1::/64", "64512 65000", lp=300, lcomm="64512:5:5"),
]

# --------------------------------------------------------------------------
# policy objects (routerd's model; rendered to FRR syntax below)

# prefix-lists: name -> [(seq, action, prefix|'any', ge, le)]
PREFIX_LISTS = {
    # seed 003
    "DC_LOCAL_SUBNET": [(5, "permit", "10.1.0.0/16", 26, 0), (10, "permit", "10.0.254.0/24", 32, 0)],
    "PL-LE": [(5, "permit", "10.0.0.0/8", 0, 24)],                     # le without ge
    "PL-GE-EQ": [(5, "permit", "172.16.0.0/12", 12, 0)],               # ge == length
    "PL-GE-LE": [(5, "permit", "192.0.2.0/24", 25, 31)],
    "PL-LE-EQ": [(5, "permit", "198.51.100.0/24", 0, 24)],             # le == length: exact
    "PL-GE-EQ-LE": [(5, "permit", "10.1.0.0/16", 16, 16)],             # ge == le == length
    "PL-EXACT": [(5, "permit", "198.51.100.0/24", 0, 0)],
    "PL-HOST": [(5, "permit", "192.0.2.1/32", 0, 0), (10, "permit", "10.0.254.0/24", 32, 32)],
    "PL-DEFAULT": [(5, "permit", "0.0.0.0/0", 0, 0), (10, "permit", "::/0", 0, 0)],
    "PL-ANY": [(5, "deny", "10.0.0.0/8", 0, 32), (10, "permit", "any", 0, 0)],
    "PL-ANY-ONLY": [(5, "permit", "any", 0, 0)],
    "PL-LE32": [(5, "permit", "0.0.0.0/0", 0, 32)],
    "PL-SLASH8": [(5, "permit", "0.0.0.0/0", 8, 8)],
    "PL-ORDER": [(5, "deny", "10.1.0.0/16", 0, 24), (10, "permit", "10.0.0.0/8", 0, 32)],
    "PL-SHADOW": [(5, "permit", "10.0.0.0/8", 26, 32), (10, "deny", "10.1.0.0/16", 26, 0)],
    "PL-DENY-ONLY": [(5, "deny", "10.0.0.0/8", 0, 32)],
    "PL-EMPTY": [],
    "PL-V6": [(5, "deny", "2001:db8:ffff::/48", 0, 128), (10, "permit", "2001:db8::/32", 48, 64)],
    "PL-V6-LE": [(5, "permit", "2001:db8::/32", 0, 48)],
    "PL-V6-HOST": [(5, "permit", "2001:db8::1/128", 0, 0), (10, "permit", "::/0", 128, 0)],
    "PL-V6-GE-EQ": [(5, "permit", "2001:db8::/32", 32, 0)],
    "PL-MIXED": [(5, "permit", "10.0.0.0/8", 0, 32), (10, "permit", "2001:db8::/32", 0, 128)],
}

# AS-path lists: name -> [(seq, action, regex)]
ASPATH_LISTS = {
    # seed 002, verbatim
    "azure-asns": [(5, "permit", "_65515_")],
    "bogon-asns": [(5, "permit", "_0_"), (10, "permit", "_23456_"),
                   (15, "permit", "_1310[0-6][0-9]_|_13107[0-1]_"), (20, "deny", "_65515_"),
                   (25, "permit", "^65")],
    # each of seed 002's regexes alone
    "re-0": [(5, "permit", "_0_")],
    "re-23456": [(5, "permit", "_23456_")],
    "re-1310": [(5, "permit", "_1310[0-6][0-9]_|_13107[0-1]_")],
    "re-65515": [(5, "permit", "_65515_")],
    "re-65": [(5, "permit", "^65")],
    # more of the dialect
    "re-empty": [(5, "permit", "^$")],
    "re-origin": [(5, "permit", "_65515$")],
    "re-neighbor": [(5, "permit", "^65515_")],
    "re-alt": [(5, "permit", "^(65000|64512)_")],
    "re-any": [(5, "permit", ".*")],
    "re-len2": [(5, "permit", "^[0-9]+ [0-9]+$")],
    "re-seq": [(5, "permit", "_65515_.*_65150_")],
    "re-set": [(5, "permit", "[{]")],
    "re-private": [(5, "permit", "_(6451[2-9]|645[2-9][0-9]|64[6-9][0-9][0-9]|65[0-4][0-9][0-9]|655[0-2][0-9]|6553[0-4])_")],
    "re-deny-first": [(5, "deny", "_65515_"), (10, "permit", ".*")],
}

# community lists: name -> (style, [(seq, action, text)]); text: values or a regex
COMMUNITY_LISTS = {
    "CL-STD": ("standard", [(5, "deny", "65000:666"), (10, "permit", "65000:100 no-export"),
                            (15, "permit", "64512:100")]),
    "CL-BOTH": ("standard", [(5, "permit", "0:80 0:90")]),
    "CL-ONE": ("standard", [(5, "permit", "65000:1")]),
    "CL-NOEXPORT": ("standard", [(5, "permit", "no-export")]),
    "CL-NOADV": ("standard", [(5, "permit", "no-advertise")]),
    "CL-LOCALAS": ("standard", [(5, "permit", "local-AS")]),
    "CL-NOPEER": ("standard", [(5, "permit", "no-peer")]),
    "CL-BLACKHOLE": ("standard", [(5, "permit", "blackhole")]),
    "CL-GSHUT": ("standard", [(5, "permit", "graceful-shutdown")]),
    "CL-ACCEPTOWN": ("standard", [(5, "permit", "accept-own")]),
    "CL-NOLLGR": ("standard", [(5, "permit", "no-llgr")]),
    "CL-INTERNET": ("standard", [(5, "permit", "internet")]),
    "CL-EXP": ("expanded", [(5, "permit", "^65000:2[0-9][0-9]$")]),
    "CL-EXP-TOKEN": ("expanded", [(5, "permit", "_65000:2[0-9][0-9]_")]),
    "CL-EXP-NAME": ("expanded", [(5, "permit", "no-export")]),
    "CL-EXP-EMPTY": ("expanded", [(5, "permit", "^$")]),
    "CL-EXP-DENY": ("expanded", [(5, "deny", "65000:666"), (10, "permit", ".*")]),
    "CL-EXP-TEXT": ("expanded", [(5, "permit", "^0:80 0:90$")]),
    "CL-EXP-INTERNET": ("expanded", [(5, "permit", "^internet")]),
    # for `set comm-list NAME delete`
    "CL-DEL-STD": ("standard", [(5, "permit", "65000:100")]),
    "CL-DEL-MULTI": ("standard", [(5, "permit", "65000:100 no-export")]),
    "CL-DEL-EXP": ("expanded", [(5, "permit", "^65000:")]),
    "CL-DEL-DENYFIRST": ("expanded", [(5, "deny", "^65000:1$"), (10, "permit", "^65000:")]),
    "CL-DEL-NAME": ("expanded", [(5, "permit", "^no-")]),
}
LCOMMUNITY_LISTS = {
    "LCL-STD": ("standard", [(5, "permit", "65000:1:1")]),
    "LCL-BOTH": ("standard", [(5, "permit", "65000:1:1 65000:2:2")]),
    "LCL-EXP": ("expanded", [(5, "permit", "^64512:")]),
    "LCL-EXP-END": ("expanded", [(5, "permit", "_4200000000:1:2$")]),
    "LCL-EXP-DENY": ("expanded", [(5, "deny", "_65000:1:1_"), (10, "permit", ".*")]),
    "LCL-DEL": ("standard", [(5, "permit", "65000:1:1")]),
    "LCL-DEL-EXP": ("expanded", [(5, "permit", "^65000:")]),
}


def E(seq, action, match=None, set=None, exit=None):
    """A route-map entry. match/set: dicts (set keeps the written order, which FRR may use);
    exit: None, ("on-match next",), ("on-match goto", N), ("continue",), ("continue", N)."""
    return {"seq": seq, "action": action, "match": dict(match or {}), "set": dict(set or {}),
            "exit": list(exit) if exit else None}


ROUTE_MAPS = {
    # seed 002 and seed 003, verbatim
    "rmap-bogon-asns": [E(5, "deny", {"as-path": "bogon-asns"}), E(10, "permit")],
    "rmap-azure-asns": [E(5, "deny", {"as-path": "azure-asns"}), E(10, "permit")],
    "ACCEPT_DC_LOCAL": [E(10, "permit", {"prefix-list": "DC_LOCAL_SUBNET"})],
}
for name in ASPATH_LISTS:
    ROUTE_MAPS[f"RM-AS-{name}"] = [E(10, "permit", {"as-path": name})]
for name in PREFIX_LISTS:
    if name != "DC_LOCAL_SUBNET":
        ROUTE_MAPS[f"RM-{name}"] = [E(10, "permit", {"prefix-list": name})]
ROUTE_MAPS["RM-PL-DENY"] = [E(10, "deny", {"prefix-list": "PL-LE"}), E(20, "permit")]
for name in COMMUNITY_LISTS:
    if not name.startswith("CL-DEL"):
        ROUTE_MAPS[f"RM-{name}"] = [E(10, "permit", {"community": name})]
for name in ("CL-STD", "CL-BOTH", "CL-ONE", "CL-NOEXPORT", "CL-EXP", "CL-EXP-TEXT",
             "CL-EXP-EMPTY", "CL-INTERNET"):
    ROUTE_MAPS[f"RM-{name}-EXACT"] = [E(10, "permit", {"community": name,
                                                       "community-exact-match": True})]
for name in LCOMMUNITY_LISTS:
    if not name.startswith("LCL-DEL"):
        ROUTE_MAPS[f"RM-{name}"] = [E(10, "permit", {"large-community": name})]
for name in ("LCL-STD", "LCL-BOTH", "LCL-EXP"):
    ROUTE_MAPS[f"RM-{name}-EXACT"] = [E(10, "permit", {"large-community": name,
                                                       "large-community-exact-match": True})]

ROUTE_MAPS.update({
    "RM-MATCH-LP": [E(10, "permit", {"local-preference": 100})],
    "RM-MATCH-LP0": [E(10, "permit", {"local-preference": 0})],
    # (FRR 8.4 refuses `match metric 0`: its YANG range is 1-4294967295)
    "RM-MATCH-MED5": [E(10, "permit", {"metric": 5})],
    "RM-MATCH-AND": [E(10, "permit", {"as-path": "re-65", "community": "CL-STD"},
                       {"local-preference": "111"}),
                     E(20, "permit", {"local-preference": 50}, {"weight": 20}),
                     E(30, "permit", {"metric": 5}, {"weight": 30}),
                     E(40, "deny", {"as-path": "re-0"}),
                     E(50, "permit", {"prefix-list": "PL-LE", "as-path": "re-empty"},
                       {"metric": "50"})],
    "RM-DENY-WITH-SET": [E(10, "deny", {"as-path": "re-65515"}, {"local-preference": "1"}),
                         E(20, "permit")],
    # set clauses (everything matches: entry without match clauses)
    "SET-LP": [E(10, "permit", set={"local-preference": "200"})],
    "SET-LP-ADD": [E(10, "permit", set={"local-preference": "+10"})],
    "SET-LP-SUB": [E(10, "permit", set={"local-preference": "-60"})],
    "SET-MED": [E(10, "permit", set={"metric": "77"})],
    "SET-MED-ADD": [E(10, "permit", set={"metric": "+10"})],
    "SET-MED-SUB": [E(10, "permit", set={"metric": "-10"})],
    "SET-WEIGHT": [E(10, "permit", set={"weight": 500})],
    "SET-ORIGIN-INC": [E(10, "permit", set={"origin": "incomplete"})],
    "SET-ORIGIN-EGP": [E(10, "permit", set={"origin": "egp"})],
    "SET-ORIGIN-IGP": [E(10, "permit", set={"origin": "igp"})],
    "SET-PREPEND": [E(10, "permit", set={"as-path-prepend": "64999 64998"})],
    "SET-PREPEND-LAST": [E(10, "permit", set={"as-path-prepend-last-as": 2})],
    "SET-PREPEND-LAST1": [E(10, "permit", set={"as-path-prepend-last-as": 1})],
    "SET-EXCLUDE": [E(10, "permit", set={"as-path-exclude": "65515"})],
    "SET-EXCLUDE2": [E(10, "permit", set={"as-path-exclude": "65515 12076"})],
    # (no `set as-path exclude all`: FRR 8.4 answers "% Unknown command")
    # both orders as written: does FRR apply set clauses in the order they were entered?
    "SET-PREPEND-THEN-EXCLUDE": [E(10, "permit", set={"as-path-prepend": "65515",
                                                      "as-path-exclude": "65515"})],
    "SET-EXCLUDE-THEN-PREPEND": [E(10, "permit", set={"as-path-exclude": "65515",
                                                      "as-path-prepend": "65515"})],
    "SET-COMM": [E(10, "permit", set={"community": "65000:1 no-export"})],
    "SET-COMM-ADD": [E(10, "permit", set={"community": "65000:1",
                                          "community-additive": True})],
    "SET-COMM-ADD-WK": [E(10, "permit", set={"community": "no-advertise 65000:100",
                                             "community-additive": True})],
    "SET-COMM-NONE": [E(10, "permit", set={"community-none": True})],
    "SET-COMM-DEL-STD": [E(10, "permit", set={"community-delete": "CL-DEL-STD"})],
    "SET-COMM-DEL-MULTI": [E(10, "permit", set={"community-delete": "CL-DEL-MULTI"})],
    "SET-COMM-DEL-EXP": [E(10, "permit", set={"community-delete": "CL-DEL-EXP"})],
    "SET-COMM-DEL-DENYFIRST": [E(10, "permit", set={"community-delete": "CL-DEL-DENYFIRST"})],
    "SET-COMM-DEL-NAME": [E(10, "permit", set={"community-delete": "CL-DEL-NAME"})],
    "SET-COMM-ADD-THEN-DEL": [E(10, "permit", set={"community": "65000:100",
                                                   "community-additive": True,
                                                   "community-delete": "CL-DEL-STD"})],
    "SET-COMM-DEL-THEN-ADD": [E(10, "permit", set={"community-delete": "CL-DEL-STD",
                                                   "community": "65000:100",
                                                   "community-additive": True})],
    "SET-LC": [E(10, "permit", set={"large-community": "65000:9:9"})],
    "SET-LC-ADD": [E(10, "permit", set={"large-community": "65000:9:9 1:1:1",
                                        "large-community-additive": True})],
    "SET-LC-NONE": [E(10, "permit", set={"large-community-none": True})],
    "SET-LC-DEL": [E(10, "permit", set={"large-community-delete": "LCL-DEL"})],
    "SET-LC-DEL-EXP": [E(10, "permit", set={"large-community-delete": "LCL-DEL-EXP"})],
    "SET-MANY": [E(10, "permit", set={"local-preference": "300", "metric": "1", "weight": 7,
                                      "origin": "egp", "as-path-prepend": "64999",
                                      "community": "65000:5", "community-additive": True,
                                      "large-community": "1:1:1",
                                      "large-community-additive": True})],
    # exit policies
    "OM-NEXT": [E(10, "permit", set={"local-preference": "200"}, exit=("on-match next",)),
                E(20, "permit", {"as-path": "re-65"}, {"metric": "20"})],
    "OM-NEXT-KEEP": [E(10, "permit", set={"local-preference": "200"}, exit=("on-match next",)),
                     E(20, "permit", {"as-path": "re-65"}, {"metric": "20"}),
                     E(30, "permit")],
    "OM-NEXT-INFLIGHT": [E(10, "permit", set={"community": "65000:1", "community-additive": True},
                           exit=("on-match next",)),
                         E(20, "permit", {"community": "CL-ONE"}, {"metric": "21"})],
    "OM-NEXT-INFLIGHT-LP": [E(10, "permit", set={"local-preference": "+1"},
                              exit=("on-match next",)),
                            E(20, "permit", {"local-preference": 101}, {"weight": 101}),
                            E(30, "permit", {"local-preference": 1}, {"weight": 1})],
    "OM-GOTO": [E(10, "permit", {"as-path": "re-65"}, {"local-preference": "210"},
                  exit=("on-match goto", 30)),
                E(20, "permit", set={"metric": "22"}),
                E(30, "permit", {"community": "CL-STD"}, {"weight": 30}),
                E(40, "permit", set={"metric": "40"})],
    "OM-GOTO-END": [E(10, "permit", set={"local-preference": "220"},
                      exit=("on-match goto", 100)),
                    E(20, "permit", set={"metric": "23"})],
    "OM-NEXT-LAST": [E(10, "permit", set={"local-preference": "230"}, exit=("on-match next",))],
    "OM-NEXT-DENY": [E(10, "permit", set={"local-preference": "240"}, exit=("on-match next",)),
                     E(20, "deny", {"as-path": "re-65515"}),
                     E(30, "permit", set={"metric": "30"})],
    "OM-NEXT-NOMATCH-FIRST": [E(10, "permit", {"as-path": "re-65515"},
                                {"local-preference": "250"}, exit=("on-match next",)),
                              E(20, "permit", {"community": "CL-STD"}, {"metric": "25"})],
    "CONT": [E(10, "permit", {"as-path": "re-65"}, {"weight": 10}, exit=("continue", 30)),
             E(20, "permit", set={"local-preference": "20"}),
             E(30, "permit", {"community": "CL-STD"}, {"metric": "30"}),
             E(40, "permit", set={"origin": "egp"})],
    # (FRR 8.4 has only `continue N`: a bare `continue` is "% Command incomplete")
    "CONT-NEXT": [E(10, "permit", set={"weight": 11}, exit=("continue", 20)),
                  E(20, "permit", {"as-path": "re-65515"}, {"local-preference": "21"},
                    exit=("continue", 30)),
                  E(30, "permit", set={"metric": "31"})],
    "CONT-NOMATCH": [E(10, "permit", {"as-path": "re-65515"}, {"weight": 12},
                       exit=("continue", 20)),
                     E(20, "permit", {"community": "CL-STD"})],
    "CONT-DENY": [E(10, "permit", set={"weight": 13}, exit=("continue", 20)),
                  E(20, "deny", {"community": "CL-NOEXPORT"}),
                  E(30, "permit", {"as-path": "re-any"})],
})

# --------------------------------------------------------------------------
# rendering to FRR


def uses_prefix_list(entries):
    return any("prefix-list" in e["match"] for e in entries)


def frr_names(rm):
    """(name FRR applies to IPv4 routes, name for IPv6 routes)."""
    if uses_prefix_list(ROUTE_MAPS[rm]):
        return rm, rm + "_V6"
    return rm, rm


def family(prefix):
    return 6 if ":" in prefix else 4


def render_prefix_lists():
    out = []
    for name, entries in PREFIX_LISTS.items():
        if not entries:
            out.append(f"ip prefix-list {name} description routerd list without entries")
            out.append(f"ipv6 prefix-list {name} description routerd list without entries")
            continue
        for seq, action, prefix, ge, le in entries:
            rng = (f" ge {ge}" if ge else "") + (f" le {le}" if le else "")
            if prefix == "any":
                out.append(f"ip prefix-list {name} seq {seq} {action} any")
                out.append(f"ipv6 prefix-list {name} seq {seq} {action} any")
            else:
                kw = "ipv6" if family(prefix) == 6 else "ip"
                out.append(f"{kw} prefix-list {name} seq {seq} {action} {prefix}{rng}")
    return out


def render_lists():
    out = []
    for name, entries in ASPATH_LISTS.items():
        for seq, action, rx in entries:
            out.append(f"bgp as-path access-list {name} seq {seq} {action} {rx}")
    for name, (style, entries) in COMMUNITY_LISTS.items():
        for seq, action, text in entries:
            out.append(f"bgp community-list {style} {name} seq {seq} {action} {text}")
    for name, (style, entries) in LCOMMUNITY_LISTS.items():
        for seq, action, text in entries:
            out.append(f"bgp large-community-list {style} {name} seq {seq} {action} {text}")
    return out


def render_entry(e, v6):
    lines = [f"route-map {{name}} {e['action']} {e['seq']}"]
    m = e["match"]
    if "prefix-list" in m:
        lines.append(f" match {'ipv6' if v6 else 'ip'} address prefix-list {m['prefix-list']}")
    if "as-path" in m:
        lines.append(f" match as-path {m['as-path']}")
    if "community" in m:
        ex = " exact-match" if m.get("community-exact-match") else ""
        lines.append(f" match community {m['community']}{ex}")
    if "large-community" in m:
        ex = " exact-match" if m.get("large-community-exact-match") else ""
        lines.append(f" match large-community {m['large-community']}{ex}")
    if "local-preference" in m:
        lines.append(f" match local-preference {m['local-preference']}")
    if "metric" in m:
        lines.append(f" match metric {m['metric']}")
    s = e["set"]
    for k, v in s.items():  # as written: FRR may apply them in this order
        if k == "local-preference":
            lines.append(f" set local-preference {v}")
        elif k == "metric":
            lines.append(f" set metric {v}")
        elif k == "weight":
            lines.append(f" set weight {v}")
        elif k == "origin":
            lines.append(f" set origin {v}")
        elif k == "as-path-prepend":
            lines.append(f" set as-path prepend {v}")
        elif k == "as-path-prepend-last-as":
            lines.append(f" set as-path prepend last-as {v}")
        elif k == "as-path-exclude":
            lines.append(f" set as-path exclude {v}")
        elif k == "community":
            add = " additive" if s.get("community-additive") else ""
            lines.append(f" set community {v}{add}")
        elif k == "community-none":
            lines.append(" set community none")
        elif k == "community-delete":
            lines.append(f" set comm-list {v} delete")
        elif k == "large-community":
            add = " additive" if s.get("large-community-additive") else ""
            lines.append(f" set large-community {v}{add}")
        elif k == "large-community-none":
            lines.append(" set large-community none")
        elif k == "large-community-delete":
            lines.append(f" set large-comm-list {v} delete")
        elif k in ("community-additive", "large-community-additive"):
            pass
        else:
            raise ValueError(f"unknown set clause {k}")
    if e["exit"]:
        lines.append(" " + " ".join(str(x) for x in e["exit"]))
    lines.append("exit")
    return lines


def render_route_maps():
    out = []
    for rm, entries in ROUTE_MAPS.items():
        n4, n6 = frr_names(rm)
        for name, v6 in ((n4, False), (n6, True)) if n4 != n6 else ((n4, False),):
            for e in entries:
                out += [line.replace("{name}", name) for line in render_entry(e, v6)]
    out += [f"route-map {RESET_MAP} deny 10", "exit"]
    return out


def frr_policy_config():
    return "\n".join(render_prefix_lists() + render_lists() + render_route_maps()) + "\n"


def frr_base_config(d):
    return f"""frr defaults traditional
hostname pgold
log file {d}/frr.log
!
router bgp {FRR_AS}
 bgp router-id 10.255.0.1
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor {EXA_ADDR} remote-as {FRR_AS}
 address-family ipv4 unicast
  neighbor {EXA_ADDR} activate
  neighbor {EXA_ADDR} soft-reconfiguration inbound
 exit-address-family
 address-family ipv6 unicast
  neighbor {EXA_ADDR} activate
  neighbor {EXA_ADDR} soft-reconfiguration inbound
 exit-address-family
!
"""


def exabgp_aspath(path):
    toks = []
    for tok in path.replace("{", " { ").replace("}", " } ").replace(",", " ").split():
        toks.append({"{": "(", "}": ")"}.get(tok, tok))
    return "[ " + " ".join(toks) + " ]"


def exabgp_config():
    lines = [f"neighbor {FRR_ADDR} {{", "  router-id 10.255.0.2;", f"  local-address {EXA_ADDR};",
             f"  local-as {FRR_AS};", f"  peer-as {FRR_AS};", "  group-updates false;",
             "  family { ipv4 unicast; ipv6 unicast; }", "  static {"]
    for r in ROUTES:
        nh = EXA_ADDR6 if family(r["prefix"]) == 6 else EXA_ADDR
        s = (f"    route {r['prefix']} next-hop {nh} origin {r['origin']} "
             f"local-preference {r['local_pref']} as-path {exabgp_aspath(r['aspath'])}")
        if r["med"] is not None:
            s += f" med {r['med']}"
        if r["communities"]:
            s += " community [ " + " ".join(r["communities"]) + " ]"
        if r["large_communities"]:
            s += " large-community [ " + " ".join(r["large_communities"]) + " ]"
        lines.append(s + ";")
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


# ExaBGP 4.2.21 caches NetMask objects by value, so an IPv6 /32 (or /8, /0) route overwrites the
# address-family maximum of the IPv4 /32 peer address and the config fails with "can only use
# ip ranges for the peer address with passive neighbors". The wrapper turns the cache off.
EXABGP_WRAPPER = """import sys
from exabgp.protocol.ip.netmask import NetMask
NetMask.__new__ = lambda cls, *args: int.__new__(cls, *args)
from exabgp.application import run_exabgp
sys.exit(run_exabgp())
"""

# --------------------------------------------------------------------------
# FRR's output -> our form

WELL_KNOWN = {  # FRR 8.4 community_str() names
    "internet": 0x0, "graceful-shutdown": 0xFFFF0000, "accept-own": 0xFFFF0001,
    "route-filter-translated-v4": 0xFFFF0002, "route-filter-v4": 0xFFFF0003,
    "route-filter-translated-v6": 0xFFFF0004, "route-filter-v6": 0xFFFF0005,
    "llgr-stale": 0xFFFF0006, "no-llgr": 0xFFFF0007, "accept-own-nexthop": 0xFFFF0008,
    "blackhole": 0xFFFF029A, "no-export": 0xFFFFFF01, "no-advertise": 0xFFFFFF02,
    "local-AS": 0xFFFFFF03, "no-peer": 0xFFFFFF04,
}


def comm_numeric(tok):
    if tok in WELL_KNOWN:
        v = WELL_KNOWN[tok]
        return f"{v >> 16}:{v & 0xFFFF}"
    a, b = tok.split(":")
    if not (0 <= int(a) <= 65535 and 0 <= int(b) <= 65535):
        raise ValueError(f"FRR printed a community we cannot read: {tok!r}")
    return f"{int(a)}:{int(b)}"


def comm_key(numeric):
    a, b = numeric.split(":")
    return (int(a) << 16) | int(b)


ORIGINS = {"IGP": "igp", "EGP": "egp", "incomplete": "incomplete"}


def path_attrs(table_path, detail_path):
    """One route's attributes as FRR shows them (table JSON + detail JSON)."""
    a = {"origin": ORIGINS[table_path["origin"]], "aspath": table_path.get("path", ""),
         "med": table_path.get("metric"), "local_pref": table_path.get("locPrf"),
         "weight": table_path.get("weight", 0), "communities": None, "communities_frr": None,
         "large_communities": None}
    if detail_path.get("community"):
        s = detail_path["community"]["string"]
        a["communities_frr"] = s
        a["communities"] = [comm_numeric(t) for t in s.split()]
    if detail_path.get("largeCommunity"):
        a["large_communities"] = detail_path["largeCommunity"]["string"].split()
    dpath = detail_path.get("aspath", {}).get("string", "")
    if (dpath if dpath != "Local" else "") != a["aspath"]:
        raise RuntimeError(f"table and detail JSON disagree on the path: {a['aspath']!r} vs {dpath!r}")
    if detail_path.get("origin") and ORIGINS[detail_path["origin"]] != a["origin"]:
        raise RuntimeError("table and detail JSON disagree on the origin")
    return a


# --------------------------------------------------------------------------
# the lab


class Lab:
    def __init__(self, workdir):
        tag = f"pgold{os.getpid()}"
        self.ns_frr, self.ns_exa = f"{tag}-frr", f"{tag}-exa"
        self.veth = (f"pg{os.getpid()}a"[:15], f"pg{os.getpid()}b"[:15])
        self.dir = Path(workdir)
        self.frr_dir = self.dir / "frr"
        self.exa_proc = None
        self.made = []

    def sh(self, *cmd, ns=None, check=True, timeout=60, capture=True):
        argv = (["ip", "netns", "exec", ns] if ns else []) + [str(c) for c in cmd]
        p = subprocess.run(argv, capture_output=capture, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
        return p

    def vtysh(self, *cmds, check=True):
        argv = ["vtysh", "--vty_socket", self.frr_dir]
        for c in cmds:
            argv += ["-c", c]
        return self.sh(*argv, ns=self.ns_frr, check=check).stdout

    def vjson(self, cmd):
        return json.loads(self.vtysh(cmd))

    def up(self):
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.frr_dir.mkdir(parents=True)
        for ns in (self.ns_frr, self.ns_exa):
            self.sh("ip", "netns", "add", ns)
            self.made.append(ns)
        a, b = self.veth
        self.sh("ip", "link", "add", a, "type", "veth", "peer", "name", b)
        self.sh("ip", "link", "set", a, "netns", self.ns_frr)
        self.sh("ip", "link", "set", b, "netns", self.ns_exa)
        for ns, dev, v4, v6 in ((self.ns_frr, a, FRR_ADDR, FRR_ADDR6),
                                (self.ns_exa, b, EXA_ADDR, EXA_ADDR6)):
            self.sh("ip", "-n", ns, "link", "set", "lo", "up")
            self.sh("ip", "-n", ns, "addr", "add", f"{v4}/30", "dev", dev)
            self.sh("ip", "-n", ns, "addr", "add", f"{v6}/64", "dev", dev, "nodad")
            self.sh("ip", "-n", ns, "link", "set", dev, "up")

        d = self.frr_dir
        (d / "frr.conf").write_text(frr_base_config(d))
        shutil.chown(d, "frr", "frr")
        for f in d.iterdir():
            shutil.chown(f, "frr", "frr")
        etc = Path("/etc/frr") / self.ns_frr
        etc.mkdir(parents=True, exist_ok=True)
        (etc / "vtysh.conf").touch()
        for daemon in ("zebra", "bgpd"):
            self.sh(f"/usr/lib/frr/{daemon}", "-d", "-N", self.ns_frr, "-i", d / f"{daemon}.pid",
                    "-z", d / "zserv.api", "--vty_socket", d, "-f", d / "frr.conf",
                    "-u", "frr", "-g", "frr", ns=self.ns_frr)
        self.wait(lambda: "ipv4Unicast" in self.vjson("show bgp summary json"), "bgpd up")

        (d / "policy.conf").write_text(frr_policy_config())
        p = self.sh("vtysh", "--vty_socket", d, "-f", d / "policy.conf", ns=self.ns_frr,
                    check=False)
        errors = (p.stdout + p.stderr).strip()
        if p.returncode != 0 or errors:
            raise RuntimeError(f"FRR refused part of the policy config:\n{errors}")

        (self.dir / "exabgp.conf").write_text(exabgp_config())
        (self.dir / "exawrap.py").write_text(EXABGP_WRAPPER)
        env = dict(os.environ, **{"exabgp.daemon.user": "root", "exabgp.daemon.daemonize": "false",
                                  "exabgp.log.destination": str(self.dir / "exabgp.log"),
                                  "exabgp.api.cli": "false"})
        log = open(self.dir / "exabgp.out", "wb")
        self.exa_proc = subprocess.Popen(
            ["ip", "netns", "exec", self.ns_exa, "/usr/bin/python3", str(self.dir / "exawrap.py"),
             str(self.dir / "exabgp.conf")], env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        n4 = sum(1 for r in ROUTES if family(r["prefix"]) == 4)
        n6 = len(ROUTES) - n4
        self.wait(lambda: self.counts() == (n4, n6), f"all {n4}+{n6} routes received", 90)

    def counts(self):
        out = []
        for af in ("ipv4", "ipv6"):
            peers = self.vjson(f"show bgp {af} unicast summary json").get("peers", {})
            p = peers.get(EXA_ADDR, {})
            out.append(p.get("pfxRcd", -1) if p.get("state") == "Established" else -1)
        return tuple(out)

    def wait(self, fn, what, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                if fn():
                    return
            except (RuntimeError, json.JSONDecodeError, subprocess.TimeoutExpired):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out waiting for: {what}")
            time.sleep(0.2)

    def down(self):
        if self.exa_proc and self.exa_proc.poll() is None:
            self.exa_proc.kill()
            self.exa_proc.wait()
        for ns in self.made:
            for sig in (signal.SIGKILL,):
                pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True,
                                      text=True).stdout.split()
                for pid in pids:
                    try:
                        os.kill(int(pid), sig)
                    except ProcessLookupError:
                        pass
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and subprocess.run(
                    ["ip", "netns", "pids", ns], capture_output=True, text=True).stdout.strip():
                time.sleep(0.1)
            subprocess.run(["ip", "netns", "delete", ns], capture_output=True)
        self.made = []
        shutil.rmtree(Path("/etc/frr") / self.ns_frr, ignore_errors=True)

    # ---- queries

    def table(self, af):
        """{prefix: attrs} of the whole table of family af, as FRR shows it."""
        t = self.vjson(f"show bgp {af} unicast json")["routes"]
        d = self.vjson(f"show bgp {af} unicast json detail")["routes"]
        out = {}
        for prefix, paths in t.items():
            if len(paths) != 1:
                raise RuntimeError(f"{prefix}: {len(paths)} paths, expected 1")
            dpaths = [p for p in d[prefix] if "aspath" in p or "origin" in p]
            out[prefix] = path_attrs(paths[0], dpaths[0])
        return out

    def show_route_map(self, af, name):
        return set(self.vjson(f"show bgp {af} unicast route-map {name} json")["routes"])

    def set_inbound(self, n4, n6):
        self.vtysh("configure terminal", f"router bgp {FRR_AS}", "address-family ipv4 unicast",
                   f"neighbor {EXA_ADDR} route-map {n4} in", "exit-address-family",
                   "address-family ipv6 unicast", f"neighbor {EXA_ADDR} route-map {n6} in",
                   "exit-address-family", "end",
                   f"clear bgp ipv4 unicast {EXA_ADDR} soft in",
                   f"clear bgp ipv6 unicast {EXA_ADDR} soft in")

    def clear_inbound(self):
        self.vtysh("configure terminal", f"router bgp {FRR_AS}", "address-family ipv4 unicast",
                   f"no neighbor {EXA_ADDR} route-map {RESET_MAP} in", "exit-address-family",
                   "address-family ipv6 unicast",
                   f"no neighbor {EXA_ADDR} route-map {RESET_MAP} in", "exit-address-family",
                   "end", f"clear bgp ipv4 unicast {EXA_ADDR} soft in",
                   f"clear bgp ipv6 unicast {EXA_ADDR} soft in")


def record(workdir, keep):
    lab = Lab(workdir)
    done = {"v": False}

    def cleanup(*_):
        if not done["v"]:
            done["v"] = True
            if keep:
                print(f"--keep: leaving {lab.ns_frr} and {lab.ns_exa} up", file=sys.stderr)
            else:
                lab.down()

    atexit.register(cleanup)
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, lambda *_: sys.exit(1))
    try:
        return _record(lab)
    finally:
        cleanup()


def _record(lab):
    print("bringing up FRR and ExaBGP ...", file=sys.stderr)
    lab.up()
    show_version = lab.vtysh("show version").splitlines()[0].strip()
    print(show_version, file=sys.stderr)
    version = re.match(r"FRRouting \S+", show_version).group(0)

    # phase A: the unfiltered table = the inputs as FRR has them
    raw = {}
    for af in ("ipv4", "ipv6"):
        raw.update(lab.table(af))
    routes = []
    for r in ROUTES:
        got = raw.get(r["prefix"])
        if got is None:
            raise RuntimeError(f"FRR did not install the input route {r['prefix']}")
        want = {"origin": r["origin"], "aspath": r["aspath"], "med": r["med"],
                "local_pref": r["local_pref"], "weight": 0,
                "communities": sorted(r["communities"], key=comm_key) if r["communities"] else None,
                "large_communities": r["large_communities"]}
        if want["large_communities"]:
            want["large_communities"] = sorted(want["large_communities"],
                                               key=lambda s: tuple(int(x) for x in s.split(":")))
        have = {k: got[k] for k in want}
        if have != want:
            raise RuntimeError(f"{r['prefix']}: FRR has {have}, we sent {want}")
        routes.append(dict(r, communities=want["communities"],
                           communities_frr=got["communities_frr"],
                           large_communities=want["large_communities"]))

    # phase B: `show bgp ... route-map NAME json` on the unfiltered table
    show = {}
    for rm in ROUTE_MAPS:
        n4, n6 = frr_names(rm)
        permitted = lab.show_route_map("ipv4", n4) | lab.show_route_map("ipv6", n6)
        show[rm] = "".join("P" if r["prefix"] in permitted else "D" for r in routes)

    # phase C: each route-map inbound; verdicts and resulting attributes
    results, result_index, inbound, inconsistent = [], {}, {}, []
    for i, rm in enumerate(ROUTE_MAPS):
        n4, n6 = frr_names(rm)
        lab.set_inbound(RESET_MAP, RESET_MAP)
        lab.wait(lambda: lab.counts() == (0, 0), f"{RESET_MAP} emptied the table")
        lab.set_inbound(n4, n6)
        want = show[rm].count("P")
        try:
            lab.wait(lambda: sum(lab.counts()) == want, f"{rm}: {want} routes accepted", 10)
        except RuntimeError:
            # FRR's two ways disagree (recorded below); wait for a stable count instead
            last, stable = None, 0
            while stable < 10:
                c = lab.counts()
                stable = stable + 1 if c == last else 0
                last = c
                time.sleep(0.2)
        table = {}
        for af in ("ipv4", "ipv6"):
            table.update(lab.table(af))
        row = []
        for r in routes:
            a = table.get(r["prefix"])
            if a is None:
                row.append(-1)
                continue
            key = json.dumps(a, sort_keys=True)
            if key not in result_index:
                result_index[key] = len(results)
                results.append(a)
            row.append(result_index[key])
        inbound[rm] = row
        in_str = "".join("D" if x < 0 else "P" for x in row)
        if in_str != show[rm]:
            inconsistent.append(rm)
        print(f"[{i + 1}/{len(ROUTE_MAPS)}] {rm}: {in_str.count('P')} permitted"
              + (" (show and inbound disagree!)" if in_str != show[rm] else ""), file=sys.stderr)
    lab.clear_inbound()
    running = lab.vtysh("show running-config")

    return {
        "frr_version": version,
        "frr_show_version": show_version,
        "recorded": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "recorder": "tests/tools/frr_policy_golden.py",
        "setup": (f"FRR bgpd AS {FRR_AS} (frr defaults traditional, no bgp ebgp-requires-policy, "
                  f"soft-reconfiguration inbound); ExaBGP iBGP peer AS {FRR_AS} announcing the "
                  "routes over IPv4 and IPv6 unicast. 'show': `show bgp <af> unicast route-map "
                  "NAME json` on the unfiltered table; 'inbound': the route-map as the "
                  "neighbor's inbound map, then `show bgp <af> unicast json` and `... json "
                  "detail`."),
        "frr_policy_config": frr_policy_config(),
        # FRR prints set clauses in its own order, not as entered (see SET-*-THEN-*)
        "frr_running_config": running,
        "routes": routes,
        "prefix_lists": {k: [list(e) for e in v] for k, v in PREFIX_LISTS.items()},
        "aspath_lists": {k: [list(e) for e in v] for k, v in ASPATH_LISTS.items()},
        "community_lists": {k: {"style": s, "entries": [list(e) for e in es]}
                            for k, (s, es) in COMMUNITY_LISTS.items()},
        "large_community_lists": {k: {"style": s, "entries": [list(e) for e in es]}
                                  for k, (s, es) in LCOMMUNITY_LISTS.items()},
        "route_maps": {k: {"frr_names": list(frr_names(k)), "entries": v}
                       for k, v in ROUTE_MAPS.items()},
        "results": results,
        "verdicts": {rm: {"show": show[rm], "inbound": inbound[rm]} for rm in ROUTE_MAPS},
        "frr_inconsistent": inconsistent,
    }


# --------------------------------------------------------------------------
# the C header


def cstr(s):
    if s is None:
        return "NULL"
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


ORIGIN_C = {"igp": "ORIGIN_IGP", "egp": "ORIGIN_EGP", "incomplete": "ORIGIN_INCOMPLETE"}
ADJ_C = {"": "RM_SET_VALUE", "+": "RM_ADD", "-": "RM_SUB"}


def c_adjust(v):
    v = str(v)
    sign = v[0] if v[0] in "+-" else ""
    return ADJ_C[sign], int(v.lstrip("+-"))


def c_attrs(a):
    return ("{" + f"{ORIGIN_C[a['origin']]}, {cstr(a['aspath'])}, "
            f"{'true' if a['med'] is not None else 'false'}, {a['med'] or 0}u, "
            f"{'true' if a['local_pref'] is not None else 'false'}, {a['local_pref'] or 0}u, "
            f"{a.get('weight', 0)}u, "
            f"{cstr(' '.join(a['communities'])) if a['communities'] else 'NULL'}, "
            f"{cstr(a.get('communities_frr'))}, "
            f"{cstr(' '.join(a['large_communities'])) if a['large_communities'] else 'NULL'}"
            + "}")


def c_entry(rm, e):
    m, s = e["match"], e["set"]
    f = [f".rm = {cstr(rm)}", f".seq = {e['seq']}",
         f".action = {'POLICY_PERMIT' if e['action'] == 'permit' else 'POLICY_DENY'}"]
    if "prefix-list" in m:
        f.append(f".m_prefix_list = {cstr(m['prefix-list'])}")
    if "as-path" in m:
        f.append(f".m_as_path = {cstr(m['as-path'])}")
    if "community" in m:
        f.append(f".m_community = {cstr(m['community'])}")
        if m.get("community-exact-match"):
            f.append(".m_community_exact = true")
    if "large-community" in m:
        f.append(f".m_lcommunity = {cstr(m['large-community'])}")
        if m.get("large-community-exact-match"):
            f.append(".m_lcommunity_exact = true")
    if "local-preference" in m:
        f.append(f".m_has_local_pref = true, .m_local_pref = {m['local-preference']}u")
    if "metric" in m:
        f.append(f".m_has_metric = true, .m_metric = {m['metric']}u")
    if "local-preference" in s:
        how, v = c_adjust(s["local-preference"])
        f.append(f".s_has_local_pref = true, .s_local_pref_how = {how}, .s_local_pref = {v}u")
    if "metric" in s:
        how, v = c_adjust(s["metric"])
        f.append(f".s_has_metric = true, .s_metric_how = {how}, .s_metric = {v}u")
    if "weight" in s:
        f.append(f".s_has_weight = true, .s_weight = {s['weight']}u")
    if "origin" in s:
        f.append(f".s_has_origin = true, .s_origin = {ORIGIN_C[s['origin']]}")
    if "as-path-prepend" in s:
        f.append(f".s_prepend = {cstr(s['as-path-prepend'])}")
    if "as-path-prepend-last-as" in s:
        f.append(f".s_prepend_last_as = {s['as-path-prepend-last-as']}")
    if "as-path-exclude" in s:
        f.append(f".s_exclude = {cstr(s['as-path-exclude'])}")
    if "community" in s:
        f.append(f".s_community = {cstr(s['community'])}")
        if s.get("community-additive"):
            f.append(".s_community_additive = true")
    if s.get("community-none"):
        f.append(".s_community_none = true")
    if "community-delete" in s:
        f.append(f".s_community_delete = {cstr(s['community-delete'])}")
    if "large-community" in s:
        f.append(f".s_lcommunity = {cstr(s['large-community'])}")
        if s.get("large-community-additive"):
            f.append(".s_lcommunity_additive = true")
    if s.get("large-community-none"):
        f.append(".s_lcommunity_none = true")
    if "large-community-delete" in s:
        f.append(f".s_lcommunity_delete = {cstr(s['large-community-delete'])}")
    ex = e["exit"]
    if ex:
        if len(ex) == 1:
            f.append(".exit_next = true")
        else:
            f.append(f".exit_goto = {ex[1]}u")
        f.append(f".exit_text = {cstr(' '.join(str(x) for x in ex))}")
    return "\t{ " + ", ".join(f) + " },"


def emit_header(g):
    L = ["/*",
         " * GENERATED by tests/tools/frr_policy_golden.py from frr_golden.json: do not edit.",
         f" * {g['frr_version']} (Debian 12 package), recorded {g['recorded']}.",
         " * What FRR itself decided for every (route-map, route) pair; the expectations of",
         " * tests/unit/test_policy_frr.c. Types are declared there, before including this file.",
         " */",
         f"#define FRR_GOLDEN_VERSION {cstr(g['frr_version'])}",
         f"#define FRR_GOLDEN_RECORDED {cstr(g['recorded'])}",
         f"#define G_NROUTES {len(g['routes'])}", ""]
    L.append("static const struct g_route g_routes[] = {")
    for r in g["routes"]:
        L.append(f"\t{{ {cstr(r['prefix'])}, {c_attrs(r)} }},")
    L += ["};", ""]

    L.append("static const struct g_pl g_prefix_lists[] = {")
    for name, entries in g["prefix_lists"].items():
        if not entries:
            L.append(f"\t{{ {cstr(name)}, 0, POLICY_PERMIT, NULL, 0, 0 }}, /* no entries */")
        for seq, action, prefix, ge, le in entries:
            act = "POLICY_PERMIT" if action == "permit" else "POLICY_DENY"
            L.append(f"\t{{ {cstr(name)}, {seq}, {act}, {cstr(prefix)}, {ge}, {le} }},")
    L += ["};", ""]

    L.append("static const struct g_asl g_aspath_lists[] = {")
    for name, entries in g["aspath_lists"].items():
        for seq, action, rx in entries:
            act = "POLICY_PERMIT" if action == "permit" else "POLICY_DENY"
            L.append(f"\t{{ {cstr(name)}, {seq}, {act}, {cstr(rx)} }},")
    L += ["};", ""]

    L.append("static const struct g_cl g_community_lists[] = {")
    for large, lists in ((False, g["community_lists"]), (True, g["large_community_lists"])):
        for name, cl in lists.items():
            for seq, action, text in cl["entries"]:
                act = "POLICY_PERMIT" if action == "permit" else "POLICY_DENY"
                L.append(f"\t{{ {cstr(name)}, {'true' if large else 'false'}, "
                         f"{'true' if cl['style'] == 'expanded' else 'false'}, {seq}, {act}, "
                         f"{cstr(text)} }},")
    L += ["};", ""]

    L.append("static const struct g_rm_entry g_route_map_entries[] = {")
    for name, rm in g["route_maps"].items():
        for e in rm["entries"]:
            L.append(c_entry(name, e))
    L += ["};", ""]

    L.append("/* Distinct attribute sets FRR left on permitted routes. */")
    L.append("static const struct g_attrs g_results[] = {")
    for a in g["results"]:
        L.append(f"\t{c_attrs(a)},")
    L += ["};", ""]

    L.append("/*")
    L.append(" * Per route-map: FRR's names (IPv4, IPv6), the verdict of `show bgp ... route-map`")
    L.append(" * for each route of g_routes ('P'/'D'), and the inbound result for each route:")
    L.append(" * an index into g_results, or -1 for denied.")
    L.append(" */")
    L.append("static const struct g_verdicts g_verdicts[] = {")
    for name, v in g["verdicts"].items():
        n4, n6 = g["route_maps"][name]["frr_names"]
        L.append(f"\t{{ {cstr(name)}, {cstr(n4)}, {cstr(n6)},")
        L.append(f"\t  {cstr(v['show'])},")
        L.append("\t  (const int[]){ " + ", ".join(str(x) for x in v["inbound"]) + " } },")
    L += ["};", ""]
    return "\n".join(L)


def dump_json(g):
    """Indented JSON; each route, result and list of plain numbers on one line."""
    parts = []
    for k, v in g.items():
        if k in ("routes", "results"):
            body = "[\n" + ",\n".join("  " + json.dumps(x) for x in v) + "\n ]"
        else:
            body = json.dumps(v, indent=1).replace("\n", "\n ")
        parts.append(f" {json.dumps(k)}: {body}")
    text = "{\n" + ",\n".join(parts) + "\n}"
    return re.sub(r"\[\s*(-?\d+(?:,\s*-?\d+)*)\s*\]",
                  lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]",
                  text) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--header-only", action="store_true",
                    help="regenerate frr_golden.h from the existing frr_golden.json, no FRR")
    ap.add_argument("--workdir", default=f"/tmp/frr-policy-golden-{os.getpid()}")
    ap.add_argument("--keep", action="store_true", help="leave the lab up (debugging)")
    args = ap.parse_args()

    if args.header_only:
        g = json.loads(JSON_OUT.read_text())
        JSON_OUT.write_text(dump_json(g))  # same data, canonical layout
    else:
        if os.geteuid() != 0:
            sys.exit("needs root (network namespaces, FRR)")
        g = record(args.workdir, args.keep)
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        JSON_OUT.write_text(dump_json(g))
        print(f"wrote {JSON_OUT}", file=sys.stderr)
        if g["frr_inconsistent"]:
            print("FRR's show-route-map and inbound verdicts differ for: "
                  + ", ".join(g["frr_inconsistent"]), file=sys.stderr)
    src = emit_header(g)
    if "G_NROUTES" in src and max(len(v["inbound"]) for v in g["verdicts"].values()) != len(g["routes"]):
        sys.exit("internal error: verdict rows and routes differ in length")
    HEADER_OUT.write_text(src)
    print(f"wrote {HEADER_OUT} ({len(g['routes'])} routes, {len(g['verdicts'])} route-maps, "
          f"{len(g['routes']) * len(g['verdicts'])} cases)", file=sys.stderr)


if __name__ == "__main__":
    main()
