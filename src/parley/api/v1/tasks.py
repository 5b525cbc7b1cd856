"""Parley's own API for request tasks: list them by queue, status, assignee (``me``) or request;
claim, complete, hand back; supervisors assign. Each answer about one task carries its ETag;
If-Match is honoured (412 on a stale one)."""

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from parley.api.deps import RequestWork, commit_now
from parley.api.security import require
from parley.api.versioning import etag, expected_version, flush_or_412
from parley.auth.permissions import TASK_ASSIGN, TASK_READ, TASK_WORK
from parley.auth.principal import Principal
from parley.changes import UnitOfWork
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


def _service(uow: UnitOfWork, principal: Principal) -> TaskService:
    return TaskService(uow, Worker(principal.roles, principal.has(TASK_ASSIGN)))


def linked_task(links: Links, view: dict) -> dict:
    """A task view with its href and its request's (a customer's view has neither)."""
    if "request" not in view:
        return view
    return links.served("Task", view, {"request": "TroubleTicket"})


def _one(service: TaskService, task) -> JSONResponse:
    body = linked_task(Links(service.uow.settings), service.view(task))
    return JSONResponse(body, headers={"ETag": etag(task)})


def _finish(service: TaskService, task) -> JSONResponse:
    flush_or_412(service.uow.session, "task")
    answer = _one(service, task)
    commit_now(service.uow.session)
    return answer


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=f"{prefix}/tasks", tags=["tasks"])

    @api.get("", summary="Tasks, oldest first, by queue, status, assignee (`me`) or request")
    def list_tasks(
        response: Response,
        uow: RequestWork,
        queue: str | None = Query(None, max_length=64, examples=["technical"]),
        status: str | None = Query(None, description=" | ".join(TASK_STATUSES)),
        assignee: str | None = Query(None, max_length=36, description="a user id, or `me`"),
        requestId: str | None = Query(None, max_length=36),
        offset: int = Query(0, ge=0, le=2**31 - 1),
        limit: int = Query(50, ge=1, le=500),
        principal: Principal = require(TASK_READ),
    ):
        service = _service(uow, principal)
        who = principal.user_id if assignee == "me" else assignee
        tasks, total = service.list_tasks(queue, status, who, requestId, offset, limit)
        response.headers["X-Total-Count"] = str(total)
        response.headers["X-Result-Count"] = str(len(tasks))
        links = Links(uow.settings)
        return [linked_task(links, service.view(task)) for task in tasks]

    @api.get("/{task_id}", summary="One task")
    def get_task(
        task_id: str,
        uow: RequestWork,
        principal: Principal = require(TASK_READ),
    ):
        service = _service(uow, principal)
        return _one(service, service.get(task_id))

    @api.post("/{task_id}/claim", summary="Claim an open task of a queue one's roles work")
    def claim(
        task_id: str,
        request: Request,
        uow: RequestWork,
        principal: Principal = require(TASK_WORK),
    ):
        service = _service(uow, principal)
        return _finish(service, service.claim(task_id, expected_version(request)))

    @api.post("/{task_id}/complete", summary="Complete a task (the workflow may move on)")
    def complete(
        task_id: str,
        request: Request,
        uow: RequestWork,
        body: Completion | None = None,
        principal: Principal = require(TASK_WORK),
    ):
        service = _service(uow, principal)
        note = body.note if body else None
        task = service.complete(task_id, note, expected_version(request))
        return _finish(service, task)

    @api.post("/{task_id}/handBack", summary="Hand a claimed task back to its queue, with a reason")
    def hand_back(
        task_id: str,
        body: HandBack,
        request: Request,
        uow: RequestWork,
        principal: Principal = require(TASK_WORK),
    ):
        service = _service(uow, principal)
        task = service.hand_back(task_id, body.reason, expected_version(request))
        return _finish(service, task)

    @api.post("/{task_id}/assign", summary="Assign a task to a named agent (supervisors)")
    def assign(
        task_id: str,
        body: Assignment,
        request: Request,
        uow: RequestWork,
        principal: Principal = require(TASK_ASSIGN),
    ):
        service = _service(uow, principal)
        task = service.assign(task_id, body.assignee, expected_version(request))
        return _finish(service, task)

    return api
