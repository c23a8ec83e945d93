"""The command builder: schema-driven forms that produce exact, shell-safe, Hydra-valid commands.

One job per module:

- ``schema``          the YAML schema as pydantic models (ui_elements, hydra_override / cli, rules)
- ``catalog``         packaged + user schemas; options filled from checkpoints, datasets, images or a
                      Hydra config group of the target project
- ``build``           values -> argv: defaults, visible_if, rules, only-changed emission, model suffix
- ``overrides``       values written in Hydra's override grammar (quoting, escapes, lists, +/++/~)
- ``hydra_check``     every override re-read by hydra-core's parser; the project's config composed
- ``quoting``         argv -> one POSIX line and one PowerShell line
- ``parse``           a pasted command line -> form values
- ``recommendations`` presets for common cases, filterable by architecture
- ``cli``             ``ocr-playground commands ...``

Errors, as the API reports them (``api/commands.py``): an unknown schema is 404; a value of the wrong
type, an unknown field or option, a broken validation rule, or an override Hydra's compose refuses is
422 with a ``detail`` sentence naming the field. With ``allow_invalid: true`` a broken *rule* (not a
wrong type) answers 200 with ``validation_error`` set, so a live form can keep showing the command.
Nothing here ever runs a built command.
"""
