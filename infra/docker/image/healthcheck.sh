#!/bin/bash
# The image's HEALTHCHECK: healthy while the service answers 200 on /health/ready (usage: healthcheck.sh [port],
# the port defaulting to $HEALTH_PORT, the loopback-only plain-HTTP probe port of a service that serves HTTPS,
# else to $PORT). Docker runs it every few seconds in every container, so it must be cheap: bash's
# /dev/tcp costs about 15 ms of CPU where starting Node with fetch costs about 350 ms, and with some twenty
# containers on a small machine that difference is a third of a core. The slim base image already has bash; it
# has no curl or wget, and adding one would give an attacker a download tool.
port="${1:-${HEALTH_PORT:-${PORT:-3000}}}"
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$port" >&3
IFS= read -r -t 2 status <&3 || exit 1
[[ $status =~ ^HTTP/1\.[01]\ 200\  ]]
