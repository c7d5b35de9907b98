#!/usr/bin/env bash
# Installs versitygw, the S3-compatible gateway the test suite runs the s3:// paths against, into
# <repo>/.slipway/tools/bin (built from source with the Go toolchain; takes a few minutes the first time).
# Skips the build when that binary is already there at the pinned version. Override the version with
# VERSITYGW_VERSION and the target directory with SLIPWAY_TOOLS_BIN.
#
# Usage: scripts/install-s3-server.sh        (prints the binary's path on its last line)
set -euo pipefail

version="${VERSITYGW_VERSION:-v1.8.0}"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="${SLIPWAY_TOOLS_BIN:-$repo_root/.slipway/tools/bin}"
binary="$bin_dir/versitygw"

installed_version() {
  # `versitygw --version` prints e.g. "Version  : v1.8.0" among other lines.
  "$binary" --version 2>/dev/null | awk -F': *' '/^Version/ { print $2; exit }' | tr -d '[:space:]'
}

if [[ -x "$binary" && "$(installed_version)" == "$version" ]]; then
  echo "versitygw $version is already installed"
  echo "$binary"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "error: versitygw is not installed at $binary and the Go toolchain (go) is not on PATH;" >&2
  echo "       install Go (https://go.dev/dl/) and run $0 again" >&2
  exit 1
fi

mkdir -p "$bin_dir"
# Build into a temp dir and move the binary in place, so an interrupted build never leaves half a binary.
build_dir="$(mktemp -d "$bin_dir/.versitygw-build.XXXXXX")"
trap 'rm -rf "$build_dir"' EXIT
echo "building versitygw $version with $(go version) (a few minutes the first time)"
# The version is stamped the way versitygw's own Makefile does, so --version reports it.
GOBIN="$build_dir" go install \
  -ldflags "-X main.Version=$version -X main.Build=go-install -X main.BuildTime=unknown" \
  "github.com/versity/versitygw/cmd/versitygw@$version"
mv -f "$build_dir/versitygw" "$binary"
echo "installed versitygw $(installed_version) at $binary"
echo "$binary"
