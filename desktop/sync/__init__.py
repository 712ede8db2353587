"""The sync client: push the outbox, pull decisions, enroll the device.

No Qt here: ``engine.SyncEngine`` runs in a worker thread of the app (``desktop/views`` wires
it to the status bar) and in the headless ``loket-desk sync`` command alike.
"""
