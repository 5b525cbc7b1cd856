"""What the requests domain reads of the settings (``uow.options(RequestOptions)``)."""

from dataclasses import dataclass

from parley.settings import OptionsRecord, setting


@dataclass(frozen=True)
class RequestOptions(OptionsRecord):
    """A closed request may be reopened for ``reopen_days``; an unclassifiable request gets the
    type ``default_type`` (None: it is refused), one without a customer ``internal_type``; the
    SLA warning comes after ``sla_warning_percent`` of the target unless the type says; the SLA
    watch takes clocks in batches of ``sla_batch_size``; national phone numbers (automatic
    contact changes) are read in ``phone_region``; a workflow's call-outs may reach the internal
    destinations ``outbound_allow`` names (PARLEY_OUTBOUND_ALLOW, checked when the workflow is
    saved)."""

    reopen_days: int = setting("request_reopen_days")
    default_type: str | None = setting("request_default_type")
    internal_type: str | None = setting("request_internal_type")
    sla_warning_percent: int = setting("sla_warning_percent")
    sla_batch_size: int = setting("sla_batch_size")
    phone_region: str = setting("default_phone_region")
    outbound_allow: str = setting("outbound_allow")
    # Satisfaction surveys (requests/surveys.py): a link valid this long (0: none asked),
    # made from the base URL the customer's browser reaches Parley at.
    survey_days: int = setting("survey_days")
    base_url: str = setting("base_url")
    # Attachments (requests/attachments.py): the largest, the types accepted, where kept.
    attachment_max_bytes: int = setting("attachment_max_bytes")
    attachment_types: str = setting("attachment_types")
    attachment_dir: str = setting("attachment_dir")
    # How long a hand-off to ordering or billing waits for its acknowledgement before an
    # agent is asked to chase it, unless the request type says (requests/handoffs/).
    handoff_time_limit_minutes: int = setting("handoff_time_limit_minutes")
