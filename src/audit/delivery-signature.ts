/**
 * @module The `Kiln-Signature` header on SIEM deliveries:
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. Receivers check it with
 * {@link verifyAuditDelivery} (or the few lines in docs/audit-streaming.md).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header value for `body` sent at `timestamp` (unix seconds). */
export function signAuditDelivery(options: { secret: string; body: string; timestamp: number }): string {
  return `t=${options.timestamp},v1=${deliveryMac(options.secret, `${options.timestamp}.${options.body}`)}`;
}

export type DeliveryCheck = { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'bad_signature' | 'stale' };

/**
 * Checks a delivery: the header parses, one `v1` MAC matches the exact raw body (constant-time),
 * and `t` is within `toleranceSeconds` (default 300) of `now` (unix seconds) so a captured
 * delivery cannot be replayed later. Dedupe by event `id` for replays within the window.
 */
export function verifyAuditDelivery(options: {
  secret: string;
  header: string | undefined;
  body: string;
  toleranceSeconds?: number;
  now?: number;
}): DeliveryCheck {
  const parts = (options.header ?? '').split(',').map((p) => p.trim().split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  const macs = parts.filter(([k, v]) => k === 'v1' && /^[0-9a-f]{64}$/.test(v ?? '')).map(([, v]) => v);
  if (!t || !/^\d{1,12}$/.test(t) || macs.length === 0) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(deliveryMac(options.secret, `${t}.${options.body}`), 'hex');
  if (!macs.some((mac) => timingSafeEqual(Buffer.from(mac, 'hex'), expected))) return { ok: false, reason: 'bad_signature' };
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(t)) > (options.toleranceSeconds ?? 300)) return { ok: false, reason: 'stale' };
  return { ok: true, timestamp: Number(t) };
}

function deliveryMac(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}
