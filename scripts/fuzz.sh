#!/usr/bin/env bash
# Coverage-guided fuzzing campaign (not part of CI; CI replays the saved corpora through
# `cargo test -p kubeward-fuzz`). Installs cargo-fuzz when missing, runs each harness in turn on
# one core, then minimises its corpus.
#
#   scripts/fuzz.sh [-t SECONDS] [-r RUNS] [-n] [TARGET...]
#     -t SECONDS  time per harness (default 180)
#     -r RUNS     stop a harness after this many executions instead
#     -n          do not minimise the saved corpora
#     -m          only minimise (no fuzzing run)
#     TARGET      harnesses to run (default: every fuzz/fuzz_targets/*.rs)
#
# fuzz/full/<target> (not in git) keeps the whole minimised corpus for the next campaign;
# fuzz/corpus/<target> (in git) keeps a small set cover of it that CI replays.
# Crashing inputs land in fuzz/artifacts/<target>/. Once the defect is fixed, copy the input to
# fuzz/regressions/<target>/ so the replay test keeps it fixed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=180
runs=0
minimise=1
fuzzing=1
while getopts "t:r:nm" opt; do
    case $opt in
        t) seconds=$OPTARG ;;
        r) runs=$OPTARG ;;
        n) minimise=0 ;;
        m) fuzzing=0 ;;
        *) sed -n '2,18p' "$0"; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    targets=()
    for f in fuzz/fuzz_targets/*.rs; do targets+=("$(basename "$f" .rs)"); done
fi

# cargo-fuzz's instrumentation flags (-Cpasses=sancov-module with -Z options) are unstable;
# RUSTC_BOOTSTRAP lets the stable toolchain accept them. No sanitizer: the code is safe Rust
# (unsafe_code is forbidden), and libFuzzer catches panics, aborts, timeouts and memory blow-ups.
export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
# Same dependency versions as the workspace (the fuzz crate is a workspace of its own).
[[ -f fuzz/Cargo.lock ]] || cp Cargo.lock fuzz/Cargo.lock

max_len=16384
# Bytes of saved corpus per harness (the repository keeps a few hundred KB in all).
budget=${FUZZ_CORPUS_BUDGET:-32768}
# One core: a shared machine; the script runs the harnesses one after another.
fuzz_flags=(-s none --release --debug-assertions)

# Seed inputs per harness, from examples/ and the crates' test inputs (cut to max_len bytes).
seeds() {
    case $1 in
        manifests) find examples/cluster -name '*.yaml' ;;
        audit_stream | audit_scan) find examples/audit crates/kubeward-audit/tests/data -type f ! -name '*.md' ! -name policy.yaml ;;
        audit_policy) echo examples/audit/policy.yaml ;;
        aks) find examples/aks crates/kubeward-aks/tests/fixtures -name '*.json' ;;
        seccomp) find examples/profiles examples/aks-node/var/lib/kubelet/seccomp -type f -name '*.json' ;;
        apparmor) find examples/profiles -name '*.profile' ;;
        kubelet_config)
            echo examples/aks-node/etc/default/kubeletconfig.json
            find crates/kubeward-node/tests/fixtures -path '*kubelet*' \( -name '*.yaml' -o -name '*.conf' \) ;;
        kubelet_argv) find examples/aks-node/proc crates/kubeward-node/tests/fixtures -name cmdline ;;
        saved_report) find examples/cluster/node-reports -type f ;;
    esac
}

cargo fuzz build "${fuzz_flags[@]}"

summary=()
for t in "${targets[@]}"; do
    work=fuzz/scratch/$t
    rm -rf "$work"
    mkdir -p "$work/seeds" "$work/new" "fuzz/corpus/$t" "fuzz/artifacts/$t"
    while IFS= read -r f; do
        [[ -n $f ]] || continue
        out=$work/seeds/$(echo "$f" | tr '/' '_')
        if [[ $t == kubelet_argv ]]; then
            # The harness supplies the program name: keep only the arguments.
            skip=$(head -z -n1 "$f" | wc -c)
            tail -c +"$((skip + 1))" "$f" | head -c "$max_len" >"$out"
        else
            head -c "$max_len" "$f" >"$out"
        fi
    done < <(seeds "$t")

    status=-
    execs=
    cov=
    if [[ $fuzzing -eq 1 ]]; then
        limit=(-max_total_time="$seconds")
        [[ $runs -gt 0 ]] && limit=(-runs="$runs")
        echo "== $t: ${limit[*]}"
        log=$work/fuzz.log
        set +e
        mkdir -p "fuzz/full/$t"
        cargo fuzz run "${fuzz_flags[@]}" "$t" "$work/new" "fuzz/full/$t" "fuzz/corpus/$t" "$work/seeds" -- \
            "${limit[@]}" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
            -print_final_stats=1 2>&1 | tee "$log" | grep -E '^#[0-9]+.*(pulse|DONE)|^==|panicked|Test unit written|SUMMARY'
        status=${PIPESTATUS[0]}
        set -e
        execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
        [[ -n $execs ]] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
        cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
    fi
    crashes=$(find "fuzz/artifacts/$t" -type f | wc -l)

    if [[ $minimise -eq 1 ]]; then
        bin=fuzz/target/x86_64-unknown-linux-gnu/release/$t
        # The whole minimised corpus (every feature) stays out of git, for the next campaign.
        rm -rf "$work/min"
        mkdir -p "$work/min" "fuzz/full/$t"
        "$bin" -merge=1 -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
            "$work/min" "fuzz/full/$t" "fuzz/corpus/$t" "$work/new" "$work/seeds" >"$work/merge.log" 2>&1
        rm -rf "fuzz/full/$t"
        mv "$work/min" "fuzz/full/$t"
        # The saved corpus CI replays: a set cover of the edges (no hit counters, no comparison
        # features), smallest inputs first, within a byte budget per harness.
        mkdir -p "$work/cover"
        "$bin" -merge=1 -set_cover_merge=1 -use_counters=0 -use_cmp=0 -max_len="$max_len" \
            -timeout=10 -rss_limit_mb=2048 "$work/cover" "fuzz/full/$t" >"$work/cover.log" 2>&1
        rm -rf "fuzz/corpus/$t"
        mkdir -p "fuzz/corpus/$t"
        used=0
        while read -r size f; do
            (( used + size > budget )) && break
            cp "$f" "fuzz/corpus/$t/"
            used=$((used + size))
        done < <(find "$work/cover" -type f -printf '%s %p\n' | sort -n)
    fi
    files=$(find "fuzz/corpus/$t" -type f | wc -l)
    size=$(find "fuzz/corpus/$t" -type f -printf '%s\n' | awk '{ s += $1 } END { print int(s / 1024) }')
    summary+=("$(printf '%-15s exit %-3s execs %-10s %-22s corpus %4s files %5s KiB  crashes %s' \
        "$t" "$status" "${execs:-?}" "${cov:-cov: ?}" "$files" "$size" "$crashes")")
done

echo
echo "== summary (crashing inputs under fuzz/artifacts/<target>/)"
printf '%s\n' "${summary[@]}"
