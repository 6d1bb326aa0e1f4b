#!/usr/bin/env bash
# Zhongshu from a fresh checkout. Needs only Python >= 3.11 and pip.
#
#   ./zs demo [--port P]     demo factory at http://127.0.0.1:8000/ (data in ./data)
#   ./zs test [pytest args]  the test suite (on PostgreSQL when DATABASE_URL is set)
#   ./zs serve [options]     the production server (zhongshu serve --help)
#   ./zs lint                ruff check + ruff format --check + lint-imports (the layers) + mypy
#   ./zs bench NAME [args]   run benchmarks/NAME.py (e.g. ./zs bench orders --quick)
#   ./zs <anything else>     passed to the zhongshu command (migrate, adduser, ...)
set -euo pipefail
cd "$(dirname "$0")"

say() { printf '\033[1m%s\033[0m\n' "$*" >&2; }

ensure_uv() {
    if command -v uv >/dev/null 2>&1; then return; fi
    export PATH="$HOME/.local/bin:$PWD/.zs/bootstrap/bin:$PATH"
    if command -v uv >/dev/null 2>&1; then return; fi
    say "Installing uv (the Python package manager) ..."
    python3 -m pip install --user --quiet uv 2>/dev/null \
        || { python3 -m venv .zs/bootstrap 2>/dev/null && .zs/bootstrap/bin/pip install --quiet uv; } \
        || python3 -m pip install --user --quiet --break-system-packages uv
    # (the last one is for distributions that forbid --user installs and ship Python without venv;
    # it only writes to ~/.local)
    command -v uv >/dev/null 2>&1 || { say "Could not install uv."; exit 1; }
}

ensure_env() {
    ensure_uv
    uv sync --frozen --quiet
}

ensure_browser() {
    if [ -x /usr/bin/chromium ]; then return; fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "Installing Chromium for the browser tests ..."
        apt-get update -qq && apt-get install -y -qq chromium >/dev/null
    else
        say "Chromium not found at /usr/bin/chromium: browser tests will be skipped."
    fi
}

cmd="${1:-help}"
[ $# -gt 0 ] && shift
case "$cmd" in
    demo)
        ensure_env
        export ZHONGSHU_DATA_DIR="${ZHONGSHU_DATA_DIR:-$PWD/data}"
        exec uv run zhongshu demo "$@"
        ;;
    serve)
        ensure_env
        exec uv run zhongshu serve "$@"
        ;;
    test)
        ensure_env
        ensure_browser
        data_dir="$(mktemp -d -t zhongshu-test-XXXXXX)"
        trap 'rm -rf "$data_dir"' EXIT
        # one pytest worker per CPU (ZS_TEST_WORKERS=0 runs in-process); a test module stays on
        # one worker so its module-scoped fixtures are built once
        workers="${ZS_TEST_WORKERS:-auto}"
        # compiled bytecode (and the tests' assertion-rewritten modules) kept in .zs/pycache,
        # even where PYTHONDONTWRITEBYTECODE is set: otherwise every worker and every
        # `zhongshu` subprocess a test starts compiles Django and the project again (a third of
        # a worker's start-up)
        export PYTHONPYCACHEPREFIX="${PYTHONPYCACHEPREFIX:-$PWD/.zs/pycache}"
        unset PYTHONDONTWRITEBYTECODE
        parallel=()
        [ "$workers" != 0 ] && parallel=(-n "$workers" --dist loadscope)
        ZHONGSHU_DATA_DIR="$data_dir" uv run pytest -q "${parallel[@]}" "$@"
        ;;
    lint)
        ensure_env
        uv run ruff check .
        uv run ruff format --check .
        uv run lint-imports
        uv run mypy
        ;;
    bench)
        name="${1:?usage: ./zs bench NAME [args] (see benchmarks/)}"
        shift
        ensure_env
        exec uv run python "benchmarks/$name.py" "$@"
        ;;
    help | -h | --help)
        sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
        ;;
    *)
        ensure_env
        exec uv run zhongshu "$cmd" "$@"
        ;;
esac
