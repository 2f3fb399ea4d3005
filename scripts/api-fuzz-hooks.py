# schemathesis hooks for scripts/api-fuzz.
#
# One check replaces schemathesis's `positive_data_acceptance` and is otherwise the
# same: a request that its schema admits must be accepted. The one difference: a 422
# whose every error says the request names or contradicts *stored data or the clock*,
# or compares two of its fields, passes, because no OpenAPI schema can state such a
# rule (that a username exists, that a typed password is the current one, that a date
# is not in the future, that `to` comes after `from`). Every other
# refusal of schema-valid data (a required field, a format, a length, a character, an
# unknown field, a 400) stays a failure: those the schema must declare.
import json

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance as built_in

# Problem codes (seldinger_domain::Problem::code) that depend on stored data, on today,
# or on a comparison between fields.
BEYOND_SCHEMA = {
    "no_such_record",  # names a patient, user, room… that does not exist
    "withdrawn",  # names a record withdrawn from use
    "not_listed",  # a choice among stored data (the grades of a grading system in force)
    "already_used",  # an MRN or a username another record holds
    "wrong_password",  # is not the account's current password
    "unchanged",  # a new password that is the current one
    "date_in_future",  # after today
    "date_too_old",  # before a date that depends on stored data (a referral, a birth)
    "inconsistent",  # disagrees with another field (an end before its start)
}


def _stateful_refusal(response) -> bool:
    if response.status_code != 422:
        return False
    try:
        errors = json.loads(response.content).get("errors") or []
    except (ValueError, AttributeError):
        return False
    return bool(errors) and all(e.get("code") in BEYOND_SCHEMA for e in errors)


@schemathesis.check
def positive_data_acceptance_stateful(ctx, response, case):
    try:
        return built_in(ctx, response, case)
    except AssertionError:
        if _stateful_refusal(response):
            return None
        raise
