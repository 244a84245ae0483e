/** @module Security groups: named sets of users in an organisation, used by context restrictions. */
import { AppError, errors } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { nowIso } from '../../shared/time.js';
import type { OrgGroupTable, Repositories } from '../../store/index.js';
import type { UserPrincipal } from '../http/principal.js';
import { presentGroup } from '../presenters/user.presenter.js';
import { auditRequest, orgScope, userActor, withAudit, type RequestInfo } from './auth.service.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,199}$/;

export class GroupService {
  constructor(private readonly repos: Repositories) {}

  async create(principal: UserPrincipal, name: string) {
    if (!NAME.test(name)) throw new AppError('validation_failed', 'Group name must be 1-200 characters: letters, digits, space, ".", "_" or "-"');
    if (await this.repos.groups.getByName(principal.orgId, name)) throw new AppError('conflict', `Group ${name} already exists`);
    const group = await this.repos.groups.create({ id: newId(), org_id: principal.orgId, name, created_at: nowIso() });
    return presentGroup(group, []);
  }

  async list(principal: UserPrincipal) {
    const groups = await this.repos.groups.listByOrg(principal.orgId);
    return Promise.all(groups.map(async (g) => presentGroup(g, await this.repos.groups.memberIds(g.id))));
  }

  async requireGroup(principal: UserPrincipal, id: string): Promise<OrgGroupTable> {
    const group = await this.repos.groups.getById(id);
    if (!group || group.org_id !== principal.orgId) throw errors.notFound('Group');
    return group;
  }

  async setMember(principal: UserPrincipal, input: { groupId: string; userId: string; member: boolean; info: RequestInfo }): Promise<void> {
    const group = await this.requireGroup(principal, input.groupId);
    const user = await this.repos.users.getById(input.userId);
    if (!user || user.org_id !== principal.orgId) throw errors.notFound('User');
    await withAudit(this.repos, async (trx) => {
      if (input.member) await trx.groups.addMember({ groupId: group.id, userId: user.id, at: nowIso() });
      else await trx.groups.removeMember({ groupId: group.id, userId: user.id });
      return { result: undefined, events: [{
        action: input.member ? 'group.member.add' : 'group.member.remove', actor: userActor(principal), target: { id: group.id, type: 'group', name: group.name },
        scope: orgScope(principal.orgId), success: true, request: auditRequest(input.info), payload: { group_name: group.name, user_id: user.id },
      }] };
    });
  }
}
