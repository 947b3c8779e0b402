/**
 * Shell globs as regular expressions: `*` (any run of characters), `?` (one character), `[...]` and `[!...]`
 * (a character class; a `]` right after the opening `[` or `[!` is a member). None of them matches a `/`, so a
 * glob over a path matches component by component. A `[` with no closing `]` is a literal `[`.
 */
export function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const negated = glob[i + 1] === '!';
      const first = negated ? i + 2 : i + 1;
      const end = glob.indexOf(']', first + 1);
      if (end < 0) re += '\\[';
      else {
        const members = glob.slice(first, end).replace(/[\\\][^]/g, '\\$&');
        re += negated ? `[^/${members}]` : `[${members}]`;
        i = end;
      }
    } else re += ch.replace(/[.+^${}()|\\/\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
