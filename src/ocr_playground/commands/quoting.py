"""Rendering an argv list as one line a shell turns back into the same argv.

POSIX: every argument ``shlex.split`` gives back unchanged. Plain words stay bare; otherwise single
quotes, or double quotes when the word holds a single quote but nothing double quotes would expand
(``exp_name='a b'`` reads better as ``"exp_name='a b'"`` than as shlex.quote's ``'"'"'`` chains).

PowerShell: single-quoted literals (a quote doubled, including the typographic single quotes that
PowerShell also treats as quotes), and the call operator when the program itself needs quoting.
Native programs receive the arguments intact on PowerShell 7.3+ (``$PSNativeCommandArgumentPassing``
= 'Standard', the default there); Windows PowerShell 5.1 drops embedded double quotes.
"""

import re
import shlex

_POSIX_SAFE = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")  # what shlex.quote leaves bare
_POSIX_DQ_UNSAFE = re.compile(r'["\\$`!]')  # characters still special inside double quotes

# Bare in PowerShell argument mode: identifier-like words (a leading digit could read as a number
# literal, `@`/`,`/`$`/`(` are operators) and `-x` / `--flag` parameter-looking words.
_PS_SAFE = re.compile(r"(?:[A-Za-z_./][A-Za-z0-9_./:=+\-]*|--?[A-Za-z][A-Za-z0-9_\-]*)")
_PS_QUOTES = "'\u2018\u2019\u201a\u201b"


def posix_quote(arg: str) -> str:
    # A leading `=` is quoted too: zsh expands `=word` to the path of the command `word`.
    if _POSIX_SAFE.fullmatch(arg) and not arg.startswith("="):
        return arg
    if "'" not in arg:
        return f"'{arg}'"
    if not _POSIX_DQ_UNSAFE.search(arg):
        return f'"{arg}"'
    return shlex.quote(arg)


def posix_join(argv: list[str]) -> str:
    return " ".join(posix_quote(a) for a in argv)


def powershell_quote(arg: str) -> str:
    if _PS_SAFE.fullmatch(arg):
        return arg
    return "'" + "".join(c * 2 if c in _PS_QUOTES else c for c in arg) + "'"


def powershell_join(argv: list[str]) -> str:
    parts = [powershell_quote(a) for a in argv]
    # A quoted first word is a string expression to PowerShell, not a command: `&` runs it.
    if parts and parts[0] != argv[0]:
        parts.insert(0, "&")
    return " ".join(parts)
