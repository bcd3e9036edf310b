#!/usr/bin/env bash
# Removes what testcontainers leaves behind when its Ryuk reaper is disabled (TESTCONTAINERS_RYUK_DISABLED=true,
# needed where the reaper image cannot be pulled): the containers (with their anonymous volumes), networks,
# volumes and images that carry testcontainers' session label, i.e. exactly what Ryuk would have removed.
# Containers started with .withReuse() have no session label and are kept, as Ryuk keeps them.
# Run it after the test run (e.g. a CI "always" step): it also removes the resources of any test run still going
# on the same Docker engine.
set -euo pipefail

# LABEL_TESTCONTAINERS_SESSION_ID in testcontainers/build/utils/labels.js (testcontainers 12.x).
SESSION_LABEL="org.testcontainers.session-id"

remove_all() {
  local kind=$1 ids
  shift
  mapfile -t ids < <(docker "$kind" ls --quiet --filter "label=$SESSION_LABEL" "$@" | sort -u)
  if ((${#ids[@]} > 0)); then
    case "$kind" in
      container) docker container rm --force --volumes "${ids[@]}" >/dev/null ;;
      image) docker image rm --force "${ids[@]}" >/dev/null ;;
      *) docker "$kind" rm "${ids[@]}" >/dev/null ;;
    esac
  fi
  echo "${#ids[@]} ${kind}s"
}

main() {
  if ! docker info >/dev/null 2>&1; then
    echo "remove-test-containers: docker does not answer" >&2
    exit 1
  fi
  local summary=()
  # Containers first: networks, volumes and images in use cannot be removed.
  summary+=("$(remove_all container --all)")
  summary+=("$(remove_all network)")
  summary+=("$(remove_all volume)")
  summary+=("$(remove_all image)")
  local joined
  joined=$(printf '%s, ' "${summary[@]}")
  echo "remove-test-containers: removed ${joined%, }"
}

main "$@"
