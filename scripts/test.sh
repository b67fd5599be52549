#!/usr/bin/env bash
# kubeward's test command (the README's, and CI's through .ci/run): install the external test tools
# when missing, then run every test of the workspace.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# What compiling needs first; what only running needs (a browser, the storage emulator, the SARIF
# validator: downloads, most of the set-up time on a fresh machine) installs while the tests
# compile.
scripts/install-test-deps.sh --build
run_deps_log="$(mktemp)"
scripts/install-test-deps.sh --run >"$run_deps_log" 2>&1 &
run_deps=$!

# Example node roots need their file modes (git does not keep them).
if [[ -x scripts/example-modes.sh && -f examples/aks-node/MODES ]]; then
    scripts/example-modes.sh examples/aks-node >/dev/null
fi

# The tests link the system's OpenSSL (libssl-dev, installed above) under librdkafka: building
# OpenSSL from source is most of a fresh build's time, and it is what the release binary needs (one
# static executable; `cargo build --release`, scripts/demo.sh and the Dockerfile still do it), not
# what the tests exercise. OPENSSL_NO_VENDOR=0 builds it from source here too.
export OPENSSL_NO_VENDOR="${OPENSSL_NO_VENDOR:-1}"

# A CI machine builds once from nothing: incremental state would only cost time there.
if [[ -n "${CI:-}" ]]; then
    export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
fi

build_status=0
cargo test --workspace --locked --no-run "$@" || build_status=$?
deps_status=0
wait "$run_deps" || deps_status=$?
cat "$run_deps_log"
rm -f "$run_deps_log"
if ((build_status != 0)); then exit "$build_status"; fi
if ((deps_status != 0)); then exit "$deps_status"; fi

cargo test --workspace --locked "$@"
