#!/bin/bash
# The liveness and readiness probe of users and runs (usage: probe.sh live|ready): 200 from /health/<what> on the
# service's health port (HEALTH_PORT), plain HTTP on the pod's loopback. The API port asks every client for a
# certificate, which the kubelet has none of, and the health port listens on 127.0.0.1 only, so the kubelet runs
# this inside the container. bash's /dev/tcp, as the image's own healthcheck.sh: no curl in the image.
what="${1:?usage: probe.sh live|ready}"
exec 3<>"/dev/tcp/127.0.0.1/${HEALTH_PORT:?}" || exit 1
printf 'GET /health/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$what" >&3
IFS= read -r -t 2 status <&3 || exit 1
[[ $status =~ ^HTTP/1\.[01]\ 200\  ]]
