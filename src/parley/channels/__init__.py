"""Network self-service: USSD, IVR and SMS sessions on one menu engine (docs/channels.md).

The front door: ``MenuCatalogue`` (menus as data, checked when saved), ``MenuEngine`` (one
step of a session: the caller's input in, the next screen out), ``SessionExpiry`` (the
worker's job), ``SmsKeywords`` and the gateway formats in ``gateways``, ``twiml``,
``voicexml``. Edges (api/v1/channels.py, the CLI simulator) call only these.
"""
