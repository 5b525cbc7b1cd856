"""A schemathesis check for scripts/fuzz (loaded with SCHEMATHESIS_HOOKS=fuzz_checks).

``parley_conformance``: when the requests come from an official TMF file, the answer is held to
Parley's own /openapi.json for the same operation (PARLEY_FUZZ_OWN, the path under
PARLEY_FUZZ_PREFIX): its status must be one Parley declares there, and its body must fit the
schema declared for that status. The TMF files list few of the error answers Parley gives
(413, 415, 429 ...), so holding the answers to them would only report what Parley documents.
"""

import os
from functools import cache

import schemathesis


@cache
def own_description():
    return schemathesis.openapi.from_url(os.environ["PARLEY_FUZZ_OWN"])


@schemathesis.check
def parley_conformance(ctx, response, case):
    path = os.environ.get("PARLEY_FUZZ_PREFIX", "") + case.operation.path
    try:
        operation = own_description()[path][case.method]
    except LookupError:
        raise AssertionError(f"{case.method} {path} is not in Parley's /openapi.json") from None
    if operation.responses.find_by_status_code(response.status_code) is None:
        raise AssertionError(
            f"{case.method} {path} answered {response.status_code}, which Parley's /openapi.json "
            "does not declare for it"
        )
    operation.validate_response(response, case=case)
    return None
