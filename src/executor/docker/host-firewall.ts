/**
 * @module The runner host's firewall for job networks (iptables backend). Every job bridge is
 * named `kiln-<10 hex>` (see {@link bridgeName}), so a handful of rules matching `-i kiln-+`
 * cover every job, whatever its subnet:
 *
 *  - FORWARD path (jumped to from `DOCKER-USER`, chain `KILN-FORWARD`): replies pass; traffic that
 *    stays inside the job's own bridge passes (Docker's icc setting governs it); DNS to the
 *    host's own private nameservers passes; everything a job sends to a private, shared,
 *    link-local (cloud metadata) or this host's local subnet is rejected. The Internet stays
 *    reachable: nothing else is filtered.
 *  - INPUT path (chain `KILN-INPUT`): a job can never open a connection to the host itself (any
 *    of its addresses, the bridge gateway included); only replies to host-initiated traffic pass.
 *
 * Rules are written with `iptables-restore --noflush`, which rebuilds the two Kiln chains in one
 * atomic commit, so installing is idempotent and several runners on one host can all install
 * them. ip6tables gets the same shape when it is usable (job networks carry no IPv6 address, but
 * the bridge's link-local address must not reach the host either).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Interface prefix of every job bridge; `iptables -i kiln-+` matches them all. */
export const BRIDGE_PREFIX = 'kiln-';
export const FORWARD_CHAIN = 'KILN-FORWARD';
export const INPUT_CHAIN = 'KILN-INPUT';

/** Destinations a job may never reach (RFC 1918, CGNAT, link-local incl. cloud metadata, and other non-Internet ranges). */
export const BLOCKED_IPV4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '0.0.0.0/8', '192.0.0.0/24', '198.18.0.0/15', '224.0.0.0/4', '240.0.0.0/4'];
/** IPv6 unique-local (fd00:ec2::254 is AWS metadata) and link-local ranges. */
export const BLOCKED_IPV6 = ['fc00::/7', 'fe80::/10'];

/** Linux interface names are at most 15 characters: `kiln-` + 10 hex digits of the task id's hash. */
export function bridgeName(taskId: string): string {
  return `${BRIDGE_PREFIX}${createHash('sha256').update(taskId).digest('hex').slice(0, 10)}`;
}

export interface HostFirewallOptions {
  /**
   * Private destinations a job may still reach (CIDR), e.g. an internal package mirror. Each one is
   * a deliberate hole; keep it to hosts that serve jobs.
   */
  allow?: readonly string[];
  /** Nameservers jobs' DNS goes to (default: read from the host's resolv.conf, as Docker does). */
  nameservers?: readonly string[];
  /** Extra IPv4 destinations to block, e.g. this host's LAN when it is not a private range. */
  extraBlocked?: readonly string[];
  /** iptables binaries (tests); default `iptables` / `ip6tables` / `*-restore`. */
  commands?: { iptables: string; ip6tables: string };
}

export interface FirewallStatus {
  ipv4: boolean;
  ipv6: boolean;
  /** Why a family could not be installed; empty when both were. */
  problems: string[];
}

const REJECT4 = '-j REJECT --reject-with icmp-admin-prohibited';
const REJECT6 = '-j REJECT --reject-with adm-prohibited';

function isIpv4(address: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(address);
}

/** Nameservers from the host's resolv.conf; systemd-resolved's stub is replaced by its upstream list, as Docker does. */
export function hostNameservers(read: (path: string) => string = (p) => readFileSync(p, 'utf8')): string[] {
  const parse = (path: string): string[] => {
    try {
      return read(path).split('\n').map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1]).filter((s): s is string => Boolean(s));
    } catch {
      return [];
    }
  };
  const servers = parse('/etc/resolv.conf');
  const useful = servers.filter((s) => !s.startsWith('127.') && s !== '::1');
  return useful.length ? useful : parse('/run/systemd/resolve/resolv.conf');
}

/** The `iptables-restore --noflush` text for one family. Pure, so tests can read it. */
export function firewallRules(family: 4 | 6, options: HostFirewallOptions = {}): string {
  const v4 = family === 4;
  const reject = v4 ? REJECT4 : REJECT6;
  const inBridge = `-i ${BRIDGE_PREFIX}+`;
  const lines = ['*filter', `:${FORWARD_CHAIN} - [0:0]`, `:${INPUT_CHAIN} - [0:0]`];
  const fwd = (rule: string) => lines.push(`-A ${FORWARD_CHAIN} ${rule}`);
  fwd('-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN');
  fwd(`${inBridge} -o ${BRIDGE_PREFIX}+ -m physdev --physdev-is-bridged -j RETURN`);
  const nameservers = (options.nameservers ?? hostNameservers()).filter((s) => isIpv4(s) === v4);
  for (const ns of nameservers) {
    for (const proto of ['udp', 'tcp']) fwd(`${inBridge} -d ${ns}/${v4 ? 32 : 128} -p ${proto} --dport 53 -j RETURN`);
  }
  for (const cidr of (options.allow ?? []).filter((c) => isIpv4(c.split('/')[0]) === v4)) fwd(`${inBridge} -d ${cidr} -j RETURN`);
  const blocked = v4 ? [...BLOCKED_IPV4, ...(options.extraBlocked ?? [])] : BLOCKED_IPV6;
  for (const cidr of blocked) fwd(`${inBridge} -d ${cidr} ${reject}`);
  fwd('-j RETURN');
  lines.push(`-A ${INPUT_CHAIN} ${inBridge} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`);
  lines.push(`-A ${INPUT_CHAIN} ${inBridge} ${reject}`);
  lines.push(`-A ${INPUT_CHAIN} -j RETURN`, 'COMMIT', '');
  return lines.join('\n');
}

