"""scripts/fuzz: schemathesis against a real ``parley serve`` (docs/security.md, "Fuzzing").

Parley is served on a SQLite database of its own, in a temporary directory, with the demo data
(30 customers): what the runs create, change or delete stays there, away from every other
test. Then, one ``st run`` after the other, each bounded in examples per operation and in time
(shares of PARLEY_FUZZ_SECONDS):

- Parley's own /openapi.json, every operation but /oauth/*, as the demo administrator: the
  coverage and fuzzing phases, then (a run of its own, so that it always has time) the
  stateful phase (links schemathesis infers between the operations: create, then read, change
  and delete what was made);
- the same as a demo customer (who may see only their own data: 403 and 404 mostly);
- the public operations (/oauth/token, /oauth/revoke, /healthz) with no token, after the tokens
  above are had (the log-in limits answer 429 soon);
- each official TMF OpenAPI file of a TMF API Parley serves (the package's copies of
  ../shared/tmf/specs, api/tmf/apis.py), its operations that Parley serves, as the administrator.

Checks: no 5xx (``not_a_server_error``) anywhere; for Parley's own description, its status
codes, content types, headers and response schemas; for the TMF files, each response is held
to Parley's own description of the same operation (``scripts/fuzz_checks.py``), since those
files do not list Parley's error answers. The counts (operations, examples, failures) of each
run and in all are printed at the end; the exit status is 1 if any run failed.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PORT = int(os.environ.get("PARLEY_FUZZ_PORT", "18767"))
BASE = f"http://127.0.0.1:{PORT}"
BUDGET = float(os.environ.get("PARLEY_FUZZ_SECONDS", "150"))
PASSWORD = "parley-demo-2026"  # the demo's log-ins (parley.demo.users)
SPECS = REPO / "src" / "parley" / "api" / "tmf" / "specs"
OWN_CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    )
)
TMF_CHECKS = "not_a_server_error,parley_conformance"


@dataclass
class Run:
    name: str
    location: str
    share: float  # of the time budget
    args: list[str] = field(default_factory=list)
    checks: str = OWN_CHECKS
    prefix: str = ""  # a TMF file's paths are under this one of Parley's
    report: dict = field(default_factory=dict)
    seconds: float = 0.0


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="parley-fuzz-") as directory:
        work = Path(directory)
        env = serving_env(work)
        customer = prepare(env, work)
        log = work / "server.log"
        with open(log, "w") as output:
            server = subprocess.Popen(
                [str(BIN / "parley"), "serve", "--port", str(PORT)],
                cwd=work,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for(server, log)
            admin = token("admin")
            config = work / "schemathesis.toml"
            config.write_text(known_ids(admin))
            runs = plan(admin, token(customer))
            print(f"== fuzz: Parley serves demo data ({time.monotonic() - started:.0f} s)")
            for run in runs:
                execute(run, work, env)
        finally:
            server.terminate()
            server.wait(timeout=30)
        errors = [line for line in log.read_text().splitlines() if "unhandled error" in line]
    return summary(runs, errors, time.monotonic() - started)


def serving_env(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    # The server and the tools run in the temporary directory: paths made absolute.
    given = env.get("PYTHONPATH", "").split(os.pathsep)
    env["PYTHONPATH"] = os.pathsep.join(str(Path(path).resolve()) for path in given if path)
    env.update(
        PARLEY_DATABASE_URL=f"sqlite:///{work / 'parley.db'}",
        PARLEY_BASE_URL=BASE,
        # Nothing is delivered: the hub callbacks the fuzzing registers go nowhere.
        PARLEY_EMBEDDED_WORKER="false",
        PARLEY_LOG_LEVEL="WARNING",
    )
    return env


def prepare(env: dict[str, str], work: Path) -> str:
    """The database migrated and the demo loaded; the demo customer's username."""
    parley = str(BIN / "parley")
    subprocess.run([parley, "db", "upgrade"], cwd=work, env=env, check=True, capture_output=True)
    demo = subprocess.run(
        [parley, "demo", "--customers", "30"], cwd=work, env=env, check=True, capture_output=True
    )
    return re.search(r"customer-[0-9]+", demo.stdout.decode()).group(0)


