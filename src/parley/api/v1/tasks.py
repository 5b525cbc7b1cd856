"""Parley's own API for request tasks: list them by queue, status, assignee (``me``) or request;
claim, complete, hand back; supervisors assign. Each answer about one task carries its ETag;
If-Match is honoured (412 on a stale one)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from parley.api.deps import AppLinks, RequestWork
from parley.api.security import current_principal, require
from parley.api.v1.kit import Page, listed, paging
from parley.api.versioning import IfMatch, with_etag, written
from parley.auth.permissions import TASK_ASSIGN, TASK_READ, TASK_WORK
from parley.auth.principal import Principal
from parley.links import Links
from parley.requests.tasks import TaskService, Worker
from parley.requests.workflow.models import TASK_STATUSES


class Completion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, max_length=2000, examples=["Line reset at the exchange"])


class HandBack(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=400, examples=["Needs a field engineer"])


class Assignment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee: str = Field(min_length=1, max_length=150, examples=["agent.kim"])


async def _task_service(
    uow: RequestWork, principal: Principal = Depends(current_principal)
) -> TaskService:
    return TaskService(uow, Worker(principal.roles, principal.has(TASK_ASSIGN)))


# The tasks as the caller works them (its roles, and whether it may assign); every route
# declares its permission, which is checked first.
Tasks = Annotated[TaskService, Depends(_task_service)]


def linked_task(links: Links, view: dict) -> dict:
    """A task view with its href and its request's (a customer's view has neither)."""
    if "request" not in view:
        return view
    return links.served("Task", view, {"request": "TroubleTicket"})


def _one(service: TaskService, links: Links, task) -> JSONResponse:
    return with_etag(linked_task(links, service.view(task)), task)


def _finish(service: TaskService, links: Links, task) -> JSONResponse:
    return written(service.uow.session, "task", lambda: _one(service, links, task))


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=f"{prefix}/tasks", tags=["tasks"])

    @api.get(
        "",
        summary="Tasks, oldest first, by queue, status, assignee (`me`) or request",
        dependencies=[require(TASK_READ)],
    )
    def list_tasks(
        response: Response,
        service: Tasks,
        links: AppLinks,
        page: Annotated[Page, paging(50, 500)],
        queue: str | None = Query(None, max_length=64, examples=["technical"]),
        status: str | None = Query(None, description=" | ".join(TASK_STATUSES)),
        assignee: str | None = Query(None, max_length=36, description="a user id, or `me`"),
        requestId: str | None = Query(None, max_length=36),
    ):
        who = service.uow.actor.user_id if assignee == "me" else assignee  # the caller
        tasks, total = service.list_tasks(queue, status, who, requestId, page.offset, page.limit)
        return listed(response, [linked_task(links, service.view(task)) for task in tasks], total)

    @api.get("/{task_id}", summary="One task", dependencies=[require(TASK_READ)])
    def get_task(task_id: str, service: Tasks, links: AppLinks):
        return _one(service, links, service.get(task_id))

    @api.post(
        "/{task_id}/claim",
        summary="Claim an open task of a queue one's roles work",
        dependencies=[require(TASK_WORK)],
    )
    def claim(task_id: str, service: Tasks, version: IfMatch, links: AppLinks):
        return _finish(service, links, service.claim(task_id, version))

    @api.post(
        "/{task_id}/complete",
        summary="Complete a task (the workflow may move on)",
        dependencies=[require(TASK_WORK)],
    )
    def complete(
        task_id: str,
        service: Tasks,
        version: IfMatch,
        links: AppLinks,
        body: Completion | None = None,
    ):
        note = body.note if body else None
        return _finish(service, links, service.complete(task_id, note, version))

    @api.post(
        "/{task_id}/handBack",
        summary="Hand a claimed task back to its queue, with a reason",
        dependencies=[require(TASK_WORK)],
    )
    def hand_back(task_id: str, body: HandBack, service: Tasks, version: IfMatch, links: AppLinks):
        return _finish(service, links, service.hand_back(task_id, body.reason, version))

    @api.post(
        "/{task_id}/assign",
        summary="Assign a task to a named agent (supervisors)",
        dependencies=[require(TASK_ASSIGN)],
    )
    def assign(task_id: str, body: Assignment, service: Tasks, version: IfMatch, links: AppLinks):
        return _finish(service, links, service.assign(task_id, body.assignee, version))

    return api
