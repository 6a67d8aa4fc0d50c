"""The historical models of every domain register live here.

They are not written in this file: :func:`audit.history.register_domain_history` (called from
``AuditConfig.ready``) registers each model of the domain apps with django-simple-history
under this app, so their tables and migrations are ``audit``'s and no domain app's
``models.py`` needs to know about history.
"""
