from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _


def view_on_site(request, content_type_id, object_id):
    """The admin's "view on site" redirect (``/admin/r/<content type>/<id>/``, Django's
    ``contenttypes.views.shortcut``), with the id checked against the model's primary key
    first: Django's view answers a key that is not a number with a 404 but lets a malformed
    UUID (the task results of django-tasks-db) through to the database lookup, where its
    ValidationError was a server error."""
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist:
        raise Http404(_("No such record in your scope.")) from None
    if model is not None:
        try:
            model._meta.pk.to_python(object_id)
        except ValidationError:
            raise Http404(_("No such record in your scope.")) from None
    return contenttype_views.shortcut(request, content_type_id, object_id)
