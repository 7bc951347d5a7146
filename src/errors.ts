/**
 * Errors a user can fix. The action runner prints their message as the failure (one sentence, no
 * stack trace). Anything else is unexpected: its stack goes to the debug log.
 */
export class UserError extends Error {
  override name = 'UserError';
}

/** A bad input value: the message names the input, the value received and what is accepted. */
export class InputError extends UserError {
  override name = 'InputError';
  constructor(
    readonly input: string,
    message: string
  ) {
    super(message);
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

const CREDENTIAL_ERRORS = new Set(['CredentialsProviderError', 'ProviderError', 'TokenProviderError']);
const DENIED_ERRORS = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch'
]);

/**
 * The user-fixable form of an error, or undefined when it is unexpected. Besides our own UserErrors,
 * missing or refused AWS credentials are something a user fixes in the workflow, not a bug.
 */
export function userFacing(e: unknown): UserError | undefined {
  if (isUserError(e)) return e;
  if (!(e instanceof Error)) return undefined;
  if (CREDENTIAL_ERRORS.has(e.name)) {
    return new UserError(
      `No AWS credentials were found (${e.message.replace(/\.$/, '')}): add aws-actions/configure-aws-credentials with role-to-assume before this step, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`
    );
  }
  if (DENIED_ERRORS.has(e.name)) {
    return new UserError(
      `AWS refused the request (${e.name}: ${e.message.replace(/\.$/, '')}): check the permissions of the role the workflow assumes.`
    );
  }
  return undefined;
}
