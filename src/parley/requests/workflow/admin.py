"""Managing workflows and task queues (administrators): checked when saved, audited, and
refused where a change would strand requests or tasks.

A workflow's ``code`` and a queue's ``code`` never change (request types, workflows and tasks
name them). A workflow can't lose a stage where requests stand, nor be deleted while a request
type names it or requests follow it; a queue can't be deleted while it holds tasks or a
workflow names it.

A replacement (and a workflow's deletion: its rows are versioned) is left for the caller to
flush, the API with ``flush_or_412``, so that one which lost the race to a concurrent writer is
a 412, never a 500.
"""

import copy

from parley.auth.roles import RoleService
from parley.changes import CREATE, DELETE, UPDATE, UnitOfWork
from parley.db.base import new_id, storable_id, utcnow
from parley.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from parley.notifications.templates import TemplateCatalogue
from parley.outbound.policy import OutboundPolicy
from parley.requests.options import RequestOptions
from parley.requests.workflow.definitions import (
    check_code,
    check_name,
    checked_workflow,
    queues_named,
)
from parley.requests.workflow.models import TaskQueue, WorkflowDefinition
from parley.requests.workflow.repository import WorkflowRepository
from parley.requests.workflow.rules import Known

WORKFLOW, QUEUE = "workflow", "taskQueue"


