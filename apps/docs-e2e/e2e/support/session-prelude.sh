# Sourced by each doc's shell session before its first block. The doc's commands then run as written, in the
# repository root, at a reader's pace on the routes that take credentials (see curl below), except three that a
# test run cannot run as a reader does:
#   npm ci      the dependencies are installed already (and replacing them would pull them from under jest);
#   npm start   starts the stack in the background, logs to the state folder, and returns once it is ready;
#               a second `npm start` first stops the running stack with SIGINT, as Ctrl-C does;
#   npm test    checks that the selection names at least one test file (the tests themselves run in this
#               same `npm test`), instead of starting a test run inside the test run; a page run in a copy of
#               the workspace (DOC_TEST_RUN_TESTS=1: the capstone, which watches its tests fail) runs them.
# and two that a reader does with their own eyes:
#   docker compose up    returns once every container is healthy (or has exited), where a reader waits
#                        until `docker compose ps` says so;
#   sudo                 runs the command as it is when the session is root and no sudo is installed.

doc_test_stop_stack() {
  local pid_file="$RUNNERLY_STATE_DIR/doc-test-stack.pid"
  [ -f "$pid_file" ] || return 0
  local pid
  pid=$(cat "$pid_file")
  kill -INT -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$pid_file"
}

doc_test_start_stack() {
  doc_test_stop_stack
  local log="$RUNNERLY_STATE_DIR/doc-test-stack-$(date +%s%N).log"
  setsid npm start "$@" >"$log" 2>&1 </dev/null &
  echo $! >"$RUNNERLY_STATE_DIR/doc-test-stack.pid"
  for _ in $(seq 1 3600); do
    doc_test_stack_ready && return 0
    kill -0 "$(cat "$RUNNERLY_STATE_DIR/doc-test-stack.pid")" 2>/dev/null || break
    sleep 0.1
  done
  echo "doc-test: the stack did not get ready; its log:" && tail -n 40 "$log"
  return 1
}

# `RUNNERLY_HTTPS=1 npm start` serves the gateway over HTTPS, with a certificate from the CA in the state folder.
doc_test_stack_ready() {
  if [ "${RUNNERLY_HTTPS:-}" = 1 ]; then
    [ -f "$RUNNERLY_STATE_DIR/tls/ca.pem" ] &&
      curl -sf -o /dev/null --cacert "$RUNNERLY_STATE_DIR/tls/ca.pem" https://127.0.0.1:3000/health/ready
  else
    curl -sf -o /dev/null http://127.0.0.1:3000/health/ready
  fi
}

npm() {
  case "${1:-}" in
    ci) echo "doc-test: npm ci skipped, the dependencies are installed" ;;
    start) shift && doc_test_start_stack "$@" ;;
    test)
      [ "${DOC_TEST_RUN_TESTS:-}" = 1 ] && {
        command npm "$@"
        return
      }
      shift
      [ "${1:-}" = "--" ] && shift
      local selected
      selected=$(command npm test --silent -- --listTests "$@" 2>&1 | grep -c 'spec\.ts$')
      if [ "$selected" -eq 0 ]; then
        echo "doc-test: npm test $* selects no test file"
        return 1
      fi
      echo "doc-test: npm test $* selects $selected test files"
      ;;
    *) command npm "$@" ;;
  esac
}

# A reader sends a few credential requests (sign-ups, logins, refreshes, password changes) a minute; a script
# sends dozens a second, and the limit of 20 per client and minute on these routes (RATE_LIMIT_CREDENTIALS_IP_LIMIT)
# would answer 429 where the doc shows what a reader sees. So this session waits, when needed, to keep under it.
readonly DOC_TEST_CREDENTIALS_PER_MINUTE=15
curl() {
  case " $* " in
    *"/api/auth/"* | *"/oauth/token"* | *"/password"*) doc_test_pace_credentials ;;
  esac
  command curl "$@"
}

doc_test_pace_credentials() {
  local log="$RUNNERLY_STATE_DIR/doc-test-credential-requests"
  local now oldest
  touch "$log"
  now=$(date +%s)
  oldest=$(awk -v since=$((now - 60)) '$1 > since' "$log" | tail -n "$DOC_TEST_CREDENTIALS_PER_MINUTE" | head -n 1)
  if [ "$(awk -v since=$((now - 60)) '$1 > since' "$log" | wc -l)" -ge "$DOC_TEST_CREDENTIALS_PER_MINUTE" ]; then
    sleep $((oldest + 61 - now))
  fi
  date +%s >>"$log"
}

docker() {
  command docker "$@" || return
  if [ "${1:-}" = compose ] && [ "${2:-}" = up ]; then doc_test_wait_until_healthy; fi
}

doc_test_wait_until_healthy() {
  local states
  for _ in $(seq 1 180); do
    states=$(command docker compose ps -a -q | xargs -r docker inspect \
      --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}')
    echo "$states" | grep -qvE '^(healthy|exited)$' || return 0
    sleep 1
  done
  echo "doc-test: the compose stack did not get healthy in 3 minutes:" && command docker compose ps -a
  return 1
}

if [ "$(id -u)" -eq 0 ] && ! command -v sudo >/dev/null; then
  sudo() { "$@"; }
fi
