#!/usr/bin/env bash
# Unpacks Debian's kubectl (package kubernetes-client: kubectl 1.20 with Kustomize v2.0.3 built in) into the cache,
# for the offline tests of the manifests (infra/k8s/manifests.spec.ts): rendering needs no cluster. Not installed
# system-wide: nothing on the machine changes, and a kubectl you have stays the one on your PATH. Idempotent.
#   bash infra/k8s/install-kubectl.sh    ->  prints the path of that kubectl
set -euo pipefail
readonly CACHE="${RUNNERLY_CACHE:-$HOME/.cache/runnerly}"
readonly TARGET="$CACHE/kubernetes-client"
readonly KUBECTL="$TARGET/usr/bin/kubectl"

if ! "$KUBECTL" version --client >/dev/null 2>&1; then
  download=$(mktemp -d)
  trap 'rm -rf "$download"' EXIT
  chmod 777 "$download" # apt's download user writes there
  # An old or missing package list: refresh it once, then try again.
  (cd "$download" && apt-get download -q kubernetes-client >/dev/null 2>&1) || {
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -q >/dev/null
    (cd "$download" && apt-get download -q kubernetes-client >/dev/null)
  }
  rm -rf "$TARGET"
  mkdir -p "$TARGET"
  dpkg-deb -x "$download"/kubernetes-client_*.deb "$TARGET"
fi
echo "$KUBECTL"
