/**
 * The GC tuning for large downloads: the V8 flag is set when the first download starts and put back
 * when the last one ends (nested downloads, a release called twice), only on a V8 that has it, and
 * never with MLOPS_DVC_GC_TUNING=0.
 */
import { jest } from '@jest/globals';
import v8 from 'node:v8';
import { relaxExternalMemoryLimit } from '../../../src/dvc/external-memory.js';

const hasFlag = Number(process.versions.v8.split('.')[0]) >= 13;

afterEach(() => {
  jest.restoreAllMocks();
  delete process.env.MLOPS_DVC_GC_TUNING;
});

it('sets the flag for the first download and clears it after the last', () => {
  const set = jest.spyOn(v8, 'setFlagsFromString');
  const first = relaxExternalMemoryLimit();
  const second = relaxExternalMemoryLimit();
  first();
  first(); // a second call changes nothing
  expect(set.mock.calls).toEqual(hasFlag ? [['--external-memory-accounted-in-global-limit']] : []);
  second();
  expect(set.mock.calls).toEqual(
    hasFlag
      ? [['--external-memory-accounted-in-global-limit'], ['--no-external-memory-accounted-in-global-limit']]
      : []
  );
});

it('does nothing with MLOPS_DVC_GC_TUNING=0', () => {
  process.env.MLOPS_DVC_GC_TUNING = '0';
  const set = jest.spyOn(v8, 'setFlagsFromString');
  relaxExternalMemoryLimit()();
  expect(set).not.toHaveBeenCalled();
});
