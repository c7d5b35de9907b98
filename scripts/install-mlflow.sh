#!/usr/bin/env bash
# Installs the MLflow tracking server the test suite runs the MLflow registry adapter against: a project-local
# virtualenv <repo>/.slipway/tools/mlflow with a pinned `mlflow` from PyPI (the full package: `mlflow-skinny`
# has no server, and the server imports numpy and pandas at start-up, so no smaller set of packages serves).
# About 1.5 to 4 minutes (network-bound) and 850 MB the first time; returns at once when the pinned version is already there.
# Needs Python >= 3.10 with the venv module. Override the version with MLFLOW_VERSION, the interpreter with
# PYTHON and the tools directory with SLIPWAY_TOOLS_DIR.
#
# Usage: scripts/install-mlflow.sh        (prints the `mlflow` executable's path on its last line)
set -euo pipefail

version="${MLFLOW_VERSION:-3.17.2}"
python="${PYTHON:-python3}"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools_dir="${SLIPWAY_TOOLS_DIR:-$repo_root/.slipway/tools}"
venv="$tools_dir/mlflow"
binary="$venv/bin/mlflow"
# Written last by a successful install: the virtualenv is ready when it names the pinned version.
marker="$venv/slipway-mlflow-version"

if [[ -x "$binary" && -f "$marker" && "$(cat "$marker")" == "$version" ]]; then
  echo "mlflow $version is already installed"
  echo "$binary"
  exit 0
fi

if ! command -v "$python" >/dev/null 2>&1; then
  echo "error: $python not found; MLflow needs Python >= 3.10 (set PYTHON to an interpreter)" >&2
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)'; then
  echo "error: MLflow $version needs Python >= 3.10; $python is $("$python" --version 2>&1)" >&2
  exit 1
fi

# A virtualenv cannot be moved once made, so it is built in place; the marker is written only when the
# install succeeded, so an interrupted install is rebuilt from scratch next time.
mkdir -p "$tools_dir"
rm -rf "$venv"
echo "installing mlflow $version into $venv (1.5 to 4 minutes the first time)"
started=$(date +%s)
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input --quiet "mlflow==$version"
"$binary" --version >/dev/null
echo "$version" >"$marker.tmp"
mv -f "$marker.tmp" "$marker"
echo "installed mlflow $version in $(($(date +%s) - started)) s"
echo "$binary"
