"""What every domain's repository shares: a session, and writes flushed at once so that
constraint violations surface inside the service call that caused them."""

from sqlalchemy.orm import Session


class Repository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, row) -> None:
        self.session.add(row)
        self.session.flush()

    def run(self, statement, params=None):
        """A prebuilt Core statement on the session's connection, past the ORM's execution
        layer (which costs more than the statement on the hottest paths)."""
        return self.session.connection().execute(statement, params)

    def delete(self, row) -> None:
        self.session.delete(row)
        self.session.flush()
