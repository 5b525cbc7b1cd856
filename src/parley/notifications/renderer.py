"""Where templates are rendered: small child processes with a time budget and a memory limit.

A template is an administrator's program run on every message. The sandbox (``sandbox.py``)
refuses the known ways of asking for too much, but a thread cannot be stopped once it runs, and a
rendering in the API process that allocates gigabytes takes the process, and every request in
it, down. So the rendering runs in a child process of its own (``python -m
parley.notifications.renderer``), started once per process and reused:

- its address space is limited (``RENDER_MEMORY_MIB``): an allocation past it fails there, as
  a ``MemoryError`` the child reports;
- each job has ``RENDER_SECONDS``: an alarm in the child stops a template still running (a
  loop, a recursion); if the child does not answer within the grace after that (a single long
  C operation), the parent kills it and starts another next time;
- the caller's thread waits on a pipe, never the event loop, and at most ``POOL_SIZE`` children
  per process render at once (the others wait their turn, up to ``QUEUE_SECONDS``).

Jobs and answers are JSON lines over the child's stdin and stdout: the parent never unpickles
what a child sends.
"""

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from jinja2 import UndefinedError
from jinja2.exceptions import SecurityError

from parley.notifications.sandbox import TemplateBound, environment, render_text

RENDER_SECONDS = 2.0  # a job's time budget, in the child
GRACE_SECONDS = 1.0  # after which the parent kills a child that has not answered
RENDER_MEMORY_MIB = 256  # the child's address space
START_SECONDS = 30.0  # a new child's start (Python and Jinja2 imported), on a busy machine
QUEUE_SECONDS = 10.0  # how long a caller waits for a free child
POOL_SIZE = 2

BOUND, UNDEFINED, REFUSED, FAILED = "bound", "undefined", "refused", "failed"


class RendererUnavailable(Exception):
    """No renderer could take the job: all were busy past ``QUEUE_SECONDS``, or a new one did
    not start. Nothing is wrong with the template."""


class RenderProblem(Exception):
    """A job that made no text: ``kind`` says why (a bound, an undefined variable, the
    sandbox's refusal, or the template failing on the values given), ``field`` where."""

    def __init__(self, kind: str, field: str, message: str):
        super().__init__(message)
        self.kind, self.field, self.message = kind, field, message


# -- the parent's side --------------------------------------------------------------------------


class _Child:
    def __init__(self):
        source_root = str(Path(__file__).resolve().parents[2])  # where `parley` is imported from
        path = os.pathsep.join(p for p in (source_root, os.environ.get("PYTHONPATH")) if p)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "parley.notifications.renderer"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": path},
            close_fds=True,
        )
        self.pending = b""
        try:
            self._read_line(START_SECONDS)  # "ready": imported, limits set
        except (TimeoutError, EOFError, OSError):
            self.stop(kill=True)
            raise RendererUnavailable("a template renderer did not start") from None

    def ask(self, job: dict) -> dict:
        self.process.stdin.write(json.dumps(job).encode() + b"\n")
        self.process.stdin.flush()
        return json.loads(self._read_line(RENDER_SECONDS + GRACE_SECONDS))

    def _read_line(self, seconds: float) -> bytes:
        deadline = time.monotonic() + seconds
        out = self.process.stdout.fileno()
        while b"\n" not in self.pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([out], [], [], remaining)[0]:
                raise TimeoutError
            chunk = os.read(out, 1 << 16)
            if not chunk:
                raise EOFError
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line

    def stop(self, kill: bool = False) -> None:
        try:
            if kill:
                self.process.kill()
            else:
                self.process.stdin.close()  # the child ends at the end of its input
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        finally:
            for stream in (self.process.stdin, self.process.stdout):
                if not stream.closed:
                    stream.close()


