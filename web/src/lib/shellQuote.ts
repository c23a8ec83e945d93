/**
 * Shell quoting in the browser, the twin of the server's commands/quoting.py (its docstring says
 * why each rule is there); both are held to tests/data/quoting-vectors.json. Used where the page
 * itself writes a command line (the Studios' "Copy CLI command"); the command builder's commands
 * come quoted from the server.
 */

const POSIX_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/; // what shlex.quote leaves bare
const POSIX_DQ_UNSAFE = /["\\$`!]/; // characters still special inside double quotes
const PS_SAFE = /^(?:[A-Za-z_./][A-Za-z0-9_./:=+\-]*|--?[A-Za-z][A-Za-z0-9_\-]*)$/;
const PS_QUOTES = "'\u2018\u2019\u201a\u201b";

export function posixQuote(arg: string): string {
  // A leading `=` is quoted too: zsh expands `=word` to the path of the command `word`.
  if (POSIX_SAFE.test(arg) && !arg.startsWith('=')) return arg;
  if (!arg.includes("'")) return `'${arg}'`;
  if (!POSIX_DQ_UNSAFE.test(arg)) return `"${arg}"`;
  return `'${arg.replaceAll("'", `'"'"'`)}'`;
}

export const posixJoin = (argv: string[]): string => argv.map(posixQuote).join(' ');

export function powershellQuote(arg: string): string {
  if (PS_SAFE.test(arg)) return arg;
  return `'${[...arg].map((c) => (PS_QUOTES.includes(c) ? c + c : c)).join('')}'`;
}

export function powershellJoin(argv: string[]): string {
  const parts = argv.map(powershellQuote);
  // A quoted first word is a string expression to PowerShell, not a command: `&` runs it.
  if (parts.length && parts[0] !== argv[0]) parts.unshift('&');
  return parts.join(' ');
}
