"""Enumerations of the registration record, each value with an Indonesian and English label.

Values are stable wire and storage codes; labels are for people.
"""

from __future__ import annotations

from enum import StrEnum

from common.i18n import Lang, pick

#: ``(indonesian, english)`` labels of each enum's values, filled below the classes.
LABELS: dict[type[StrEnum], dict[str, tuple[str, str]]] = {}


class _Labelled(StrEnum):
    """A string enum whose members have Indonesian and English labels in :data:`LABELS`."""

    def label(self, lang: str | Lang | None = None) -> str:
        return pick(LABELS[type(self)][self.value], lang)

    @classmethod
    def parse(cls, value: object) -> _Labelled | None:
        """The member for a code (case-insensitive), or None when it is not one."""
        if isinstance(value, cls):
            return value
        if not isinstance(value, str):
            return None
        key = value.strip().lower()
        member = cls._value2member_map_.get(key)
        return member if isinstance(member, cls) else None


class Sex(_Labelled):
    MALE = "L"  # laki-laki
    FEMALE = "P"  # perempuan

    @classmethod
    def parse(cls, value: object) -> Sex | None:
        if isinstance(value, cls):
            return value
        if isinstance(value, str) and value.strip().upper() in ("L", "P"):
            return cls(value.strip().upper())
        return None


class Education(_Labelled):
    NONE = "none"
    SD = "sd"
    SMP = "smp"
    SMA = "sma"
    SMK = "smk"
    DIPLOMA = "diploma"
    S1 = "s1"
    S2 = "s2"
    S3 = "s3"


class EmploymentStatus(_Labelled):
    WORKING = "working"
    NOT_WORKING = "not_working"
    LAID_OFF = "laid_off"
    FURLOUGHED = "furloughed"
    MICRO_BUSINESS = "micro_business"


class Disability(_Labelled):
    NONE = "none"
    PHYSICAL = "physical"
    VISUAL = "visual"
    HEARING = "hearing"
    SPEECH = "speech"
    INTELLECTUAL = "intellectual"
    MENTAL = "mental"
    MULTIPLE = "multiple"


class Channel(_Labelled):
    COUNTER = "counter"
    FIELD = "field"
    PAPER = "paper"


class Status(_Labelled):
    DRAFT = "draft"
    SAVED = "saved"  # saved on the device, queued for sync
    RECEIVED = "received"  # the server has it
    VERIFIED = "verified"
    POTENTIAL_DUPLICATE = "potential_duplicate"
    RETURNED = "returned"  # returned for correction
    REJECTED = "rejected"


#: The statuses a reviewer's decision makes final: the record is no longer edited or sent
#: again, and its personal data may be purged after the retention period (as plain strings,
#: so that they serve SQL ``IN`` lists and ``Status`` members alike).
DECIDED_STATUSES: tuple[str, ...] = (Status.VERIFIED.value, Status.REJECTED.value)


class Skill(_Labelled):
    """Skills of interest offered by the programme's training catalogue (broad areas)."""

    DIGITAL_MARKETING = "digital_marketing"
    OFFICE_ADMIN = "office_admin"
    PROGRAMMING = "programming"
    CULINARY = "culinary"
    TAILORING = "tailoring"
    AUTOMOTIVE = "automotive"
    ELECTRICAL = "electrical"
    CONSTRUCTION = "construction"
    AGRICULTURE = "agriculture"
    FISHERIES = "fisheries"
    HOSPITALITY = "hospitality"
    BEAUTY = "beauty"
    CAREGIVING = "caregiving"
    LANGUAGES = "languages"
    ENTREPRENEURSHIP = "entrepreneurship"


class RejectReason(_Labelled):
    """Why a reviewer rejected a registration (stored and sent to the device as the code)."""

    NOT_ELIGIBLE = "not_eligible"
    AGE_OUT_OF_RANGE = "age_out_of_range"
    EXCLUDED_OCCUPATION = "excluded_occupation"
    IN_FORMAL_EDUCATION = "in_formal_education"
    DUPLICATE = "duplicate"
    KK_LIMIT = "kk_limit"
    FALSE_DATA = "false_data"
    INCOMPLETE = "incomplete"
    OTHER = "other"


