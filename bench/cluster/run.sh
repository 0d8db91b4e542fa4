#!/usr/bin/env bash
# bench/cluster: builds valet (Release) and the cluster benchmark, then runs it.
# Usage: bench/cluster/run.sh [windows per load scenario, default 100]
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build -c Release Valet.Daemon/Valet.Daemon.csproj -v q -nologo
dotnet build -c Release bench/cluster/Valet.Bench.Cluster.csproj -v q -nologo
dotnet bench/cluster/bin/Release/net10.0/Valet.Bench.Cluster.dll Valet.Daemon/bin/Release/net10.0/valet.dll "${1:-100}" bench/results
