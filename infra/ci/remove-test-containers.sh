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

# The container e2e suite runs its own compose projects (runnerly-e2e-<hex>) and removes them itself; a test run
# killed half-way leaves one behind. Compose labels everything it creates with its project name.
remove_e2e_compose_projects() {
  local projects project label ids
  mapfile -t projects < <(docker container ls --all --format '{{.Label "com.docker.compose.project"}}' | grep -E '^runnerly-e2e-[0-9a-f]+$' | sort -u || true)
  for project in "${projects[@]}"; do
    label="label=com.docker.compose.project=$project"
    mapfile -t ids < <(docker container ls --all --quiet --filter "$label")
    ((${#ids[@]} == 0)) || docker container rm --force --volumes "${ids[@]}" >/dev/null
    for kind in network volume; do
      mapfile -t ids < <(docker "$kind" ls --quiet --filter "$label")
      ((${#ids[@]} == 0)) || docker "$kind" rm "${ids[@]}" >/dev/null
    done
  done
  echo "${#projects[@]} e2e compose projects"
}

main() {
  if ! docker info >/dev/null 2>&1; then
    echo "remove-test-containers: docker does not answer" >&2
    exit 1
  fi
  local summary=()
  # Containers first: networks, volumes and images in use cannot be removed.
  summary+=("$(remove_e2e_compose_projects)")
  summary+=("$(remove_all container --all)")
  summary+=("$(remove_all network)")
  summary+=("$(remove_all volume)")
  summary+=("$(remove_all image)")
  local joined
  joined=$(printf '%s, ' "${summary[@]}")
  echo "remove-test-containers: removed ${joined%, }"
}

main "$@"
