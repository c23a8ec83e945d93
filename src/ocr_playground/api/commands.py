"""The command builder's routes. The server builds and shows commands; it never runs them."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from ocr_playground.api.deps import SettingsDep
from ocr_playground.commands.build import build
from ocr_playground.commands.catalog import Catalog, Sources
from ocr_playground.commands.parse import parse_command
from ocr_playground.commands.recommendations import Recommendation, recommendations
from ocr_playground.commands.schema import CommandSchema, SchemaSummary

router = APIRouter(prefix="/api/commands", tags=["commands"])


def get_catalog(settings: SettingsDep) -> Catalog:
    sources = Sources(settings.checkpoints_root, settings.data_root, settings.commands_project_dir)
    return Catalog(sources, settings.commands_schemas_dir)


CatalogDep = Annotated[Catalog, Depends(get_catalog)]


class BuildRequest(BaseModel):
    schema_id: str
    values: dict[str, Any] = Field(default_factory=dict)
    append_model_suffix: bool = False
    # False: emit every visible value, not only those that differ from the defaults.
    only_changed: bool = True
    # True: a broken validation rule answers 200 with `validation_error` set (live form preview);
    # False (default): it is a 422 naming the field, like any other bad value.
    allow_invalid: bool = False


class BuildResponse(BaseModel):
    schema_id: str
    command: str
    argv: list[str]
    powershell: str
    overrides: list[str]
    constant_overrides: list[str]
    validation_error: str | None
    invalid_field: str | None
    values: dict[str, Any]
    changed: list[str]


class ParseRequest(BaseModel):
    schema_id: str
    command: str


class ParseResponse(BaseModel):
    schema_id: str
    values: dict[str, Any]
    append_model_suffix: bool


@router.get("/schemas")
def list_schemas(catalog: CatalogDep) -> list[SchemaSummary]:
    return catalog.summaries()


@router.get("/schemas/{schema_id}")
def get_schema(schema_id: str, catalog: CatalogDep) -> CommandSchema:
    return catalog.get(schema_id)


@router.post("/build")
def build_command(req: BuildRequest, catalog: CatalogDep) -> BuildResponse:
    schema = catalog.get(req.schema_id, suggestions=False)
    result = build(
        schema,
        req.values,
        append_model_suffix=req.append_model_suffix,
        only_changed=req.only_changed,
        allow_invalid=req.allow_invalid,
        project_dir=catalog.sources.project_dir,
    )
    return BuildResponse(
        schema_id=schema.id,
        command=result.command,
        argv=result.argv,
        powershell=result.powershell,
        overrides=result.overrides,
        constant_overrides=result.constant_overrides,
        validation_error=result.validation_error,
        invalid_field=result.invalid_field,
        values=result.values,
        changed=result.emitted,
    )


@router.get("/recommendations")
def list_recommendations(
    architecture: Annotated[str | None, Query(description="Only presets for this architecture.")] = None,
    schema_id: Annotated[str | None, Query(description="Only presets for this form.")] = None,
) -> list[Recommendation]:
    return recommendations(architecture=architecture, schema_id=schema_id)


@router.post("/parse")
def parse(req: ParseRequest, catalog: CatalogDep) -> ParseResponse:
    schema = catalog.get(req.schema_id, suggestions=False)
    parsed = parse_command(schema, req.command)
    return ParseResponse(
        schema_id=schema.id, values=parsed.values, append_model_suffix=parsed.append_model_suffix
    )
