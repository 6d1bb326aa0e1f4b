"""Extra fields that operations staff add to orders, order lines, customers and materials.

A definition describes the field; the values live in a JSON column ``custom`` on the entity's own
table (``Order.custom`` …), keyed by the definition's ``key``. Filterable fields get an expression
index on that column (see ``indexes``), so a filter or a sort on them is an index range, not a
table scan. Why JSON and not a value table: docs/decisions.md §13.
"""

import re

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class Entity(models.TextChoices):
    ORDER = "order", _("Order")
    ORDER_LINE = "order_line", _("Order line")
    CUSTOMER = "customer", _("Customer")
    MATERIAL = "material", _("Material")


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Whole number")
    DECIMAL = "decimal", _("Decimal number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    MULTI = "multi", _("Multiple choice")
    BOOL = "bool", _("Yes/no")
    USER = "user", _("User")
    FILE = "file", _("File")


NUMERIC = {FieldType.NUMBER, FieldType.DECIMAL}
# types whose values can be sorted and range-filtered through an expression index
SORTABLE = {
    FieldType.TEXT,
    FieldType.NUMBER,
    FieldType.DECIMAL,
    FieldType.DATE,
    FieldType.CHOICE,
    FieldType.BOOL,
    FieldType.USER,
}


class FieldDefinition(models.Model):
    entity = models.CharField(_("entity"), max_length=12, choices=Entity.choices)
    key = models.CharField(
        _("key"),
        max_length=40,
        validators=[RegexValidator(KEY_RE)],
        help_text=_("Lower-case letters, digits and _; starts with a letter. Cannot change."),
    )
    label_zh = models.CharField(_("label (Chinese)"), max_length=60)
    label_en = models.CharField(_("label (English)"), max_length=60)
    type = models.CharField(_("type"), max_length=8, choices=FieldType.choices)
    required = models.BooleanField(_("required"), default=False)
    default = models.JSONField(_("default"), null=True, blank=True)
    # [{"value": "anodized", "label_zh": "阳极氧化", "label_en": "Anodized"}, …]
    choices = models.JSONField(_("choices"), default=list, blank=True)
    decimal_places = models.PositiveSmallIntegerField(_("decimal places"), default=2)
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    # role slugs; empty = everyone who may see (edit) the entity itself
    view_roles = models.JSONField(_("roles that see it"), default=list, blank=True)
    edit_roles = models.JSONField(_("roles that edit it"), default=list, blank=True)
    # the field group it is seen and edited with (docs/permissions.md): a group of the code
    # tables ("price", "contact", …) or, blank, a group of its own ("custom.<entity>.<key>")
    field_group = models.CharField(
        _("field group"),
        max_length=32,
        blank=True,
        default="",
        help_text=_("Blank: a group of its own, which each role hides, reads or edits."),
    )
    position = models.PositiveIntegerField(_("position"), default=100)
    filterable = models.BooleanField(
        _("filterable"),
        default=False,
        help_text=_("Offered as a list filter and sort; backed by a database index."),
    )
    indexed = models.BooleanField(default=False, editable=False)
    archived_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("custom field")
        ordering = ["entity", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "key"], name="customfield_entity_key"),
            models.CheckConstraint(
                condition=Q(decimal_places__lte=6), name="customfield_decimal_places"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity}.{self.key}"

    @property
    def label(self) -> str:
        lang = (get_language() or "zh-hans").lower()
        if lang.startswith("zh"):
            return self.label_zh or self.label_en
        return self.label_en or self.label_zh

    @property
    def param(self) -> str:
        """The name of the field in list URLs, filters, exports and the API's ``sort``."""
        return f"cf_{self.key}"

    @property
    def group(self) -> str:
        """The field group whose level decides who sees and edits the field."""
        return self.field_group or f"custom.{self.entity}.{self.key}"

    @property
    def is_active(self) -> bool:
        return self.archived_at is None

    @property
    def sortable(self) -> bool:
        return self.type in SORTABLE

    def choice_label(self, value) -> str:
        zh = (get_language() or "zh-hans").lower().startswith("zh")
        for choice in self.choices:
            if choice.get("value") == value:
                return (choice.get("label_zh") if zh else choice.get("label_en")) or value
        return str(value)


def _upload_to(instance, filename: str) -> str:
    return f"custom-files/{instance.uploaded_at:%Y/%m}/{instance.token}"


class FieldFile(models.Model):
    """A file attached through a custom field of type "file". The value on the entity names it
    by id; downloads check that the user may see an entity whose value points at it."""

    token = models.CharField(max_length=32, unique=True)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    file = models.FileField(upload_to=_upload_to, max_length=200)
    entity = models.CharField(max_length=12, choices=Entity.choices)
    field_key = models.CharField(max_length=40)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
