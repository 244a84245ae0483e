/**
 * @module Java-style regular expressions (CircleCI's filters and `matches`) in JavaScript,
 * always matching the whole value.
 */

const compiled = new Map<string, RegExp>();

/**
 * Compiles a Java regex so that `test()` succeeds only on a whole-value match
 * (Java `String.matches`). Throws `Error` with a readable message on an invalid pattern.
 */
export function javaRegex(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re) return re;
  const js = pattern.replace(/\\A/g, '^').replace(/\\[Zz]/g, '$');
  try {
    re = new RegExp(`^(?:${js})$`, 'u');
  } catch {
    try {
      re = new RegExp(`^(?:${js})$`);
    } catch (err) {
      throw new Error(`invalid regular expression /${pattern}/: ${(err as Error).message}`);
    }
  }
  if (compiled.size > 2000) compiled.clear();
  compiled.set(pattern, re);
  return re;
}

/** True if `s` is written as a `/regex/` filter entry. */
export function isSlashRegex(s: string): boolean {
  return s.length >= 2 && s.startsWith('/') && s.endsWith('/');
}
