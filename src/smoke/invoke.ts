/**
 * InvokeEndpoint through the SDK, as an Invoke for the send loop. A container's answer is its status:
 * 200, or for a ModelError (HTTP 424 from SageMaker) the container's OriginalStatusCode with
 * OriginalMessage as its body. SageMaker's own failures (ServiceUnavailable, throttling beyond the
 * SDK's retries, a lost connection) are answers without a status. A ValidationError (no such endpoint
 * or variant) and refused credentials are the user's to fix: they stop the test.
 */
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { errorMessage, userFacing, UserError } from '../errors.js';
import type { Answer } from './expect.js';
import type { Invoke } from './send.js';

const VARIANT_HEADER = 'x-amzn-invoked-production-variant';

interface ServiceError {
  name?: string;
  message?: string;
  OriginalStatusCode?: number;
  OriginalMessage?: string;
  $response?: { headers?: Record<string, string | undefined> };
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}

/** The answer an InvokeEndpoint error stands for; throws the errors that stop the test. */
export function errorAnswer(e: unknown, endpointName: string): Answer {
  const fixable = userFacing(e);
  if (fixable) throw fixable;
  const err = (e ?? {}) as ServiceError;
  const variant = err.$response?.headers?.[VARIANT_HEADER] || undefined;
  if (err.name === 'ValidationError') {
    throw new UserError(
      `SageMaker refused to invoke endpoint ${endpointName} (ValidationError: ${oneLine(err.message ?? '').replace(/\.$/, '')}): check endpoint-name, target-variant and the requests.`
    );
  }
  if (err.name === 'ModelError' && typeof err.OriginalStatusCode === 'number') {
    return {
      status: err.OriginalStatusCode,
      body: Buffer.from(err.OriginalMessage ?? '', 'utf8'),
      variant,
      error: `ModelError: ${oneLine(err.OriginalMessage || err.message || '')}`
    };
  }
  return { variant, error: `${err.name ?? 'Error'}: ${oneLine(errorMessage(e))}` };
}

export function runtimeInvoke(client: SageMakerRuntimeClient, endpointName: string): Invoke {
  return async (request) => {
    try {
      const out = await client.send(
        new InvokeEndpointCommand({
          EndpointName: endpointName,
          Body: request.body,
          ContentType: request.contentType,
          TargetVariant: request.targetVariant
        })
      );
      return {
        status: 200,
        body: out.Body ?? new Uint8Array(),
        contentType: out.ContentType,
        variant: out.InvokedProductionVariant
      };
    } catch (e) {
      return errorAnswer(e, endpointName);
    }
  };
}
