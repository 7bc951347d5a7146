/**
 * Aliases: CreateAlias, GetAlias, UpdateAlias, ListAliases, DeleteAlias. An alias points at one
 * published version (or `$LATEST`) and may send a weight in [0, 1] of its traffic to ONE other
 * published version (RoutingConfig.AdditionalVersionWeights); RevisionId locks it optimistically.
 */
import { randomUUID } from 'node:crypto';
import { conflict, invalid, notFound, staleRevision } from './errors.js';
import { functionArn, type AliasRecord, type FunctionRecord } from './state.js';
import * as check from './validate.js';
import { page, target, type Call, type Handler } from './call.js';

export function aliasView(region: string, fn: FunctionRecord, alias: AliasRecord): Record<string, unknown> {
  return {
    AliasArn: functionArn(region, fn.FunctionName, alias.Name),
    Name: alias.Name,
    FunctionVersion: alias.FunctionVersion,
    Description: alias.Description,
    ...(alias.AdditionalVersionWeights
      ? { RoutingConfig: { AdditionalVersionWeights: alias.AdditionalVersionWeights } }
      : {}),
    RevisionId: alias.RevisionId
  };
}

/** The function of an alias operation: the label must name the function alone. */
function functionOf(call: Call): FunctionRecord {
  const { fn, qualifier } = target(call);
  if (qualifier) {
    throw invalid(
      `Unqualified function name expected: ${functionArn(call.region, fn.FunctionName, qualifier)}`
    );
  }
  return fn;
}

export function aliasOrThrow(call: Call, fn: FunctionRecord, name: string): AliasRecord {
  const alias = fn.aliases[name];
  if (!alias) throw notFound(`Cannot find alias arn: ${functionArn(call.region, fn.FunctionName, name)}`);
  return alias;
}

/** The versions an alias names must exist (`$LATEST` always does). */
function assertVersions(call: Call, fn: FunctionRecord, versions: string[]): void {
  for (const version of versions) {
    if (version !== '$LATEST' && !fn.versions[version]) {
      throw notFound(`Function not found: ${functionArn(call.region, fn.FunctionName, version)}`);
    }
  }
}

const createAlias: Handler = (call) => {
  const fn = functionOf(call);
  const input = call.body ?? {};
  const name = check.aliasName(input.Name);
  const version = check.functionVersion(input.FunctionVersion);
  const weights = check.weights(input.RoutingConfig, version);
  assertVersions(call, fn, [version, ...Object.keys(weights ?? {})]);
  if (fn.aliases[name]) {
    throw conflict(`Alias already exists: ${functionArn(call.region, fn.FunctionName, name)}`);
  }
  const alias: AliasRecord = {
    Name: name,
    FunctionVersion: version,
    Description: check.description(input.Description),
    ...(weights ? { AdditionalVersionWeights: weights } : {}),
    RevisionId: randomUUID()
  };
  fn.aliases[name] = alias;
  return { status: 201, body: aliasView(call.region, fn, alias) };
};

const getAlias: Handler = (call) => {
  const fn = functionOf(call);
  const alias = aliasOrThrow(call, fn, check.aliasName(call.params.Name));
  return { status: 200, body: aliasView(call.region, fn, alias) };
};

const updateAlias: Handler = (call) => {
  const fn = functionOf(call);
  const input = call.body ?? {};
  const alias = aliasOrThrow(call, fn, check.aliasName(call.params.Name));
  if (input.RevisionId !== undefined && input.RevisionId !== alias.RevisionId) throw staleRevision();
  const version =
    input.FunctionVersion === undefined
      ? alias.FunctionVersion
      : check.functionVersion(input.FunctionVersion);
  const weights =
    input.RoutingConfig === undefined
      ? check.weights({ AdditionalVersionWeights: alias.AdditionalVersionWeights }, version)
      : check.weights(input.RoutingConfig, version);
  assertVersions(call, fn, [version, ...Object.keys(weights ?? {})]);
  alias.FunctionVersion = version;
  if (input.Description !== undefined) alias.Description = check.description(input.Description);
  if (weights) alias.AdditionalVersionWeights = weights;
  else delete alias.AdditionalVersionWeights;
  alias.RevisionId = randomUUID();
  return { status: 200, body: aliasView(call.region, fn, alias) };
};

const listAliases: Handler = (call) => {
  const fn = functionOf(call);
  const version = call.query.get('FunctionVersion');
  const aliases = Object.values(fn.aliases)
    .filter(
      (a) => !version || a.FunctionVersion === version || a.AdditionalVersionWeights?.[version] !== undefined
    )
    .sort((a, b) => a.Name.localeCompare(b.Name));
  const { items, NextMarker } = page(aliases, call.query);
  return {
    status: 200,
    body: { Aliases: items.map((a) => aliasView(call.region, fn, a)), ...(NextMarker ? { NextMarker } : {}) }
  };
};

const deleteAlias: Handler = (call) => {
  const fn = functionOf(call);
  const name = check.aliasName(call.params.Name);
  delete fn.aliases[name];
  delete fn.provisioned[name];
  delete fn.urls[name];
  return { status: 204 };
};

export const ALIAS_HANDLERS = { createAlias, getAlias, updateAlias, listAliases, deleteAlias };
