import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The project's Markdown as the doc tests read it: every page a reader is sent to, its fenced
 * blocks with the `doc-test` mark before each, and its headings as GitHub makes their anchors.
 */
export const SHELL_LANGUAGES = ['sh', 'bash', 'shell'];

/** The pages: README, CONTRIBUTING, CHANGELOG, docs/ and the guides under deploy/. */
export function markdownFiles(root: string): string[] {
  const under = (dir: string): string[] =>
    (existsSync(join(root, dir)) ? readdirSync(join(root, dir), { withFileTypes: true }) : []).flatMap((entry) => {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return under(path);
      return entry.name.endsWith('.md') ? [path] : [];
    });
  return ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md', ...under('docs'), ...under('deploy')].sort();
}

export type Mark = { kind: 'run' } | { kind: 'skip'; reason: string } | { kind: 'container-smoke' } | { kind: 'none' };

export interface Block {
  file: string;
  /** The fence's line, 1-based. */
  line: number;
  language: string;
  mark: Mark;
  /** The block's text, without the indentation of its fence (a block in a list item). */
  code: string;
}

const FENCE = /^(\s*)```(\S*)\s*$/;
const MARK = /^\s*<!--\s*doc-test(?::\s*(skip|container-smoke)\b\s*(.*?))?\s*-->\s*$/;

/** Pure: every fenced block of a page, with the mark on the last line before it. */
export function fencedBlocks(file: string, text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = FENCE.exec(lines[index]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const start = index;
    const body: string[] = [];
    for (index++; index < lines.length && !/^\s*```\s*$/.test(lines[index]!); index++) body.push(lines[index]!.slice(indent));
    let before = start - 1;
    while (before >= 0 && lines[before]!.trim() === '') before--;
    const mark = before >= 0 ? MARK.exec(lines[before]!) : null;
    blocks.push({
      file,
      line: start + 1,
      language: open[2]!,
      mark: !mark ? { kind: 'none' } : mark[1] === 'skip' ? { kind: 'skip', reason: mark[2]! } : mark[1] === 'container-smoke' ? { kind: 'container-smoke' } : { kind: 'run' },
      code: `${body.join('\n')}\n`,
    });
  }
  return blocks;
}

export function readBlocks(root: string, file: string): Block[] {
  return fencedBlocks(file, readFileSync(join(root, file), 'utf8'));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a page has (outside code blocks), with GitHub's -1, -2 for repeats. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inCode = false;
  for (const line of text.split('\n')) {
    if (/^\s*```/.test(line)) inCode = !inCode;
    if (inCode) continue;
    const heading = /^#{1,6} (.*)$/.exec(line);
    if (!heading) continue;
    const anchor = anchorOf(heading[1]!);
    const count = seen.get(anchor) ?? 0;
    seen.set(anchor, count + 1);
    anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
  }
  return anchors;
}

/** The relative links of a page (outside code blocks and inline code): [text](target). */
export function linksOf(text: string): string[] {
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}
