#!/bin/sh
# Apply a node-root fixture's MODES table (`path mode [uid:gid]` per line): git keeps neither owners
# nor most modes. Owners are applied only when run as root.
#   scripts/example-modes.sh [FIXTURE_DIR]     (default: examples/aks-node)
set -eu
dir=${1:-"$(dirname "$0")/../examples/aks-node"}
table="$dir/MODES"
[ -f "$table" ] || { echo "no MODES table in $dir" >&2; exit 2; }
is_root=0
[ "$(id -u)" = 0 ] && is_root=1
grep -v '^[[:space:]]*#' "$table" | while read -r path mode owner; do
    [ -n "${path:-}" ] || continue
    chmod "$mode" "$dir/$path"
    if [ "$is_root" = 1 ]; then
        chown "${owner:-0:0}" "$dir/$path"
    fi
done
echo "modes applied under $dir"
