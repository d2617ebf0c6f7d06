#!/bin/sh
# Runs a JVM command (started with -Xcheck:jni) with its output also kept in LOG, and fails when
# the command fails or when -Xcheck:jni printed a WARNING (JNI misuse the JVM tolerated).
#
#   bindings/jni/run-checked.sh LOG command [args...]
set -u
log="$1"
shift
status=0
"$@" >"$log" 2>&1 || status=$?
cat "$log"
if grep -n "WARNING" "$log"; then
  echo "$0: -Xcheck:jni printed a warning" >&2
  exit 1
fi
exit "$status"