def wait_for(server: subprocess.Popen, log: Path) -> None:
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{BASE}/healthz", timeout=2)
            return
        except OSError:
            if server.poll() is not None:
                sys.exit(f"parley serve stopped:\n{log.read_text()}")
            time.sleep(0.5)
    sys.exit("parley serve did not answer /healthz within a minute")


def token(username: str) -> str:
    form = urllib.parse.urlencode(
        {"grant_type": "password", "username": username, "password": PASSWORD}
    ).encode()
    with urllib.request.urlopen(f"{BASE}/oauth/token", data=form) as answer:
        return json.load(answer)["access_token"]


# Path parameters, and where to find ids of the demo data for them: a parameter takes one of
# those ids in most examples (so that the fuzzing reaches past "not found"), a generated value
# in the rest. The TMF paths' {id} takes any TMF resource's.
KNOWN = {
    "customer_id": ["/tmf-api/customerManagement/v5/customer"],
    "lead_id": ["/tmf-api/salesManagement/v4/salesLead"],
    "request_id": ["/tmf-api/troubleTicket/v5/troubleTicket"],
    "interaction_id": ["/tmf-api/partyInteractionManagement/v5/partyInteraction"],
    "template_id": ["/api/v1/message-templates"],
    "task_id": ["/api/v1/tasks"],
    "approval_id": ["/api/v1/approvals"],
    "message_id": ["/api/v1/outbox"],
}
KNOWN["id"] = [
    *KNOWN["customer_id"],
    *KNOWN["lead_id"],
    *KNOWN["request_id"],
    *KNOWN["interaction_id"],
    "/tmf-api/partyManagement/v5/individual",
    "/tmf-api/accountManagement/v5/billingAccount",
    "/tmf-api/communicationManagement/v4/communicationMessage",
]


def known_ids(admin: str) -> str:
    """A schemathesis.toml binding each path parameter of KNOWN to the demo's ids."""
    lines: list[str] = []
    bindings: list[str] = []
    for name, sources in KNOWN.items():
        found = sorted({i for source in sources for i in ids_at(source, admin)})
        if found:
            lines += [f"[dictionaries.{name}]", f"values = {json.dumps(found[:40])}", ""]
            bindings.append(f'"path.{name}" = {{ dictionary = "{name}", probability = 0.8 }}')
    return "\n".join([*lines, "[parameters]", *bindings, ""])


def ids_at(path: str, admin: str) -> list[str]:
    request = urllib.request.Request(
        f"{BASE}{path}?limit=20", headers={"Authorization": f"Bearer {admin}"}
    )
    try:
        with urllib.request.urlopen(request) as answer:
            listed = json.load(answer)
    except OSError:
        return []
    items = listed.get("items", []) if isinstance(listed, dict) else listed
    return [str(item["id"]) for item in items if isinstance(item, dict) and "id" in item]


def plan(admin: str, customer: str) -> list[Run]:
    own = f"{BASE}/openapi.json"
    not_oauth = ["--exclude-path-regex", "^/oauth/"]
    runs = [
        Run(
            "own API, administrator",
            own,
            0.27,
            [*bearer(admin), *not_oauth, "--phases", "coverage,fuzzing"],
        ),
        Run(
            "own API, administrator, stateful",
            own,
            0.13,
            [*bearer(admin), *not_oauth, "--phases", "stateful"],
        ),
        Run(
            "own API, customer",
            own,
            0.20,
            [*bearer(customer), *not_oauth, "--phases", "coverage,fuzzing"],
        ),
        Run(
            "own API, no token (public)",
            own,
            0.06,
            ["--include-path-regex", "^/(oauth/|healthz)", "--phases", "coverage,fuzzing"],
        ),
    ]
    tmf = tmf_runs(admin, json.load(urllib.request.urlopen(own)))
    for run in tmf:
        run.share = 0.30 / len(tmf)
    return runs + tmf


def bearer(token: str) -> list[str]:
    return ["-H", f"Authorization: Bearer {token}"]


