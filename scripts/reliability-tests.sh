#!/usr/bin/env bash
# Runs the reliability and security tests (xunit trait Category=Reliability: hostile HTTP, slow
# clients, spoofing, property tests, SIGKILL during admin PUTs, admin and peer security, fixed-time
# comparison) and writes their table, case by case, into the "tests" section of docs/reliability.md.
#   scripts/reliability-tests.sh            # run and write the section
#   scripts/reliability-tests.sh --no-doc   # run and print only
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
doc="$here/docs/reliability.md"
[ "${1:-}" = "--no-doc" ] && doc="-"
results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
start=$(date +%s)
status=0
dotnet test "$here/Valet.sln" --filter "Category=Reliability" --logger "trx" --results-directory "$results" || status=$?
elapsed=$(( $(date +%s) - start ))

python3 - "$results" "$doc" "$elapsed" "$(nproc)" <<'PY'
import glob, re, sys, datetime, collections
import xml.etree.ElementTree as ET
results, doc, elapsed, cores = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
areas = {
    "MalformedHttpTests": "Malformed and hostile HTTP/1.1 on raw sockets",
    "RoutingTests": "Paths escaping the app",
    "SlowClientTests": "Slow clients (slowloris, slow body)",
    "SpoofingTests": "Spoofed forwarding, consumer and Host headers",
    "AppConfigParserPropertyTests": "Property: app-file parser and validator",
    "GrpcFrameReaderPropertyTests": "Property: gRPC frame decoder",
    "AppRoundTripPropertyTests": "Property: admin API PUT/GET round trip",
    "CrashDuringPutTests": "SIGKILL during admin PUTs",
    "AdminAccessTests": "Admin API tokens and binding",
    "AdminDaemonTests": "Admin API tokens and binding",
    "PeerAuthTests": "Peer port tokens",
    "PeerTokenStartupTests": "Peer port tokens",
    "SecretComparisonTests": "Fixed-time comparison of secrets",
}
order = list(dict.fromkeys(areas.values()))
methods = collections.OrderedDict()
for trx in sorted(glob.glob(f"{results}/*.trx")):
    for r in ET.parse(trx).getroot().iterfind(".//t:UnitTestResult", ns):
        name = r.get("testName")
        full, _, args = name.partition("(")
        parts = full.split(".")
        cls, method = parts[-2], parts[-1]
        h, m, s = r.get("duration", "0:0:0").split(":")
        seconds = int(h) * 3600 + int(m) * 60 + float(s)
        entry = methods.setdefault((cls, method), {"cases": [], "passed": 0, "failed": 0, "seconds": 0.0})
        entry["cases"].append(args.rstrip(")"))
        entry["passed" if r.get("outcome") == "Passed" else "failed"] += 1
        entry["seconds"] += seconds
def words(method):
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", method)
    return spaced.replace("_", ": ", 1).replace("_", ", ").lower()
def values(args):
    found = re.findall(r'\w+: ("(?:[^"\\]|\\.)*"|[^,]+)', args)
    shown = []
    for v in found:
        v = v.strip()
        if v.startswith('"'): v = v[1:-1]
        shown.append(v if len(v) <= 40 else v[:37] + "...")
    return " / ".join(shown).replace("|", "\\|")
def cases(entry):
    args = sorted(a for a in entry["cases"] if a)
    return f"{len(args)}: " + "; ".join(values(a) for a in args) if args else "1"
lines = []
total = sum(e["passed"] + e["failed"] for e in methods.values())
failed = sum(e["failed"] for e in methods.values())
lines.append(f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {cores} cores by `scripts/reliability-tests.sh`: "
             f"{total - failed} passed, {failed} failed, {elapsed} s including the build.")
lines.append("")
lines.append("| area | test: scenario | cases | result | time |")
lines.append("|---|---|---|---|---|")
for key, entry in sorted(methods.items(), key=lambda kv: (order.index(areas[kv[0][0]]) if kv[0][0] in areas else 99, kv[0][0], kv[0][1])):
    cls, method = key
    result = "passed" if entry["failed"] == 0 else f"**{entry['failed']} failed**"
    lines.append(f"| {areas.get(cls, cls)} | {cls}: {words(method)} | {cases(entry)} | {result} | {entry['seconds']:.1f} s |")
table = "\n".join(lines)
print(table)
if doc != "-":
    begin, end = "<!-- tests:begin (written by scripts/reliability-tests.sh; do not edit by hand) -->", "<!-- tests:end -->"
    text = open(doc).read()
    a, b = text.find("<!-- tests:begin"), text.find(end)
    section = begin + "\n" + table + "\n" + end
    text = text[:a] + section + text[b + len(end):] if a >= 0 and b > a else text.rstrip() + "\n\n" + section + "\n"
    open(doc, "w").write(text)
    print(f"wrote the tests section of {doc}")
PY
exit $status
