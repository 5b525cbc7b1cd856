"""Files kept for attachments whose request was rolled back are removed once a day old, by the
workers' ``attachment-files`` job; files an attachment names never are, nor a file kept again
while a sweep runs, nor anything young. Temporary files a crash left go too."""

import os
import time
from pathlib import Path

from parley.jobs import worker_jobs
from parley.requests.attachments import UNNAMED_FILE_GRACE_SECONDS
from parley.requests.files import FileStore, checksum
from tests.requests.files import JPEG, PDF, PNG
from tests.requests.test_attachments import _attach, _customer

TWO_DAYS = 2 * 24 * 3600


def _age(path: Path, seconds: float = TWO_DAYS) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def _sweep(engine, settings) -> int:
    jobs = {job.name: job for job in worker_jobs(engine, settings)}
    return jobs["attachment-files"].run()


def test_the_workers_remove_old_files_no_attachment_names(client, session, engine, settings):
    _, headers, ticket = _customer(client, session, settings)
    added = _attach(client, ticket, headers)  # the PNG, named by its attachment
    assert added.status_code == 201, added.text
    store = FileStore(settings.attachment_dir)
    named = store.path(checksum(PNG))
    unnamed = store.path(store.keep(PDF + b"rolled back"))  # its request never committed
    young = store.path(store.keep(PDF + b"just kept"))
    for path in (named, unnamed):
        _age(path)

    assert _sweep(engine, settings) == 1

    assert not unnamed.exists() and young.exists() and named.exists()
    served = client.get(added.json()["url"], headers=headers)
    assert served.status_code == 200 and served.content == PNG
    assert _sweep(engine, settings) == 0


def test_a_file_kept_again_during_the_sweep_stays(tmp_path):
    """The sweep asked which files rows name; meanwhile a request keeps the same content again
    (its row not yet committed, so not among them): the file is put back, not lost."""
    store = FileStore(tmp_path)
    path = store.path(store.keep(JPEG))
    _age(path)

    def named_while_kept_again(checksums: list[str]) -> set[str]:
        store.keep(JPEG)
        return set()

    assert store.sweep(named_while_kept_again, UNNAMED_FILE_GRACE_SECONDS) == 0
    assert store.read(checksum(JPEG)) == JPEG
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_a_file_the_sweep_took_is_written_again_when_kept(tmp_path):
    store = FileStore(tmp_path)
    path = store.path(store.keep(JPEG))
    _age(path)
    assert store.sweep(lambda checksums: set(), UNNAMED_FILE_GRACE_SECONDS) == 1

    assert store.keep(JPEG) == checksum(JPEG)
    assert store.read(checksum(JPEG)) == JPEG


def test_leftovers_of_a_crash_are_cleaned_up(tmp_path):
    store = FileStore(tmp_path)
    path = store.path(store.keep(PNG))
    old_temporary = path.with_name(".incoming-abc")
    young_temporary = path.with_name(".incoming-def")
    for leftover in (old_temporary, young_temporary):
        leftover.write_bytes(b"half a file")
    _age(old_temporary)
    # A sweep that stopped between moving a file aside and putting it back (it had been kept
    # again): the next one puts it back.
    os.replace(path, path.with_name(f".swept-{path.name}"))

    assert store.sweep(lambda checksums: set(checksums), UNNAMED_FILE_GRACE_SECONDS) == 1

    assert not old_temporary.exists() and young_temporary.exists()
    assert store.read(checksum(PNG)) == PNG


def test_a_store_never_written_to_is_swept_without_error(tmp_path, engine, settings):
    missing = settings.model_copy(update={"attachment_dir": str(tmp_path / "none")})
    assert _sweep(engine, missing) == 0
