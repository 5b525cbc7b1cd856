"""SLA alerts reach the request's workflow as its events ``sla.warning`` and ``sla.breach``:
what follows (escalation, a task, a notice) is the workflow's data, not code here."""

from parley.changes import UnitOfWork
from parley.requests.lifecycle import FINAL
from parley.requests.service import RequestService
from parley.requests.sla.listeners import SlaAlert, register_sla_listener


def tell_workflow(uow: UnitOfWork, alert: SlaAlert) -> None:
    request = alert.request
    if request.workflow_code is None or request.status in FINAL:
        return
    RequestService(uow).workflow.handle(request, f"sla.{alert.kind}")


register_sla_listener(tell_workflow)
