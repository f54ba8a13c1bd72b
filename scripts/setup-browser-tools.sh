#!/usr/bin/env bash
# Install what the real-browser tests (tests/browser, pytest marker `browser`) need:
#   * Debian's `chromium` at /usr/bin/chromium (apt-get), driven by Playwright for Python
#     through executable_path: `playwright install` is never run, it downloads browsers;
#   * npm `axe-core`, pinned by tests/browser/node/package{,-lock}.json and installed with
#     `npm ci` into build/browser-tools/ (git-ignored), whence the tests inject axe.min.js.
#
# Idempotent, quiet, and fast when everything is already there. It never fails the
# test run: when apt-get or npm cannot be had it says why and exits 0, and the browser
# tests then skip with that reason (it is also written to build/browser-tools/status.txt).
set -u

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHROMIUM=/usr/bin/chromium
PINS="$ROOT/tests/browser/node"
TOOLS="$ROOT/build/browser-tools"
AXE="$TOOLS/node_modules/axe-core/axe.min.js"
STAMP="$TOOLS/.installed-lock.json"
STATUS="$TOOLS/status.txt"
LOG="$TOOLS/setup.log"

mkdir -p "$TOOLS"
: >"$STATUS"
problems=0

say() { echo "setup-browser-tools: $*"; }
problem() {
    say "$*"
    echo "$*" >>"$STATUS"
    problems=$((problems + 1))
}

# --- chromium (Debian package) ------------------------------------------------------
install_chromium() {
    if [ -x "$CHROMIUM" ]; then
        return 0
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        problem "chromium: $CHROMIUM is missing and apt-get is not available to install Debian's chromium"
        return 0
    fi
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo="sudo -n"
        else
            problem "chromium: $CHROMIUM is missing and installing it needs root (run: apt-get install -y --no-install-recommends chromium)"
            return 0
        fi
    fi
    say "installing Debian's chromium with apt-get (once)"
    if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >>"$LOG" 2>&1; then
        problem "chromium: 'apt-get update' failed (see $LOG): $(tail -n 1 "$LOG")"
        return 0
    fi
    if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        chromium >>"$LOG" 2>&1; then
        problem "chromium: 'apt-get install chromium' failed (see $LOG): $(tail -n 1 "$LOG")"
        return 0
    fi
    if [ ! -x "$CHROMIUM" ]; then
        problem "chromium: apt-get installed chromium but $CHROMIUM is still missing"
    fi
}

# --- axe-core (npm, pinned by the lock file) ----------------------------------------
install_axe() {
    if [ -s "$AXE" ] && cmp -s "$PINS/package-lock.json" "$STAMP"; then
        return 0
    fi
    if ! command -v npm >/dev/null 2>&1; then
        problem "axe-core: npm is not on PATH, so axe-core cannot be installed into $TOOLS (install Debian's nodejs and npm)"
        return 0
    fi
    say "installing axe-core with npm ci into ${TOOLS#"$ROOT"/}"
    cp "$PINS/package.json" "$PINS/package-lock.json" "$TOOLS/"
    if ! npm ci --prefix "$TOOLS" --no-audit --no-fund --ignore-scripts --loglevel=error \
        >>"$LOG" 2>&1; then
        problem "axe-core: 'npm ci' failed (see $LOG): $(tail -n 1 "$LOG")"
        return 0
    fi
    if [ ! -s "$AXE" ]; then
        problem "axe-core: npm ci finished but $AXE is missing"
        return 0
    fi
    cp "$PINS/package-lock.json" "$STAMP"
}

install_chromium
install_axe

if [ "$problems" -gt 0 ]; then
    say "browser tests will be skipped for the reason(s) above"
fi
exit 0
