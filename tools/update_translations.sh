#!/usr/bin/env bash
# Refresh the desktop's Qt translation sources from the code and compile them.
#
#   tools/update_translations.sh          # lupdate (desktop/**/*.py -> desktop/i18n/*.ts) + lrelease
#   tools/update_translations.sh --check  # fail when a .ts is out of date or has unfinished entries
#
# Source strings are English (self.tr / QCoreApplication.translate in the code); translators
# edit desktop/i18n/loket_id.ts (pyside6-linguist), then run this script again to compile
# loket_id.qm. Indonesian is the default language of the app.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV_BIN:-.venv/bin}
mapfile -t SOURCES < <(find desktop -name '*.py' \( -path 'desktop/views/*' -o -path 'desktop/widgets/*' \
    -o -path 'desktop/dialogs/*' -o -path 'desktop/sync/*' -o -name 'application.py' -o -name 'tasks.py' -o -name 'crash.py' \) | sort)
TS=(desktop/i18n/loket_id.ts desktop/i18n/loket_en.ts)

if [[ "${1:-}" == "--check" ]]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    cp "${TS[@]}" "$tmp/"
    "$BIN/pyside6-lupdate" -silent -no-obsolete -locations none "${SOURCES[@]}" -ts "$tmp/loket_id.ts" "$tmp/loket_en.ts"
    status=0
    for f in "${TS[@]}"; do
        if ! diff -q "$f" "$tmp/$(basename "$f")" >/dev/null; then
            echo "update_translations: $f is out of date; run tools/update_translations.sh" >&2
            status=1
        fi
    done
    if grep -q 'type="unfinished"' desktop/i18n/loket_id.ts; then
        echo "update_translations: loket_id.ts has unfinished translations" >&2
        status=1
    fi
    exit $status
fi

"$BIN/pyside6-lupdate" -silent -no-obsolete -locations none "${SOURCES[@]}" -ts "${TS[@]}"
for f in "${TS[@]}"; do
    "$BIN/pyside6-lrelease" -silent "$f" -qm "${f%.ts}.qm"
done
echo "update_translations: $(grep -c '<message>' desktop/i18n/loket_id.ts) messages;" \
     "unfinished in loket_id.ts: $(grep -c 'type="unfinished"' desktop/i18n/loket_id.ts || true)"
