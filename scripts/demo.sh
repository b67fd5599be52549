#!/usr/bin/env bash
# kubeward's first minute: build the release binary and scan the bundled example cluster from node
# to cloud — an AKS node root, the cluster's manifests, its `az aks show` output and diagnostic
# settings, an audit log and a few seccomp/AppArmor profiles — into one report.
#   scripts/demo.sh [extra kubeward flags, e.g. -o html=report.html]
# The example node's file modes are applied first (git does not keep them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo build --release --locked -p kubeward
scripts/example-modes.sh examples/aks-node >/dev/null

# kubeward exits 1 when the scan finds failures; that is the demo working, not the script failing.
status=0
target/release/kubeward scan examples/ "$@" || status=$?
if [[ $status -gt 1 ]]; then
    exit "$status"
fi
echo
echo "exit code $status (0: no failure at or above --fail-on, 1: failures found; see README.md)"
