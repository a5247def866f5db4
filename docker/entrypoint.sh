#!/bin/sh
# Entry point of every Brink image: the `brink` command, as the image's bundle (services/brink/bundle/brink.js, made
# by docker/bundle.mjs: the same compiled code, bundled and minified, which takes less memory per process).
#
# - With no arguments it runs what the image was built for: `brink run <service>` on NATS (BRINK_BUS_URL), or
#   `brink start` (every service in one process) for the all-in-one image.
# - Secrets as files (Docker/Kubernetes secrets): for every BRINK_<NAME>_FILE=<path> in the environment,
#   BRINK_<NAME> is set to the file's content (trailing newline dropped), e.g. BRINK_API_TOKEN_FILE=/run/secrets/api_token.
#   A variable set directly wins over its _FILE form.
set -eu
BRINK_HOME="${BRINK_HOME:-/app}"

for name in $(env | sed -n 's/^\(BRINK_[A-Z0-9_]*\)_FILE=.*/\1/p'); do
  eval "current=\${$name:-}"
  eval "file=\${${name}_FILE}"
  if [ -z "$current" ]; then
    if [ ! -r "$file" ]; then
      echo "brink: ${name}_FILE names $file, which cannot be read" >&2
      exit 1
    fi
    value="$(cat "$file")"
    export "$name=$value"
  fi
  unset "${name}_FILE"
done

if [ "$#" -eq 0 ]; then
  if [ "${BRINK_IMAGE_SERVICE:-all}" = all ]; then set -- start; else set -- run "$BRINK_IMAGE_SERVICE"; fi
fi
exec node "$BRINK_HOME/services/brink/bundle/brink.js" "$@"
