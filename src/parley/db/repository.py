"""What every domain's repository shares: a session, and writes flushed at once so that
constraint violations surface inside the service call that caused them."""

from sqlalchemy.orm import Session


class Repository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, row) -> None:
        self.session.add(row)
        self.session.flush()

    def delete(self, row) -> None:
        self.session.delete(row)
        self.session.flush()
