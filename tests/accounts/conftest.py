import pytest


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """The demo accounts are hashed in every test; keep that cheap."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
