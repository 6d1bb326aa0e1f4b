"""/api/v1/custom-fields: field definitions (administrators) and files of "file" fields."""

from django.http import FileResponse
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from zhongshu.core.schemas import errors

from . import selectors, services
from .schemas import FieldDefinitionIn, FieldDefinitionOut, FieldDefinitionPatch, FieldFileOut

router = Router(tags=["custom fields"])


class DefinitionFilters(Schema):
    entity: str = ""
    include_deleted: bool = False


@router.get("", response={200: list[FieldDefinitionOut], **errors(401, 403)})
def list_fields(request, filters: Query[DefinitionFilters]):
    return list(
        selectors.definition_list(
            actor=request.auth,
            entity=filters.entity or None,
            include_deleted=filters.include_deleted,
        )
    )


@router.post("", response={201: FieldDefinitionOut, **errors(401, 403, 409, 422)})
def create_field(request, payload: FieldDefinitionIn):
    data = payload.dict()
    data["choices"] = [c if isinstance(c, str) else dict(c) for c in data["choices"]]
    defn = services.field_create(
        actor=request.auth, entity=data.pop("entity"), key=data.pop("key"), **data
    )
    return 201, defn


@router.get("/{int:field_id}", response={200: FieldDefinitionOut, **errors(401, 403, 404)})
def get_field(request, field_id: int):
    return selectors.definition_get(actor=request.auth, field_id=field_id)


@router.patch(
    "/{int:field_id}", response={200: FieldDefinitionOut, **errors(401, 403, 404, 409, 422)}
)
def update_field(request, field_id: int, payload: FieldDefinitionPatch):
    data = payload.dict(exclude_unset=True)
    migrate = data.pop("migrate_choices", None)
    if data.get("choices") is not None:
        data["choices"] = [c if isinstance(c, str) else dict(c) for c in data["choices"]]
    return services.field_update(
        actor=request.auth, field_id=field_id, data=data, migrate_choices=migrate
    )


@router.delete("/{int:field_id}", response={200: FieldDefinitionOut, **errors(401, 403, 404, 409)})
def delete_field(request, field_id: int):
    """Removes the field from forms, lists and the API; its stored values and history stay."""
    return services.field_delete(actor=request.auth, field_id=field_id)


@router.post(
    "/{int:field_id}/restore", response={200: FieldDefinitionOut, **errors(401, 403, 404, 422)}
)
def restore_field(request, field_id: int):
    return services.field_restore(actor=request.auth, field_id=field_id)


@router.post("/files", response={201: FieldFileOut, **errors(401, 403, 404, 422)})
def upload_file(request, entity: Form[str], key: Form[str], file: File[UploadedFile]):
    """Upload a file for a "file" field; send its id as the field's value."""
    return 201, services.file_upload(actor=request.auth, entity=entity, key=key, upload=file)


@router.get("/files/{int:file_id}", response=errors(401, 404))
def download_file(request, file_id: int):
    row = selectors.file_get(actor=request.auth, file_id=file_id)
    return FileResponse(
        row.file.open("rb"), as_attachment=True, filename=row.name, content_type=row.content_type
    )
