"""Every URL Parley calls passes one destination policy: ``policy`` (what may be called) and
``http`` (a client that connects only there). See docs/security.md."""
