/**
 * approve-model's engine: a package's approval status set to the decision, with who and why in its
 * ApprovalDescription. A package already in that status is left alone (no mutating call), and said.
 */
import { UpdateModelPackageCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { Logger } from '../report.js';
import type { ApproveOptions } from './options.js';
import { describePackage, resolvePackage, resolved, type ResolvedPackage } from './reference.js';
import { approvalRequest } from './requests.js';

export interface ApproveResult extends ResolvedPackage {
  previousStatus: string;
  /** false: the package was in that status already. */
  changed: boolean;
  /** The approval description the package holds now. */
  approvalDescription?: string;
}

export async function approve(
  options: ApproveOptions,
  sagemaker: Pick<SageMakerClient, 'send'>,
  log: Logger
): Promise<ApproveResult> {
  const found = await resolvePackage(sagemaker, options.ref);
  const previousStatus = found.status;
  if (previousStatus === options.decision) {
    log.info(
      `${found.arn} is ${previousStatus} already: nothing to do (its approval description stays "${found.package.ApprovalDescription ?? ''}").`
    );
    return {
      ...found,
      previousStatus,
      changed: false,
      approvalDescription: found.package.ApprovalDescription
    };
  }
  await sagemaker.send(
    new UpdateModelPackageCommand(approvalRequest(found.arn, options.decision, options.description))
  );
  const now = await describePackage(sagemaker, found.arn);
  const after = now ? resolved(now) : { ...found, status: options.decision };
  log.info(`${found.arn}: ${previousStatus} -> ${after.status} (${options.description}).`);
  return {
    ...after,
    previousStatus,
    changed: true,
    approvalDescription: now?.ApprovalDescription ?? options.description
  };
}
