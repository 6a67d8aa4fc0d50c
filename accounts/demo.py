"""One demo account per role (loaded by ``manage.py loaddemo``)."""

from .models import User
from .roles import Role

# username, role, street short name, password. Demo only: change or remove in production.
ACCOUNTS = [
    ("admin", Role.ADMIN, None, "Jianye-admin-2006"),
    ("clerk", Role.CLERK, None, "Jianye-clerk-2006"),
    ("nanhu", Role.STREET, "南湖", "Jianye-nanhu-2006"),
    ("binhu", Role.STREET, "滨湖", "Jianye-binhu-2006"),
    ("viewer", Role.VIEWER, None, "Jianye-viewer-2006"),
]


def load(streets):
    """Create the demo accounts that do not exist yet; returns (username, role, password)."""
    printed = []
    for username, role, street_short, password in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, role=role, street=streets.get(street_short))
            user.set_password(password)
            user.full_clean()
            user.save()
        printed.append((username, user.get_role_display(), user.street, password))
    return printed
