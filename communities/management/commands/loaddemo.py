from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

# Each app that has reference data puts a ``load(context)`` in its ``demo.py``; they run in
# this order, each given what the earlier ones returned (streets, committees, ...).
DEMO_MODULES = ["staffing.demo", "facilities.demo", "budgets.demo", "returns.demo", "targets.demo"]


class Command(BaseCommand):
    help = "Load the Jianye reference data of the brief and one demo account per role (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        from accounts import demo as accounts_demo
        from communities import demo as communities_demo

        context = communities_demo.load()
        for name in DEMO_MODULES:
            context.update(import_module(name).load(context) or {})
        accounts = accounts_demo.load(context["streets"])
        self.stdout.write(_("Demo data loaded: %(n)s committees.") % {"n": len(context["committees"])})
        self.stdout.write(_("Demo accounts (username / role / password):"))
        for username, role, street, password in accounts:
            where = f" · {street}" if street else ""
            self.stdout.write(f"  {username:8} {role}{where}  {password}")
