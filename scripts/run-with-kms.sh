#!/usr/bin/env bash
# Runs a command against a fresh reference KMS (examples/reference-kms) on 127.0.0.1.
#
#   scripts/run-with-kms.sh [reference-kms options...] -- command [args...]
#   scripts/run-with-kms.sh command [args...]
#
# Starts target/release/reference-kms (or $REFERENCE_KMS) on a free loopback port with three
# users, alice (sip:alice@example.org), bob (sip:bob@example.org) and a group management server
# identity (sip:gms@example.org), each with a fresh random bearer token, and a random control
# token; waits (30 s at most) until it listens; then runs the command with these in its
# environment:
#
#   KMS_URL            https://127.0.0.1:<port>  (the base URL of the client configuration)
#   KMS_CA             the server's self-signed certificate (PEM), to trust for TLS
#   KMS_TOKEN_ALICE    alice's bearer token
#   KMS_TOKEN_BOB      bob's bearer token
#   KMS_TOKEN_GMS      the GMS identity's bearer token
#   KMS_CONTROL_TOKEN  the token of POST /control/misbehave and /control/time-offset
#   KMS_LOG            the server's log (one line per request)
#
# Options before `--` are passed to reference-kms (e.g. --misbehave revoked). The server is
# stopped and its temporary directory removed when the command ends, however it ends; the
# script exits with the command's status. The server's log is printed on stderr when the
# command fails, or always with KMS_SHOW_LOG=1.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
server="${REFERENCE_KMS:-$root/target/release/reference-kms}"

server_args=()
if [[ " $* " == *" -- "* ]]; then
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do server_args+=("$1"); shift; done
  shift
fi
if [ $# -eq 0 ]; then
  echo "usage: $0 [reference-kms options...] -- command [args...]" >&2
  exit 2
fi
if [ ! -x "$server" ]; then
  echo "run-with-kms: $server not found: build it with cargo build --release -p reference-kms" >&2
  exit 2
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/reference-kms.XXXXXX")"
pid=""
cmd=""
cleanup() {
  if [ -n "$cmd" ] && kill -0 "$cmd" 2>/dev/null; then kill -TERM "$cmd" 2>/dev/null || true; fi
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

token() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }
KMS_TOKEN_ALICE="alice-$(token)"
KMS_TOKEN_BOB="bob-$(token)"
KMS_TOKEN_GMS="gms-$(token)"
KMS_CONTROL_TOKEN="control-$(token)"
KMS_CA="$dir/ca.pem"
KMS_LOG="$dir/kms.log"

"$server" --listen 127.0.0.1:0 --ca-out "$KMS_CA" --port-out "$dir/port" \
  --kms-uri kms.example.org --key-period 2592000 --key-offset 0 \
  --user "$KMS_TOKEN_ALICE=sip:alice@example.org" \
  --user "$KMS_TOKEN_BOB=sip:bob@example.org" \
  --user "$KMS_TOKEN_GMS=sip:gms@example.org" \
  --control-token "$KMS_CONTROL_TOKEN" \
  ${server_args[@]+"${server_args[@]}"} 2>"$KMS_LOG" &
pid=$!

# The server writes the port file (atomically) once it listens.
for _ in $(seq 300); do
  [ -s "$dir/port" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "run-with-kms: reference-kms exited before listening:" >&2
    cat "$KMS_LOG" >&2
    exit 1
  fi
  sleep 0.1
done
if [ ! -s "$dir/port" ]; then
  echo "run-with-kms: reference-kms did not listen within 30 s:" >&2
  cat "$KMS_LOG" >&2
  exit 1
fi
KMS_URL="https://127.0.0.1:$(tr -d '[:space:]' <"$dir/port")"
export KMS_URL KMS_CA KMS_TOKEN_ALICE KMS_TOKEN_BOB KMS_TOKEN_GMS KMS_CONTROL_TOKEN KMS_LOG

# In the background so that a signal to this script stops the command and the server at once.
status=0
"$@" <&0 &
cmd=$!
wait "$cmd" || status=$?
cmd=""
if [ "$status" -ne 0 ] || [ "${KMS_SHOW_LOG:-0}" = 1 ]; then
  echo "run-with-kms: command exited with status $status; the server's log:" >&2
  sed 's/^/  /' "$KMS_LOG" >&2
fi
exit "$status"
