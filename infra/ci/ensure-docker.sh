#!/usr/bin/env bash
# Makes sure a Docker engine and both compose implementations are usable on a Debian machine without a container
# registry. Installs docker.io / docker-compose (1.29) from the Debian mirror when missing, and Compose v2 as a
# Docker CLI plugin (Debian 12 has no package for it: it comes from Debian 13's docker-compose package), starts
# dockerd in the background when the engine does not answer, and waits (bounded) until it does. Idempotent: does
# nothing when all of it is already there.
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

# Compose v2 from Debian 13 (trixie), fetched by apt itself with a private source list and package lists, so that
# the archive signatures are checked as for any package, and this machine's apt sources stay as they are. Only the
# plugin binary (static apart from libc) is installed, where the Docker CLI looks for plugins; the docker-compose
# 1.29 command stays.
readonly COMPOSE_PLUGIN_DIR=/usr/local/lib/docker/cli-plugins
install_compose_v2() {
  docker compose version >/dev/null 2>&1 && return 0
  local apt_dir="$CACHE_DIR/apt-trixie" log="$CACHE_DIR/ensure-docker-compose-v2.log"
  rm -rf "$apt_dir" && mkdir -p "$apt_dir/lists/partial" "$apt_dir/parts" "$apt_dir/deb"
  echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main' \
    >"$apt_dir/sources.list"
  local private=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/parts"
    -o "Dir::State::Lists=$apt_dir/lists" -o APT::Sandbox::User=root)
  {
    apt-get "${private[@]}" update -q &&
      (cd "$apt_dir/deb" && apt-get "${private[@]}" download docker-compose) &&
      dpkg-deb -x "$apt_dir"/deb/docker-compose_*.deb "$apt_dir/root" &&
      "${SUDO[@]}" install -D -m 0755 "$apt_dir/root/usr/libexec/docker/cli-plugins/docker-compose" \
        "$COMPOSE_PLUGIN_DIR/docker-compose" &&
      docker compose version
  } >"$log" 2>&1 || fail "installing Compose v2 failed" "$log"
  rm -rf "$apt_dir"
  actions+=("installed Compose v2 $(docker compose version --short) in $COMPOSE_PLUGIN_DIR")
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
  install_compose_v2
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
