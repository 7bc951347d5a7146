/**
 * Tags: TagResource, UntagResource, ListTags on a function's ARN. As Lambda does, a qualified ARN
 * (a version or an alias) is refused: tags belong to the function.
 */
import { invalid, notFound, validation } from './errors.js';
import { functionArn, lambdaState, parseFunctionName, type FunctionRecord } from './state.js';
import type { Call, Handler } from './call.js';

const ARN_PATTERN =
  'arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?';

function resourceOf(call: Call): FunctionRecord {
  const arn = call.params.Resource;
  const ref = arn.startsWith('arn:') ? parseFunctionName(arn) : undefined;
  if (!ref)
    throw validation('resource', arn, `Member must satisfy regular expression pattern: ${ARN_PATTERN}`);
  if (ref.qualifier) {
    throw invalid('Tags on function aliases and versions are not supported. Please specify a function ARN.');
  }
  const fn = lambdaState(call.emulator).functions[ref.name];
  if (!fn) throw notFound(`Function not found: ${functionArn(call.region, ref.name)}`);
  return fn;
}

const tagResource: Handler = (call) => {
  const fn = resourceOf(call);
  const tags = (call.body?.Tags ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(tags)) {
    if (key.length < 1 || key.length > 128 || key.startsWith('aws:')) {
      throw invalid(`The tag key ${key} is not valid: 1 to 128 characters, not starting with aws:.`);
    }
    if (String(value).length > 256) throw invalid(`The value of tag ${key} is longer than 256 characters.`);
  }
  if (Object.keys({ ...fn.tags, ...tags }).length > 50) {
    throw invalid('A function can have at most 50 tags.');
  }
  for (const [key, value] of Object.entries(tags)) fn.tags[key] = String(value);
  return { status: 204 };
};

const untagResource: Handler = (call) => {
  const fn = resourceOf(call);
  for (const key of call.query.getAll('tagKeys')) delete fn.tags[key];
  return { status: 204 };
};

const listTags: Handler = (call) => ({ status: 200, body: { Tags: resourceOf(call).tags } });

export const TAG_HANDLERS = { tagResource, untagResource, listTags };
