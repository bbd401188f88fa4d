import { renderMetrics } from '../../src/metrics/render.js';
import { talliesOf } from '../../src/metrics/tally.js';
import type { CheckResult } from '../../src/run/result.js';
import { parsePrometheus } from './prometheus.js';

// Words of PromQL that are not metric names when they stand alone.
const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression (or a Grafana template query) selects. Grafana variables, strings, label matchers,
 * ranges, label lists and numbers are taken out first; of what is left, a word followed by
 * "(" is a function or an aggregation, and a keyword is a keyword: the rest are metrics.
 */
export function metricNames(expression: string): string[] {
  const text = expression
    // Grafana's template query label_values(SELECTOR, LABEL): the LABEL is not a metric.
    .replace(/label_values\s*\(((?:[^,{}]|\{[^}]*\})*),\s*\w+\s*\)/g, '($1)')
    .replace(/\$\{[^}]*\}|\$[A-Za-z_]\w*/g, ' ')
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ')
    .replace(/(?<![\w:])\d[\w.]*/g, ' ');
  const names = new Set<string>();
  for (const match of text.matchAll(/[A-Za-z_:][\w:]*/g)) {
    const word = match[0];
    const after = text.slice(match.index! + word.length);
    if (/^\s*\(/.test(after) || KEYWORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names].sort();
}

/** Every metric name the project exports, read from what it renders with every field set. */
export function exportedMetricNames(): Set<string> {
  const result: CheckResult = {
    name: 'web',
    repository: 'web',
    status: 'up',
    mode: 'restic',
    latest: new Date('2026-11-22T10:00:00.000Z'),
    latestBasis: 'time',
    ageMs: 7_200_000,
    maxAgeMs: 86_400_000,
    message: 'latest snapshot 2h ago (max 1d)',
    error: null,
    durationMs: 612,
    checkedAt: new Date('2026-11-22T11:59:59.000Z'),
    pushes: [],
  };
  const text = renderMetrics(talliesOf([result]), new Date('2026-11-22T12:00:00Z'), { configReloadOk: true, configLoadedAt: 1795000000, unmonitored: [] });
  return new Set(parsePrometheus(text).keys());
}
