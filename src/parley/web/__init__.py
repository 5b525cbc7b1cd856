"""The web edge: Parley's server-rendered pages (the agent console at ``/console``; the
self-service portal later), built on the same services as the API.

Shared by every web application: sessions, CSRF and access markers (``access.py``,
``csrf.py``), templates and translations (``templating.py``, ``i18n.py``), static files
(``assets.py``), security headers and error pages. Each application is a package beside
them (``console/``) with its routes and templates. ``docs/console.md`` describes it.
"""
