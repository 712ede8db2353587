#!/bin/sh
# /usr/bin/loket-desk: the program is the one-folder bundle in /opt/loket-desk. Data stays in
# the user's data folder (~/.local/share/Loket, or --data-dir / $LOKET_DESK_DATA).
exec /opt/loket-desk/loket-desk "$@"
