/** The walker of the SDK's schemas that the emulator's required-fields test relies on. */
import { DescribeEndpoint$, DescribeTrainingJob$ } from '@aws-sdk/client-sagemaker';
import { DescribeAlarms$ } from '@aws-sdk/client-cloudwatch';
import { checkAnswer, requiredStructures } from '../helpers/required-members.js';

describe('checkAnswer', () => {
  it('lists the required members an answer lacks, into structures and lists', () => {
    const found = checkAnswer(DescribeEndpoint$, {
      EndpointName: 'e',
      EndpointStatus: 'InService',
      CreationTime: 1,
      ProductionVariants: [{ CurrentWeight: 1, DeployedImages: [{ SpecifiedImage: 'i' }] }],
      PendingDeploymentSummary: { ProductionVariants: [{ VariantName: 'v' }] }
    });
    expect(found.missing).toEqual([
      'EndpointArn',
      'LastModifiedTime',
      'ProductionVariants[0].VariantName',
      'PendingDeploymentSummary.EndpointConfigName'
    ]);
    expect(found.unknown).toEqual([]);
  });

  it('lists the members the shape does not know', () => {
    const found = checkAnswer(DescribeAlarms$, {
      MetricAlarms: [{ AlarmName: 'a', Bogus: 1 }],
      Extra: true
    });
    expect(found.unknown).toEqual(['MetricAlarms[0].Bogus', 'Extra']);
  });

  it('walks maps and string lists without complaint', () => {
    const found = checkAnswer(DescribeTrainingJob$, {
      TrainingJobName: 'j',
      TrainingJobArn: 'a',
      ModelArtifacts: { S3ModelArtifacts: 's3://b/k' },
      TrainingJobStatus: 'Completed',
      SecondaryStatus: 'Completed',
      AlgorithmSpecification: { TrainingInputMode: 'File' },
      ResourceConfig: { VolumeSizeInGB: 1 },
      StoppingCondition: {},
      CreationTime: 1,
      HyperParameters: { a: '1' }
    });
    expect(found).toEqual({ missing: [], unknown: [] });
    expect(requiredStructures(DescribeTrainingJob$)).toBeGreaterThan(3);
  });
});
