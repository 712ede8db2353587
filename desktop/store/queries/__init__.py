"""The desktop's data-access layer, as the server has in ``syncserver/queries/``: every SQL
statement on the local store runs in one of these modules, with typed results. Services, the
sync engine and the views call these functions inside ``store.read()`` or ``store.write()``
and never build ``select()``/``update()`` themselves.

* ``registrations``: registrations and their revisions (save, edit, lookups, list, counts)
* ``search``: the search index text (one definition for Python and SQL) and FTS5 queries
* ``outbox``: what waits to be sent (the one pending count), batches, answered rows
* ``drafts``, ``operators``, ``audit``, ``sync`` (the sync history)
* settings are typed keys in ``desktop/store/settings.py``
"""
