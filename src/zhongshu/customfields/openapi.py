"""The OpenAPI schema documents the custom fields from their definitions: each entity's
``custom`` object lists its active fields (type, label, choices, who may see it), and the order
list documents its ``cf_<key>`` filters. Rebuilt on every request of the schema."""

from typing import Any

from .models import Entity, FieldDefinition, FieldType

JSON_TYPES: dict[str, dict[str, Any]] = {
    FieldType.TEXT: {"type": "string", "maxLength": 500},
    FieldType.NUMBER: {"type": "integer"},
    FieldType.DECIMAL: {"type": "string", "format": "decimal"},
    FieldType.DATE: {"type": "string", "format": "date"},
    FieldType.CHOICE: {"type": "string"},
    FieldType.MULTI: {"type": "array", "items": {"type": "string"}},
    FieldType.BOOL: {"type": "boolean"},
    FieldType.USER: {"type": "integer", "description": "user id (input: id or username)"},
    FieldType.FILE: {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        "description": "input: the id from POST /api/v1/custom-fields/files",
    },
}
# component name → entity of its "custom" property
COMPONENTS = {
    "Order": Entity.ORDER,
    "OrderLine": Entity.ORDER_LINE,
    "Customer": Entity.CUSTOMER,
    "Material": Entity.MATERIAL,
}


def _property(defn: FieldDefinition) -> dict:
    prop = dict(JSON_TYPES[defn.type])
    if defn.type == FieldType.CHOICE:
        prop["enum"] = [c["value"] for c in defn.choices]
    if defn.type == FieldType.MULTI:
        prop["items"] = {"type": "string", "enum": [c["value"] for c in defn.choices]}
    notes = [f"{defn.label_zh} / {defn.label_en}", defn.help_text]
    if defn.required:
        notes.append("required")
    if defn.view_roles:
        notes.append("visible to: " + ", ".join(defn.view_roles))
    if defn.filterable:
        notes.append(f"filter: ?{defn.param}=…")
    return {
        "anyOf": [prop, {"type": "null"}],
        "title": defn.label_en or defn.label_zh,
        "description": " · ".join(n for n in notes if n),
    }


def _entity_of(component: str) -> str | None:
    for prefix in sorted(COMPONENTS, key=len, reverse=True):
        if component.startswith(prefix):
            return COMPONENTS[prefix]
    return None


def document(schema: dict) -> dict:
    by_entity: dict[str, dict] = {e: {} for e in Entity.values}
    filters = []
    for defn in FieldDefinition.objects.filter(archived_at__isnull=True).order_by("position", "id"):
        by_entity[defn.entity][defn.key] = _property(defn)
        if defn.entity == Entity.ORDER and defn.filterable:
            filters.append(defn)
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        entity = _entity_of(name)
        custom = component.get("properties", {}).get("custom")
        if entity is None or custom is None:
            continue
        description = custom.get("description", "")
        nullable = any(option.get("type") == "null" for option in custom.get("anyOf", []))
        obj = {"type": "object", "properties": by_entity[entity], "additionalProperties": False}
        custom.clear()
        custom.update({"anyOf": [obj, {"type": "null"}]} if nullable else obj)
        custom["description"] = description
    operation = schema.get("paths", {}).get("/api/v1/orders", {}).get("get")
    if operation is not None:
        for defn in filters:
            operation.setdefault("parameters", []).append(
                {
                    "in": "query",
                    "name": defn.param,
                    "required": False,
                    "description": f"{defn.label}: equals (repeat for one of); also "
                    f"{defn.param}__gte, __lte, __contains, __empty",
                    "schema": {"type": "string"},
                }
            )
    return schema
