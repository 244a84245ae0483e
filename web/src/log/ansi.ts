/**
 * @module ANSI-coloured log text → plain segments with styles, for rendering as React spans.
 *
 * Only SGR (`ESC [ … m`) changes appearance: 16 colours map to CSS classes, 256-colour and
 * 24-bit colours to a validated `rgb()` value. Every other escape (cursor moves, erase,
 * OSC sequences including OSC 8 hyperlinks and window titles, DCS/APC strings) and every C0
 * control character except TAB is dropped. Nothing here produces markup: the output is text
 * plus class names, so log content can never become HTML or script. A carriage return keeps
 * what was written after it (progress bars). Each line starts from the default style.
 */

export interface AnsiStyle {
  fg?: number | string;
  bg?: number | string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
  strike?: boolean;
}

export interface AnsiSegment {
  text: string;
  style: AnsiStyle;
}

const ESC = '\u001b';

function color256(n: number): number | string {
  if (n < 16) return n;
  if (n >= 232) {
    const level = 8 + (n - 232) * 10;
    return `rgb(${level}, ${level}, ${level})`;
  }
  const index = n - 16;
  const steps = [0, 95, 135, 175, 215, 255];
  return `rgb(${steps[Math.floor(index / 36)]}, ${steps[Math.floor(index / 6) % 6]}, ${steps[index % 6]})`;
}

function byte(value: number | undefined): number {
  return Math.min(255, Math.max(0, Math.floor(Number(value) || 0)));
}

function applySgr(style: AnsiStyle, params: number[]): AnsiStyle {
  const next = { ...style };
  if (params.length === 0) params = [0];
  for (let i = 0; i < params.length; i++) {
    const code = params[i]!;
    if (code === 0) {
      for (const key of Object.keys(next) as Array<keyof AnsiStyle>) delete next[key];
    } else if (code === 1) next.bold = true;
    else if (code === 2) next.dim = true;
    else if (code === 3) next.italic = true;
    else if (code === 4) next.underline = true;
    else if (code === 7) next.inverse = true;
    else if (code === 9) next.strike = true;
    else if (code === 22) { delete next.bold; delete next.dim; }
    else if (code === 23) delete next.italic;
    else if (code === 24) delete next.underline;
    else if (code === 27) delete next.inverse;
    else if (code === 29) delete next.strike;
    else if (code >= 30 && code <= 37) next.fg = code - 30;
    else if (code >= 90 && code <= 97) next.fg = code - 90 + 8;
    else if (code >= 40 && code <= 47) next.bg = code - 40;
    else if (code >= 100 && code <= 107) next.bg = code - 100 + 8;
    else if (code === 39) delete next.fg;
    else if (code === 49) delete next.bg;
    else if (code === 38 || code === 48) {
      const key = code === 38 ? 'fg' : 'bg';
      if (params[i + 1] === 5) {
        next[key] = color256(byte(params[i + 2]));
        i += 2;
      } else if (params[i + 1] === 2) {
        next[key] = `rgb(${byte(params[i + 2])}, ${byte(params[i + 3])}, ${byte(params[i + 4])})`;
        i += 4;
      } else break;
    }
  }
  return next;
}

/** Where an escape sequence starting at `start` (at ESC or 0x9b) ends (exclusive). */
function escapeEnd(text: string, start: number): { end: number; sgr?: number[] } {
  const csi8 = text[start] === '\u009b';
  const kind = csi8 ? '[' : text[start + 1];
  if (kind === '[') {
    let i = start + (csi8 ? 1 : 2);
    const paramStart = i;
    while (i < text.length && /[0-9;:<=>?]/.test(text[i]!)) i++;
    while (i < text.length && /[ -/]/.test(text[i]!)) i++;
    if (i >= text.length) return { end: text.length };
    const final = text[i]!;
    const raw = text.slice(paramStart, i);
    if (final === 'm' && /^[0-9;:]*$/.test(raw)) {
      const sgr = raw === '' ? [] : raw.split(/[;:]/).map((p) => (p === '' ? 0 : Number(p)));
      return { end: i + 1, sgr };
    }
    return { end: i + 1 };
  }
  if (kind === ']' || kind === 'P' || kind === '_' || kind === '^' || kind === 'X') {
    // String sequences (OSC, DCS, APC, PM, SOS) run to BEL or ST (ESC \); drop them whole.
    for (let i = start + 2; i < text.length; i++) {
      if (text[i] === '\u0007') return { end: i + 1 };
      if (text[i] === ESC && text[i + 1] === '\\') return { end: i + 2 };
    }
    return { end: text.length };
  }
  if (kind === '(' || kind === ')' || kind === '#' || kind === '%') return { end: Math.min(text.length, start + 3) };
  return { end: Math.min(text.length, start + 2) };
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\u0080-\u009f]/g;

/** Splits one log line into styled segments (escapes and control characters removed). */
export function parseAnsiLine(line: string): AnsiSegment[] {
  if (line.endsWith('\r')) line = line.slice(0, -1);
  const cr = line.lastIndexOf('\r');
  if (cr >= 0) line = line.slice(cr + 1);
  const hasEscape = line.includes(ESC) || line.includes('\u009b');
  if (!hasEscape) return [{ text: line.replace(CONTROL, ''), style: {} }];
  const segments: AnsiSegment[] = [];
  let style: AnsiStyle = {};
  let text = '';
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === ESC || ch === '\u009b') {
      const { end, sgr } = escapeEnd(line, i);
      if (sgr) {
        if (text) segments.push({ text, style });
        text = '';
        style = applySgr(style, sgr);
      }
      i = end;
      continue;
    }
    text += ch;
    i++;
  }
  if (text) segments.push({ text, style });
  for (const segment of segments) segment.text = segment.text.replace(CONTROL, '');
  return segments.filter((s) => s.text.length > 0);
}

/** The visible text of a line (what search matches and what a copy gives). */
export function plainText(line: string): string {
  if (!line.includes(ESC) && !line.includes('\r') && !line.includes('\u009b')) return line;
  return parseAnsiLine(line).map((s) => s.text).join('');
}

/** CSS classes for a style; colours that are not one of the 16 come back in `color`/`background`. */
export function styleClasses(style: AnsiStyle): { className: string; color?: string; background?: string } {
  const classes: string[] = [];
  let fg = style.fg;
  let bg = style.bg;
  if (style.inverse) [fg, bg] = [bg ?? 'default-bg', fg ?? 'default-fg'];
  let color: string | undefined;
  let background: string | undefined;
  if (typeof fg === 'number') classes.push(`a-fg${fg}`);
  else if (fg === 'default-fg') classes.push('a-fgdefault');
  else if (fg === 'default-bg') classes.push('a-fginverse');
  else if (fg) color = fg;
  if (typeof bg === 'number') classes.push(`a-bg${bg}`);
  else if (bg === 'default-fg') classes.push('a-bginverse');
  else if (bg && bg !== 'default-bg') background = bg;
  if (style.bold) classes.push('a-bold');
  if (style.dim) classes.push('a-dim');
  if (style.italic) classes.push('a-italic');
  if (style.underline) classes.push('a-underline');
  if (style.strike) classes.push('a-strike');
  return { className: classes.join(' '), color, background };
}
