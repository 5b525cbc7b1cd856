"""The email channel of mediation (docs/mediation.md, "Email"): mail received over IMAP and
LMTP is stored raw in the inbound store, then read, identified, threaded and applied by the
workers; emails Parley sends about a request carry the headers that bring the answers back.

The front door:

- ``store_mail(store, content, received_by, ...)``: a mail stored raw (``intake.py``).
- ``MailboxReader(mailbox, store)``: an IMAP mailbox fetched once or watched with IDLE
  (``imap.py``); ``lmtp_server(store, options, host, port)``: the LMTP server (``lmtp.py``).
- ``EmailHandler``: the inbound store's handler of the ``email`` source (``handler.py``).
- ``shaped_request_email`` and ``record_sent``: the threading of what Parley sends
  (``threads.py``), plugged into notifications and the outbox by ``parley.wiring``.
- ``EmailOptions``: what the channel reads of the settings.

This module imports only what is light; the handler and the network parts are imported
where they are used.
"""

from parley.mediation.email.intake import mail_key, store_mail
from parley.mediation.email.options import EmailOptions, Mailbox, mailbox_password

__all__ = ["EmailOptions", "Mailbox", "mail_key", "mailbox_password", "store_mail"]
