#!/usr/bin/env bash
# Install everything the test suite needs (system packages with apt, Python packages with pip), then run it.
# This is the README's test command, and what CI runs (.ci/run); extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: a JVM (HermiT/Pellet), Graphviz (pictures), Virtuoso (a real SPARQL server),
# Chromium (browser tests), Jena (an independent RDF validator and SPARQL engine), hyperfine and time (benchmarks),
# curl (the Virtuoso start script), Node.js and npm (jsonld.js, a second JSON-LD processor).
need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v dot >/dev/null 2>&1 || need+=(graphviz)
command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -d /usr/share/java ] && ls /usr/share/java/jena-arq*.jar >/dev/null 2>&1 || need+=(libapache-jena-java)
command -v hyperfine >/dev/null 2>&1 || need+=(hyperfine)
command -v curl >/dev/null 2>&1 || need+=(curl)
[ -x /usr/bin/time ] || need+=(time)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "run-tests: installing system packages: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  # Debian's virtuoso post-install tries to start a system instance; that may fail harmlessly here.
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || \
    $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

python=${PYTHON:-python3}
"$python" -m pip install -q --disable-pip-version-check -e ".[test]"
# Node.js readers, pinned by tests/js/package-lock.json (from the npm registry)
npm ci --prefix tests/js --no-audit --no-fund --loglevel=error >/dev/null
exec "$python" -m pytest "$@"
