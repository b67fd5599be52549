#!/usr/bin/env bash
# kubeward's test command (the README's, and CI's through .ci/run): install the external test tools
# when missing, then run every test of the workspace.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-test-deps.sh

# Example node roots need their file modes (git does not keep them).
if [[ -x scripts/example-modes.sh && -f examples/aks-node/MODES ]]; then
    scripts/example-modes.sh examples/aks-node >/dev/null
fi

cargo test --workspace --locked "$@"
