#!/usr/bin/env bash
# Vendor third-party front-end files from the npm registry into the repository, so that neither
# the app nor the tests ever load them from a CDN. Re-run after changing a pinned version; commit
# the results together with their licence files.
#
#   axe-core  -> tests/e2e/vendor/axe.min.js  (accessibility checks in the browser tests)
#   leaflet   -> matcher/web/static/vendor/leaflet/  (the partner map; served from our origin)
set -euo pipefail
cd "$(dirname "$0")/.."

AXE_CORE_VERSION="4.14.1"
LEAFLET_VERSION="1.9.4"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fetch() {  # fetch <package> <version>: unpack the npm tarball into $work/<package>
  local package="$1" version="$2"
  (cd "$work" && npm pack --silent "${package}@${version}" >/dev/null)
  mkdir -p "$work/$package"
  tar -xzf "$work/${package}-${version}.tgz" -C "$work/$package" --strip-components=1
}

fetch axe-core "$AXE_CORE_VERSION"
target=tests/e2e/vendor
mkdir -p "$target"
cp "$work/axe-core/axe.min.js" "$target/axe.min.js"
cp "$work/axe-core/LICENSE" "$target/axe-core.LICENSE"
printf 'axe-core %s (MPL-2.0), from the npm registry via scripts/vendor_assets.sh\n' \
  "$AXE_CORE_VERSION" > "$target/README.txt"
echo "vendored axe-core $AXE_CORE_VERSION into $target"

fetch leaflet "$LEAFLET_VERSION"
target=matcher/web/static/vendor/leaflet
rm -rf "$target"
mkdir -p "$target/images"
cp "$work/leaflet/dist/leaflet.js" "$work/leaflet/dist/leaflet.css" "$target/"
cp "$work/leaflet/dist/images/"*.png "$target/images/"
cp "$work/leaflet/LICENSE" "$target/LICENSE"
printf 'Leaflet %s (BSD-2-Clause), from the npm registry via scripts/vendor_assets.sh\n' \
  "$LEAFLET_VERSION" > "$target/README.txt"
echo "vendored leaflet $LEAFLET_VERSION into $target"