class Renderers:
    """The children of one process: idle ones reused, at most ``size`` in use."""

    def __init__(self, size: int = POOL_SIZE):
        self.pid = os.getpid()
        self.slots = threading.BoundedSemaphore(size)
        self.lock = threading.Lock()
        self.idle: list[_Child] = []

    def render(self, texts: list[tuple[str, str]], variables: dict, trial: bool) -> list[str]:
        if not self.slots.acquire(timeout=QUEUE_SECONDS):
            raise RendererUnavailable("every template renderer is busy; try again")
        try:
            return self._render(texts, variables, trial)
        finally:
            self.slots.release()

    def _render(self, texts, variables, trial) -> list[str]:
        with self.lock:
            child = self.idle.pop() if self.idle else None
        field = texts[-1][0] if texts else "template"
        child = child or _Child()
        try:
            answer = child.ask({"texts": texts, "variables": variables, "trial": trial})
        except TimeoutError:
            child.stop(kill=True)
            message = f"took longer than {RENDER_SECONDS:g} seconds to render (the limit)"
            raise RenderProblem(BOUND, field, message) from None
        except (EOFError, OSError):  # it died: the kernel's memory killer, say
            child.stop(kill=True)
            message = "its rendering ended the process rendering it (the limits)"
            raise RenderProblem(BOUND, field, message) from None
        if answer.get("exit"):  # out of memory: its state is suspect, it ended itself
            child.stop()
        else:
            with self.lock:
                self.idle.append(child)
        if "error" in answer:
            error = answer["error"]
            raise RenderProblem(error["kind"], error["field"], error["message"])
        return answer["texts"]

    def close(self) -> None:
        with self.lock:
            idle, self.idle = self.idle, []
        for child in idle:
            child.stop()


_renderers: Renderers | None = None
_renderers_lock = threading.Lock()


def renderers() -> Renderers:
    """This process's renderers (a forked process starts its own)."""
    global _renderers
    with _renderers_lock:
        if _renderers is None or _renderers.pid != os.getpid():
            _renderers = Renderers()
        return _renderers


@atexit.register
def _close() -> None:
    if _renderers is not None and _renderers.pid == os.getpid():
        _renderers.close()


# -- the child's side ---------------------------------------------------------------------------


class _OutOfTime(BaseException):
    """Raised by the alarm; a BaseException, so that no ``except Exception`` in a template's way
    swallows it."""


def _out_of_time(_signal, _frame):
    raise _OutOfTime


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:  # not a POSIX system: the time budget still holds
        return
    limit = RENDER_MEMORY_MIB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _job(job: dict, envs: dict) -> dict:
    env = envs[bool(job.get("trial"))]
    made, field = [], "template"
    signal.setitimer(signal.ITIMER_REAL, RENDER_SECONDS)
    try:
        for field, text in job["texts"]:
            made.append(render_text(env, field, text, job["variables"]))
        return {"texts": made}
    except _OutOfTime:
        return _error(
            BOUND, field, f"took longer than {RENDER_SECONDS:g} seconds to render (the limit)"
        )
    except TemplateBound as bound:
        return _error(BOUND, field, str(bound))
    except MemoryError:
        message = f"needs more than {RENDER_MEMORY_MIB} MiB of memory to render (the limit)"
        return {**_error(BOUND, field, message), "exit": True}
    except RecursionError:
        return _error(BOUND, field, "calls itself or nests too deeply (the limit)")
    except Exception as error:  # the parent maps each kind to its answer
        return _error(_kind_of(error), field, error)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _kind_of(error: Exception) -> str:
    if isinstance(error, UndefinedError):
        return UNDEFINED
    if isinstance(error, SecurityError):
        return REFUSED
    return FAILED


def _error(kind: str, field: str, message) -> dict:
    return {"error": {"kind": kind, "field": field, "message": str(message)}}


def serve() -> None:
    """The child's loop: one JSON job a line in, one JSON answer a line out, until stdin ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which ends us
    signal.signal(signal.SIGALRM, _out_of_time)
    envs = {False: environment(), True: environment(trial=True)}
    _limit_memory()
    out = sys.stdout.buffer
    out.write(b"ready\n")
    out.flush()
    for line in sys.stdin.buffer:
        answer = _job(json.loads(line), envs)
        try:
            data = json.dumps(answer).encode()
        except (TypeError, ValueError, MemoryError):
            data = json.dumps(_error(FAILED, "template", "the rendering cannot be answered"))
            data = data.encode()
        out.write(data + b"\n")
        out.flush()
        if answer.get("exit"):
            return


if __name__ == "__main__":
    serve()
