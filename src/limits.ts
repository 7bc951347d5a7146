/**
 * The lengths, counts and characters that the AWS APIs enforce on what users hand the toolkit
 * (tags, environment maps, hyperparameters), checked when the inputs are read, so that a bad value
 * is one sentence naming its input before any mutating call instead of a refusal half way through.
 */
import { InputError } from './errors.js';

const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function shown(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}

/**
 * AWS tags: at most `room` of them (50 a resource, less what the toolkit adds), keys of 1 to 128 and
 * values of at most 256 characters of letters, digits, spaces and _.:/=+-@, no key starting `aws:`.
 */
export function checkTags(input: string, tags: Record<string, string>, room = 50): Record<string, string> {
  const fail = (why: string): never => {
    throw new InputError(input, `Input "${input}" ${why}.`);
  };
  const entries = Object.entries(tags);
  if (entries.length > room)
    fail(`has ${entries.length} tags, but at most ${room} fit beside the toolkit's own`);
  for (const [key, value] of entries) {
    if (!key.length || key.length > 128)
      fail(`has the key ${shown(key)} of ${key.length} characters: AWS takes 1 to 128`);
    if (value.length > 256)
      fail(`has a value of ${value.length} characters for ${shown(key)}: AWS takes at most 256`);
    if (/^aws:/i.test(key)) fail(`has the key ${shown(key)}: keys starting with aws: are reserved by AWS`);
    if (!TAG_TEXT.test(key) || !TAG_TEXT.test(value))
      fail(
        `has ${shown(TAG_TEXT.test(key) ? value : key)} for ${shown(key)}: tags take letters, digits, spaces and _.:/=+-@ only`
      );
    if (key.startsWith('mlops-actions:'))
      fail(`has the key ${shown(key)}: keys starting with mlops-actions: are the toolkit's own`);
  }
  return tags;
}

export interface MapLimits {
  /** What the map is, for the message ("environment variables"). */
  what: string;
  count: number;
  keyLength: number;
  valueLength: number;
  /** Keys must be names of environment variables. */
  names?: boolean;
}

/** SageMaker's limits on a model container's Environment. */
export const MODEL_ENVIRONMENT: MapLimits = {
  what: 'environment variables',
  count: 100,
  keyLength: 1024,
  valueLength: 1024,
  names: true
};
/** SageMaker's limits on a training job's Environment. */
export const TRAINING_ENVIRONMENT: MapLimits = {
  what: 'environment variables',
  count: 48,
  keyLength: 512,
  valueLength: 512,
  names: true
};
/** SageMaker's limits on a training job's HyperParameters. */
export const HYPERPARAMETERS: MapLimits = {
  what: 'hyperparameters',
  count: 100,
  keyLength: 256,
  valueLength: 2500
};

export function checkMap(
  input: string,
  map: Record<string, string>,
  limits: MapLimits
): Record<string, string> {
  const fail = (why: string): never => {
    throw new InputError(input, `Input "${input}" ${why}.`);
  };
  const entries = Object.entries(map);
  if (entries.length > limits.count)
    fail(`has ${entries.length} ${limits.what}, but SageMaker takes at most ${limits.count}`);
  for (const [key, value] of entries) {
    if (!key.length || key.length > limits.keyLength)
      fail(`has the key ${shown(key)} of ${key.length} characters: SageMaker takes 1 to ${limits.keyLength}`);
    if (limits.names && !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(key))
      fail(
        `has the key ${shown(key)}: environment variable names are letters, digits and _, not starting with a digit`
      );
    if (value.length > limits.valueLength)
      fail(
        `has a value of ${value.length} characters for ${shown(key)}: SageMaker takes at most ${limits.valueLength}`
      );
  }
  return map;
}

/** A value that must stay on one line (a name, a path, a tag): a line break is refused, naming the input. */
export function singleLine(input: string, value: string): string {
  if (/[\r\n]/.test(value))
    throw new InputError(input, `Input "${input}" must be a single line, but it holds a line break.`);
  return value;
}
