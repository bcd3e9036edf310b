#!/bin/sh
# Entry point with the official redis image's contract, for Debian's redis-server.
set -e

# `IMAGE --some-option` or `IMAGE some.conf` means redis-server with those arguments.
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi

if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
  find . \! -user redis -exec chown redis '{}' +
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi

# The official image's redis-server is patched to default to protected-mode no (a container is reached through
# its published port, never from loopback). Debian's is not: pass it first so that an explicit argument still
# wins. A config file must be the first argument, so when one is given its own settings are left alone.
if [ "$1" = redis-server ]; then
  case "${2:-}" in
    "" | --*)
      shift
      set -- redis-server --protected-mode no "$@"
      ;;
  esac
fi

# Data files readable by redis only, as in the official image.
if [ "$(umask)" = 0022 ]; then
  umask 0077
fi

exec "$@"
