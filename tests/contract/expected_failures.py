"""A kit's run judged against the assertions it is known to fail only by a version difference.

A conformance kit written for another version of an API than Parley serves (the TMF621 R18 kit
against TMF621 v5) fails some assertions for that reason alone. They are listed, each with the
reason, beside the kit (``<kit>/version-differences.json``); ``.ci/ctk`` runs the kit with
newman's JSON report and then this script, which fails if any other assertion failed, or if a
listed one failed more often than listed, or passed (the list is kept exact):

    python tests/contract/expected_failures.py <version-differences.json> <collection> <report>

An assertion is named by its request (``<test case> / <request name>``: the test case is the
start of its folder's name, ``TC_Trou_N2``) and its own name; several with the same names are
counted.
"""

import json
import sys
from collections import Counter

Failure = tuple[str, str]  # (request, assertion)


def request_names(collection: dict) -> dict[str, str]:
    """Each request's id in the collection -> ``<test case> / <request name>``."""
    names: dict[str, str] = {}

    def walk(items: list, case: str | None) -> None:
        for item in items:
            if "item" in item:
                walk(item["item"], item["name"].split(" ")[0])
            else:
                request_id = item.get("id") or item.get("_postman_id")  # newman's id is this
                names[request_id] = f"{case} / {item['name']}" if case else item["name"]

    walk(collection["item"], None)
    return names


def failures(report: dict, collection: dict) -> Counter[Failure]:
    """The failed assertions of a newman JSON report, counted."""
    names = request_names(collection)
    found: Counter[Failure] = Counter()
    for execution in report["run"]["executions"]:
        request = names.get(execution["item"]["id"], execution["item"]["name"])
        for assertion in execution.get("assertions") or []:
            if assertion.get("error"):
                found[(request, assertion["assertion"])] += 1
    return found


def listed(differences: dict) -> Counter[Failure]:
    """The failures a ``version-differences.json`` allows, counted."""
    allowed: Counter[Failure] = Counter()
    for difference in differences["differences"]:
        for entry in difference["assertions"]:
            allowed[(entry["request"], entry["assertion"])] += entry.get("times", 1)
    return allowed


def judge(found: Counter[Failure], allowed: Counter[Failure]) -> list[str]:
    """What is wrong with a run: failures not listed (or more often than listed), and listed
    ones that did not fail (the list must then be corrected). Empty: the run is as expected."""
    problems = []
    for (request, assertion), times in sorted((found - allowed).items()):
        problems.append(
            f"failed, not a listed version difference ({times}x): {request}: {assertion}"
        )
    for (request, assertion), times in sorted((allowed - found).items()):
        problems.append(
            f"listed as a version difference but passed ({times}x): {request}: {assertion}; "
            "remove it from the list"
        )
    return problems


def main(arguments: list[str]) -> int:
    differences_file, collection_file, report_file = arguments
    with open(differences_file, encoding="utf-8") as handle:
        allowed = listed(json.load(handle))
    with open(collection_file, encoding="utf-8") as handle:
        collection = json.load(handle)
    with open(report_file, encoding="utf-8") as handle:
        report = json.load(handle)
    found = failures(report, collection)
    stats = report["run"]["stats"]["assertions"]
    problems = judge(found, allowed)
    print(
        f"{stats['total']} assertions, {stats['failed']} failed, "
        f"{sum(allowed.values())} of them listed as version differences"
    )
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
