"""Fixtures of the notices tests: uploads kept in a temporary folder, files to attach, and
submitted returns to send back, approve or reopen."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from returns.models import QuarterlyReturn, ReturnStatus

FIGURES = dict(
    households=2000,
    registered_population=5600,
    resident_population=5800,
    volunteers=10,
    activities=5,
    one_stop_cases=0,
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf(name="通知.pdf", size=None):
    body = b"%PDF-1.4\n" + b"x" * (size or 200)
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def upload(name, body: bytes):
    return SimpleUploadedFile(name, body)


def submitted(committee, year=2007, quarter=2, **extra):
    """A submitted return (as the street's submission leaves it)."""
    now = timezone.now()
    return QuarterlyReturn.objects.create(
        committee=committee,
        year=year,
        quarter=quarter,
        status=ReturnStatus.SUBMITTED,
        first_submitted_at=now,
        submitted_at=now,
        **{**FIGURES, **extra},
    )


def bytes_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content
