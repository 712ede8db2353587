"""The registration form: the view (:mod:`.view`), the field table it is built from
(:mod:`.fields`), one adapter per kind of editor (:mod:`.editors`) and the NIK hint
(:mod:`.nik_hint`)."""

from desktop.views.registration_form.editors import parse_typed_date
from desktop.views.registration_form.view import RegistrationFormView

__all__ = ["RegistrationFormView", "parse_typed_date"]
