"""Parley's own API for workflows and task queues: read by staff (``task:read``), managed by
administrators (``workflow:write``), every change checked and audited. A workflow or queue is
named by its id or its code. A workflow's answers carry its ETag and its PUT honours If-Match;
a replacement (or a workflow's deletion) that lost the race to a concurrent write is a 412,
never a 500."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Response

from parley.api.deps import AppLinks, RequestWork
from parley.api.json_response import JSONResponse
from parley.api.security import require
from parley.api.v1.kit import listed
from parley.api.versioning import IfMatch, flush_or_412, with_etag
from parley.auth.permissions import TASK_READ, WORKFLOW_WRITE
from parley.db.base import iso
from parley.links import Links
from parley.requests.workflow.admin import WorkflowAdmin, queue_document

WORKFLOW_EXAMPLE = {
    "code": "sim.swap",
    "name": "SIM swap",
    "stages": [
        {
            "code": "swap",
            "name": "Swap",
            "nextStep": "We send you a new SIM.",
            "onEnter": [
                {"action": "setStatus", "status": "inProgress", "reason": "swap started"},
                {"action": "createTask", "queue": "technical", "name": "Send a new SIM"},
            ],
        },
        {
            "code": "done",
            "name": "Done",
            "final": True,
            "onEnter": [
                {"action": "setStatus", "status": "resolved", "reason": "SIM sent"},
            ],
        },
    ],
    "transitions": [
        {
            "from": "swap",
            "on": "task.completed",
            "when": [{"guard": "stageTasksDone"}],
            "to": "done",
        }
    ],
}
QUEUE_EXAMPLE = {"code": "retention", "name": "Retention", "roles": ["supervisor"]}
WorkflowBody = Annotated[dict[str, Any], Body(examples=[WORKFLOW_EXAMPLE])]
QueueBody = Annotated[dict[str, Any], Body(examples=[QUEUE_EXAMPLE])]


async def _admin(uow: RequestWork) -> WorkflowAdmin:
    return WorkflowAdmin(uow)


# The workflows and queues, as the request's unit of work reads and changes them.
Admin = Annotated[WorkflowAdmin, Depends(_admin)]


def _workflow(links: Links, row) -> dict:
    return {
        **row.document,
        "id": row.id,
        "href": links.href("Workflow", row.id),
        "status": row.status,
        "version": row.version,
        "creationDate": iso(row.created_at),
        "lastUpdate": iso(row.updated_at),
    }


def _queue(links: Links, row) -> dict:
    return {"id": row.id, "href": links.href("TaskQueue", row.id), **queue_document(row)}


def _one_workflow(links: Links, row, status=200) -> JSONResponse:
    return with_etag(_workflow(links, row), row, status)


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix, tags=["workflows"])

    @api.get("/workflows", summary="The workflows, by code", dependencies=[require(TASK_READ)])
    def list_workflows(response: Response, admin: Admin, links: AppLinks):
        rows = admin.workflows()
        return listed(response, [_workflow(links, row) for row in rows], len(rows))

    @api.post(
        "/workflows",
        status_code=201,
        summary="Add a workflow (checked: stages, guards, actions)",
        dependencies=[require(WORKFLOW_WRITE)],
    )
    def create_workflow(admin: Admin, links: AppLinks, document: WorkflowBody):
        return _one_workflow(links, admin.create_workflow(document), 201)

    @api.get("/workflows/{workflow}", summary="One workflow", dependencies=[require(TASK_READ)])
    def get_workflow(workflow: str, admin: Admin, links: AppLinks):
        return _one_workflow(links, admin.workflow(workflow))

    @api.put(
        "/workflows/{workflow}",
        summary="Replace a workflow (its code stays)",
        dependencies=[require(WORKFLOW_WRITE)],
    )
    def replace_workflow(
        workflow: str, admin: Admin, version: IfMatch, links: AppLinks, document: WorkflowBody
    ):
        row = admin.replace_workflow(workflow, document, version)
        flush_or_412(admin.session, "workflow")
        return _one_workflow(links, row)

    @api.delete(
        "/workflows/{workflow}",
        status_code=204,
        summary="Delete a workflow no request type names and no request follows",
        dependencies=[require(WORKFLOW_WRITE)],
    )
    def delete_workflow(workflow: str, admin: Admin):
        admin.delete_workflow(workflow)
        flush_or_412(admin.session, "workflow")
        return Response(status_code=204)

    @api.get("/task-queues", summary="The task queues", dependencies=[require(TASK_READ)])
    def list_queues(response: Response, admin: Admin, links: AppLinks):
        rows = admin.queues()
        return listed(response, [_queue(links, row) for row in rows], len(rows))

    @api.post(
        "/task-queues",
        status_code=201,
        summary="Add a task queue",
        dependencies=[require(WORKFLOW_WRITE)],
    )
    def create_queue(admin: Admin, links: AppLinks, document: QueueBody):
        return _queue(links, admin.create_queue(document))

    @api.get("/task-queues/{queue}", summary="One task queue", dependencies=[require(TASK_READ)])
    def get_queue(queue: str, admin: Admin, links: AppLinks):
        return _queue(links, admin.queue(queue))

    @api.put(
        "/task-queues/{queue}",
        summary="Change a task queue's name or roles",
        dependencies=[require(WORKFLOW_WRITE)],
    )
    def replace_queue(queue: str, admin: Admin, links: AppLinks, document: QueueBody):
        row = admin.replace_queue(queue, document)
        flush_or_412(admin.session, "task queue")
        return _queue(links, row)

    @api.delete(
        "/task-queues/{queue}",
        status_code=204,
        summary="Delete a task queue that holds no tasks and no workflow names",
        dependencies=[require(WORKFLOW_WRITE)],
    )
    def delete_queue(queue: str, admin: Admin):
        admin.delete_queue(queue)
        return Response(status_code=204)

    return api
