#!/bin/sh
# Same contract as the official node image: `IMAGE -e "..."` or `IMAGE app.js` runs node with those arguments;
# any other command (`npm ci`, `bash`) runs as given.
set -e

if [ "${1#-}" != "$1" ] || [ -z "$(command -v "$1")" ] || { [ -f "$1" ] && ! [ -x "$1" ]; }; then
  set -- node "$@"
fi

exec "$@"
