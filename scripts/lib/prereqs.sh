# Sourced by scripts/test (and so by .ci/run): the one place that knows what the test suite needs beyond a JDK.
# Maven builds; the WireGuard interoperability test drives a stock wireguard-go in a network namespace
# (iproute2, wireguard-go, wireguard-tools, and root); the NAT matrix builds NATs in namespaces (nftables); the shell
# and dashboard tests drive a real terminal (tmux);
# the alert rules are checked and unit-tested with promtool (prometheus); .ci/run's release step makes man pages
# (asciidoctor) and checks the systemd unit (systemd-analyze) and the installed man pages (man-db).

# "command package" pairs: the suite needs each command; Debian's package provides it.
MOLIA_TEST_NEEDS="mvn:maven ip:iproute2 nft:nftables wireguard-go:wireguard-go wg:wireguard-tools tmux:tmux \
promtool:prometheus asciidoctor:asciidoctor systemd-analyze:systemd man:man-db"

# "library package" pairs: shared libraries the suite loads (libsodium: X25519 through the FFM API on JDK 22+,
# io.molia.crypto.CryptoEngines; X25519EnginesTest checks it is used; ISA-L: Reed-Solomon coding of blobs,
# io.molia.blob.ErasureEngines; ReedSolomonTest checks it is used), looked for where Debian puts them.
MOLIA_TEST_LIBRARIES="libsodium.so.23:libsodium23 libisal.so.2:libisal2"

molia_test_missing_packages() { # prints the packages whose command or library is missing, space-separated
  local need dir found missing=()
  for need in $MOLIA_TEST_NEEDS; do
    command -v "${need%%:*}" >/dev/null 2>&1 || missing+=("${need#*:}")
  done
  for need in $MOLIA_TEST_LIBRARIES; do
    found=0
    for dir in /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib /usr/local/lib; do
      [ -e "$dir/${need%%:*}" ] && found=1
    done
    [ "$found" = 1 ] || missing+=("${need#*:}")
  done
  echo "${missing[*]}"
}

# Checks the prerequisites; run as root it installs what is missing (one apt-get), otherwise it stops with one
# line naming the packages and the command. With MOLIA_PREREQS_CHECK_ONLY=1 it only says what it would install.
molia_test_prereqs() {
  local missing
  missing=$(molia_test_missing_packages)
  if [ "$(id -u)" -ne 0 ]; then
    if [ -n "$missing" ]; then
      echo "scripts/test: missing $missing; install them and run the suite as root (the WireGuard interop test makes a network namespace): sudo apt-get install -y $missing && sudo scripts/test" >&2
    else
      echo "scripts/test: the suite needs root (the WireGuard interop test makes a network namespace): sudo scripts/test" >&2
    fi
    return 1
  fi
  [ -z "$missing" ] && return 0
  if [ "${MOLIA_PREREQS_CHECK_ONLY:-0}" = 1 ]; then
    echo "scripts/test: would install $missing: apt-get install -y --no-install-recommends $missing" >&2
    return 0
  fi
  echo "scripts/test: installing $missing (apt-get install -y --no-install-recommends $missing)" >&2
  # shellcheck disable=SC2086
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
         DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null; }; then
    echo "scripts/test: could not install $missing; install them by hand: apt-get install -y $missing" >&2
    return 1
  fi
  missing=$(molia_test_missing_packages)
  if [ -n "$missing" ]; then
    echo "scripts/test: still missing after the install: $missing" >&2
    return 1
  fi
}
