#!/usr/bin/env bash
# Installs the real FTP servers ("peers") that the interop tests run against.
#
#   bash scripts/install-peers.sh
#
# Runs as root on Debian bookworm; idempotent and quick once everything is in place.
# - apt: curl, lftp, openssl, python3-pyftpdlib (for /usr/bin/python3), vsftpd.
# - pure-ftpd, proftpd-core and ftpd-ssl conflict with vsftpd (all "Provide: ftp-server"),
#   so their .debs are only unpacked into .peers/<name>/; the shared libraries they
#   link against are installed with apt. busybox-static (unpacked too: it conflicts
#   with busybox) is the /bin/ls that ftpd-ssl runs inside its chroot jails.
# - vsftpd has no virtual users without extra PAM modules, so two dedicated system
#   users (ftpcheck1, ftpcheck2, no login shell) and a PAM service file are made.
# - No peer ever runs as a service: a temporary /usr/sbin/policy-rc.d forbids
#   starting daemons during apt-get install, and any daemon that slipped through
#   is stopped by its PID.
# The tests start every peer in the foreground themselves (harness/src/peers/peers.ts).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERS_DIR="$REPO_ROOT/.peers"

# Accounts documented in docs/peers.md; harness/src/peers/accounts.ts holds the same values.
SYSTEM_GROUP=ftpcheck
declare -A SYSTEM_USERS=([ftpcheck1]='ftp-check-pass-1' [ftpcheck2]='ftp-check-pass-2')
PAM_SERVICE_FILE=/etc/pam.d/ftp-check-vsftpd

APT_PACKAGES=(curl lftp openssl python3-pyftpdlib vsftpd chromium util-linux bubblewrap)
# chromium: the grade report screenshot test; util-linux (setpriv) and bubblewrap: the sandbox of graded servers.
# Shared libraries of the unpacked peers (their "Depends:" minus what is in the base image).
PURE_FTPD_LIBS=(libcap2 libcrypt1 libpam0g libsodium23 libssl3)
PROFTPD_LIBS=(libacl1 libcap2 libcrypt1 libhiredis0.14 libidn2-0 libmemcached11 libmemcachedutil2
  libncursesw6 libpam0g libpcre2-8-0 libpcre2-posix3 libssl3 libtinfo6 zlib1g)
# ftpd-ssl: its libraries, pam_ftp.so/pam_unix.so (libpam-modules) and unshare (util-linux).
FTPD_SSL_LIBS=(libpam0g libpam-modules libssl3)

say() { printf 'install-peers: %s\n' "$*"; }
die() { printf 'install-peers: ERROR: %s\n' "$*" >&2; exit 1; }

[[ "$(id -u)" == 0 ]] || die "must run as root (apt-get install, system users, PAM file)"
command -v apt-get >/dev/null || die "apt-get not found: this script expects Debian bookworm"

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

APT_UPDATED=no
apt_update_once() {
  if [[ "$APT_UPDATED" == no ]]; then
    say "apt-get update"
    apt-get update -qq || die "apt-get update failed"
    APT_UPDATED=yes
  fi
}

# --- guard: no service may start while we install ------------------------------
POLICY=/usr/sbin/policy-rc.d
POLICY_BACKUP=""
POLICY_GUARDED=no
restore_policy() {
  [[ "$POLICY_GUARDED" == yes ]] || return 0
  if [[ -n "$POLICY_BACKUP" ]]; then
    mv -f "$POLICY_BACKUP" "$POLICY"
  else
    rm -f "$POLICY"
  fi
  POLICY_GUARDED=no
}
guard_services() {
  [[ "$POLICY_GUARDED" == no ]] || return 0
  if [[ -e "$POLICY" ]]; then
    POLICY_BACKUP="$(mktemp /usr/sbin/.policy-rc.d.ftp-check.XXXXXX)"
    cp -p "$POLICY" "$POLICY_BACKUP"
  fi
  printf '#!/bin/sh\n# temporary, from ftp-check scripts/install-peers.sh\nexit 101\n' >"$POLICY"
  chmod 755 "$POLICY"
  POLICY_GUARDED=yes
}
trap restore_policy EXIT

