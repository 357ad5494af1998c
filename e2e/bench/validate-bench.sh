#!/usr/bin/env bash
# Validation benchmark: fourteen real Debian services in a lab; nmap -sV and portolan validate on
# the same endpoints in the same run; time and accuracy for each (service, product, and the version
# each service discloses, read from dpkg). Needs root, nmap and the services' packages (.ci/run
# installs them). Prints the table and writes scanner/target/validation-bench.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "validate-bench: needs root" >&2; exit 2; }
./mvnw -q -pl crds,scanner -am package -DskipTests
./mvnw -q -pl scanner failsafe:integration-test -Dit.test=ValidationBenchmark -Dfailsafe.failIfNoSpecifiedTests=false >/dev/null || true
cat scanner/target/validation-bench.md
