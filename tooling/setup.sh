#!/usr/bin/env bash
# Set up a fresh Debian machine for this repository: system libraries, pnpm, dependencies.
# Safe to run again. Used by the README's commands and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 ONNXRUNTIME_NODE_INSTALL=skip

# OpenBLAS/LAPACK for the native linear-algebra backend (optional at run time, tested in CI).
apt_packages=(libopenblas0-pthread)
# Debian's chromium: the docs site's browser tests drive it headless through playwright-core.
apt_packages+=(chromium)
# Debian's redis-server: @emms/queue's tests start their own instances on loopback.
apt_packages+=(redis-server)
# Debian's Fashion-MNIST (idx files in /usr/share/datasets/fashion-mnist): a task of the offline suite.
apt_packages+=(dataset-fashion-mnist)
# `tooling/setup.sh --bench` also installs numpy, scipy and scikit-learn: the references `pnpm bench` measures against.
if [ "${1:-}" = "--bench" ]; then apt_packages+=(python3-numpy python3-scipy python3-sklearn); fi
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  else
    sudo apt-get update -q
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  fi
fi

if [ "$(pnpm --version 2>/dev/null || true)" != "10.34.9" ]; then
  npm install -g pnpm@10.34.9
fi
pnpm install --frozen-lockfile