# A daemon "started by the install" is a vsftpd/proftpd/pure-ftpd that did not exist
# before and runs without a config of ours (the tests' peers run with configs in a
# temp root); only those PIDs are stopped.
daemon_pids() { # sorted as comm needs; pgrep matches at most 15 characters, so one name at a time
  local name
  for name in vsftpd proftpd pure-ftpd; do pgrep -x "$name" || true; done | sort
}
stop_daemons_started_since() {
  local before="$1" pid cmdline
  for pid in $(comm -13 <(printf '%s\n' "$before") <(daemon_pids)); do
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    case "$cmdline" in
      */tmp/*) continue ;; # a peer started by a test run
    esac
    say "stopping daemon started by the install: PID $pid ($cmdline)"
    kill "$pid" 2>/dev/null || true
  done
}

apt_install() {
  local missing=() pkg
  for pkg in "$@"; do is_installed "$pkg" || missing+=("$pkg"); done
  [[ ${#missing[@]} -gt 0 ]] || return 0
  apt_update_once
  guard_services
  local before
  before="$(daemon_pids)"
  say "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || die "apt-get install ${missing[*]} failed"
  stop_daemons_started_since "$before"
  for pkg in "${missing[@]}"; do is_installed "$pkg" || die "$pkg is still not installed"; done
}

# --- unpacked peers -----------------------------------------------------------
# unpack_peer NAME PACKAGE BINARY: extracts PACKAGE's .deb into .peers/NAME unless a
# stamp says that version is already there and BINARY finds all its libraries.
missing_libs() { ldd "$1" 2>/dev/null | grep 'not found' || true; }
unpack_peer() {
  local name="$1" package="$2" binary="$3" dest="$PEERS_DIR/$1"
  if [[ -f "$dest/.ftp-check-unpacked" && -x "$dest/$binary" && -z "$(missing_libs "$dest/$binary")" ]]; then
    say "$name: already unpacked ($(cat "$dest/.ftp-check-unpacked"))"
    return 0
  fi
  apt_update_once
  local work deb
  work="$(mktemp -d)"
  # apt-get download drops to the _apt user, which must be able to write here.
  if getent passwd _apt >/dev/null; then chown _apt "$work"; fi
  (cd "$work" && apt-get download -qq "$package") || { rm -rf "$work"; die "apt-get download $package failed"; }
  deb="$(ls "$work"/*.deb)"
  rm -rf "$dest"
  mkdir -p "$dest"
  dpkg-deb -x "$deb" "$dest" || { rm -rf "$work"; die "dpkg-deb -x $deb failed"; }
  printf '%s %s\n' "$package" "$(dpkg-deb -f "$deb" Version)" >"$dest/.ftp-check-unpacked"
  rm -rf "$work"
  [[ -x "$dest/$binary" ]] || die "$name: $binary missing after unpacking $package"
  local missing
  missing="$(missing_libs "$dest/$binary")"
  [[ -z "$missing" ]] || die "$name: $binary lacks shared libraries: $missing"
  say "$name: unpacked $(cat "$dest/.ftp-check-unpacked") into $dest"
}

# --- system users for vsftpd --------------------------------------------------
password_matches() {
  local user="$1" password="$2" hash salt
  hash="$(getent shadow "$user" | cut -d: -f2)"
  # shellcheck disable=SC2016 # a literal "$6$" (SHA-512 crypt prefix), not an expansion
  [[ "$hash" == '$6$'* ]] || return 1
  salt="$(cut -d'$' -f3 <<<"$hash")"
  [[ "$(openssl passwd -6 -salt "$salt" -stdin <<<"$password")" == "$hash" ]]
}
ensure_system_users() {
  getent group "$SYSTEM_GROUP" >/dev/null || { groupadd --system "$SYSTEM_GROUP"; say "created group $SYSTEM_GROUP"; }
  local user
  for user in "${!SYSTEM_USERS[@]}"; do
    # Home "/": vsftpd chdir()s to the passwd home before its local_root, so it must
    # exist; the real, per-run home comes from vsftpd.conf's local_root.
    if ! getent passwd "$user" >/dev/null; then
      useradd --system --gid "$SYSTEM_GROUP" --no-create-home --home-dir / \
        --shell /usr/sbin/nologin --comment 'ftp-check peer test user' "$user"
      say "created system user $user"
    elif [[ "$(getent passwd "$user" | cut -d: -f6)" != / ]]; then
      usermod --home / "$user"
      say "set the home of $user to /"
    fi
    if ! password_matches "$user" "${SYSTEM_USERS[$user]}"; then
      printf '%s:%s\n' "$user" "${SYSTEM_USERS[$user]}" | chpasswd --crypt-method SHA512
      say "set the password of $user"
    fi
  done
  getent passwd ftp >/dev/null || die "system user 'ftp' (made by the vsftpd package) is missing"
}
ensure_pam_service() {
  # Our own PAM service: Debian's /etc/pam.d/vsftpd also demands a shell listed in
  # /etc/shells and a name absent from /etc/ftpusers, which our users do not meet.
  local wanted
  wanted=$'# ftp-check: PAM service for the vsftpd peer (scripts/install-peers.sh)\nauth     required pam_unix.so\naccount  required pam_unix.so\nsession  required pam_permit.so\n'
  if [[ "$(cat "$PAM_SERVICE_FILE" 2>/dev/null)"$'\n' != "$wanted" ]]; then
    printf '%s' "$wanted" >"$PAM_SERVICE_FILE"
    say "wrote $PAM_SERVICE_FILE"
  fi
}

# --- main -----------------------------------------------------------------------
apt_install "${APT_PACKAGES[@]}" "${PURE_FTPD_LIBS[@]}" "${PROFTPD_LIBS[@]}" "${FTPD_SSL_LIBS[@]}"
unpack_peer pure-ftpd pure-ftpd usr/sbin/pure-ftpd
[[ -x "$PEERS_DIR/pure-ftpd/usr/bin/pure-pw" ]] || die "pure-ftpd: pure-pw missing"
unpack_peer proftpd proftpd-core usr/sbin/proftpd
unpack_peer ftpd-ssl ftpd-ssl usr/sbin/in.ftpd
unpack_peer busybox-static busybox-static bin/busybox
ensure_system_users
ensure_pam_service

/usr/bin/python3 -c 'import pyftpdlib' 2>/dev/null || die "/usr/bin/python3 cannot import pyftpdlib"
[[ -x /usr/sbin/vsftpd ]] || die "/usr/sbin/vsftpd missing"
for npm_peer in ftp-srv ftpd; do
  if [[ ! -f "$REPO_ROOT/node_modules/$npm_peer/package.json" ]]; then
    say "note: node_modules/$npm_peer is missing: run 'npm ci' for the $npm_peer peer"
  fi
done
restore_policy
say "ready: vsftpd $(dpkg-query -W -f='${Version}' vsftpd), pyftpdlib $(dpkg-query -W -f='${Version}' python3-pyftpdlib)," \
  "pure-ftpd $(cut -d' ' -f2 "$PEERS_DIR/pure-ftpd/.ftp-check-unpacked"), proftpd $(cut -d' ' -f2 "$PEERS_DIR/proftpd/.ftp-check-unpacked")," \
  "ftpd-ssl $(cut -d' ' -f2 "$PEERS_DIR/ftpd-ssl/.ftp-check-unpacked"), busybox-static $(cut -d' ' -f2 "$PEERS_DIR/busybox-static/.ftp-check-unpacked")"
