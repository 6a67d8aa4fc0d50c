"""What a notice may carry as an attachment: documents, workbooks, PDFs, pictures and text,
at most ``NOTICE_ATTACHMENT_MAX_BYTES`` (default 10 MB), whose first bytes are those of the
kind its name says (a program renamed .pdf is refused). The file is kept through Django's
``default_storage`` (the notice's FileField) and given back only through the scoped
download view, never served from MEDIA_URL."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ZIP = (b"PK\x03\x04",)
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
# Suffix → the signatures its file may start with (None: text, checked apart).
SIGNATURES: dict[str, tuple[bytes, ...] | None] = {
    ".pdf": (b"%PDF-",),
    ".doc": OLE,
    ".xls": OLE,
    ".ppt": OLE,
    ".wps": OLE,  # WPS Office's writer
    ".et": OLE,  # WPS Office's spreadsheet
    ".docx": ZIP,
    ".xlsx": ZIP,
    ".pptx": ZIP,
    ".odt": ZIP,
    ".ods": ZIP,
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".txt": None,
}
ALLOWED = ", ".join(SIGNATURES)


def max_bytes() -> int:
    return int(getattr(settings, "NOTICE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def check_attachment(upload) -> None:
    """Raise a :class:`ValidationError` (in the user's language) unless ``upload`` (an
    UploadedFile) may be attached to a notice."""
    name = upload.name or ""
    suffix = "." + name.rpartition(".")[2].lower() if "." in name else ""
    if suffix not in SIGNATURES:
        raise ValidationError(
            _(
                "Files of type “%(suffix)s” cannot be attached. Attach a document, workbook, "
                "PDF, picture or text file (%(allowed)s)."
            )
            % {"suffix": suffix or name, "allowed": ALLOWED},
            code="type",
        )
    limit = max_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; an attachment may be at most %(limit)s MB.")
            % {"size": round(upload.size / 1048576, 1), "limit": round(limit / 1048576, 1)},
            code="size",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    signatures = SIGNATURES[suffix]
    if signatures is None:
        fits = b"\x00" not in head
    else:
        fits = any(head.startswith(signature) for signature in signatures)
    if not fits:
        raise ValidationError(
            _("“%(name)s” is not a %(suffix)s file, whatever its name says.")
            % {"name": name, "suffix": suffix.lstrip(".")},
            code="content",
        )
