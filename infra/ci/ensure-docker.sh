#!/usr/bin/env bash
# Makes sure a Docker engine and docker-compose are usable on a Debian machine without a container registry.
# Installs docker.io / docker-compose from the Debian mirror when missing, starts dockerd in the background when
# the engine does not answer, and waits (bounded) until it does. Idempotent: does nothing when docker already runs.
# Prints one line on success; on failure prints the relevant log and exits non-zero.
set -euo pipefail

CACHE_DIR="${RUNNERLY_CACHE:-$HOME/.cache/runnerly}"
DOCKERD_LOG="$CACHE_DIR/dockerd.log"
DOCKERD_PID="$CACHE_DIR/dockerd.pid"
APT_LOG="$CACHE_DIR/ensure-docker-apt.log"
WAIT_SECONDS="${DOCKER_WAIT_SECONDS:-60}"

SUDO=()
[[ $EUID -eq 0 ]] || SUDO=(sudo -n)
actions=()
started_pid=

fail() {
  echo "ensure-docker: $1" >&2
  if [[ -n "${2:-}" && -s "$2" ]]; then
    echo "--- last lines of $2 ---" >&2
    tail -n 30 "$2" >&2
  fi
  exit 1
}

docker_answers() {
  docker info >/dev/null 2>&1
}

server_version() {
  docker version --format '{{.Server.Version}}'
}

install_missing_packages() {
  local packages=()
  command -v dockerd >/dev/null || packages+=(docker.io)
  command -v docker-compose >/dev/null || packages+=(docker-compose)
  ((${#packages[@]} > 0)) || return 0

  # Recommends (git, needrestart, apparmor, ...) are not needed to run the engine.
  {
    "${SUDO[@]}" apt-get update -q &&
      "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}"
  } >"$APT_LOG" 2>&1 || fail "apt-get install ${packages[*]} failed" "$APT_LOG"
  actions+=("installed ${packages[*]}")
}

# dockerd's own pid file: set early in its start-up, whoever started it (this script, an init script, a user).
dockerd_running() {
  local pid
  pid="$(cat /var/run/docker.pid 2>/dev/null)" || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == dockerd ]]
}

start_dockerd() {
  # setsid: the engine must outlive this script and the shell that ran it.
  "${SUDO[@]}" setsid dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
  started_pid=$!
  echo "$started_pid" >"$DOCKERD_PID"
  actions+=("started dockerd (pid $started_pid, log $DOCKERD_LOG)")
}

wait_for_docker() {
  local deadline=$((SECONDS + WAIT_SECONDS))
  until docker_answers; do
    if [[ -n $started_pid ]] && ! kill -0 "$started_pid" 2>/dev/null; then
      fail "dockerd exited" "$DOCKERD_LOG"
    fi
    ((SECONDS < deadline)) || fail "docker did not answer within ${WAIT_SECONDS}s" "$DOCKERD_LOG"
    sleep 1
  done
}

main() {
  mkdir -p "$CACHE_DIR"
  install_missing_packages
  if docker_answers; then
    actions+=("docker $(server_version) already running")
  else
    # A dockerd that is still starting (e.g. from an earlier run) is waited for, not started twice.
    dockerd_running || start_dockerd
    wait_for_docker
    actions+=("docker $(server_version) ready")
  fi
  local summary
  summary=$(printf '%s; ' "${actions[@]}")
  echo "ensure-docker: ${summary%; }"
}

main "$@"
