#!/usr/bin/env bash
# make run: nodegate-server on the demo cluster in the foreground, with RUN_FLAGS (make run
# RUN_FLAGS='--listen :9090 --log-level info'); once it listens, the commands to try, with the
# address it actually took. Ctrl-C stops it (it drains as on SIGTERM).
B=${B:-build}
cd "$(dirname "$0")/.." || exit 2
# The reader ignores Ctrl-C, so it keeps passing the server's last lines on until the server exits.
"$B/nodegate-server" --nodes examples/demo-cluster.json "$@" 2>&1 | (
    trap '' INT
    while IFS= read -r line; do
        printf '%s\n' "$line"
        [[ $line == *" listening on "* ]] || continue
        addr=${line#* listening on }
        addr=${addr%% *}
        cat <<EOF

nodegate-server on http://$addr with the demo cluster: master (control-plane, NoSchedule taint),
worker, gpu-1 (dedicated=gpu:NoSchedule), spot-1 (PreferNoSchedule), cordoned-1 (cordoned).
In another terminal, try:
  curl -s $addr/nodes
  curl -s -X POST --data-binary @examples/requests/filter-names.json $addr/filter
  curl -s -X POST --data-binary @examples/requests/prioritize-names.json $addr/prioritize
  build/nodegate --server http://$addr explain -f examples/daemonset-walkthrough/ds.yml
  examples/daemonset-walkthrough/walkthrough.sh http://$addr
Ctrl-C stops it.

EOF
    done
)
exit "${PIPESTATUS[0]}"
