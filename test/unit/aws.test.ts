import { clientConfig, endpointOverride, endpointVariable, resolveRegion } from '../../src/aws.js';
import { InputError, userFacing } from '../../src/errors.js';

describe('AWS region', () => {
  it.each([
    ['eu-west-1', {}, 'eu-west-1'],
    ['', { AWS_REGION: 'us-east-2' }, 'us-east-2'],
    ['', { AWS_DEFAULT_REGION: 'ap-southeast-2' }, 'ap-southeast-2'],
    ['', { AWS_REGION: 'us-east-2', AWS_DEFAULT_REGION: 'ap-southeast-2' }, 'us-east-2'],
    ['us-west-2', { AWS_REGION: 'us-east-2' }, 'us-west-2']
  ])('input %j with %j gives %s', (input, env, region) => {
    expect(resolveRegion(input, env)).toBe(region);
  });

  it('no region anywhere is an error naming the region input', () => {
    expect(() => resolveRegion('', {})).toThrow(InputError);
    expect(() => resolveRegion(undefined, {})).toThrow(
      'Input "region" is empty and neither AWS_REGION nor AWS_DEFAULT_REGION is set: give the AWS region, for example us-east-1.'
    );
  });

  it('a region that is not one is refused, naming where it came from', () => {
    expect(() => resolveRegion('Frankfurt', {})).toThrow(
      'Input "region" must be an AWS region such as us-east-1, but got "Frankfurt".'
    );
    expect(() => resolveRegion('', { AWS_REGION: 'auto' })).toThrow(
      'AWS_REGION (the region input is empty) must be an AWS region such as us-east-1, but got "auto".'
    );
  });
});

describe('AWS client configuration', () => {
  const base = { action: 'deploy-canary', region: 'us-east-1' };

  it('adaptive retries with 5 attempts and the toolkit user agent by default', () => {
    const config = clientConfig('SageMaker', { ...base, env: {} });
    expect(config).toMatchObject({ region: 'us-east-1', maxAttempts: 5, retryMode: 'adaptive' });
    expect(config.customUserAgent).toEqual([
      ['mlops-actions', expect.stringMatching(/^\d+\.\d+\.\d+/)],
      ['deploy-canary']
    ]);
    expect(config.endpoint).toBeUndefined();
  });

  it('leaves each of AWS_MAX_ATTEMPTS and AWS_RETRY_MODE to the SDK when set, keeping the other default', () => {
    const attempts = clientConfig('SageMaker', { ...base, env: { AWS_MAX_ATTEMPTS: '9' } });
    expect(attempts).not.toHaveProperty('maxAttempts');
    expect(attempts.retryMode).toBe('adaptive');
    const mode = clientConfig('SageMaker', { ...base, env: { AWS_RETRY_MODE: 'standard' } });
    expect(mode).not.toHaveProperty('retryMode');
    expect(mode.maxAttempts).toBe(5);
  });

  it('S3 on an overridden endpoint gets path style and WHEN_REQUIRED checksums', () => {
    for (const env of [
      { AWS_ENDPOINT_URL: 'http://127.0.0.1:4599' },
      { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000' }
    ]) {
      expect(clientConfig('S3', { ...base, env })).toMatchObject({
        forcePathStyle: true,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED'
      });
    }
    expect(clientConfig('S3', { ...base, env: {}, endpoint: 'http://127.0.0.1:9000' })).toMatchObject({
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true
    });
    expect(clientConfig('S3', { ...base, env: {} }).requestChecksumCalculation).toBeUndefined();
    expect(
      clientConfig('SageMaker', { ...base, env: { AWS_ENDPOINT_URL: 'http://x' } }).forcePathStyle
    ).toBeUndefined();
  });

  it('knows the SDK names of endpoint variables', () => {
    expect(endpointVariable('SageMaker')).toBe('AWS_ENDPOINT_URL_SAGEMAKER');
    expect(endpointVariable('CloudWatch Logs')).toBe('AWS_ENDPOINT_URL_CLOUDWATCH_LOGS');
    expect(endpointOverride('S3', { AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_S3: 'http://b' })).toBe(
      'http://b'
    );
    expect(endpointOverride('ECR', { AWS_ENDPOINT_URL: 'http://a' })).toBe('http://a');
    expect(endpointOverride('ECR', {})).toBeUndefined();
  });
});

describe('AWS errors a user can fix', () => {
  const named = (name: string, message: string) => Object.assign(new Error(message), { name });
  it('missing credentials point at configure-aws-credentials', () => {
    expect(
      userFacing(named('CredentialsProviderError', 'Could not load credentials from any providers'))?.message
    ).toBe(
      'No AWS credentials were found (Could not load credentials from any providers): add aws-actions/configure-aws-credentials with role-to-assume before this step, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.'
    );
  });
  it('access denied names the permissions', () => {
    expect(
      userFacing(named('AccessDeniedException', 'User is not authorized to perform: sagemaker:CreateModel'))
        ?.message
    ).toContain('check the permissions of the role the workflow assumes');
  });
  it('anything else is unexpected', () => {
    expect(userFacing(new TypeError('x'))).toBeUndefined();
  });
});
