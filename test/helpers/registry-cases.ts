/**
 * The Model Registry's cases for test/integration/emulator-required-fields.test.ts: one valid call
 * of each registry operation (making what it needs first), whose raw answers are checked against
 * the SDK's output shapes. Kept here so the registry adds one line to that table.
 */
type Call = (operation: string, input?: unknown) => Promise<unknown>;

export function registryCases(sm: Call, unique: (prefix: string) => string) {
  const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/model:1';
  async function group(): Promise<string> {
    const name = unique('group');
    await sm('CreateModelPackageGroup', {
      ModelPackageGroupName: name,
      ModelPackageGroupDescription: 'models',
      Tags: [{ Key: 'k', Value: 'v' }]
    });
    return name;
  }
  async function pkg(status?: string): Promise<string> {
    const answer = await sm('CreateModelPackage', {
      ModelPackageGroupName: await group(),
      ModelPackageDescription: 'a package',
      ...(status ? { ModelApprovalStatus: status } : {}),
      InferenceSpecification: {
        Containers: [{ Image: IMAGE, ModelDataUrl: 's3://bucket/model.tar.gz', Environment: { A: '1' } }],
        SupportedContentTypes: ['application/json'],
        SupportedResponseMIMETypes: ['application/json'],
        SupportedRealtimeInferenceInstanceTypes: ['ml.m5.large']
      },
      ModelMetrics: {
        ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: 's3://bucket/eval.json' } }
      },
      CustomerMetadataProperties: { commit: 'abc' }
    });
    return (answer as { ModelPackageArn: string }).ModelPackageArn;
  }
  return {
    CreateModelPackageGroup: () => sm('CreateModelPackageGroup', { ModelPackageGroupName: unique('group') }),
    DescribeModelPackageGroup: async () =>
      sm('DescribeModelPackageGroup', { ModelPackageGroupName: await group() }),
    ListModelPackageGroups: async () => (await group(), sm('ListModelPackageGroups', { MaxResults: 100 })),
    DeleteModelPackageGroup: async () =>
      sm('DeleteModelPackageGroup', { ModelPackageGroupName: await group() }),
    CreateModelPackage: () => pkg(),
    DescribeModelPackage: async () => {
      const arn = await pkg('Approved');
      await sm('UpdateModelPackage', { ModelPackageArn: arn, ApprovalDescription: 'ok' });
      return sm('DescribeModelPackage', { ModelPackageName: arn });
    },
    ListModelPackages: async () => (await pkg(), sm('ListModelPackages', { ModelPackageType: 'Versioned' })),
    UpdateModelPackage: async () =>
      sm('UpdateModelPackage', { ModelPackageArn: await pkg(), ModelApprovalStatus: 'Approved' }),
    DeleteModelPackage: async () => sm('DeleteModelPackage', { ModelPackageName: await pkg() })
  };
}
