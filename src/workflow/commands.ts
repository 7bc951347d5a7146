/**
 * Workflow commands in a step's output (`::add-mask::`, `::error::`, `::group::`, `::stop-commands::`,
 * the deprecated `::set-output` / `::save-state`), read line by line as the runner reads them.
 * Each line comes back as the text to print (already masked, never itself a command) or nothing.
 */
import type { Masker } from './mask.js';

export interface CommandEffects {
  /** Outputs set with the deprecated `::set-output`. */
  outputs: Record<string, string>;
  /** `::error::` messages, for the report. */
  errors: string[];
}

const unescapeData = (t: string) => t.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (t: string) => unescapeData(t).replace(/%3A/g, ':').replace(/%2C/g, ',');

export class CommandReader {
  private stopToken: string | undefined;
  readonly effects: CommandEffects = { outputs: {}, errors: [] };

  constructor(
    private readonly masker: Masker,
    private readonly debug: boolean
  ) {}

  /** The line as the runner shows it (masked), or undefined when nothing is shown. */
  line(raw: string): string | undefined {
    const trimmed = raw.trimStart();
    if (this.stopToken !== undefined) {
      if (trimmed.trim() === `::${this.stopToken}::`) {
        this.stopToken = undefined;
        return undefined;
      }
      return this.masker.mask(raw);
    }
    const match = /^::([A-Za-z-]+)(?:\s+([^:]*))?::(.*)$/s.exec(trimmed);
    if (!match) return this.masker.mask(raw);
    const [, name, props = '', message] = match;
    const properties = Object.fromEntries(
      props
        .split(',')
        .filter((p) => p.includes('='))
        .map((p) => [p.slice(0, p.indexOf('=')).trim(), unescapeProperty(p.slice(p.indexOf('=') + 1))])
    );
    const text = unescapeData(message);
    switch (name.toLowerCase()) {
      case 'add-mask':
        this.masker.add(text);
        return undefined;
      case 'stop-commands':
        this.stopToken = message.trim();
        return undefined;
      case 'set-output':
        this.effects.outputs[properties.name ?? ''] = text;
        return 'warning: The `set-output` command is deprecated; write to GITHUB_OUTPUT instead.';
      case 'save-state':
        return 'warning: The `save-state` command is deprecated; write to GITHUB_STATE instead.';
      case 'set-env':
      case 'add-path':
        return `error: The \`${name}\` command is disabled (as on GitHub); use GITHUB_ENV / GITHUB_PATH.`;
      case 'error':
      case 'warning':
      case 'notice': {
        const where = properties.file
          ? ` (${properties.file}${properties.line ? `:${properties.line}` : ''})`
          : '';
        const shown = this.masker.mask(`${properties.title ? `${properties.title}: ` : ''}${text}${where}`);
        if (name === 'error') this.effects.errors.push(shown);
        return `${name}: ${shown}`;
      }
      case 'debug':
        return this.debug ? `debug: ${this.masker.mask(text)}` : undefined;
      case 'group':
        return `▸ ${this.masker.mask(text)}`;
      case 'endgroup':
      case 'echo':
        return undefined;
      default:
        return this.masker.mask(raw);
    }
  }
}
