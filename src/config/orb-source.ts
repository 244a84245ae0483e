/**
 * @module The {@link OrbSource} contract, and {@link orbSourceFromFiles} implementing the
 * `--orb-dir` naming rule over file contents the caller has already read (no I/O here).
 */

/** A registry orb reference as written after `@` is parsed. */
export interface OrbRequest {
  readonly namespace: string;
  readonly name: string;
  readonly version: string;
}

/** What an orb source answers: the orb's YAML (with an optional warning) or why it is missing. */
export type OrbResolution =
  | { readonly source: string; readonly file: string; readonly warning?: string }
  | { readonly error: string };

/** Where orbs come from. The config module does no I/O itself; callers supply this. */
export interface OrbSource {
  /** Returns the orb's YAML source, or a reason it is not available. Should not throw. */
  resolve(ref: OrbRequest): Promise<OrbResolution>;
}

/**
 * An OrbSource over a folder's files (name → content). `NAMESPACE__NAME@VERSION.orb.yml`
 * serves exactly that version; `NAMESPACE__NAME.orb.yml` serves any version, with a warning
 * that the version was not checked. Names compare case-insensitively.
 */
export function orbSourceFromFiles(files: ReadonlyMap<string, string>): OrbSource {
  const byName = new Map<string, { file: string; content: string }>();
  for (const [file, content] of files) {
    const base = file.split(/[\\/]/).pop() ?? file;
    if (base.toLowerCase().endsWith('.orb.yml')) byName.set(base.toLowerCase(), { file: base, content });
  }
  return {
    async resolve(ref) {
      const stem = `${ref.namespace}__${ref.name}`.toLowerCase();
      const exact = byName.get(`${stem}@${ref.version.toLowerCase()}.orb.yml`);
      if (exact) return { source: exact.content, file: exact.file };
      const any = byName.get(`${stem}.orb.yml`);
      if (any) {
        return {
          source: any.content,
          file: any.file,
          warning: `orb ${ref.namespace}/${ref.name}@${ref.version} is served from ${any.file}, whose version is not checked`,
        };
      }
      return { error: `no ${ref.namespace}__${ref.name}@${ref.version}.orb.yml or ${ref.namespace}__${ref.name}.orb.yml in the orb directory` };
    },
  };
}
