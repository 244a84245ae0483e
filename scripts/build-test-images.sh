#!/usr/bin/env bash
# Builds the small local images that tests and benchmarks use, without any registry:
#   kiln-test/sh:1    busybox only (no bash): exercises the /bin/sh fallback
#   kiln-test/bash:1  busybox + bash and its libraries, git-less like many CI images
# Each is a `docker import` of a root filesystem made from binaries on this machine.
set -euo pipefail
# shellcheck source=lib/busybox-rootfs.sh
. "$(dirname "$0")/lib/busybox-rootfs.sh"
command -v busybox >/dev/null || { echo "busybox (Debian package busybox-static) is required" >&2; exit 1; }
file "$(command -v busybox)" 2>/dev/null | grep -q 'statically linked' || ldd "$(command -v busybox)" 2>&1 | grep -q 'not a dynamic' || { echo "busybox must be the static build (apt-get install busybox-static)" >&2; exit 1; }

build() {
  local tag=$1 with_bash=$2
  if [ -z "${KILN_REBUILD_IMAGES:-}" ] && docker image inspect "$tag" >/dev/null 2>&1; then return; fi
  local root; root=$(mktemp -d)
  make_busybox_rootfs "$root"
  if [ "$with_bash" = yes ]; then
    cp "$(command -v bash)" "$root/bin/bash"
    ldd "$(command -v bash)" | grep -o '/[^ ]*' | while read -r lib; do
      mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"
    done
  fi
  tar -C "$root" -c . | docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["/bin/sh"]' - "$tag" >/dev/null
  rm -rf "$root"
  echo "built $tag"
}

build kiln-test/sh:1 no
build kiln-test/bash:1 yes
