"""The command builder's routes. The server builds and shows commands; it never runs them."""

from pathlib import Path
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


class ProjectInfo(BaseModel):
    """Where the commands of the Hydra forms run (their scripts and configs live there)."""

    path: str | None = Field(description="Absolute; null when no project is configured.")
    exists: bool
    example: bool = Field(description="The bundled example project, which trains nothing.")
    note: str


# The example project bundled with the repository (the default OCRP_COMMANDS_PROJECT_DIR).
EXAMPLE_PROJECT = Path(__file__).resolve().parents[3] / "examples" / "dbnet_project"


class ParseRequest(BaseModel):
    schema_id: str
    command: str


class ParseResponse(BaseModel):
    schema_id: str
    values: dict[str, Any]
    append_model_suffix: bool


@router.get("/project")
def project(settings: SettingsDep) -> ProjectInfo:
    folder = settings.commands_project_dir
    if folder is None:
        return ProjectInfo(path=None, exists=False, example=False, note="No project is configured.")
    path = folder.resolve()
    example = path == EXAMPLE_PROJECT
    if not path.is_dir():
        note = "The folder does not exist, so built commands are not checked against its configs."
    elif example:
        note = (
            "This is the bundled example project: its scripts compose the config, write it resolved "
            "and exit. They train nothing; point OCRP_COMMANDS_PROJECT_DIR at your own project."
        )
    else:
        note = "Run the commands from this folder."
    return ProjectInfo(path=str(path), exists=path.is_dir(), example=example, note=note)


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
