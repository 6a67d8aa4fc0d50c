"""The static-files storage of production (DEBUG off): whitenoise's compressed manifest
storage (hashed names, far-future caching), forgiving about what ``collectstatic`` has not
written.

whitenoise's storage raises ``ValueError("Missing staticfiles manifest entry ...")`` for
every ``{% static %}`` when ``collectstatic`` has not run (or a file came after it), so every
page was a server error. Here such a file is linked by its plain name instead (logged once
per file): pages render, and the system check ``audit.W001`` (audit/checks.py) tells the
operator at start-up to run ``manage.py collectstatic``. A plain name is served once the
file is collected; until then the page lacks that file's style or script, which is visible
and says what to do, where a 500 said nothing.
"""

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger("jianye.static")


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._reported: set[str] = set()

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:
            if name not in self._reported:
                self._reported.add(name)
                logger.warning(
                    "Static file %s is not in the collected files (%s): linked by its plain "
                    "name. Run `manage.py collectstatic --noinput` and restart.",
                    name,
                    self.location,
                )
            return name
