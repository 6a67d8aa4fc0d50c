"""The registers a file can be imported into or exported from, by name: each declared beside
its resource class, ``@register_file("committees")`` in its app's ``resources.py``, which
:class:`imports.apps.ImportsConfig` imports once the apps are loaded
(``autodiscover_modules("resources")``).

The names are those ``importxlsx``, ``exportxlsx``, ``importtemplate`` and
``/imports/<register>/`` take; :data:`REGISTERS` lists them in the order of the apps in
``INSTALLED_APPS``, then of the classes in their module. This module imports no app.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .errors import ImportFileError

# Register name → resource class, filled by :func:`register_file`.
REGISTERS: dict[str, type] = {}


def register_file(name: str):
    """Declares the decorated resource class as the register ``name``."""

    def declare(cls):
        known = REGISTERS.get(name)
        if known is not None and known is not cls:
            raise ValueError(f"Register {name!r} is declared twice: {known} and {cls}.")
        REGISTERS[name] = cls
        return cls

    return declare


def put_in_app_order(app_labels: list[str]) -> None:
    """Orders :data:`REGISTERS` by the app of each class (as ``app_labels``), keeping the
    order of the classes in their module; whichever module was imported first."""

    def app_index(item):
        module = item[1].__module__.partition(".")[0]
        return app_labels.index(module) if module in app_labels else len(app_labels)

    ordered = sorted(REGISTERS.items(), key=app_index)  # stable: module order kept
    REGISTERS.clear()
    REGISTERS.update(ordered)


def resource_class(register: str):
    """The resource class of the register named ``register``."""
    try:
        return REGISTERS[register]
    except KeyError:
        raise ImportFileError(
            _("Unknown register “%(name)s”. Registers: %(names)s.")
            % {"name": register, "names": ", ".join(sorted(REGISTERS))}
        ) from None
