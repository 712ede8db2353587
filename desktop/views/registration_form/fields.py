"""The form's fields, in the order of the paper form: the layout (groups and rows), the tab
order and the form's values (``raw()``) all come from this one table, so that a new field is
one entry here (and its rule in ``common.validation``).

A field's ``name`` is the record field it fills (``common.record``); its editor is
``field_<name>``, its label ``label_<name>``, its message ``message_<name>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject

from common import enums
from desktop.i18n import arg
from desktop.views.registration_form.editors import (
    MakeEditor,
    check,
    choice,
    date_line,
    line,
    long_text,
    skills,
    village,
)

# The group whose rows are shown (inside the address group) only while "lives at the address
# on the ID card" is not ticked; its values are empty while it is ticked.
DOMICILE = "domicileFrame"


@dataclass(frozen=True)
class Field:
    """One row: ``label`` beside the editor ``editor`` makes, ``width`` pixels wide (``None``:
    its natural width)."""

    name: str
    label: str
    editor: MakeEditor
    width: int | None = 320


@dataclass(frozen=True)
class Group:
    """A box of rows titled ``title``; ``intro`` is a text above its first row."""

    name: str
    title: str
    fields: tuple[Field, ...]
    intro: str = ""


class FormFields(QObject):
    """The table. A QObject for its translation context only: the texts are translated as the
    table is made, in the language the form is built in."""

    def groups(self) -> tuple[Group, ...]:
        choose = self.tr("(choose)")
        street = self.tr("Street, house number")
        optional = self.tr("Optional")
        return (
            Group("groupIdentity", self.tr("Identity"), (
                Field("nik", self.tr("NIK"), line(20, digits=True, compact=True, placeholder=self.tr("16 digits from the ID card"))),
                Field("kk_number", self.tr("Family card number (KK)"), line(20, digits=True, compact=True, placeholder=self.tr("16 digits from the family card"))),
                Field("full_name", self.tr("Full name"), line(100, placeholder=self.tr("As written on the ID card"))),
                Field("birth_place", self.tr("Place of birth"), line(100)),
                Field("birth_date", self.tr("Date of birth"), date_line(self.tr("YYYY-MM-DD")), 160),
                Field("sex", self.tr("Sex"), choice(enums.Sex, blank=choose), 160),
                Field("mother_maiden_name", self.tr("Mother's maiden name"), line(100, placeholder=optional)),
            )),
            Group("groupContact", self.tr("Contact"), (
                Field("phone", self.tr("Mobile phone"), line(32, placeholder=self.tr("e.g. 0812 3456 7890")), 220),
                Field("email", self.tr("Email"), line(254, placeholder=optional)),
            )),
            Group("groupAddress", self.tr("Address"), (
                Field("street", self.tr("Street address"), line(200, placeholder=street), 420),
                Field("rt", self.tr("RT"), line(3, digits=True), 70),
                Field("rw", self.tr("RW"), line(3, digits=True), 70),
                Field("village_code", self.tr("Village"), village(), 520),
                Field("postal_code", self.tr("Postal code"), line(5, digits=True), 90),
                Field("domicile_same", self.tr("Domicile"), check(self.tr("Lives at the address on the ID card"), default=True), None),
            )),
            Group(DOMICILE, "", (
                Field("domicile_street", self.tr("Domicile street address"), line(200, placeholder=street), 420),
                Field("domicile_rt", self.tr("Domicile RT"), line(3, digits=True), 70),
                Field("domicile_rw", self.tr("Domicile RW"), line(3, digits=True), 70),
                Field("domicile_village_code", self.tr("Domicile village"), village(), 520),
                Field("domicile_postal_code", self.tr("Domicile postal code"), line(5, digits=True), 90),
            )),
            Group("groupProfile", self.tr("Profile"), (
                Field("education", self.tr("Last education"), choice(enums.Education, blank=choose), 260),
                Field("employment_status", self.tr("Employment status"), choice(enums.EmploymentStatus, blank=choose), 260),
                Field("disability", self.tr("Disability"), choice(enums.Disability), 260),
                Field("former_migrant_worker", self.tr("Former migrant worker"), check(self.tr("Has worked abroad as a migrant worker")), None),
                Field("skills", self.tr("Skills of interest"), skills(enums.Skill, tooltip=self.tr("Arrow keys move, Space ticks a skill"))),
                Field("motivation", self.tr("Reason for joining"), long_text(self.tr("In the applicant's words")), 420),
            )),
            Group("groupConsent", self.tr("Declaration and consent"), (
                Field("declaration_not_excluded", self.tr("Declaration"), check(self.tr("The applicant makes this declaration")), None),
                Field("consent_given", self.tr("Consent"), check(arg(self.tr("The applicant consents (consent text version %1)"), enums.CURRENT_CONSENT_VERSION)), None),
            ), intro=self.tr(
                "The applicant declares that they are not in formal education and are not a "
                "civil servant, soldier, police officer, village head or village official, or "
                "director or commissioner of a state-owned enterprise."
            )),
        )  # fmt: skip
