"""The TMF621 kit's version differences: the list names requests and assertions the kit has, and
a run is judged against it (other failures, more than listed, or a listed one passing fail)."""

import json
import re
from pathlib import Path

from tests.contract.expected_failures import failures, judge, listed, main, request_names

KIT = Path(__file__).parent / "TMF621"
COLLECTION = json.loads((KIT / "CTK-TMF621-TroubleTicket.postman_collection.json").read_text())
DIFFERENCES = json.loads((KIT / "version-differences.json").read_text())


def _report(*failed: tuple[str, str], passed: tuple[str, str] = ("", "")) -> dict:
    """A newman JSON report: ``failed`` assertions (request id, name), one passing one."""
    executions = [
        {
            "item": {"id": request_id, "name": "x"},
            "assertions": [{"assertion": name, "error": {"message": "no"}}],
        }
        for request_id, name in failed
    ]
    executions.append({"item": {"id": passed[0], "name": "x"}, "assertions": [{"assertion": "ok"}]})
    total = len(failed) + 1
    return {
        "run": {
            "executions": executions,
            "stats": {"assertions": {"total": total, "failed": len(failed)}},
        }
    }


def _id_of(request: str) -> str:
    return next(i for i, name in request_names(COLLECTION).items() if name == request)


def test_every_listed_assertion_is_one_the_kit_makes_with_a_reason():
    names = set(request_names(COLLECTION).values())
    scripts = json.dumps(COLLECTION)
    for difference in DIFFERENCES["differences"]:
        assert len(difference["reason"]) > 40
        for entry in difference["assertions"]:
            assert entry["request"] in names
            assert re.search(re.escape(entry["assertion"].split(" ")[0]), scripts)


def test_a_run_failing_exactly_the_listed_assertions_passes(tmp_path):
    allowed = listed(DIFFERENCES)
    failed = [
        (_id_of(request), name) for (request, name), times in allowed.items() for _ in range(times)
    ]
    report = tmp_path / "report.json"
    report.write_text(json.dumps(_report(*failed)))
    paths = [
        KIT / "version-differences.json",
        KIT / "CTK-TMF621-TroubleTicket.postman_collection.json",
    ]

    assert failures(_report(*failed), COLLECTION) == allowed
    assert main([str(paths[0]), str(paths[1]), str(report)]) == 0


def test_another_failure_or_a_listed_one_passing_fails_the_run():
    allowed = listed(DIFFERENCES)
    (request, name), *rest = sorted(allowed.elements())
    create = _id_of("TC_Trou_N1 / Create a trouble ticket")
    failed = [(_id_of(r), n) for r, n in rest] + [
        (create, "Status code is 201 (Conformance Profile page 16)")
    ]

    problems = judge(failures(_report(*failed), COLLECTION), allowed)

    assert len(problems) == 2
    assert problems[0].startswith("failed, not a listed version difference (1x): TC_Trou_N1 /")
    assert problems[1].startswith(f"listed as a version difference but passed (1x): {request}")
    assert name in problems[1]


def test_a_listed_assertion_failing_more_often_than_listed_fails_the_run():
    allowed = listed(DIFFERENCES)
    request, name = sorted(allowed)[0]
    failed = [(_id_of(r), n) for r, n in allowed.elements()] + [(_id_of(request), name)]

    problems = judge(failures(_report(*failed), COLLECTION), allowed)

    assert problems == [f"failed, not a listed version difference (1x): {request}: {name}"]
