import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export interface Family {
  type: string;
  help: string;
  samples: Array<{ labels: Record<string, string>; value: number }>;
}

// One sample line of the text format: name, optional labels with escaped values, a value.
const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const SAMPLE_LINE = new RegExp(`^${NAME}(?:\\{(?:${LABEL})(?:,${LABEL})*\\})? (?:[-+]?(?:\\d+(?:\\.\\d+)?(?:e[-+]?\\d+)?|Inf)|NaN)$`);

/**
 * Parses exposition text with an independent parser (parse-prometheus-text-format, ported
 * from the Python client), after checking the line grammar it is lenient about: every line
 * is a HELP, a TYPE or a well-formed sample, every family is typed, every value a number.
 */
export function parsePrometheus(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('exposition text must end with a newline');
  for (const line of text.slice(0, -1).split('\n')) {
    if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    if (!SAMPLE_LINE.test(line)) throw new Error(`not a valid sample line: ${JSON.stringify(line)}`);
  }
  const families = new Map<string, Family>();
  for (const family of parsePrometheusTextFormat(text)) {
    if (family.type === 'UNTYPED') throw new Error(`family ${family.name} has no TYPE`);
    if (families.has(family.name)) throw new Error(`family ${family.name} appears twice`);
    families.set(family.name, {
      type: family.type.toLowerCase(),
      help: family.help,
      samples: family.metrics.map((sample) => {
        const value = sample.value === '+Inf' ? Infinity : sample.value === '-Inf' ? -Infinity : Number(sample.value);
        if (sample.value.trim() === '' || (Number.isNaN(value) && sample.value !== 'NaN')) throw new Error(`${family.name}: value ${sample.value} is not a number`);
        return { labels: sample.labels ?? {}, value };
      }),
    });
  }
  return families;
}

/** The value of the one sample of `name` whose labels include `labels`; throws when not exactly one. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const family = families.get(name);
  if (!family) throw new Error(`no family ${name}`);
  const matches = family.samples.filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
  if (matches.length !== 1) throw new Error(`${name}${JSON.stringify(labels)}: ${matches.length} samples`);
  return matches[0]!.value;
}
