/**
 * @module Finds http(s) URLs in plain text. Only `http:` and `https:` become links (never
 * `javascript:`, `data:` or anything else), and only when the URL parses.
 */

export type TextPart = { text: string; href?: undefined } | { text: string; href: string };

// eslint-disable-next-line no-control-regex -- a URL ends at a control character
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`\u0000-\u001f]+/gi;
const TRAILING = /[.,;:!?)\]}'"]+$/;

export function linkify(text: string): TextPart[] {
  if (!text.includes('http')) return [{ text }];
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let url = match[0];
    const trailing = TRAILING.exec(url);
    if (trailing) url = url.slice(0, url.length - trailing[0].length);
    const start = match.index;
    let href: string | undefined;
    try {
      const parsed = new URL(url);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') href = parsed.href;
    } catch {
      href = undefined;
    }
    if (!href) continue;
    if (start > last) parts.push({ text: text.slice(last, start) });
    parts.push({ text: url, href });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
