/**
 * An ImageUri resolved against the emulator's ECR, as Lambda resolves it when the code is set: the
 * repository must exist in ECR and the tag or digest in its registry; the digest gives
 * ResolvedImageUri (`<host>/<repo>@sha256:...`) and CodeSha256 (the digest's hex).
 */
import type { Emulator } from '../../server.js';
import { DEFAULT_REGISTRY, ecrImage } from '../ecr.js';
import { registryHost } from '../../../docker/reference.js';
import { LambdaError, invalid } from './errors.js';
import { imageUri } from './validate.js';

export interface ResolvedImage {
  ImageUri: string;
  ResolvedImageUri: string;
  CodeSha256: string;
  CodeSize: number;
}

export function emulatorRegistry(emulator: Emulator): string {
  return registryHost(emulator.options.registry ?? DEFAULT_REGISTRY);
}

export async function resolveImage(emulator: Emulator, value: unknown): Promise<ResolvedImage> {
  const uri = String(value ?? '');
  const ref = imageUri(uri, emulatorRegistry(emulator));
  let found: Awaited<ReturnType<typeof ecrImage>>;
  try {
    found = await ecrImage(emulator, ref.repository, ref.reference);
  } catch (e) {
    throw new LambdaError(
      'ServiceException',
      `The emulator could not read its registry for ${uri}: ${(e as Error).message}`,
      500
    );
  }
  if (found === 'no-repository' || !found) {
    throw invalid(`Source image ${uri} does not exist. Provide a valid source image.`);
  }
  return {
    ImageUri: uri,
    ResolvedImageUri: `${ref.host}/${ref.repository}@${found.digest}`,
    CodeSha256: found.digest.replace(/^sha256:/, ''),
    CodeSize: 0
  };
}

/**
 * The reference Docker pulls for a ResolvedImageUri: the same repository and digest on the
 * emulator's registry (an ECR-shaped host names no registry this machine may contact).
 */
export function pullReferenceOf(emulator: Emulator, resolvedImageUri: string): string {
  return `${emulatorRegistry(emulator)}/${resolvedImageUri.slice(resolvedImageUri.indexOf('/') + 1)}`;
}
