/** promote and rollback act on a SageMaker endpoint (`endpoint-name`) or a Lambda alias (`function-name`): exactly one. */
import { InputError } from '../errors.js';
import type { Inputs } from '../inputs.js';

export function targetKind(inputs: Inputs): 'sagemaker' | 'lambda' {
  const endpoint = !!inputs.raw('endpoint-name');
  const fn = !!inputs.raw('function-name');
  if (endpoint && fn)
    throw new InputError(
      'function-name',
      'Inputs "endpoint-name" and "function-name" were both given: give the SageMaker endpoint or the Lambda function, not both.'
    );
  if (!endpoint && !fn)
    throw new InputError(
      'endpoint-name',
      'Input "endpoint-name" or "function-name" is required: give the SageMaker endpoint or the Lambda function.'
    );
  return fn ? 'lambda' : 'sagemaker';
}
