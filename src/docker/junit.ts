/**
 * JUnit XML reports (pytest, unittest-xml-reporting, Jest, Maven Surefire, go-junit-report...): the
 * test cases with their outcome, and where a failing test lives so it can be annotated. A small XML
 * reader covers what these files contain (elements, attributes, text, CDATA, entities, comments).
 */
import path from 'node:path';

export type CaseStatus = 'passed' | 'failed' | 'error' | 'skipped';

export interface TestCase {
  suite: string;
  classname: string;
  name: string;
  file?: string;
  line?: number;
  seconds: number;
  status: CaseStatus;
  /** The failure's message attribute (or the first line of its text). */
  message?: string;
  /** The failure's full text (the traceback). */
  details?: string;
}

export interface JUnitReport {
  cases: TestCase[];
  tests: number;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  seconds: number;
}

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });
}

export class XmlError extends Error {}

const START_TAG = /<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/y;

/** Parses an XML document into its root element. */
export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack = [root];
  let at = 0;
  const find = (needle: string, from: number) => {
    const found = xml.indexOf(needle, from);
    if (found < 0) throw new XmlError(`unterminated markup at offset ${from}`);
    return found;
  };
  while (at < xml.length) {
    const open = xml.indexOf('<', at);
    const text = xml.slice(at, open < 0 ? xml.length : open);
    if (text) stack[stack.length - 1].text += decode(text);
    if (open < 0) break;
    if (xml.startsWith('<!--', open)) {
      at = find('-->', open) + 3;
    } else if (xml.startsWith('<![CDATA[', open)) {
      const end = find(']]>', open);
      stack[stack.length - 1].text += xml.slice(open + 9, end);
      at = end + 3;
    } else if (xml.startsWith('<?', open) || xml.startsWith('<!', open)) {
      at = find('>', open) + 1;
    } else if (xml.startsWith('</', open)) {
      const end = find('>', open);
      const name = xml.slice(open + 2, end).trim();
      const top = stack.pop();
      if (stack.length === 0 || !top || top.name !== name) throw new XmlError(`unexpected </${name}>`);
      at = end + 1;
    } else {
      START_TAG.lastIndex = open;
      const tag = START_TAG.exec(xml);
      if (!tag) throw new XmlError(`malformed tag at offset ${open}`);
      const element: XmlElement = { name: tag[1], attributes: {}, children: [], text: '' };
      for (const a of tag[2].matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        element.attributes[a[1]] = decode(a[2] ?? a[3] ?? '');
      }
      stack[stack.length - 1].children.push(element);
      if (!tag[3]) stack.push(element);
      at = open + tag[0].length;
    }
  }
  if (stack.length !== 1) throw new XmlError(`<${stack[stack.length - 1].name}> is not closed`);
  const element = root.children[0];
  if (!element) throw new XmlError('no root element');
  return element;
}

function collect(element: XmlElement, suite: string, out: TestCase[]): void {
  for (const child of element.children) {
    if (child.name === 'testsuite' || child.name === 'testsuites') {
      collect(child, child.attributes.name ?? suite, out);
    } else if (child.name === 'testcase') {
      out.push(testCase(child, suite));
    }
  }
}

function testCase(element: XmlElement, suite: string): TestCase {
  const a = element.attributes;
  const outcome = element.children.find((c) => ['failure', 'error', 'skipped'].includes(c.name));
  const status: CaseStatus =
    outcome?.name === 'failure'
      ? 'failed'
      : outcome?.name === 'error'
        ? 'error'
        : outcome
          ? 'skipped'
          : 'passed';
  const details = outcome?.text.trim() || undefined;
  const line = Number(a.line);
  return {
    suite,
    classname: a.classname ?? '',
    name: a.name ?? '(unnamed)',
    file: a.file || undefined,
    line: Number.isInteger(line) && line > 0 ? line : undefined,
    seconds: Number(a.time) || 0,
    status,
    message: outcome ? outcome.attributes.message?.trim() || details?.split('\n')[0] : undefined,
    details
  };
}

export function parseJUnit(xml: string): JUnitReport {
  const root = parseXml(xml);
  if (root.name !== 'testsuites' && root.name !== 'testsuite') {
    throw new XmlError(`the root element is <${root.name}>, not <testsuites> or <testsuite>`);
  }
  const cases: TestCase[] = [];
  collect({ ...root, children: [root] }, root.attributes.name ?? '', cases);
  const count = (s: CaseStatus) => cases.filter((c) => c.status === s).length;
  return {
    cases,
    tests: cases.length,
    passed: count('passed'),
    failed: count('failed'),
    errors: count('error'),
    skipped: count('skipped'),
    seconds:
      Number(root.attributes.time) ||
      root.children.reduce(
        (sum, c) => sum + (c.name === 'testsuite' ? Number(c.attributes.time) || 0 : 0),
        0
      ) ||
      cases.reduce((sum, c) => sum + c.seconds, 0)
  };
}

/** `suite > classname.name` as people read a test's name. */
export function testTitle(c: TestCase): string {
  return c.classname ? `${c.classname}.${c.name}` : c.name;
}

export interface SourceMapping {
  /** The directory the tests ran in, inside the container. */
  workdir: string;
  /** Where the workspace is mounted in the container (`/workspace`), if it is. */
  mount?: string;
  /** Whether a workspace-relative path exists (annotations only point at real files). */
  exists: (workspacePath: string) => boolean;
}

/**
 * The workspace-relative file of a test case, for an annotation: its `file` attribute (relative to
 * the directory the tests ran in), else a path guessed from a dotted classname
 * (`serving.tests.test_app` -> `serving/tests/test_app.py`). Undefined outside the workspace.
 */
export function sourceFile(c: TestCase, mapping: SourceMapping): string | undefined {
  if (!mapping.mount) return undefined;
  const candidates = c.file
    ? [c.file]
    : c.classname
      ? [`${c.classname.replace(/\./g, '/')}.py`, `${c.classname.split('.').slice(0, -1).join('/')}.py`]
      : [];
  for (const candidate of candidates) {
    const absolute = path.posix.resolve(mapping.workdir, candidate);
    const relative = path.posix.relative(mapping.mount, absolute);
    if (!relative || relative.startsWith('..') || path.posix.isAbsolute(relative)) continue;
    if (mapping.exists(relative)) return relative;
  }
  return undefined;
}

/**
 * The line to annotate: where the traceback says the test failed in its own file
 * (`test_app.py:42: AssertionError`), else the test's line (pytest writes it 0-based).
 */
export function annotationLine(c: TestCase): number | undefined {
  if (c.file && c.details) {
    const base = path.posix.basename(c.file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const hits = [...c.details.matchAll(new RegExp(`(?:^|[\\s/])${base}:(\\d+)`, 'gm'))];
    if (hits.length) return Number(hits[hits.length - 1][1]);
  }
  if (c.line === undefined) return undefined;
  return c.suite === 'pytest' ? c.line + 1 : c.line;
}
