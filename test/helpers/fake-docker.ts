/** A fake Docker CLI for engine unit tests: records every call and answers from a script. */
import type { DockerCall, DockerResult, DockerRunner } from '../../src/docker/runner.js';

export type Answer = Partial<DockerResult> & { lines?: string[]; wait?: Promise<void> };

export class FakeDocker implements DockerRunner {
  readonly binary = 'docker';
  readonly calls: DockerCall[] = [];

  /** `respond(args)` returns the answer for a call (default: exit 0, no output). */
  constructor(
    private readonly respond: (args: string[], call: DockerCall) => Answer | undefined = () => undefined
  ) {}

  async run(call: DockerCall): Promise<DockerResult> {
    this.calls.push(call);
    const answer = this.respond(call.args, call) ?? {};
    for (const line of answer.lines ?? []) call.onLine?.(line, 'stdout');
    if (answer.wait) await answer.wait;
    return { code: answer.code ?? 0, stdout: answer.stdout ?? '', stderr: answer.stderr ?? '' };
  }

  /** The command lines, as `docker <args>` strings. */
  commands(): string[] {
    return this.calls.map((c) => c.args.join(' '));
  }

  /** The calls whose first arguments are `prefix`. */
  matching(...prefix: string[]): DockerCall[] {
    return this.calls.filter((c) => prefix.every((p, i) => c.args[i] === p));
  }
}
