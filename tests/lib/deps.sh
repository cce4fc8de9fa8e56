# shellcheck shell=bash
# Debian packages routerd needs, and an installer that runs apt-get only when
# something is missing (so reruns are fast). Sourced by tests/run and lab/pair.
#
#   deps_install PKG...      install the missing ones (apt-get update first)
#   deps_missing PKG...      print the ones not installed
#   deps_quiet_services      stop system FRR/BIRD/GoBGP services a package started

# shellcheck disable=SC2034 # used by the scripts that source this file
DEPS_BUILD=(libnl-3-dev libnl-route-3-dev libev-dev libyang2-dev libcmocka-dev
	meson ninja-build pkg-config gcc clang-format)
DEPS_PEERS=(frr bird2 gobgpd exabgp)
DEPS_TEST=(python3 python3-pytest iproute2 iputils-ping traceroute procps clang libclang-rt-14-dev)
DEPS_LAB=(python3 iproute2 procps)

deps_missing() {
	local p
	for p in "$@"; do
		if [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | cut -c1-2)" != "ii" ]; then
			echo "$p"
		fi
	done
}

deps_install() {
	local missing
	missing=$(deps_missing "$@" | tr '\n' ' ')
	if [ -z "${missing// /}" ]; then
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: missing packages: $missing(run as root to install them)" >&2
		return 1
	fi
	echo "deps: installing: $missing"
	export DEBIAN_FRONTEND=noninteractive
	# Keep package scripts from starting FRR/BIRD/GoBGP as system services: the
	# tests run their own instances inside network namespaces.
	local guard=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		guard=/usr/sbin/policy-rc.d
	fi
	local rc=0
	# shellcheck disable=SC2086
	apt-get update -q && apt-get install -y -q --no-install-recommends $missing || rc=$?
	if [ -n "$guard" ]; then
		rm -f "$guard"
	fi
	if [ $rc -ne 0 ]; then
		echo "deps: apt-get failed (exit $rc)" >&2
		return $rc
	fi
	missing=$(deps_missing "$@" | tr '\n' ' ')
	if [ -n "${missing// /}" ]; then
		echo "deps: still missing after apt-get: $missing" >&2
		return 1
	fi
	deps_quiet_services
}

# System instances in the root namespace cannot take our namespaces' port 179,
# but stop them anyway so nothing but the tests' own daemons runs.
deps_quiet_services() {
	local svc
	if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
		for svc in frr bird gobgpd exabgp; do
			if systemctl is-active --quiet "$svc" 2>/dev/null; then
				echo "deps: stopping system service $svc"
				systemctl stop "$svc" || true
			fi
		done
	elif [ -x /etc/init.d/frr ] && /etc/init.d/frr status >/dev/null 2>&1; then
		echo "deps: stopping system service frr"
		/etc/init.d/frr stop >/dev/null 2>&1 || true
	fi
	return 0
}
