import {
  MemoryLogger,
  Progress,
  formatBytes,
  keyValueTable,
  markdownTable,
  mermaid
} from '../../src/report.js';

describe('reporting helpers', () => {
  it('tables escape pipes and newlines and show empty cells as -', () => {
    expect(
      markdownTable(
        ['a', 'b'],
        [
          ['x|y', 'one\ntwo'],
          ['', undefined]
        ]
      )
    ).toBe('| a | b |\n| --- | --- |\n| x\\|y | one<br>two |\n| - | - |\n');
    expect(
      keyValueTable([
        ['Endpoint', 'e'],
        ['Skipped', undefined]
      ])
    ).toBe('|  |  |\n| --- | --- |\n| Endpoint | e |\n');
  });
  it('mermaid blocks', () => expect(mermaid('  pie\n "a": 1 ')).toBe('```mermaid\npie\n "a": 1\n```\n'));
  it('bytes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(500 * 1024 * 1024)).toBe('500 MB');
  });
});

describe('progress', () => {
  it('logs at most once every 5 s, with counts, bytes, percent and rate, and a final line', () => {
    let now = 0;
    const log = new MemoryLogger();
    const progress = new Progress('Downloaded', { items: 100, bytes: 100 * 1024 * 1024 }, log, {
      now: () => now
    });
    for (let i = 0; i < 100; i++) {
      now += 200; // 20 s in all
      progress.tick(1, 1024 * 1024);
    }
    const result = progress.done();
    expect(log.lines).toHaveLength(5); // at 5, 10, 15, 20 s and the final line
    expect(log.lines[0]).toBe('Downloaded: 25/100, 25.0 MB of 100 MB, 25%, 5.0 MB/s, 5s');
    expect(log.lines[4]).toBe('Downloaded: 100/100, 100 MB of 100 MB, 100%, 5.0 MB/s, 20s');
    expect(result).toEqual({ items: 100, bytes: 100 * 1024 * 1024, seconds: 20 });
  });
});
