"""``ocr-playground commands ...``: the command builder from a terminal.

Registered by the main CLI as one entry (``add_arguments``, ``run``). Like the server it only
prints commands; it never runs them.

    ocr-playground commands list
    ocr-playground commands show train
    ocr-playground commands build train --set architecture=dbnetpp --set max_epochs=80 --suffix
    ocr-playground commands parse train "python train.py model/architectures=craft"
    ocr-playground commands recommendations --architecture dbnet
"""

import argparse
import json
import sys
from typing import Any

from ocr_playground.cli.support import read_json_option
from ocr_playground.commands.build import build
from ocr_playground.commands.catalog import Catalog, Sources
from ocr_playground.commands.parse import parse_command
from ocr_playground.commands.recommendations import recommendations
from ocr_playground.commands.schema import CommandSchema
from ocr_playground.errors import Refusal
from ocr_playground.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="commands_action", required=True, metavar="ACTION")
    sub.add_parser("list", help="list the schemas")
    show = sub.add_parser("show", help="print a schema (options filled in) as JSON")
    show.add_argument("schema_id")
    b = sub.add_parser("build", help="print the command a form would build")
    b.add_argument("schema_id")
    b.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help='a form value; VALUE is read as JSON when it parses (60, true, ["a"]), else as text',
    )
    b.add_argument("--values", help="all values as a JSON object, or @file.json")
    b.add_argument("--suffix", action="store_true", help="append architecture and encoder to the name")
    b.add_argument("--all", action="store_true", help="emit every value, not only those that differ")
    b.add_argument("--format", choices=["posix", "powershell", "argv"], default="posix")
    p = sub.add_parser("parse", help="print the form values a pasted command holds, as JSON")
    p.add_argument("schema_id")
    p.add_argument("command_line", metavar="COMMAND")
    r = sub.add_parser("recommendations", help="print presets as JSON")
    r.add_argument("--architecture")
    r.add_argument("--schema", dest="schema_id")


def _fail(message: str) -> None:
    print(f"ocr-playground commands: {message}", file=sys.stderr)
    raise SystemExit(2)


def _catalog(settings: Settings) -> Catalog:
    sources = Sources(settings.checkpoints_root, settings.data_root, settings.commands_project_dir)
    return Catalog(sources, settings.commands_schemas_dir)


def _is_text(schema: CommandSchema, key: str) -> bool:
    e = schema.element(key)
    if e is None:
        return False
    return e.type == "text_input" or (
        e.type == "selectbox" and all(isinstance(o, str) for o in e.options or [])
    )


def _values(args: argparse.Namespace, schema: CommandSchema) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if args.values:
        values = read_json_option(args.values, "--values")
        if not isinstance(values, dict):
            _fail("--values must be a JSON object")
    for item in args.sets:
        key, sep, raw = item.partition("=")
        if not sep:
            _fail(f"--set {item!r} is not KEY=VALUE")
        if _is_text(schema, key):
            values[key] = raw  # `--set exp_name=1e3` means the text "1e3"
            continue
        try:
            values[key] = json.loads(raw)
        except json.JSONDecodeError:
            values[key] = raw  # let the form say what it expected
    return values


def run(args: argparse.Namespace, settings: Settings | None = None) -> None:
    catalog = _catalog(settings or Settings())
    action = args.commands_action
    try:
        if action == "list":
            for s in catalog.summaries():
                print(f"{s.id:<12} {s.script:<22} {s.label}")
        elif action == "show":
            print(catalog.get(args.schema_id).model_dump_json(indent=2))
        elif action == "build":
            schema = catalog.get(args.schema_id, suggestions=False)
            result = build(
                schema,
                _values(args, schema),
                append_model_suffix=args.suffix,
                only_changed=not args.all,
                project_dir=catalog.sources.project_dir,
            )
            out = {
                "posix": result.command,
                "powershell": result.powershell,
                "argv": json.dumps(result.argv, ensure_ascii=False),
            }
            print(out[args.format])
        elif action == "parse":
            parsed = parse_command(catalog.get(args.schema_id, suggestions=False), args.command_line)
            print(
                json.dumps(
                    {"values": parsed.values, "append_model_suffix": parsed.append_model_suffix},
                    indent=2,
                    ensure_ascii=False,
                )
            )
        elif action == "recommendations":
            recs = recommendations(architecture=args.architecture, schema_id=args.schema_id)
            print(json.dumps([r.model_dump() for r in recs], indent=2, ensure_ascii=False))
    except Refusal as e:
        _fail(str(e))
