#!/usr/bin/env bash
# Makes the local base image of the example model service on a machine that cannot pull images:
# debootstrap --variant=minbase bookworm (from the Debian mirror apt already uses), Python 3 with
# scikit-learn and pytest from Debian (no PyPI), then `docker import`. On GitHub's runners the
# example builds FROM a public Python image instead; this is for machines without a registry.
#
#   scripts/local-base-image.sh [IMAGE]      (default: mlops-example-base:bookworm; root needed)
#
# Fast when the image already exists: the image carries a label with its recipe (suite and
# packages) and is rebuilt only when the recipe changes. DOCKER names the docker client to use.
set -euo pipefail

IMAGE="${1:-mlops-example-base:bookworm}"
DOCKER="${DOCKER:-docker}"
SUITE=bookworm
PACKAGES="python3 python3-sklearn python3-pytest ca-certificates"
# Debian's python3-scipy depends on python3-pythran, which brings a C++ compiler, Boost and the
# Python headers (600 MB) that scipy never uses at run time: a placeholder package stands in for it.
PLACEHOLDERS="python3-pythran"
RECIPE="$SUITE: $PACKAGES; placeholders: $PLACEHOLDERS (minbase, no docs)"

have="$("$DOCKER" image inspect --format '{{ index .Config.Labels "org.mlops-actions.base-recipe" }}' "$IMAGE" 2>/dev/null || true)"
if [ "$have" = "$RECIPE" ]; then
  echo "base image $IMAGE is up to date ($RECIPE)"
  exit 0
fi

# The mirror apt uses: deb822 sources first, then sources.list; Debian's own as the last resort.
mirror=""
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  mirror="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)"
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror="$(awk '$1 == "deb" && $3 ~ /^bookworm$/ { print $2; exit }' /etc/apt/sources.list)"
fi
mirror="${mirror:-http://deb.debian.org/debian}"

started=$(date +%s)
root="$(mktemp -d /var/tmp/mlops-base.XXXXXX)"
chmod 755 "$root" # apt's _apt user reads its downloads through this path
trap 'rm -rf "$root"' EXIT
echo "building $IMAGE: debootstrap $SUITE from $mirror into $root"

# No docs, man pages or translations in the image.
mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
cat >"$root/etc/dpkg/dpkg.cfg.d/01-slim" <<'CFG'
path-exclude=/usr/share/doc/*
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
CFG
debootstrap --variant=minbase "$SUITE" "$root" "$mirror" >"$root.debootstrap.log" 2>&1 || {
  tail -30 "$root.debootstrap.log"
  rm -f "$root.debootstrap.log"
  exit 1
}
rm -f "$root.debootstrap.log"
echo "debootstrap done (+$(($(date +%s) - started))s)"

cp /etc/resolv.conf "$root/etc/resolv.conf"
for name in $PLACEHOLDERS; do
  mkdir -p "$root/tmp/$name/DEBIAN"
  printf 'Package: %s\nVersion: 999:0-placeholder\nArchitecture: all\nMaintainer: mlops-actions\nDescription: placeholder, not needed at run time\n' \
    "$name" >"$root/tmp/$name/DEBIAN/control"
  chroot "$root" dpkg-deb --build "/tmp/$name" "/tmp/$name.deb" >/dev/null
  chroot "$root" dpkg -i "/tmp/$name.deb" >/dev/null
done
chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
  apt-get -o Acquire::Check-Valid-Until=false -qq update
chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
  apt-get -o Acquire::Check-Valid-Until=false -qq install -y --no-install-recommends $PACKAGES >/dev/null
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/* "$root"/tmp/* \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
: >"$root/etc/resolv.conf"
echo "packages installed (+$(($(date +%s) - started))s): $PACKAGES"

tar --numeric-owner -C "$root" -c . | "$DOCKER" import \
  --change "LABEL org.mlops-actions.base-recipe=\"$RECIPE\"" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  - "$IMAGE" >/dev/null
echo "imported $IMAGE ($("$DOCKER" image inspect --format '{{.Size}}' "$IMAGE" | awk '{ printf "%.0f MB", $1 / 1e6 }')) in $(($(date +%s) - started))s"
