/**
 * @module The virtualised log view: only the rows on screen exist in the DOM, so a log of a
 * million lines renders as fast as one of fifty. Rows are step headers (collapsible, with
 * status, duration and exit code) and log lines. Line text is parsed for ANSI colours and
 * URLs and rendered as React text nodes inside spans: log content is never treated as HTML.
 *
 * Very tall logs exceed what a browser can scroll (~33 million px), so above `MAX_SCROLL_PX`
 * the scrollbar maps proportionally onto rows.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { parseAnsiLine, styleClasses } from './ansi.js';
import { linkify } from './linkify.js';
import type { LogModel, Segment } from './log-model.js';

export const ROW_HEIGHT = 18;
const MAX_SCROLL_PX = 15_000_000;
const OVERSCAN = 10;

export interface StepInfo {
  name: string;
  status: string;
  exitCode: number | null;
  duration: string;
}

export interface LogViewProps {
  model: LogModel;
  version: number;
  steps: (step: number) => StepInfo;
  showLineNumbers: boolean;
  /** Line to bring into view (search), with a counter so the same line can be asked again. */
  focus?: { line: number; nonce: number };
  matches?: ReadonlySet<number>;
  height: number;
}

interface Layout {
  segments: Segment[];
  /** Row index of each segment's header. */
  rowStart: number[];
  rows: number;
}

function layoutOf(segments: Segment[], collapsed: ReadonlySet<number>): Layout {
  const rowStart: number[] = [];
  let rows = 0;
  for (const segment of segments) {
    rowStart.push(rows);
    rows += 1 + (collapsed.has(segment.step) ? 0 : segment.end - segment.start);
  }
  return { segments, rowStart, rows };
}

/** Binary search: the last segment whose header row is ≤ `row`. */
function segmentAtRow(layout: Layout, row: number): number {
  let lo = 0;
  let hi = layout.rowStart.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (layout.rowStart[mid]! <= row) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function segmentOfLine(segments: Segment[], line: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segments[mid]!.start <= line) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** One line's content as spans and links; plain text only. */
export function renderLine(raw: string): ReactNode[] {
  const out: ReactNode[] = [];
  let key = 0;
  for (const segment of parseAnsiLine(raw)) {
    const { className, color, background } = styleClasses(segment.style);
    const styled = Boolean(className || color || background);
    for (const part of linkify(segment.text)) {
      const content = part.href
        ? <a key={key++} href={part.href} target="_blank" rel="noopener noreferrer nofollow">{part.text}</a>
        : part.text;
      if (!styled) {
        out.push(typeof content === 'string' ? <span key={key++}>{content}</span> : content);
        continue;
      }
      // Colours outside the 16-colour palette go through the CSSOM (allowed by the CSP), never markup.
      out.push(<span key={key++} className={className || undefined} style={color || background ? { color, backgroundColor: background } : undefined}>{content}</span>);
    }
  }
  return out;
}

export function LogView(props: LogViewProps) {
  const { model, version, height } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const [scrollTop, setScrollTop] = useState(0);
  const [collapsed, setCollapsed] = useState<ReadonlySet<number>>(() => new Set());
  const layout = useMemo(() => layoutOf(model.segments, collapsed), [model, version, collapsed]);

  const totalPx = layout.rows * ROW_HEIGHT;
  const spacerPx = Math.min(totalPx, MAX_SCROLL_PX);
  const scaled = totalPx > MAX_SCROLL_PX;
  const toVirtual = (top: number) => (scaled ? (top / Math.max(1, spacerPx - height)) * (totalPx - height) : top);
  const toScroll = (virtual: number) => (scaled ? (virtual / Math.max(1, totalPx - height)) * (spacerPx - height) : virtual);

  // Follow the end while the reader is at the bottom (new lines, or older ones added above).
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    if (stick.current) {
      element.scrollTop = element.scrollHeight;
      setScrollTop(element.scrollTop);
    }
  }, [version, layout.rows, height]);

  useEffect(() => {
    const element = scroller.current;
    if (!element || !props.focus) return;
    const line = props.focus.line;
    const segmentIndex = segmentOfLine(model.segments, line);
    const segment = model.segments[segmentIndex];
    if (!segment) return;
    if (collapsed.has(segment.step)) {
      const next = new Set(collapsed);
      next.delete(segment.step);
      setCollapsed(next);
      return; // runs again with the new layout
    }
    const row = layout.rowStart[segmentIndex]! + 1 + (line - segment.start);
    stick.current = false;
    element.scrollTop = toScroll(Math.max(0, row * ROW_HEIGHT - height / 2));
    setScrollTop(element.scrollTop);
  }, [props.focus, layout]);

  const onScroll = () => {
    const element = scroller.current!;
    stick.current = element.scrollTop + element.clientHeight >= element.scrollHeight - 4;
    setScrollTop(element.scrollTop);
  };

  const toggle = (step: number) => {
    const next = new Set(collapsed);
    if (next.has(step)) next.delete(step);
    else next.add(step);
    stick.current = false;
    setCollapsed(next);
  };

  const virtualTop = toVirtual(scrollTop);
  const first = Math.max(0, Math.floor(virtualTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(layout.rows, Math.ceil((virtualTop + height) / ROW_HEIGHT) + OVERSCAN);
  const offset = scrollTop - (virtualTop - first * ROW_HEIGHT);

  const rows: ReactNode[] = [];
  if (layout.rows > 0) {
    let segmentIndex = segmentAtRow(layout, first);
    for (let row = first; row < last; row++) {
      while (segmentIndex + 1 < layout.segments.length && layout.rowStart[segmentIndex + 1]! <= row) segmentIndex++;
      const segment = layout.segments[segmentIndex]!;
      const within = row - layout.rowStart[segmentIndex]!;
      if (within === 0) {
        const info = props.steps(segment.step);
        const isCollapsed = collapsed.has(segment.step);
        rows.push(
          <div key={`h${row}`} className={`log-step log-step-${info.status}`} role="button" tabIndex={0} aria-expanded={!isCollapsed}
            onClick={() => toggle(segment.step)} onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(segment.step); } }}>
            <span className="log-step-caret">{isCollapsed ? '▸' : '▾'}</span>
            <span className="log-step-name">{info.name}</span>
            <span className="log-step-meta">
              <span className={`badge badge-${info.status}`}>{info.status}</span>
              {info.exitCode !== null ? <span className="log-step-exit">exit {info.exitCode}</span> : null}
              <span className="log-step-duration">{info.duration}</span>
            </span>
          </div>,
        );
        continue;
      }
      const line = segment.start + within - 1;
      const matched = props.matches?.has(line);
      const focused = props.focus?.line === line;
      rows.push(
        <div key={`l${line}`} className={`log-line${matched ? ' log-match' : ''}${focused ? ' log-focus' : ''}`} data-line={line}>
          {props.showLineNumbers ? <span className="log-ln">{line + 1}</span> : null}
          <span className="log-text">{renderLine(model.lines[line] ?? '')}</span>
        </div>,
      );
    }
  }

  return (
    <div className="log-scroller" ref={scroller} onScroll={onScroll} style={{ height }} data-testid="log-scroller" data-rows={layout.rows}>
      <div className="log-spacer" style={{ height: Math.max(spacerPx, 1) }}>
        <div className="log-window" style={{ transform: `translateY(${offset}px)` }}>{rows}</div>
      </div>
    </div>
  );
}
