#!/usr/bin/env bash
# Builds the sandbox image without a container registry: a minimal Debian root
# filesystem from a Debian mirror (debootstrap) with Debian's own Python
# packages, turned into an image with `docker import`. Same user, paths, env
# and command as the Dockerfile (the registry build).
#
# Usage: build_airgapped.sh <image-tag> <inputs-hash>
# Env:   DEBIAN_MIRROR (default http://deb.debian.org/debian)
#        DEBIAN_SUITE  (default trixie: Python 3.13, pydantic 2, FastAPI 0.115)
#        TMPDIR        where the root filesystem is assembled (default /var/tmp)
# Needs: root, debootstrap, chroot, a reachable Docker engine.
set -euo pipefail

tag=${1:?image tag required}
inputs_hash=${2:?inputs hash required}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=${DEBIAN_SUITE:-trixie}
here=$(cd "$(dirname "$0")" && pwd)
export PATH="$PATH:/usr/sbin:/sbin"

fail() {
  echo "sandbox image: $*" >&2
  exit 1
}
[[ $(id -u) == 0 ]] || fail "the air-gapped build needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null || fail "debootstrap is not installed (apt-get install -y debootstrap)"

packages=$(sed 's/#.*//' "$here/debian_packages.txt" | tr -s ' \t\n' ',' | sed 's/^,//;s/,$//')

# Not /tmp: it is often a noexec/nodev tmpfs, and debootstrap runs binaries there.
work=$(mktemp -d "${TMPDIR:-/var/tmp}/sandbox-rootfs.XXXXXX")
rootfs="$work/rootfs"
cleanup() {
  # An interrupted debootstrap can leave /proc or /sys mounted in the target.
  for mount_point in "$rootfs/proc" "$rootfs/sys" "$rootfs/dev/pts"; do
    mountpoint -q "$mount_point" 2>/dev/null && umount -l "$mount_point" || true
  done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

started=$SECONDS
echo "sandbox image: debootstrap $suite from $mirror (packages: $packages)"
debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  fail "debootstrap failed (is $mirror reachable?)"
}
apt_packages=$(sed 's/#.*//' "$here/debian_packages_apt.txt" | tr -s ' \t\n' ' ' | sed 's/^ //;s/ $//')
echo "sandbox image: apt-get install $apt_packages"
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
echo "deb $mirror $suite main" >"$rootfs/etc/apt/sources.list"
# No service is started in the chroot.
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
{
  chroot "$rootfs" apt-get update -q &&
    DEBIAN_FRONTEND=noninteractive chroot "$rootfs" apt-get install -y -q --no-install-recommends $apt_packages
} >"$work/apt.log" 2>&1 || {
  tail -n 30 "$work/apt.log" >&2
  fail "apt-get install $apt_packages failed (is $mirror reachable?)"
}
chroot "$rootfs" apt-get clean
rm -f "$rootfs/usr/sbin/policy-rc.d"
echo "sandbox image: root filesystem ready after $((SECONDS - started)) s"

# The unprivileged user every command runs as.
chroot "$rootfs" groupadd --gid 1000 sandbox
chroot "$rootfs" useradd --uid 1000 --gid 1000 --create-home --home-dir /home/sandbox --shell /bin/bash sandbox
# The programs user: the container's init and the programs below run as it, out
# of reach (signals, ptrace, /proc) of the sandbox user's processes.
chroot "$rootfs" useradd --uid 1001 --gid 1000 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin programs
mkdir -p "$rootfs/workspace"
chown 1000:1000 "$rootfs/workspace"

# The programs the host runs in the sandbox (python3 -I /opt/backend-agent/…),
# root-owned and read-only to the sandbox user. Not their tests.
install -d -o root -g root -m 0755 "$rootfs/opt/backend-agent"
install -o root -g root -m 0644 "$here"/programs/*.py "$rootfs/opt/backend-agent/"
# An execute-only copy of bash: a process started from a file its user cannot
# read is not dumpable, so its own uid cannot trace it or use its /proc files.
install -d -o root -g root -m 0755 "$rootfs/opt/backend-agent/sealed"
install -o root -g root -m 0711 "$rootfs/usr/bin/bash" "$rootfs/opt/backend-agent/sealed/bash"
# The egress proxy's config (squid, started by programs/egress_proxy.py).
install -d -o root -g root -m 0755 "$rootfs/etc/backend-agent"
install -o root -g root -m 0644 "$here/egress/squid.conf" "$rootfs/etc/backend-agent/squid.conf"

# The virtualenv a repo's dependencies are installed into by the setup
# container, owned by the sandbox user; it sees Debian's packages (FastAPI,
# pytest, …). The agent's root is read-only: it cannot change what is there.
chroot "$rootfs" python3 -m venv --system-site-packages /opt/venv
chown -R 1000:1000 "$rootfs/opt/venv"

# No way back to root from inside: no sudo (never installed), no setuid/setgid
# bit; and no package caches, manuals or docs (copyright files stay).
find "$rootfs" -xdev -type f -perm /6000 -exec chmod a-s {} +
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/man/*
find "$rootfs/usr/share/doc" -xdev -type f ! -name copyright -delete
[[ ! -e "$rootfs/usr/bin/sudo" ]] || fail "sudo ended up in the image"
[[ -z $(find "$rootfs" -xdev -type f -perm /6000 -print -quit) ]] || fail "a setuid/setgid file is left"

tar --numeric-owner -C "$rootfs" -c . | docker import \
  --change 'USER 1000:1000' \
  --change 'WORKDIR /workspace' \
  --change 'ENV HOME=/home/sandbox' \
  --change 'ENV PATH=/opt/venv/bin:/usr/local/bin:/usr/bin:/bin' \
  --change 'ENV VIRTUAL_ENV=/opt/venv' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PYTHONDONTWRITEBYTECODE=1' \
  --change 'ENV PYTHONUNBUFFERED=1' \
  --change 'CMD ["sleep", "infinity"]' \
  --change "LABEL dev.backend-agent.image-inputs=$inputs_hash" \
  --change 'LABEL dev.backend-agent.image-build=airgapped' \
  - "$tag" >/dev/null
echo "sandbox image: built $tag in $((SECONDS - started)) s"
