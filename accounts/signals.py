from django.db.models.signals import post_migrate, post_save
from django.dispatch import receiver

from .roles import group_for, sync_role_groups


@receiver(post_save, sender="accounts.User")
def put_user_in_role_group(sender, instance, **kwargs):
    """The user's groups follow the role field: exactly one group, the role's."""
    instance.groups.set([group_for(instance.role)])


def sync_groups_after_migrate(sender, **kwargs):
    sync_role_groups()


post_migrate.connect(sync_groups_after_migrate, dispatch_uid="accounts-sync-role-groups")
