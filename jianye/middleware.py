"""Chinese first: the interface speaks Simplified Chinese unless the user chose English.

Django's LocaleMiddleware would follow the browser's Accept-Language, so a clerk whose
browser happens to be set to English would get an English UI. Here the language comes only
from the user's explicit choice (the language cookie set by ``/i18n/setlang/``), else
``settings.LANGUAGE_CODE`` (zh-hans).
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import check_for_language


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        if not (chosen in supported and check_for_language(chosen)):
            chosen = settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = translation.get_language()