async function restore(binary: string, rules: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile(`${binary}-restore`, ['--noflush', '-w', '5'], (error, _stdout, stderr) => {
      if (error) reject(new Error(`${binary}-restore failed: ${stderr.trim() || error.message}`));
      else resolve();
    });
    child.stdin?.end(rules);
  });
}

/** Makes `chain` (the Kiln chain) be jumped to exactly once, first, from `from`. */
async function ensureJump(binary: string, from: string, chain: string): Promise<void> {
  const { stdout } = await run(binary, ['-w', '5', '-S', from]);
  const jumps = stdout.split('\n').filter((l) => l.trim() === `-A ${from} -j ${chain}`).length;
  if (jumps === 0) await run(binary, ['-w', '5', '-I', from, '1', '-j', chain]);
  for (let extra = jumps; extra > 1; extra--) await run(binary, ['-w', '5', '-D', from, '-j', chain]);
}

async function chainExists(binary: string, chain: string): Promise<boolean> {
  return run(binary, ['-w', '5', '-S', chain]).then(() => true, () => false);
}

async function installFamily(family: 4 | 6, options: HostFirewallOptions): Promise<void> {
  const binary = family === 4 ? (options.commands?.iptables ?? 'iptables') : (options.commands?.ip6tables ?? 'ip6tables');
  await restore(binary, firewallRules(family, options));
  // Docker creates DOCKER-USER (first in FORWARD) for IPv4; for IPv6 only with ip6tables enabled.
  const forwardHook = (await chainExists(binary, 'DOCKER-USER')) ? 'DOCKER-USER' : 'FORWARD';
  if (family === 4 && forwardHook !== 'DOCKER-USER') throw new Error('the DOCKER-USER chain is missing (is Docker using the iptables backend?)');
  await ensureJump(binary, forwardHook, FORWARD_CHAIN);
  await ensureJump(binary, 'INPUT', INPUT_CHAIN);
}

/**
 * IPv4 subnets this host sits on directly (its LAN), other than Docker's own bridges. Jobs are
 * kept off them too: a LAN is not always a private range (this host's may be public space).
 */
export async function hostLocalSubnets(): Promise<string[]> {
  try {
    const { stdout } = await run('ip', ['-4', '-o', 'route', 'show', 'scope', 'link']);
    return stdout.split('\n').map((line) => /^(\S+) dev (\S+)/.exec(line)).filter((m): m is RegExpExecArray => Boolean(m))
      .filter(([, cidr, dev]) => cidr.includes('/') && !/^(docker\d|br-|kiln-|veth)/.test(dev))
      .map(([, cidr]) => cidr);
  } catch {
    return [];
  }
}

/** Installs (or refreshes) the rules for IPv4 and, when possible, IPv6. Never throws. */
export async function installHostFirewall(input: HostFirewallOptions = {}): Promise<FirewallStatus> {
  const status: FirewallStatus = { ipv4: false, ipv6: false, problems: [] };
  const options = { ...input, extraBlocked: input.extraBlocked ?? await hostLocalSubnets() };
  try {
    await installFamily(4, options);
    status.ipv4 = true;
  } catch (error) {
    status.problems.push(`IPv4: ${(error as Error).message}`);
  }
  try {
    await installFamily(6, options);
    status.ipv6 = true;
  } catch (error) {
    status.problems.push(`IPv6: ${(error as Error).message}`);
  }
  return status;
}

/** True while the IPv4 jumps are still in place (a host firewall reload can remove them). */
export async function hostFirewallInPlace(options: HostFirewallOptions = {}): Promise<boolean> {
  const binary = options.commands?.iptables ?? 'iptables';
  const check = (from: string, chain: string) => run(binary, ['-w', '5', '-C', from, '-j', chain]).then(() => true, () => false);
  return (await check('DOCKER-USER', FORWARD_CHAIN)) && (await check('INPUT', INPUT_CHAIN));
}

/** Removes the Kiln chains and their jumps (uninstall; runners never call it). Never throws. */
export async function removeHostFirewall(options: Pick<HostFirewallOptions, 'commands'> = {}): Promise<void> {
  for (const binary of [options.commands?.iptables ?? 'iptables', options.commands?.ip6tables ?? 'ip6tables']) {
    for (const [from, chain] of [['DOCKER-USER', FORWARD_CHAIN], ['FORWARD', FORWARD_CHAIN], ['INPUT', INPUT_CHAIN]]) {
      while (await run(binary, ['-w', '5', '-D', from, '-j', chain]).then(() => true, () => false)) { /* every copy */ }
    }
    for (const chain of [FORWARD_CHAIN, INPUT_CHAIN]) {
      await run(binary, ['-w', '5', '-F', chain]).catch(() => undefined);
      await run(binary, ['-w', '5', '-X', chain]).catch(() => undefined);
    }
  }
}
