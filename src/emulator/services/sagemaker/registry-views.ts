/**
 * The Model Registry's answers: a group as DescribeModelPackageGroup and ListModelPackageGroups show
 * it, a package's summary (ListModelPackages) and its description (DescribeModelPackage).
 */
import type { Json } from './state.js';

const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));

export function groupView(g: Json): Json {
  return {
    ModelPackageGroupName: g.ModelPackageGroupName,
    ModelPackageGroupArn: g.ModelPackageGroupArn,
    ...(g.ModelPackageGroupDescription !== undefined
      ? { ModelPackageGroupDescription: g.ModelPackageGroupDescription }
      : {}),
    CreationTime: date(g.CreationTime),
    ModelPackageGroupStatus: 'Completed'
  };
}

export function packageSummary(p: Json): Json {
  return {
    ModelPackageName: p.ModelPackageGroupName,
    ModelPackageGroupName: p.ModelPackageGroupName,
    ModelPackageVersion: p.ModelPackageVersion,
    ModelPackageArn: p.ModelPackageArn,
    ...(p.ModelPackageDescription !== undefined
      ? { ModelPackageDescription: p.ModelPackageDescription }
      : {}),
    CreationTime: date(p.CreationTime),
    ModelPackageStatus: 'Completed',
    ModelApprovalStatus: p.ModelApprovalStatus
  };
}

// SageMaker names a versioned package after its group (ModelPackageName is required in the answers).
export function packageView(p: Json): Json {
  return {
    ModelPackageName: p.ModelPackageGroupName,
    ...p,
    CreationTime: date(p.CreationTime),
    ...(p.LastModifiedTime !== undefined ? { LastModifiedTime: date(p.LastModifiedTime) } : {}),
    ModelPackageStatus: 'Completed',
    ModelPackageStatusDetails: {
      ValidationStatuses: [{ Name: p.ModelPackageArn, Status: 'Completed' }],
      ImageScanStatuses: [{ Name: p.ModelPackageArn, Status: 'Completed' }]
    },
    CertifyForMarketplace: p.CertifyForMarketplace ?? false,
    CreatedBy: {},
    ...(p.LastModifiedTime !== undefined ? { LastModifiedBy: {} } : {})
  };
}
