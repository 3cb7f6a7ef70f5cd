#!/bin/sh
# hold-tokens.sh DIR N TOKEN...
# A ptbw client command for the stress test: check that exactly N tokens
# were granted, then hold a non-blocking exclusive flock(1) on DIR/<token>
# for every token at once, briefly. Exits 98 on a wrong count and 99 if any
# token's lock is already held by someone else (two holders at once).
set -u
dir=$1 n=$2
shift 2
if [ "$n" != "-" ] && [ $# -ne "$n" ]; then
  exit 98
fi
if [ $# -eq 0 ]; then
  sleep 0.01
  exit 0
fi
t=$1
shift
exec flock -n -E 99 "$dir/$t" "$0" "$dir" - "$@"