LABELS[RejectReason] = {
    "not_eligible": (
        "Tidak memenuhi persyaratan program",
        "Does not meet the programme's requirements",
    ),
    "age_out_of_range": ("Usia di luar 18 sampai 64 tahun", "Age outside 18 to 64"),
    "excluded_occupation": (
        "ASN, TNI, Polri, kepala/perangkat desa, atau direksi/komisaris BUMN/BUMD",
        "Civil servant, soldier, police, village official or state-enterprise director",
    ),
    "in_formal_education": ("Masih menempuh pendidikan formal", "Still in formal education"),
    "duplicate": ("Pendaftaran ganda", "Duplicate registration"),
    "kk_limit": (
        "Lebih dari dua pendaftar dalam satu KK",
        "More than two registrations on one family card",
    ),
    "false_data": ("Data palsu atau tidak konsisten", "False or inconsistent data"),
    "incomplete": ("Dokumen atau data tidak lengkap", "Incomplete documents or data"),
    "other": ("Lainnya (lihat catatan)", "Other (see the note)"),
}
LABELS[Sex] = {"L": ("Laki-laki", "Male"), "P": ("Perempuan", "Female")}
LABELS[Education] = {
    "none": ("Tidak/belum sekolah", "No schooling"),
    "sd": ("SD/sederajat", "Primary school"),
    "smp": ("SMP/sederajat", "Junior secondary school"),
    "sma": ("SMA/sederajat", "Senior secondary school"),
    "smk": ("SMK", "Vocational secondary school"),
    "diploma": ("Diploma (D1-D4)", "Diploma (D1-D4)"),
    "s1": ("Sarjana (S1)", "Bachelor's degree"),
    "s2": ("Magister (S2)", "Master's degree"),
    "s3": ("Doktor (S3)", "Doctorate"),
}
LABELS[EmploymentStatus] = {
    "working": ("Bekerja", "Working"),
    "not_working": ("Tidak bekerja", "Not working"),
    "laid_off": ("Korban PHK", "Laid off"),
    "furloughed": ("Dirumahkan", "Furloughed"),
    "micro_business": ("Pelaku usaha mikro", "Micro-business owner"),
}
LABELS[Disability] = {
    "none": ("Tidak ada", "None"),
    "physical": ("Disabilitas fisik", "Physical disability"),
    "visual": ("Disabilitas netra", "Visual impairment"),
    "hearing": ("Disabilitas rungu", "Hearing impairment"),
    "speech": ("Disabilitas wicara", "Speech impairment"),
    "intellectual": ("Disabilitas intelektual", "Intellectual disability"),
    "mental": ("Disabilitas mental", "Psychosocial disability"),
    "multiple": ("Disabilitas ganda", "Multiple disabilities"),
}
LABELS[Channel] = {
    "counter": ("Loket kantor", "Office counter"),
    "field": ("Kunjungan lapangan", "Field visit"),
    "paper": ("Impor formulir kertas", "Paper form import"),
}
LABELS[Status] = {
    "draft": ("Draf", "Draft"),
    "saved": ("Tersimpan (menunggu kirim)", "Saved (queued)"),
    "received": ("Diterima server", "Received by the server"),
    "verified": ("Terverifikasi", "Verified"),
    "potential_duplicate": ("Potensi ganda", "Potential duplicate"),
    "returned": ("Dikembalikan untuk perbaikan", "Returned for correction"),
    "rejected": ("Ditolak", "Rejected"),
}
LABELS[Skill] = {
    "digital_marketing": ("Pemasaran digital", "Digital marketing"),
    "office_admin": ("Administrasi perkantoran", "Office administration"),
    "programming": ("Pemrograman", "Programming"),
    "culinary": ("Tata boga", "Culinary"),
    "tailoring": ("Tata busana / menjahit", "Tailoring"),
    "automotive": ("Otomotif", "Automotive"),
    "electrical": ("Kelistrikan", "Electrical work"),
    "construction": ("Konstruksi", "Construction"),
    "agriculture": ("Pertanian", "Agriculture"),
    "fisheries": ("Perikanan", "Fisheries"),
    "hospitality": ("Perhotelan dan pariwisata", "Hospitality and tourism"),
    "beauty": ("Tata rias", "Beauty"),
    "caregiving": ("Perawatan / pengasuhan", "Caregiving"),
    "languages": ("Bahasa asing", "Foreign languages"),
    "entrepreneurship": ("Kewirausahaan", "Entrepreneurship"),
}


#: The consent texts the programme has published; a record names the one the applicant saw.
CONSENT_VERSIONS: dict[str, tuple[str, str]] = {
    "2026-01": (
        "Saya menyetujui pemrosesan data pribadi saya untuk pendaftaran program pelatihan "
        "prakerja sesuai UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi.",
        "I consent to the processing of my personal data for registration in the "
        "pre-employment training programme under Law No. 27 of 2022 on Personal Data "
        "Protection.",
    ),
}
CURRENT_CONSENT_VERSION = "2026-01"