def tmf_runs(admin: str, own: dict) -> list[Run]:
    """One run per TMF API Parley serves: its official file, the operations Parley serves."""
    sys.path.insert(0, str(REPO / "src"))
    import yaml  # Parley's own dependency

    from parley.api.tmf.apis import tmf_apis
    from parley.settings import Settings

    settings = Settings(_env_file=None)
    runs = []
    for api in tmf_apis():
        (spec,) = SPECS.glob(f"{api.code[:6]}-*-v{api.version}.*")  # TMF683v4: TMF683
        prefix = api.prefix(settings)
        official = yaml.safe_load(spec.read_text(encoding="utf-8"))["paths"]
        served = [
            f"{method.upper()} {path}"
            for path, item in official.items()
            for method in item
            if method in own["paths"].get(f"{prefix}{path}", {})
        ]
        names = [arg for name in served for arg in ("--include-name", name)]
        runs.append(
            Run(
                f"TMF file {spec.name}",
                str(spec),
                0.0,
                [*bearer(admin), "--url", f"{BASE}{prefix}", *names, "--phases", "fuzzing"],
                checks=TMF_CHECKS,
                prefix=prefix,
            )
        )
    return runs


def execute(run: Run, work: Path, env: dict[str, str]) -> None:
    seconds = max(4, round(BUDGET * run.share))
    reports = work / "reports" / re.sub(r"[^a-z0-9]+", "-", run.name.lower())
    command = [
        str(BIN / "st"),
        "--config-file",
        str(work / "schemathesis.toml"),
        "run",
        run.location,
        *run.args,
        "--checks",
        run.checks,
        "--max-examples",
        os.environ.get("PARLEY_FUZZ_EXAMPLES", "10"),
        "--max-time",
        str(seconds),
        # One at a time: with two threads, Python 3.11's ast.parse (Hypothesis describing its
        # filters) now and then fails "AST constructor recursion depth mismatch", an error of
        # the tool that would fail the run.
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--no-shrink",
        "--output-truncate",
        "true",
        "--report",
        "json",
        "--report-dir",
        str(reports),
    ]
    hooks = {
        "SCHEMATHESIS_HOOKS": "fuzz_checks",  # scripts/fuzz_checks.py: parley_conformance
        "PARLEY_FUZZ_OWN": f"{BASE}/openapi.json",
        "PARLEY_FUZZ_PREFIX": run.prefix,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "scripts"), env.get("PYTHONPATH")])),
    }
    print(f"== fuzz: {run.name} ({seconds} s)", flush=True)
    began = time.monotonic()
    done = subprocess.run(
        command,
        cwd=work,
        env={**env, **hooks},
        capture_output=True,
        text=True,
    )
    run.seconds = time.monotonic() - began
    found = sorted(reports.glob("*.json"))
    run.report = json.loads(found[-1].read_text()) if found else {}
    kept = os.environ.get("PARLEY_FUZZ_OUTPUT")  # a directory for each run's whole output
    if kept:
        Path(kept).mkdir(parents=True, exist_ok=True)
        (Path(kept) / f"{reports.name}.txt").write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        print(done.stdout[-12000:], done.stderr[-4000:], sep="\n", flush=True)


def counts(run: Run) -> tuple[int, int, int, int]:
    report = run.report
    operations = report.get("operations", {}).get("tested", 0)
    cases = report.get("test_cases", {})
    failures = cases.get("unique_failures", 0)
    errors = sum(error.get("count", 1) for error in report.get("errors", []))
    return operations, cases.get("generated", 0), failures, errors


def summary(runs: list[Run], server_errors: list[str], seconds: float) -> int:
    print("\n== fuzz: results (operations tested, examples, failures, errors, seconds)")
    totals = [0, 0, 0, 0]
    failed = False
    for run in runs:
        numbers = counts(run)
        totals = [a + b for a, b in zip(totals, numbers, strict=True)]
        # A run that tested nothing (a filter that matches no operation) fails as well.
        failed |= not numbers[0] or run.report.get("exit_code", 1) != 0
        print(
            f"  {run.name:<58} {numbers[0]:>4} {numbers[1]:>7} {numbers[2]:>4} "
            f"{numbers[3]:>3} {run.seconds:>6.1f}"
        )
    print(
        f"  {'in all':<58} {totals[0]:>4} {totals[1]:>7} {totals[2]:>4} {totals[3]:>3} "
        f"{seconds:>6.1f}"
    )
    if server_errors:
        failed = True
        print(f"  the server logged {len(server_errors)} unhandled errors:")
        print("\n".join(server_errors[:5]))
    print(
        f"fuzz: {'FAILED' if failed else 'passed'}: {totals[0]} operations, "
        f"{totals[1]} examples, {totals[2]} failures, {totals[3]} errors in {seconds:.0f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
