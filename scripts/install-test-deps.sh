#!/usr/bin/env bash
# Installs what kubeward's tests need beyond the Rust toolchain, and nothing else:
#   - Debian packages: chromium (HTML report test), strace (the node scan's "no child process"
#     test), jq (scripts), npm (to install the next items), cmake (builds librdkafka for
#     `audit follow --kafka`), libcurl4-openssl-dev (only its headers: librdkafka's build includes
#     curl.h), libssl-dev and pkg-config (the test builds link the system's OpenSSL, see
#     scripts/test.sh; release builds compile their own from source with perl and make);
#   - from npm, into the project-local .ci/node_modules (pinned by .ci/package.json and
#     .ci/package-lock.json; git ignores the folder): Microsoft's SARIF Multitool, and Azurite,
#     Microsoft's storage emulator (the storage follower's tests start azurite-blob on 127.0.0.1).
# Idempotent, and quick when everything is already there.
#
#   install-test-deps.sh           everything
#   install-test-deps.sh --build   only what compiling the tests needs (cmake, perl, make, curl.h)
#   install-test-deps.sh --run     only what running them needs (scripts/test.sh installs these
#                                  while the tests compile)
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
part="${1:-all}"
case "$part" in all | --build | --run) ;; *)
    echo "usage: install-test-deps.sh [--build | --run]" >&2
    exit 2
    ;;
esac

missing=()
if [[ "$part" != --build ]]; then
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    command -v strace >/dev/null 2>&1 || missing+=(strace)
    command -v jq >/dev/null 2>&1 || missing+=(jq)
    command -v npm >/dev/null 2>&1 || missing+=(npm)
fi
if [[ "$part" != --run ]]; then
    command -v cmake >/dev/null 2>&1 || missing+=(cmake)
    command -v perl >/dev/null 2>&1 || missing+=(perl)
    command -v make >/dev/null 2>&1 || missing+=(make)
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    [[ -f /usr/include/openssl/ssl.h ]] || missing+=(libssl-dev)
    # librdkafka 2.12's cmake build includes curl.h even without curl support (nothing is linked).
    [[ -f /usr/include/curl/curl.h || -f /usr/include/x86_64-linux-gnu/curl/curl.h || -f /usr/include/aarch64-linux-gnu/curl/curl.h ]] ||
        missing+=(libcurl4-openssl-dev)
fi

if ((${#missing[@]} > 0)); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "install-test-deps: missing ${missing[*]}: install them (as root: apt-get install ${missing[*]})" >&2
        exit 1
    fi
    echo "install-test-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ "$part" == --build ]]; then
    echo "install-test-deps: ready to build (cmake, perl, make, pkg-config, curl and OpenSSL headers)"
    exit 0
fi

tools="$repo_root/.ci"
multitool="$tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
if [[ ! -x "$multitool" || ! -x "$tools/node_modules/.bin/azurite-blob" ]]; then
    echo "install-test-deps: installing @microsoft/sarif-multitool and azurite into .ci/node_modules"
    npm ci --prefix "$tools" --no-audit --no-fund --loglevel=error >/dev/null
fi
if ! DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$multitool" --version >/dev/null 2>&1; then
    echo "install-test-deps: $multitool is installed but does not run" >&2
    exit 1
fi
if ! "$tools/node_modules/.bin/azurite-blob" --version >/dev/null 2>&1; then
    echo "install-test-deps: azurite-blob is installed but does not run" >&2
    exit 1
fi
echo "install-test-deps: ready (chromium, strace, jq, cmake, sarif-multitool, azurite)"
