"""gunicorn configuration of the Loket sync server, for running gunicorn itself:

    LOKET_SERVER_DATA=/var/lib/loket-server gunicorn -c installers/server/gunicorn.conf.py

(the app is this file's ``wsgi_app``; ``gunicorn -c ... "syncserver.server:production_app()"``
says the same). Every value comes from Loket's own settings, the data folder's
``loket-server.toml`` and the ``LOKET_*`` variables, through the one function
``loket-server run`` uses too (``syncserver.server.gunicorn_options``): address and port
(``host``/``port``, 127.0.0.1:8470 by default), ``workers``, ``threads``, the worker that
reads every request under ``request_read_timeout`` and ``request_deadline``, the worker and
graceful timeouts, keep-alive, the access log without personal data (no query strings, no
addresses) and no trust in forwarding headers at gunicorn's level (``trusted_proxies`` in
the app decides). Change a setting in ``loket-server.toml``, never here: then `run` and
gunicorn agree.

Before the first worker starts, the database must be at the code's revision
(``loket-server migrate``); the server refuses to start otherwise, as `run` does.
"""

from syncserver.server import check_database, gunicorn_options, settings_from_environment

_settings = settings_from_environment()
check_database(_settings)

wsgi_app = "syncserver.server:production_app()"
globals().update(gunicorn_options(_settings))
