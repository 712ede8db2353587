"""The one error catalog shared by the desktop, the sync server and the console.

Every problem Loket reports has a stable machine code (tests and clients match on codes,
never on text), a severity, and a message in Indonesian and English written for a clerk.
Messages are templates: ``{field}``, ``{min}`` … are filled from a problem's ``params``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from common.i18n import Lang, as_lang


class Severity(StrEnum):
    ERROR = "error"  # blocks saving / ingest
    WARNING = "warning"  # shown, never blocks


class Kind(StrEnum):
    """What a problem asks of whoever meets it (the sync engine acts on this, nothing else)."""

    TRANSIENT = "transient"  # the same request can succeed later: wait, then try again
    REFUSED = "refused"  # refused until a person acts (enroll again, fix TLS, ask the centre)
    INPUT = "input"  # what was typed or sent is wrong: correct it
    LOCAL = "local"  # a problem on this computer or with this answer, not with the input


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    code: str
    severity: Severity
    message_id: str
    message_en: str
    http_status: int = 400
    kind: Kind = Kind.INPUT


class _SafeDict(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


CATALOG: dict[str, ErrorSpec] = {}


def _e(
    code: str,
    message_id: str,
    message_en: str,
    *,
    warn: bool = False,
    http: int = 400,
    kind: Kind = Kind.INPUT,
) -> str:
    severity = Severity.WARNING if warn else Severity.ERROR
    CATALOG[code] = ErrorSpec(code, severity, message_id, message_en, http, kind)
    return code


# --- registration validation ----------------------------------------------------------
REQUIRED = _e("REQUIRED", "{field_id} wajib diisi.", "{field_en} is required.")
VALUE_NOT_ALLOWED = _e(
    "VALUE_NOT_ALLOWED",
    "Nilai {field_id} tidak dikenal: {value}.",
    "Unknown value for {field_en}: {value}.",
)
TEXT_TOO_LONG = _e(
    "TEXT_TOO_LONG",
    "{field_id} terlalu panjang (paling banyak {max} karakter).",
    "{field_en} is too long (at most {max} characters).",
)
TEXT_CONTROL_CHARS = _e(
    "TEXT_CONTROL_CHARS",
    "{field_id} berisi karakter yang tidak boleh dipakai: {char_id}.",
    "{field_en} contains a character that is not allowed: {char_en}.",
)
#: How TEXT_CONTROL_CHARS names the first refused character (:func:`char_params`).
_CHAR_NAMES: dict[str, tuple[str, str]] = {
    "\n": ("baris baru (Enter)", "a line break (Enter)"),
    "\r": ("baris baru (Enter)", "a line break (Enter)"),
    "\x85": ("baris baru", "a line break"),
    "\u2028": ("baris baru", "a line break"),
    "\u2029": ("pemisah paragraf", "a paragraph break"),
    "\t": ("tab", "a tab"),
}


def char_params(ch: str) -> dict[str, str]:
    """``{"char_id": ..., "char_en": ...}`` naming ``ch`` for a clerk: a line break, a tab, or
    an invisible character by its code point (``U+202E RIGHT-TO-LEFT OVERRIDE``)."""
    known = _CHAR_NAMES.get(ch)
    if known is not None:
        return {"char_id": known[0], "char_en": known[1]}
    name = unicodedata.name(ch, "")
    point = f"U+{ord(ch):04X}" + (f" {name}" if name else "")
    return {
        "char_id": f"karakter tak terlihat {point}",
        "char_en": f"an invisible character {point}",
    }


NIK_FORMAT = _e("NIK_FORMAT", "NIK harus 16 angka.", "The NIK must be 16 digits.")
NIK_DISTRICT_MALFORMED = _e(
    "NIK_DISTRICT_MALFORMED",
    "Kode wilayah pada NIK (6 angka pertama) tidak sah.",
    "The region code in the NIK (first 6 digits) is not well formed.",
)
NIK_DISTRICT_UNKNOWN = _e(
    "NIK_DISTRICT_UNKNOWN",
    "Kode kecamatan {district} pada NIK tidak ada di daftar wilayah saat ini; periksa KTP.",
    "District code {district} in the NIK is not in the current region list; check the ID card.",
    warn=True,
)
NIK_BIRTHDATE_INVALID = _e(
    "NIK_BIRTHDATE_INVALID",
    "Tanggal lahir pada NIK (angka 7-12) bukan tanggal yang sah.",
    "The birth date in the NIK (digits 7-12) is not a real date.",
)
NIK_SERIAL_ZERO = _e(
    "NIK_SERIAL_ZERO",
    "Nomor urut NIK (4 angka terakhir) tidak boleh 0000.",
    "The NIK serial (last 4 digits) cannot be 0000.",
)
NIK_BIRTHDATE_MISMATCH = _e(
    "NIK_BIRTHDATE_MISMATCH",
    "Tanggal lahir tidak cocok dengan NIK (NIK menunjukkan {nik_date}).",
    "The birth date does not match the NIK (the NIK says {nik_date}).",
)
NIK_SEX_MISMATCH = _e(
    "NIK_SEX_MISMATCH",
    "Jenis kelamin tidak cocok dengan NIK (NIK menunjukkan {nik_sex_id}).",
    "The sex does not match the NIK (the NIK says {nik_sex_en}).",
)
KK_FORMAT = _e("KK_FORMAT", "Nomor KK harus 16 angka.", "The family card number must be 16 digits.")
KK_DISTRICT_UNKNOWN = _e(
    "KK_DISTRICT_UNKNOWN",
    "Kode wilayah pada nomor KK tidak dikenal; periksa kartu keluarga.",
    "The region code in the family card number is not known; check the card.",
    warn=True,
)
KK_ISSUE_DATE_INVALID = _e(
    "KK_ISSUE_DATE_INVALID",
    "Tanggal terbit pada nomor KK (angka 7-12) bukan tanggal yang sah; periksa kartu keluarga.",
    "The issue date in the family card number (digits 7-12) is not a real date; check the card.",
    warn=True,
)
NAME_LENGTH = _e(
    "NAME_LENGTH",
    "{field_id} harus 2 sampai 100 karakter.",
    "{field_en} must be 2 to 100 characters.",
)
NAME_CHARACTERS = _e(
    "NAME_CHARACTERS",
    "{field_id} hanya boleh berisi huruf, spasi, apostrof, titik dan tanda hubung.",
    "{field_en} may contain only letters, spaces, apostrophes, dots and hyphens.",
)
DATE_INVALID = _e(
    "DATE_INVALID",
    "{field_id} bukan tanggal yang sah (format TTTT-BB-HH).",
    "{field_en} is not a valid date (format YYYY-MM-DD).",
)
BIRTH_DATE_FUTURE = _e(
    "BIRTH_DATE_FUTURE",
    "Tanggal lahir tidak boleh di masa depan.",
    "The birth date cannot be in the future.",
)
AGE_OUT_OF_RANGE = _e(
    "AGE_OUT_OF_RANGE",
    "Pendaftar harus berusia 18 sampai 64 tahun (usia saat ini {age}).",
    "Applicants must be aged 18 to 64 (age now {age}).",
)
PHONE_INVALID = _e(
    "PHONE_INVALID",
    "Nomor HP tidak sah; gunakan nomor seluler Indonesia, misalnya 0812xxxxxxx.",
    "The phone number is not valid; use an Indonesian mobile number, e.g. 0812xxxxxxx.",
)
EMAIL_INVALID = _e("EMAIL_INVALID", "Alamat email tidak sah.", "The email address is not valid.")
RT_RW_INVALID = _e(
    "RT_RW_INVALID", "{field_id} harus 1 sampai 3 angka.", "{field_en} must be 1 to 3 digits."
)
POSTAL_CODE_INVALID = _e(
    "POSTAL_CODE_INVALID", "Kode pos harus 5 angka.", "The postal code must be 5 digits."
)
VILLAGE_UNKNOWN = _e(
    "VILLAGE_UNKNOWN",
    "Kode desa/kelurahan {value} tidak ada di daftar wilayah.",
    "Village code {value} is not in the region list.",
)
VILLAGE_NOT_CHOSEN = _e(
    "VILLAGE_NOT_CHOSEN",
    "{field_id} belum dipilih: ketik sebagian nama, lalu pilih satu dari daftar dengan panah "
    "bawah dan Enter (atau Tab).",
    "{field_en} is not chosen yet: type part of the name, then pick one from the list with "
    "the down arrow and Enter (or Tab).",
)
DECLARATION_REQUIRED = _e(
    "DECLARATION_REQUIRED",
    "Pendaftar harus menyatakan tidak sedang sekolah/kuliah dan bukan ASN, TNI, Polri, "
    "kepala/perangkat desa, atau direksi/komisaris BUMN.",
    "The applicant must declare not being in formal education and not being a civil "
    "servant, soldier, police officer, village head or official, or director of a state "
    "enterprise.",
)
CONSENT_REQUIRED = _e(
    "CONSENT_REQUIRED",
    "Persetujuan pemrosesan data pribadi wajib diberikan.",
    "Consent to the processing of personal data is required.",
)
CONSENT_VERSION_UNKNOWN = _e(
    "CONSENT_VERSION_UNKNOWN",
    "Versi naskah persetujuan {value} tidak dikenal.",
    "Consent text version {value} is not known.",
)
SKILLS_REQUIRED = _e(
    "SKILLS_REQUIRED",
    "Pilih minimal satu keterampilan yang diminati.",
    "Choose at least one skill of interest.",
)

# --- API / protocol -------------------------------------------------------------------
MALFORMED_JSON = _e(
    "MALFORMED_JSON", "Isi permintaan bukan JSON yang sah.", "The request body is not valid JSON."
)
SCHEMA_VIOLATION = _e(
    "SCHEMA_VIOLATION",
    "Permintaan tidak sesuai format: {detail}.",
    "The request does not match the expected format: {detail}.",
)
UNKNOWN_FIELD = _e(
    "UNKNOWN_FIELD",
    "Permintaan berisi kolom yang tidak dikenal: {field}.",
    "The request contains an unknown field: {field}.",
)
UNSUPPORTED_ENCODING = _e(
    "UNSUPPORTED_ENCODING",
    "Kompresi permintaan tidak didukung atau rusak.",
    "The request's compression is not supported or is corrupt.",
    http=415,
)
UNSUPPORTED_MEDIA_TYPE = _e(
    "UNSUPPORTED_MEDIA_TYPE",
    "Jenis isi permintaan harus {type}.",
    "The request body must be of type {type}.",
    http=415,
)
MALFORMED_BODY = _e(
    "MALFORMED_BODY",
    "Isi permintaan rusak: ada data setelah akhir bagian yang dikompresi.",
    "The request body is damaged: data follows the end of its compressed content.",
)
REQUEST_INCOMPLETE = _e(
    "REQUEST_INCOMPLETE",
    "Permintaan tidak terkirim utuh tepat waktu; coba lagi.",
    "The request did not arrive complete in time; try again.",
    http=408,
)
BODY_TOO_LARGE = _e(
    "BODY_TOO_LARGE",
    "Permintaan terlalu besar (paling banyak {max} bita).",
    "The request is too large (at most {max} bytes).",
    http=413,
)
BATCH_TOO_LARGE = _e(
    "BATCH_TOO_LARGE",
    "Satu kiriman paling banyak {max} data.",
    "A batch may hold at most {max} records.",
    http=413,
)
TOO_MANY_ITEMS = _e(
    "TOO_MANY_ITEMS",
    "{field_id} paling banyak {max} pilihan.",
    "{field_en} may have at most {max} entries.",
)
JSON_TOO_COMPLEX = _e(
    "JSON_TOO_COMPLEX",
    "Isi permintaan memuat terlalu banyak nilai (paling banyak {max}).",
    "The request body holds too many values (at most {max}).",
    http=413,
)
CONTENT_HASH_MISMATCH = _e(
    "CONTENT_HASH_MISMATCH",
    "Sidik isi data tidak cocok dengan isinya; data tidak disimpan.",
    "The record's content hash does not match its content; it was not stored.",
)
REGISTRATION_CODE_INVALID = _e(
    "REGISTRATION_CODE_INVALID",
    "Kode pendaftaran tidak sah atau bukan milik kantor dan perangkat ini.",
    "The registration code is not valid or does not belong to this office and device.",
)
REGISTRATION_CODE_UNENROLLED = _e(
    "REGISTRATION_CODE_UNENROLLED",
    "Kode pendaftaran ini dibuat sebelum perangkat didaftarkan ke server, sehingga bisa sama "
    "dengan kode di perangkat lain; server tidak menerimanya. Hubungi kantor pusat.",
    "This registration code was made before the device was enrolled with the server, so "
    "another device may have the same code; the server does not accept it. Contact the "
    "central office.",
)
REVISION_NOT_CONTIGUOUS = _e(
    "REVISION_NOT_CONTIGUOUS",
    "Revisi data tidak berurutan: data baru harus revisi 1, perubahan harus tepat satu "
    "setelah revisi yang ada di server.",
    "The revision is out of sequence: a new record must be revision 1 and an edit exactly "
    "one after the revision the server holds.",
)
AUTH_REQUIRED = _e(
    "AUTH_REQUIRED",
    "Perangkat belum terdaftar atau kredensial tidak dikirim.",
    "The device is not enrolled or sent no credential.",
    http=401,
    kind=Kind.REFUSED,
)
AUTH_INVALID = _e(
    "AUTH_INVALID",
    "Kredensial perangkat tidak sah; daftarkan ulang perangkat ini.",
    "The device credential is not valid; enroll this device again.",
    http=401,
    kind=Kind.REFUSED,
)
DEVICE_REVOKED = _e(
    "DEVICE_REVOKED",
    "Perangkat ini dicabut; hubungi kantor pusat.",
    "This device has been revoked; contact the central office.",
    http=403,
    kind=Kind.REFUSED,
)
DEVICE_MISMATCH = _e(
    "DEVICE_MISMATCH",
    "Kiriman ini atas nama perangkat atau kantor lain.",
    "This request speaks for another device or office.",
    http=403,
    kind=Kind.REFUSED,
)
ENROLL_CODE_INVALID = _e(
    "ENROLL_CODE_INVALID",
    "Kode pendaftaran perangkat tidak sah.",
    "The device enrollment code is not valid.",
    http=400,
)
ENROLL_CODE_EXPIRED = _e(
    "ENROLL_CODE_EXPIRED",
    "Kode pendaftaran perangkat sudah kedaluwarsa; minta kode baru.",
    "The device enrollment code has expired; ask for a new one.",
    http=400,
)
ENROLL_CODE_USED = _e(
    "ENROLL_CODE_USED",
    "Kode pendaftaran perangkat sudah pernah dipakai; minta kode baru.",
    "The device enrollment code has already been used; ask for a new one.",
    http=400,
)
CURSOR_INVALID = _e(
    "CURSOR_INVALID", "Kursor sinkronisasi tidak sah.", "The sync cursor is not valid."
)
NOT_FOUND = _e("NOT_FOUND", "Tidak ditemukan.", "Not found.", http=404)
METHOD_NOT_ALLOWED = _e(
    "METHOD_NOT_ALLOWED", "Metode tidak diizinkan.", "Method not allowed.", http=405
)
FORBIDDEN = _e(
    "FORBIDDEN",
    "Anda tidak berhak melakukan ini.",
    "You are not allowed to do this.",
    http=403,
    kind=Kind.REFUSED,
)
RATE_LIMITED = _e(
    "RATE_LIMITED",
    "Terlalu banyak percobaan; coba lagi nanti.",
    "Too many attempts; try again later.",
    http=429,
    kind=Kind.TRANSIENT,
)
UNAVAILABLE = _e(
    "UNAVAILABLE",
    "Server sedang tidak dapat melayani; coba lagi nanti.",
    "The server cannot serve right now; try again later.",
    http=503,
    kind=Kind.TRANSIENT,
)
INTERNAL_ERROR = _e(
    "INTERNAL_ERROR",
    "Terjadi kesalahan di server; data tidak diubah. Coba lagi nanti.",
    "Something went wrong on the server; nothing was changed. Try again later.",
    http=500,
    kind=Kind.TRANSIENT,
)

# --- desktop / client -----------------------------------------------------------------
SERVER_UNREACHABLE = _e(
    "SERVER_UNREACHABLE",
    "Server tidak dapat dihubungi; data tetap tersimpan dan akan dikirim nanti.",
    "The server cannot be reached; records stay saved and will be sent later.",
    http=503,
    kind=Kind.TRANSIENT,
)
ENROLL_UNREACHABLE = _e(
    "ENROLL_UNREACHABLE",
    "Server tidak dapat dihubungi untuk mendaftarkan perangkat ini (sudah dicoba {attempts} kali). "
    "Periksa jaringan, lalu coba lagi dengan kode yang sama.",
    "The server could not be reached to enroll this device ({attempts} attempts). Check the "
    "connection, then try again with the same code.",
    http=503,
    kind=Kind.TRANSIENT,
)
TLS_ERROR = _e(
    "TLS_ERROR",
    "Sertifikat server tidak dapat diverifikasi; hubungi kantor pusat.",
    "The server's certificate cannot be verified; contact the central office.",
    http=495,
    kind=Kind.REFUSED,
)
TLS_REQUIRED = _e(
    "TLS_REQUIRED",
    "Alamat server harus memakai https:// (tanpa enkripsi hanya untuk server di komputer ini).",
    "The server address must use https:// (unencrypted only for a server on this computer).",
    kind=Kind.REFUSED,
)
SERVER_REDIRECT = _e(
    "SERVER_REDIRECT",
    "Server menjawab dengan pengalihan ke alamat lain; Loket tidak mengikutinya dan tidak "
    "mengirim data ke sana. Periksa alamat server dengan kantor pusat.",
    "The server answered with a redirect to another address; Loket does not follow it and "
    "sends nothing there. Check the server address with the central office.",
    http=502,
    kind=Kind.LOCAL,
)
RESPONSE_TOO_LARGE = _e(
    "RESPONSE_TOO_LARGE",
    "Jawaban server terlalu besar untuk diterima; tidak ada yang diubah di perangkat ini.",
    "The server's answer is too large to accept; nothing was changed on this device.",
    http=502,
    kind=Kind.LOCAL,
)
NOT_ENROLLED = _e(
    "NOT_ENROLLED",
    "Perangkat ini belum didaftarkan ke server.",
    "This device is not enrolled with a server yet.",
    kind=Kind.REFUSED,
)
SAVE_NEEDS_ENROLLMENT = _e(
    "SAVE_NEEDS_ENROLLMENT",
    "Perangkat ini belum didaftarkan ke server, jadi belum punya nomor perangkat untuk kode "
    "pendaftaran. Daftarkan perangkat dulu (menu Sinkronisasi, Daftarkan perangkat); isian "
    "dapat disimpan sebagai draf.",
    "This device is not enrolled with the server yet, so it has no device number for "
    "registration codes. Enroll the device first (menu Sync, Enroll device); the form can be "
    "kept as a draft.",
    kind=Kind.LOCAL,
)
LOGIN_FAILED = _e(
    "LOGIN_FAILED", "Nama pengguna atau kata sandi salah.", "Wrong user name or password.", http=401
)
ACCOUNT_LOCKED = _e(
    "ACCOUNT_LOCKED",
    "Akun dikunci sementara karena terlalu banyak percobaan gagal.",
    "The account is locked for a while after too many failed attempts.",
    http=429,
    kind=Kind.TRANSIENT,
)
ACCOUNT_DISABLED = _e(
    "ACCOUNT_DISABLED",
    "Akun ini dinonaktifkan.",
    "This account is disabled.",
    http=403,
    kind=Kind.REFUSED,
)
OPERATOR_NEEDS_AUTHORISATION = _e(
    "OPERATOR_NEEDS_AUTHORISATION",
    "Akun ini belum punya kunci di komputer ini. Operator lain yang sudah pernah masuk di "
    "komputer ini harus mengizinkan login pertama ini dengan nama dan kata sandinya.",
    "This account has no key on this computer yet. Another operator who has logged in on "
    "this computer before must authorise this first login with their name and password.",
    http=403,
    kind=Kind.REFUSED,
)
NIK_ALREADY_REGISTERED = _e(
    "NIK_ALREADY_REGISTERED",
    "NIK ini sudah terdaftar di perangkat ini dengan data yang berbeda ({code}); "
    "perbaiki data lewat aplikasi.",
    "This NIK is already registered on this device with different data ({code}); "
    "correct the record in the app.",
    http=409,
)
# --- review decisions (console) --------------------------------------------------------
DECISION_REVISION_REQUIRED = _e(
    "DECISION_REVISION_REQUIRED",
    "Keputusan harus menyebut revisi yang diperiksa; muat ulang halaman lalu coba lagi.",
    "A decision must name the revision it was made on; reload the page and try again.",
    http=422,
)
DECISION_STALE_REVISION = _e(
    "DECISION_STALE_REVISION",
    "Pendaftaran {code} berubah sejak Anda membukanya (revisi {seen}, sekarang {current}); "
    "keputusan tidak disimpan. Periksa perubahannya lalu putuskan lagi.",
    "Registration {code} changed since you opened it (revision {seen}, now {current}); "
    "the decision was not saved. Check what changed and decide again.",
    http=409,
)
DECISION_OUT_OF_SCOPE = _e(
    "DECISION_OUT_OF_SCOPE",
    "Pendaftaran yang dipilih berada di provinsi di luar wewenang Anda; tidak ada yang diputuskan.",
    "A chosen registration is in a province outside your scope; nothing was decided.",
    http=403,
    kind=Kind.REFUSED,
)
DECISION_NIK_VERIFIED = _e(
    "DECISION_NIK_VERIFIED",
    "NIK ini sudah dimiliki pendaftaran terverifikasi {code}; satu NIK hanya boleh satu "
    "pendaftaran terverifikasi. Tidak ada yang diputuskan. Buka kembali kelompok datanya "
    "untuk memilih ulang.",
    "This NIK already belongs to verified registration {code}; one NIK may have only one "
    "verified registration. Nothing was decided. Reopen its duplicate group to choose again.",
    http=409,
)
DECISION_KK_FULL = _e(
    "DECISION_KK_FULL",
    "Kartu keluarga ini sudah punya dua pendaftaran terverifikasi ({codes}); paling banyak dua "
    "per kartu keluarga. Tidak ada yang diputuskan. Buka kembali kelompok kartu keluarganya "
    "untuk memilih ulang.",
    "This family card already has two verified registrations ({codes}); at most two per "
    "family card. Nothing was decided. Reopen the family card's group to choose again.",
    http=409,
)
DECISION_CLAIMED = _e(
    "DECISION_CLAIMED",
    "Pendaftaran {code} sedang ditangani oleh {reviewer} sampai {until}; keputusan tidak "
    "disimpan. Pilih pekerjaan lain atau minta {reviewer} melepasnya.",
    "Registration {code} is claimed by {reviewer} until {until}; the decision was not saved. "
    "Choose other work, or ask {reviewer} to release it.",
    http=409,
)
IMPORT_COLUMNS_MISSING = _e(
    "IMPORT_COLUMNS_MISSING",
    "Kolom wajib tidak ada di berkas: {columns}.",
    "Required columns are missing from the file: {columns}.",
)
IMPORT_ROW_MALFORMED = _e(
    "IMPORT_ROW_MALFORMED",
    "Baris {row} berisi {cells} sel, sedangkan baris judul berisi {columns}.",
    "Row {row} has {cells} cells, the header row has {columns}.",
)
IMPORT_COLUMNS_REPEATED = _e(
    "IMPORT_COLUMNS_REPEATED",
    "Judul kolom ini muncul lebih dari sekali: {columns}.",
    "These column headings appear more than once: {columns}.",
)
IMPORT_ENCODING_UNKNOWN = _e(
    "IMPORT_ENCODING_UNKNOWN",
    "Berkas tidak dapat dibaca: bukan UTF-8, UTF-16 atau Windows-1252 (baris {row}). "
    'Di Excel simpan ulang sebagai "CSV UTF-8".',
    "The file cannot be read: it is not UTF-8, UTF-16 or Windows-1252 (line {row}). "
    'Save it again in Excel as "CSV UTF-8".',
)
IMPORT_DATE_AMBIGUOUS = _e(
    "IMPORT_DATE_AMBIGUOUS",
    '{field_id} "{value}" tidak dapat dibaca dengan pasti. Tulis hari/bulan/tahun dengan '
    "tahun 4 angka (mis. 15/03/2001) atau TTTT-BB-HH.",
    '{field_en} "{value}" cannot be read for certain. Write day/month/year with a 4-digit '
    "year (e.g. 15/03/2001) or YYYY-MM-DD.",
)
IMPORT_NUMBER_MANGLED = _e(
    "IMPORT_NUMBER_MANGLED",
    "{field_id} tertulis sebagai angka ilmiah ({value}): Excel sudah memotong angkanya. "
    "Format kolom itu sebagai Teks, lalu ketik ulang angkanya.",
    "{field_en} was written as a scientific number ({value}): Excel has cut its digits. "
    "Format that column as Text and type the number again.",
)
OPERATOR_NAME_INVALID = _e(
    "OPERATOR_NAME_INVALID",
    "Nama pengguna harus 1-64 karakter: huruf, angka, '.', '_' atau '-', diawali huruf atau angka.",
    "The user name must be 1-64 characters: letters, digits, '.', '_' or '-', starting with a "
    "letter or digit.",
)
PASSWORD_TOO_SHORT = _e(
    "PASSWORD_TOO_SHORT",
    "Kata sandi paling sedikit {min} karakter.",
    "The password must be at least {min} characters.",
)
OPERATOR_EXISTS = _e(
    "OPERATOR_EXISTS",
    "Operator {name} sudah ada.",
    "Operator {name} already exists.",
)
OPERATORS_EXIST = _e(
    "OPERATORS_EXIST",
    "Perangkat ini sudah punya operator: masuk sebagai salah satunya untuk menambah operator.",
    "This device already has operators: log in as one of them to add another.",
    kind=Kind.LOCAL,
)

# --- accounts (common/accounts.py) ------------------------------------------------------
USERNAME_INVALID = _e(
    "USERNAME_INVALID",
    "Nama pengguna terdiri atas 1 sampai 64 huruf, angka, titik, tanda hubung atau garis bawah.",
    "A username has 1 to 64 letters, digits, dots, dashes or underscores.",
)
ROLE_INVALID = _e(
    "ROLE_INVALID",
    "Peran harus salah satu dari: {roles}.",
    "The role must be one of: {roles}.",
)
USER_EXISTS = _e("USER_EXISTS", "Pengguna {name} sudah ada.", "User {name} exists already.")
USER_UNKNOWN = _e(
    "USER_UNKNOWN", "Tidak ada akun konsol {name}.", "There is no console account {name}."
)
OPERATOR_UNKNOWN = _e(
    "OPERATOR_UNKNOWN", "Tidak ada operator {name}.", "There is no operator {name}."
)
PASSWORD_REQUIRED = _e(
    "PASSWORD_REQUIRED",
    "Kata sandi belum diberikan: atur {env} atau jalankan dari terminal agar ditanya.",
    "No password given: set {env} or run from a terminal to be asked.",
)
PASSWORD_MISMATCH = _e(
    "PASSWORD_MISMATCH", "Kedua kata sandi berbeda.", "The two passwords differ."
)

# --- command lines (desktop/cli.py, syncserver/cli.py) ----------------------------------
USAGE = _e("USAGE", "Cara pakai: {hint}", "Usage: {hint}")
INVALID_VALUE = _e("INVALID_VALUE", "Nilai tidak sah: {detail}.", "Invalid value: {detail}.")
FILE_NOT_FOUND = _e("FILE_NOT_FOUND", "Berkas tidak ada: {path}.", "No such file: {path}.")
INTERRUPTED = _e(
    "INTERRUPTED", "Dihentikan oleh pengguna.", "Stopped by the user.", kind=Kind.LOCAL
)
UNEXPECTED_ERROR = _e(
    "UNEXPECTED_ERROR",
    "Terjadi kesalahan tak terduga ({detail}); rinciannya ada di log.",
    "Something unexpected went wrong ({detail}); the details are in the log.",
    kind=Kind.LOCAL,
)
STORE_ERROR = _e(
    "STORE_ERROR",
    "Basis data di perangkat ini tidak dapat dibuka: {detail}.",
    "The database on this device cannot be opened: {detail}.",
    kind=Kind.LOCAL,
)
OPERATOR_REQUIRED = _e(
    "OPERATOR_REQUIRED",
    "Sebutkan operatornya: --operator NAMA (atau atur {env}). Sinkronisasi tanpa operator "
    "memakai kunci yang disimpan dengan: loket-desk remember-key --operator NAMA.",
    "Give the operator: --operator NAME (or set {env}). A sync without an operator uses the "
    "key kept with: loket-desk remember-key --operator NAME.",
)
NO_OPERATOR = _e(
    "NO_OPERATOR",
    "Perangkat ini belum punya operator: buat dulu dengan loket-desk add-operator NAMA.",
    "This device has no operator yet: create one with loket-desk add-operator NAME.",
    kind=Kind.LOCAL,
)
NO_CREDENTIAL_STORE = _e(
    "NO_CREDENTIAL_STORE",
    "Sistem ini tidak punya tempat penyimpanan kredensial (keyring); jalankan sync dengan "
    "--operator NAMA dan LOKET_PASSWORD (docs/SECURITY.md).",
    "This system has no OS credential store (keyring); run sync with --operator NAME and "
    "LOKET_PASSWORD instead (docs/SECURITY.md).",
    kind=Kind.LOCAL,
)
REKEY_NO_SLOT = _e(
    "REKEY_NO_SLOT",
    "Tidak ada operator aktif yang punya kunci di komputer ini, jadi kunci baru akan hilang; "
    "tidak ada yang diubah.",
    "No active operator has a key slot on this computer, so the new key would be lost; "
    "nothing was changed.",
    kind=Kind.LOCAL,
)
OFFICE_CODE_INVALID = _e(
    "OFFICE_CODE_INVALID",
    "Kode kantor harus 6 angka: kode kabupaten/kota (4 angka) lalu nomor kantor 01-99.",
    "The office code must be 6 digits: the regency code (4 digits), then an office number 01-99.",
)
DEVICE_NO_INVALID = _e(
    "DEVICE_NO_INVALID",
    "Nomor perangkat harus 0 sampai 999.",
    "The device number must be 0 to 999.",
)
DEVICE_ENROLLED = _e(
    "DEVICE_ENROLLED",
    "Perangkat ini sudah didaftarkan ke server; kantor dan nomornya berasal dari server.",
    "This device is enrolled; its office and number come from the server.",
    kind=Kind.LOCAL,
)
CONFIG_INVALID = _e(
    "CONFIG_INVALID",
    "Konfigurasi server tidak sah: {detail}.",
    "The server configuration is not valid: {detail}.",
    kind=Kind.LOCAL,
)
DATABASE_NOT_MIGRATED = _e(
    "DATABASE_NOT_MIGRATED",
    "Basis data belum dimigrasi; jalankan dulu loket-server migrate.",
    "The database is not migrated; run `loket-server migrate` first.",
    kind=Kind.LOCAL,
)
DATABASE_UNREACHABLE = _e(
    "DATABASE_UNREACHABLE",
    "Basis data tidak dapat dihubungi; tidak ada yang diubah: {detail}.",
    "The database cannot be reached; nothing was changed: {detail}.",
    kind=Kind.LOCAL,
)
REGENCY_CODE_INVALID = _e(
    "REGENCY_CODE_INVALID",
    "--regency harus kode kabupaten/kota 4 angka (mis. 3201 atau 32.01).",
    "--regency must be a 4-digit regency code (e.g. 3201 or 32.01).",
)
REGENCY_UNKNOWN = _e(
    "REGENCY_UNKNOWN",
    "Kabupaten/kota {regency} tidak ada di daftar wilayah.",
    "Regency {regency} is not in the region list.",
)
OFFICE_EXISTS = _e("OFFICE_EXISTS", "Kantor {office} sudah ada.", "Office {office} exists already.")
OFFICE_UNKNOWN = _e(
    "OFFICE_UNKNOWN", "Kantor {office} tidak dikenal.", "Office {office} is not known."
)
DEVICE_UNKNOWN = _e(
    "DEVICE_UNKNOWN", "Tidak ada perangkat aktif {device}.", "There is no active device {device}."
)


# --- sync bundles (common/bundle.py; docs/PROTOCOL.md "Bundles") ---------------------------
BUNDLE_UNREADABLE = _e(
    "BUNDLE_UNREADABLE",
    "Berkas ini bukan berkas Loket yang utuh (terpotong atau rusak). Salin ulang dari perangkat"
    " asalnya.",
    "This file is not a complete Loket file (cut short or damaged). Copy it again from the"
    " device it came from.",
)
BUNDLE_VERSION_UNSUPPORTED = _e(
    "BUNDLE_VERSION_UNSUPPORTED",
    "Berkas ini dibuat oleh versi Loket yang tidak dikenal (format {version}). Perbarui aplikasi.",
    "This file was made by a Loket version this one does not know (format {version}). Update"
    " the application.",
)
BUNDLE_TAMPERED = _e(
    "BUNDLE_TAMPERED",
    "Isi berkas tidak cocok dengan tanda tangannya: berkas telah diubah. Tidak ada yang diimpor.",
    "The file's content does not match its signature: it was changed. Nothing was imported.",
)
BUNDLE_WRONG_RECIPIENT = _e(
    "BUNDLE_WRONG_RECIPIENT",
    "Berkas ini dikunci untuk penerima lain dan tidak dapat dibuka di sini.",
    "This file is locked for another recipient and cannot be opened here.",
)
BUNDLE_KEY_EXPIRED = _e(
    "BUNDLE_KEY_EXPIRED",
    "Berkas ini dikunci dengan kunci server lama yang sudah tidak berlaku sejak {until}."
    " Sinkronkan perangkat atau impor tanda terima terbaru, lalu buat berkas baru.",
    "This file is locked with an old server key no longer accepted since {until}. Sync the"
    " device or import its latest acknowledgement, then make a new file.",
)
BUNDLE_TOO_LARGE = _e(
    "BUNDLE_TOO_LARGE",
    "Berkas terlalu besar (paling banyak {max} byte).",
    "The file is too large (at most {max} bytes).",
    http=413,
)

BUNDLE_WRONG_KIND = _e(
    "BUNDLE_WRONG_KIND",
    "Berkas ini jenis lain dari yang diharapkan di sini: berkas data perangkat (.loket)"
    " diimpor di server, tanda terima (.ack) di perangkat.",
    "This file is of another kind than expected here: a device's records file (.loket) is"
    " imported at the server, an acknowledgement (.ack) on the device.",
)
BUNDLE_UNKNOWN_SENDER = _e(
    "BUNDLE_UNKNOWN_SENDER",
    "Perangkat yang membuat berkas ini tidak terdaftar di server ini, atau belum mengirim"
    " kuncinya. Tidak ada yang diimpor.",
    "The device that made this file is not enrolled with this server, or has not sent its key"
    " yet. Nothing was imported.",
    http=403,
)
BUNDLE_SENDER_REVOKED = _e(
    "BUNDLE_SENDER_REVOKED",
    "Perangkat yang membuat berkas ini sudah dicabut; datanya tidak diterima. Hubungi kantor"
    " pusat.",
    "The device that made this file has been revoked; its records are not accepted. Contact"
    " the central office.",
    http=403,
)
BUNDLE_WRONG_OFFICE = _e(
    "BUNDLE_WRONG_OFFICE",
    "Berkas ini milik kantor {office} dan tidak dapat diterima dari sini.",
    "This file belongs to office {office} and cannot be accepted from here.",
    http=403,
)
BUNDLE_REPLAYED = _e(
    "BUNDLE_REPLAYED",
    "Berkas ini lebih lama daripada berkas yang sudah diimpor dari perangkat yang sama; isinya"
    " sudah ada di berkas yang lebih baru. Tidak ada yang diubah.",
    "This file is older than one already imported from the same device; its content is in the"
    " newer file. Nothing was changed.",
    http=409,
)
BUNDLE_OUT_OF_SCOPE = _e(
    "BUNDLE_OUT_OF_SCOPE",
    "Berkas ini dari kantor {office}, di luar provinsi yang boleh Anda tangani.",
    "This file is from office {office}, outside the provinces you may handle.",
    http=403,
)
BUNDLE_NO_KEYS = _e(
    "BUNDLE_NO_KEYS",
    "Perangkat ini belum memiliki kunci server untuk berkas. Sinkronkan sekali lewat jaringan,"
    " lalu coba lagi.",
    "This device does not have the server's file key yet. Sync once over the network, then"
    " try again.",
)
BUNDLE_NOTHING_TO_SEND = _e(
    "BUNDLE_NOTHING_TO_SEND",
    "Tidak ada data yang menunggu untuk dikirim; tidak ada berkas yang dibuat.",
    "No records are waiting to be sent; no file was made.",
    warn=True,
)
BUNDLE_OWN_FILE = _e(
    "BUNDLE_OWN_FILE",
    'Ini berkas perangkat ini sendiri. Datanya dikirim dengan "Sinkronkan sekarang", bukan'
    " diteruskan.",
    'This is this device\'s own file. Its records are sent with "Sync now", not relayed.',
)
FILE_WRITE_FAILED = _e(
    "FILE_WRITE_FAILED",
    "Berkas tidak dapat ditulis ke {path} ({reason}). Tidak ada yang diubah; periksa folder"
    " atau flashdisk, lalu coba lagi.",
    "The file could not be written to {path} ({reason}). Nothing was changed; check the folder"
    " or the USB stick, then try again.",
)


def spec(code: str) -> ErrorSpec:
    """The catalog entry for ``code`` (KeyError for an unknown code: a bug, not user input)."""
    return CATALOG[code]


def kind(code: str) -> Kind:
    """What ``code`` asks for (:class:`Kind`); KeyError for an unknown code, as :func:`spec`."""
    return CATALOG[code].kind


def message(code: str, params: dict[str, Any] | None = None, lang: str | Lang | None = None) -> str:
    """The clerk-facing message for ``code`` in ``lang``, filled from ``params``."""
    entry = CATALOG[code]
    template = entry.message_en if as_lang(lang) is Lang.EN else entry.message_id
    return template.format_map(_SafeDict(params or {}))


class InvalidValue(ValueError):  # a ValueError, as callers already expect
    """A refused value with a catalog code, for code that raises ``ValueError``: ``str()`` is
    the English message (logs, the CLI), and a UI shows :meth:`message` in its own language, so
    no English exception text ends up inside an Indonesian sentence."""

    def __init__(self, code: str, params: dict[str, Any] | None = None) -> None:
        self.code = code
        self.params = dict(params or {})
        super().__init__(message(code, self.params, Lang.EN))

    def message(self, lang: str | Lang | None = None) -> str:
        return message(self.code, self.params, lang)


@dataclass(eq=False)
class ApiError(Exception):
    """An error with a catalog code, raised by the server and the client alike.

    Not a frozen dataclass: ``contextlib`` sets ``__traceback__`` on an exception leaving a
    ``@contextmanager`` block (``store.write()``, ``db.transaction()``), and a frozen one
    refused that with a ``TypeError`` that hid the real error. ``eq=False``: compared and
    hashed by identity, like every exception."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def http_status(self) -> int:
        return CATALOG[self.code].http_status

    def message(self, lang: str | Lang | None = None) -> str:
        return message(self.code, self.params, lang)

    def to_body(self, lang: str | Lang | None = None) -> dict[str, Any]:
        """The JSON error body ``{code, message, details}`` of every 4xx/5xx on the API."""
        return {"code": self.code, "message": self.message(lang), "details": self.details}

    def __str__(self) -> str:
        return f"{self.code}: {self.message(Lang.EN)}"
