/** JUnit reports from several tools, and where a failing test's file is for its annotation. */
import { annotationLine, parseJUnit, parseXml, sourceFile, XmlError } from '../../src/docker/junit.js';

const PYTEST_XUNIT1 = `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="4" time="1.25">
<testcase classname="serving.tests.test_app" name="test_ping" file="serving/tests/test_app.py" line="11" time="0.50" />
<testcase classname="serving.tests.test_app" name="test_predict[a&amp;b]" file="serving/tests/test_app.py" line="20" time="0.25"><failure message="assert 0.5 &gt;= 0.9">def test_predict():
&gt;       assert accuracy &gt;= 0.9
E       assert 0.5 &gt;= 0.9</failure></testcase>
<testcase classname="serving.tests.test_app" name="test_setup" file="serving/tests/test_app.py" line="30" time="0.01"><error message="failed on setup with &quot;OSError&quot;">fixture error</error></testcase>
<testcase classname="serving.tests.test_app" name="test_gpu" time="0"><skipped type="pytest.skip" message="no GPU">skipped</skipped></testcase>
</testsuite></testsuites>`;

const PYTEST_XUNIT2 = `<?xml version="1.0"?>
<testsuite name="pytest" tests="1" failures="1"><!-- a comment -->
  <testcase classname="tests.test_math" name="test_add" time="0.001">
    <failure message="AssertionError: 3 != 4"><![CDATA[Traceback <not xml> & so on
AssertionError: 3 != 4]]></failure>
    <system-out>printed &#x263A; &#9731;</system-out>
  </testcase>
</testsuite>`;

const JEST = `<testsuites name="jest tests" tests="2" failures="0" time="3.1">
  <testsuite name="sum" tests="2"><testcase classname="sum adds" name="sum adds 1 + 2" time="0.002"/>
  <testcase classname='sum adds' name='sum adds negatives' time='0.001'></testcase></testsuite>
</testsuites>`;

describe('parseJUnit', () => {
  it('reads pytest (xunit1): outcomes, messages, file and line', () => {
    const report = parseJUnit(PYTEST_XUNIT1);
    expect(report).toMatchObject({ tests: 4, passed: 1, failed: 1, errors: 1, skipped: 1, seconds: 1.25 });
    const [ping, predict, setup, gpu] = report.cases;
    expect(ping).toMatchObject({
      status: 'passed',
      file: 'serving/tests/test_app.py',
      line: 11,
      seconds: 0.5
    });
    expect(predict).toMatchObject({
      name: 'test_predict[a&b]',
      status: 'failed',
      message: 'assert 0.5 >= 0.9',
      line: 20
    });
    expect(predict.details).toContain('>       assert accuracy >= 0.9');
    expect(setup).toMatchObject({ status: 'error', message: 'failed on setup with "OSError"' });
    expect(gpu).toMatchObject({ status: 'skipped', message: 'no GPU', file: undefined });
  });

  it('reads pytest (xunit2) with CDATA, comments and character references', () => {
    const report = parseJUnit(PYTEST_XUNIT2);
    expect(report).toMatchObject({ tests: 1, failed: 1, passed: 0 });
    expect(report.cases[0].details).toBe('Traceback <not xml> & so on\nAssertionError: 3 != 4');
    expect(report.cases[0].message).toBe('AssertionError: 3 != 4');
  });

  it('reads nested suites (Jest) and counts the cases themselves', () => {
    const report = parseJUnit(JEST);
    expect(report).toMatchObject({ tests: 2, passed: 2, seconds: 3.1 });
    expect(report.cases.map((c) => c.suite)).toEqual(['sum', 'sum']);
  });

  it('refuses what is not a JUnit report', () => {
    expect(() => parseJUnit('<html><body/></html>')).toThrow('the root element is <html>');
    expect(() => parseJUnit('<testsuite><testcase name="x"></testsuite>')).toThrow(XmlError);
    expect(() => parseJUnit('<testsuite')).toThrow(XmlError);
    expect(() => parseJUnit('')).toThrow('no root element');
    expect(() => parseXml('<a><!-- never closed')).toThrow('unterminated markup');
  });
});

describe('sourceFile', () => {
  const report = parseJUnit(PYTEST_XUNIT1);
  const exists = (files: string[]) => (p: string) => files.includes(p);

  it('maps a file attribute, relative to the working directory, to a workspace path', () => {
    const mapping = {
      workdir: '/workspace/examples/wine',
      mount: '/workspace',
      exists: exists(['examples/wine/serving/tests/test_app.py'])
    };
    expect(sourceFile(report.cases[1], mapping)).toBe('examples/wine/serving/tests/test_app.py');
  });

  it('guesses the file from a dotted classname when there is no file attribute', () => {
    const [c] = parseJUnit(PYTEST_XUNIT2).cases;
    expect(
      sourceFile(c, { workdir: '/workspace', mount: '/workspace', exists: exists(['tests/test_math.py']) })
    ).toBe('tests/test_math.py');
  });

  it('gives nothing for files outside the workspace, missing ones, or without a mount', () => {
    const c = report.cases[1];
    expect(sourceFile(c, { workdir: '/opt/app', mount: '/workspace', exists: () => true })).toBeUndefined();
    expect(
      sourceFile(c, { workdir: '/workspace', mount: '/workspace', exists: () => false })
    ).toBeUndefined();
    expect(sourceFile(c, { workdir: '/workspace', mount: undefined, exists: () => true })).toBeUndefined();
    const escaping = { ...c, file: '../../etc/passwd' };
    expect(
      sourceFile(escaping, { workdir: '/workspace/a', mount: '/workspace', exists: () => true })
    ).toBeUndefined();
  });
});

describe('annotationLine', () => {
  it("points at the failing line in the test's own file, from the traceback", () => {
    const [c] =
      parseJUnit(`<testsuite name="pytest"><testcase classname="t" name="x" file="tests/test_a.py" line="9">
<failure message="boom">tests/helpers.py:3: in helper
tests/test_a.py:14: in test_x
tests/test_a.py:15: AssertionError</failure></testcase></testsuite>`).cases;
    expect(annotationLine(c)).toBe(15);
  });

  it("else the test's own line: pytest's is 0-based, others are taken as they are", () => {
    const report = parseJUnit(PYTEST_XUNIT1);
    expect(annotationLine(report.cases[0])).toBe(12);
    const [other] = parseJUnit(
      '<testsuite name="mocha"><testcase name="x" file="a.js" line="7"/></testsuite>'
    ).cases;
    expect(annotationLine(other)).toBe(7);
    expect(annotationLine(parseJUnit(JEST).cases[0])).toBeUndefined();
  });
});
