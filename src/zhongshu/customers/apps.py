from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "zhongshu.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from zhongshu.accounts import permissions
        from zhongshu.customfields import registry

        from .models import Customer

        registry.register("customer", Customer, permissions.scope_customers)