class WorkflowAdmin:
    def __init__(self, uow: UnitOfWork):
        self.uow, self.session = uow, uow.session
        self.repo = WorkflowRepository(uow.session)

    # -- workflows -------------------------------------------------------------------------

    def workflows(self) -> list[WorkflowDefinition]:
        return self.repo.workflows()

    def workflow(self, id_or_code: str) -> WorkflowDefinition:
        row = None
        if storable_id(id_or_code, 64):
            row = self.repo.workflow(id_or_code) or self.repo.workflow_by_code(id_or_code)
        if row is None:
            raise NotFound(f"No workflow {id_or_code}")
        return row

    def create_workflow(self, document: dict) -> WorkflowDefinition:
        document = checked_workflow(document, self.known())
        if self.repo.workflow_by_code(document["code"]) is not None:
            raise Conflict(f"code: a workflow {document['code']} exists already")
        row = new_workflow(document)
        self.repo.add(row)
        self.uow.record(WORKFLOW, CREATE, row.id, after=document)
        return row

    def replace_workflow(self, id_or_code: str, document: dict, expected_version=None):
        row = self.workflow(id_or_code)
        _check_version(row, expected_version)
        if isinstance(document, dict) and document.get("code", row.code) != row.code:
            raise InvalidInput("code: cannot be changed (request types name it)", "code")
        document = checked_workflow({**document, "code": row.code}, self.known())
        stages = {stage["code"] for stage in document["stages"]}
        stranded = sorted(self.repo.stages_in_use(row.code) - stages)
        if stranded:
            raise Conflict(f"stages: requests stand in {', '.join(stranded)}; keep those stages")
        if document["status"] != "active" and self.repo.types_naming(row.code):
            names = ", ".join(self.repo.types_naming(row.code))
            raise Conflict(f"status: request types name this workflow ({names}); change them first")
        before = copy.deepcopy(row.document)
        row.name, row.status, row.document = document["name"], document["status"], document
        row.updated_at = utcnow()
        self.uow.record(WORKFLOW, UPDATE, row.id, before=before, after=document)
        return row

    def delete_workflow(self, id_or_code: str) -> None:
        row = self.workflow(id_or_code)
        naming = self.repo.types_naming(row.code)
        if naming:
            raise Conflict(f"request types name this workflow: {', '.join(naming)}")
        if self.repo.stages_in_use(row.code):
            raise Conflict("requests follow this workflow: retire it (status) instead")
        before = row.document
        self.repo.discard(row)
        self.uow.record(WORKFLOW, DELETE, row.id, before=before)

    def known(self) -> Known:
        catalogue = TemplateCatalogue(self.uow)
        templates = {t.kind for t in catalogue.list_templates()}
        return Known(
            frozenset(q.code for q in self.repo.queues()),
            frozenset(templates),
            OutboundPolicy.of(self.uow.options(RequestOptions).outbound_allow),
        )

    # -- queues ----------------------------------------------------------------------------

    def queues(self) -> list[TaskQueue]:
        return self.repo.queues()

    def queue(self, id_or_code: str) -> TaskQueue:
        row = None
        if storable_id(id_or_code, 64):
            row = self.repo.queue(id_or_code) or self.repo.queue_by_code(id_or_code)
        if row is None:
            raise NotFound(f"No task queue {id_or_code}")
        return row

    def create_queue(self, document: dict) -> TaskQueue:
        document = self._checked_queue(document)
        if self.repo.queue_by_code(document["code"]) is not None:
            raise Conflict(f"code: a task queue {document['code']} exists already")
        row = new_queue(document)
        self.repo.add(row)
        self.uow.record(QUEUE, CREATE, row.id, after=document)
        return row

    def replace_queue(self, id_or_code: str, document: dict) -> TaskQueue:
        row = self.queue(id_or_code)
        if isinstance(document, dict) and document.get("code", row.code) != row.code:
            raise InvalidInput("code: cannot be changed (workflows name it)", "code")
        document = self._checked_queue({**document, "code": row.code})
        before = queue_document(row)
        row.name, row.roles, row.updated_at = document["name"], document["roles"], utcnow()
        self.uow.record(QUEUE, UPDATE, row.id, before=before, after=document)
        return row

    def delete_queue(self, id_or_code: str) -> None:
        row = self.queue(id_or_code)
        naming = sorted(
            w.code for w in self.repo.workflows() if row.code in queues_named(w.document)
        )
        if naming:
            raise Conflict(f"workflows name this queue: {', '.join(naming)}")
        if self.repo.queue_has_tasks(row.id):
            raise Conflict("tasks are (or were) in this queue; it stays")
        before = queue_document(row)
        self.repo.delete(row)
        self.uow.record(QUEUE, DELETE, row.id, before=before)

    def _checked_queue(self, document) -> dict:
        if not isinstance(document, dict):
            raise InvalidInput("a task queue is a JSON object")
        unknown = sorted(set(document) - {"id", "code", "name", "roles"})
        if unknown:
            raise InvalidInput(f"{unknown[0]}: not a field of a task queue")
        roles = document.get("roles")
        if not isinstance(roles, list) or not roles or not all(isinstance(r, str) for r in roles):
            raise InvalidInput("roles: the names of the roles that work the queue", "roles")
        defined = RoleService(self.uow).list_roles()
        known = {role.role.name for role in defined}
        strangers = sorted(set(roles) - known)
        if strangers:
            raise InvalidInput(f"roles: no role {strangers[0]} (known: {', '.join(sorted(known))})")
        return {
            "code": check_code(document.get("code")),
            "name": check_name(document.get("name")),
            "roles": sorted(set(roles)),
        }


def _check_version(row, expected_version) -> None:
    if expected_version is not None and row.version != expected_version:
        raise PreconditionFailed(
            f"the workflow was changed since you read it (now version {row.version})"
        )


def new_workflow(document: dict) -> WorkflowDefinition:
    now = utcnow()
    return WorkflowDefinition(
        id=new_id(),
        code=document["code"],
        name=document["name"],
        status=document.get("status", "active"),
        document=copy.deepcopy(document),
        created_at=now,
        updated_at=now,
    )


def new_queue(document: dict) -> TaskQueue:
    now = utcnow()
    return TaskQueue(
        id=new_id(),
        code=document["code"],
        name=document["name"],
        roles=list(document["roles"]),
        created_at=now,
        updated_at=now,
    )


def queue_document(row: TaskQueue) -> dict:
    return {"code": row.code, "name": row.name, "roles": list(row.roles)}
