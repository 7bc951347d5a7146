/**
 * Lambda's REST routes as @aws-sdk/client-lambda sends them (method, path with labels, and the one
 * query that tells two operations on the same path apart), each to its operation and handler.
 */
import { ALIAS_HANDLERS as A } from './aliases.js';
import { FUNCTION_HANDLERS as F } from './functions.js';
import { PROVISIONED_HANDLERS as P } from './provisioned.js';
import { TAG_HANDLERS as T } from './tags.js';
import { URL_HANDLERS as U } from './urls.js';
import { VERSION_HANDLERS as V } from './versions.js';
import type { Handler } from './call.js';

interface Route {
  method: string;
  path: string;
  operation: string;
  handler?: Handler;
  /** A query parameter that must be present (`List=ALL`). */
  query?: [string, string];
}

const FN = '/2015-03-31/functions/{FunctionName}';
const PC = '/2019-09-30/functions/{FunctionName}/provisioned-concurrency';
const URL = '/2021-10-31/functions/{FunctionName}/url';

/** Invoke has no handler here: index.ts hands it to invoke.ts. */
export const ROUTES: Route[] = [
  { method: 'POST', path: '/2015-03-31/functions', operation: 'CreateFunction', handler: F.createFunction },
  { method: 'GET', path: '/2015-03-31/functions', operation: 'ListFunctions', handler: F.listFunctions },
  { method: 'GET', path: FN, operation: 'GetFunction', handler: F.getFunction },
  { method: 'DELETE', path: FN, operation: 'DeleteFunction', handler: F.deleteFunction },
  {
    method: 'GET',
    path: `${FN}/configuration`,
    operation: 'GetFunctionConfiguration',
    handler: F.getFunctionConfiguration
  },
  {
    method: 'PUT',
    path: `${FN}/configuration`,
    operation: 'UpdateFunctionConfiguration',
    handler: F.updateFunctionConfiguration
  },
  { method: 'PUT', path: `${FN}/code`, operation: 'UpdateFunctionCode', handler: F.updateFunctionCode },
  { method: 'POST', path: `${FN}/versions`, operation: 'PublishVersion', handler: V.publishVersion },
  {
    method: 'GET',
    path: `${FN}/versions`,
    operation: 'ListVersionsByFunction',
    handler: V.listVersionsByFunction
  },
  { method: 'POST', path: `${FN}/aliases`, operation: 'CreateAlias', handler: A.createAlias },
  { method: 'GET', path: `${FN}/aliases`, operation: 'ListAliases', handler: A.listAliases },
  { method: 'GET', path: `${FN}/aliases/{Name}`, operation: 'GetAlias', handler: A.getAlias },
  { method: 'PUT', path: `${FN}/aliases/{Name}`, operation: 'UpdateAlias', handler: A.updateAlias },
  { method: 'DELETE', path: `${FN}/aliases/{Name}`, operation: 'DeleteAlias', handler: A.deleteAlias },
  { method: 'POST', path: `${FN}/invocations`, operation: 'Invoke' },
  {
    method: 'GET',
    path: PC,
    query: ['List', 'ALL'],
    operation: 'ListProvisionedConcurrencyConfigs',
    handler: P.listProvisionedConcurrencyConfigs
  },
  {
    method: 'GET',
    path: PC,
    operation: 'GetProvisionedConcurrencyConfig',
    handler: P.getProvisionedConcurrencyConfig
  },
  {
    method: 'PUT',
    path: PC,
    operation: 'PutProvisionedConcurrencyConfig',
    handler: P.putProvisionedConcurrencyConfig
  },
  {
    method: 'DELETE',
    path: PC,
    operation: 'DeleteProvisionedConcurrencyConfig',
    handler: P.deleteProvisionedConcurrencyConfig
  },
  { method: 'POST', path: '/2017-03-31/tags/{Resource}', operation: 'TagResource', handler: T.tagResource },
  {
    method: 'DELETE',
    path: '/2017-03-31/tags/{Resource}',
    operation: 'UntagResource',
    handler: T.untagResource
  },
  { method: 'GET', path: '/2017-03-31/tags/{Resource}', operation: 'ListTags', handler: T.listTags },
  { method: 'POST', path: URL, operation: 'CreateFunctionUrlConfig', handler: U.createFunctionUrlConfig },
  { method: 'GET', path: URL, operation: 'GetFunctionUrlConfig', handler: U.getFunctionUrlConfig },
  { method: 'PUT', path: URL, operation: 'UpdateFunctionUrlConfig', handler: U.updateFunctionUrlConfig },
  { method: 'DELETE', path: URL, operation: 'DeleteFunctionUrlConfig', handler: U.deleteFunctionUrlConfig }
];

/** The route of a request and its path labels (decoded), or undefined. */
export function matchRoute(
  method: string,
  url: URL
): { route: Route; params: Record<string, string> } | undefined {
  const parts = url.pathname.split('/');
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    if (route.query && url.searchParams.get(route.query[0]) !== route.query[1]) continue;
    const template = route.path.split('/');
    if (template.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const same = template.every((segment, i) => {
      const label = /^\{(\w+)\}$/.exec(segment);
      if (!label) return segment === parts[i];
      params[label[1]] = decodeURIComponent(parts[i]);
      return parts[i].length > 0;
    });
    if (same) return { route, params };
  }
  return undefined;
}
