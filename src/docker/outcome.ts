/**
 * What a test container's run means: its JUnit report read (with each failing test's file in the
 * workspace and line, for annotations), and the failure to report, if any.
 */
import { formatDuration } from '../duration.js';
import { UserError } from '../errors.js';
import type { Logger } from '../report.js';
import { WORKSPACE_MOUNT, type TestContainerResult } from './container.js';
import {
  annotationLine,
  parseJUnit,
  sourceFile,
  testTitle,
  type JUnitReport,
  type TestCase
} from './junit.js';

export interface FailingTest {
  test: TestCase;
  title: string;
  /** Workspace-relative, when the test's file is in the workspace. */
  file?: string;
  line?: number;
}

export interface TestOutcome {
  report?: JUnitReport;
  /** Each test case's workspace file, for the summary. */
  files: Map<TestCase, string | undefined>;
  failing: FailingTest[];
}

export function readOutcome(
  result: TestContainerResult,
  options: { mounted: boolean; exists: (workspacePath: string) => boolean; log: Logger }
): TestOutcome {
  let report: JUnitReport | undefined;
  if (result.report !== undefined) {
    try {
      report = parseJUnit(result.report);
    } catch (e) {
      options.log.warning(`The report at ${result.reportPath} is not JUnit XML (${(e as Error).message}).`);
    }
  } else if (result.reportIsLink) {
    options.log.warning(
      `The report at ${result.reportPath} is a symbolic link, which is not followed out of the container: write the report itself there (input "report").`
    );
  } else if (result.reportPath) {
    options.log.warning(`The tests wrote no report at ${result.reportPath} (input "report").`);
  }
  const mapping = {
    workdir: result.workdir || '/',
    mount: options.mounted ? WORKSPACE_MOUNT : undefined,
    exists: options.exists
  };
  const files = new Map((report?.cases ?? []).map((c) => [c, sourceFile(c, mapping)]));
  const failing = (report?.cases ?? [])
    .filter((c) => c.status === 'failed' || c.status === 'error')
    .map((test) => {
      const file = files.get(test);
      return {
        test,
        title: `${testTitle(test)} ${test.status}`,
        file,
        line: file ? annotationLine(test) : undefined
      };
    });
  return { report, files, failing };
}

/** The error that fails the step, or undefined when the tests passed. */
export function testFailure(
  result: TestContainerResult,
  outcome: TestOutcome,
  timeoutSeconds: number
): UserError | undefined {
  if (result.timedOut) {
    return new UserError(
      `The tests did not finish within the timeout of ${formatDuration(timeoutSeconds)} (input "timeout"): the container was killed and removed.`
    );
  }
  if (result.cancelled)
    return new UserError('The tests were cancelled: the container was killed and removed.');
  if (result.exitCode === 0) return undefined;
  const names = outcome.failing.slice(0, 5).map((f) => testTitle(f.test));
  const more = outcome.failing.length > 5 ? ` and ${outcome.failing.length - 5} more` : '';
  const which = names.length ? `: ${outcome.failing.length} failing (${names.join(', ')}${more})` : '';
  return new UserError(`The tests failed with exit code ${result.exitCode}${which}.`);
}
