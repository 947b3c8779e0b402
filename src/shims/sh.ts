/**
 * A template tag for embedded POSIX sh text. The text is taken raw (backslashes kept as written); since a template
 * literal cannot contain `${`, shell parameter expansions are written `$\{...}` and turned back into `${...}` here.
 * No interpolation: the scripts are fixed text, and everything generated goes into data files (the URL map).
 */
export function sh(strings: TemplateStringsArray, ...values: never[]): string {
  if (values.length > 0) throw new Error('sh``: interpolation is not allowed in stand-in scripts');
  return strings.raw.join('').replaceAll('$\\{', '${');
}
