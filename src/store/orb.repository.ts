/** @module The orb store: published orb versions of each organisation (immutable rows). */
import type { Store } from './database.js';
import type { OrbTable } from './orb.schema.js';

export class OrbRepository {
  constructor(private readonly store: Store) {}

  /** Inserts a version; returns false (and changes nothing) when that version already exists. */
  async publish(row: OrbTable): Promise<boolean> {
    const result = await this.store.db.insertInto('orbs').values(row)
      .onConflict((oc) => oc.columns(['org_id', 'namespace', 'name', 'version']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async get(input: { orgId: string; namespace: string; name: string; version: string }): Promise<OrbTable | undefined> {
    return this.store.db.selectFrom('orbs').selectAll().where('org_id', '=', input.orgId)
      .where('namespace', '=', input.namespace).where('name', '=', input.name).where('version', '=', input.version).executeTakeFirst();
  }

  /** The versions of one orb, without their sources. */
  async listVersions(input: { orgId: string; namespace: string; name: string }): Promise<Array<Omit<OrbTable, 'source'>>> {
    return this.store.db.selectFrom('orbs').select(['id', 'org_id', 'namespace', 'name', 'version', 'published_at', 'publisher'])
      .where('org_id', '=', input.orgId).where('namespace', '=', input.namespace).where('name', '=', input.name)
      .orderBy('published_at').execute();
  }

  /** Every version of every orb of an organisation, without sources, by namespace and name. */
  async listByOrg(orgId: string): Promise<Array<Omit<OrbTable, 'source'>>> {
    return this.store.db.selectFrom('orbs').select(['id', 'org_id', 'namespace', 'name', 'version', 'published_at', 'publisher'])
      .where('org_id', '=', orgId).orderBy('namespace').orderBy('name').orderBy('published_at').execute();
  }
}
