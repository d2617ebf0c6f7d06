#!/usr/bin/env bash
# Runs a command against a fresh reference KMS (examples/reference-kms) on 127.0.0.1.
#
#   scripts/run-with-kms.sh [--partner] [reference-kms options...] -- command [args...]
#   scripts/run-with-kms.sh [--partner] command [args...]
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
# With --partner (first argument), a second instance runs too: the partner KMS of another
# security domain, KmsUri partner.example.net, with one user, carol
# (sip:carol@partner.example.net). Each serves the other's certificate in its certcache with
# Role External (each writes its own with --certificate-out and names the other's file with
# --partner-certificate), and the command also gets:
#
#   PARTNER_KMS_URL            https://127.0.0.1:<port> of the partner KMS
#   PARTNER_KMS_CA             its self-signed certificate (PEM)
#   KMS_TOKEN_CAROL            carol's bearer token (at the partner KMS)
#   PARTNER_KMS_CONTROL_TOKEN  its control token
#   PARTNER_KMS_LOG            its log
#
# Options before `--` are passed to reference-kms (the home one) (e.g. --misbehave revoked). The server is
# stopped and its temporary directory removed when the command ends, however it ends; the
# script exits with the command's status. The server's log is printed on stderr when the
# command fails, or always with KMS_SHOW_LOG=1.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
server="${REFERENCE_KMS:-$root/target/release/reference-kms}"

partner=0
if [ "${1:-}" = "--partner" ]; then partner=1; shift; fi
server_args=()
if [[ " $* " == *" -- "* ]]; then
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do server_args+=("$1"); shift; done
  shift
fi
if [ $# -eq 0 ]; then
  echo "usage: $0 [--partner] [reference-kms options...] -- command [args...]" >&2
  exit 2
fi
if [ ! -x "$server" ]; then
  echo "run-with-kms: $server not found: build it with cargo build --release -p reference-kms" >&2
  exit 2
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/reference-kms.XXXXXX")"
pid=""
partner_pid=""
cmd=""
cleanup() {
  if [ -n "$cmd" ] && kill -0 "$cmd" 2>/dev/null; then kill -TERM "$cmd" 2>/dev/null || true; fi
  for p in "$pid" "$partner_pid"; do
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
      kill -TERM "$p" 2>/dev/null || true
      wait "$p" 2>/dev/null || true
    fi
  done
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

partner_args=()
if [ "$partner" = 1 ]; then
  # Each instance writes its certificate and serves the other's file, read at the first
  # certcache request once it exists: the start order does not matter.
  partner_args=(--certificate-out "$dir/home-cert.xml"
    --partner-certificate "$dir/partner-cert.xml")
fi

"$server" --listen 127.0.0.1:0 --ca-out "$KMS_CA" --port-out "$dir/port" \
  --kms-uri kms.example.org --key-period 2592000 --key-offset 0 \
  --user "$KMS_TOKEN_ALICE=sip:alice@example.org" \
  --user "$KMS_TOKEN_BOB=sip:bob@example.org" \
  --user "$KMS_TOKEN_GMS=sip:gms@example.org" \
  --control-token "$KMS_CONTROL_TOKEN" \
  ${partner_args[@]+"${partner_args[@]}"} \
  ${server_args[@]+"${server_args[@]}"} 2>"$KMS_LOG" &
pid=$!

if [ "$partner" = 1 ]; then
  KMS_TOKEN_CAROL="carol-$(token)"
  PARTNER_KMS_CONTROL_TOKEN="control-$(token)"
  PARTNER_KMS_CA="$dir/partner-ca.pem"
  PARTNER_KMS_LOG="$dir/partner-kms.log"
  "$server" --listen 127.0.0.1:0 --ca-out "$PARTNER_KMS_CA" --port-out "$dir/partner-port" \
    --kms-uri partner.example.net --key-period 2592000 --key-offset 0 \
    --user "$KMS_TOKEN_CAROL=sip:carol@partner.example.net" \
    --control-token "$PARTNER_KMS_CONTROL_TOKEN" \
    --certificate-out "$dir/partner-cert.xml" \
    --partner-certificate "$dir/home-cert.xml" 2>"$PARTNER_KMS_LOG" &
  partner_pid=$!
fi

# Each server writes its port file (atomically, after its certificate files) once it listens.
wait_for() { # <name> <pid> <port file> <log>
  for _ in $(seq 300); do
    [ -s "$3" ] && return 0
    if ! kill -0 "$2" 2>/dev/null; then
      echo "run-with-kms: $1 exited before listening:" >&2
      cat "$4" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "run-with-kms: $1 did not listen within 30 s:" >&2
  cat "$4" >&2
  exit 1
}
wait_for reference-kms "$pid" "$dir/port" "$KMS_LOG"
KMS_URL="https://127.0.0.1:$(tr -d '[:space:]' <"$dir/port")"
export KMS_URL KMS_CA KMS_TOKEN_ALICE KMS_TOKEN_BOB KMS_TOKEN_GMS KMS_CONTROL_TOKEN KMS_LOG
if [ "$partner" = 1 ]; then
  wait_for "the partner reference-kms" "$partner_pid" "$dir/partner-port" "$PARTNER_KMS_LOG"
  PARTNER_KMS_URL="https://127.0.0.1:$(tr -d '[:space:]' <"$dir/partner-port")"
  export PARTNER_KMS_URL PARTNER_KMS_CA KMS_TOKEN_CAROL PARTNER_KMS_CONTROL_TOKEN PARTNER_KMS_LOG
fi

# In the background so that a signal to this script stops the command and the server at once.
status=0
"$@" <&0 &
cmd=$!
wait "$cmd" || status=$?
cmd=""
if [ "$status" -ne 0 ] || [ "${KMS_SHOW_LOG:-0}" = 1 ]; then
  echo "run-with-kms: command exited with status $status; the server's log:" >&2
  sed 's/^/  /' "$KMS_LOG" >&2
  if [ "$partner" = 1 ]; then
    echo "run-with-kms: the partner server's log:" >&2
    sed 's/^/  /' "$PARTNER_KMS_LOG" >&2
  fi
fi
exit "$status"
