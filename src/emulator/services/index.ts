/** Every emulated service, in the order requests are matched. */
import type { ServiceFactory } from '../server.js';
import { cloudwatch, cloudwatchQuery } from './cloudwatch/index.js';
import { ecr } from './ecr.js';
import { lambda } from './lambda/index.js';
import { lambdaUrls } from './lambda/url.js';
import { logs } from './logs.js';
import { s3 } from './s3/index.js';
import { sagemaker, sagemakerRuntime } from './sagemaker/index.js';
import { sts } from './sts.js';
import { training } from './training.js';

// cloudwatchQuery before cloudwatch: requests without an X-Amz-Target (the query protocol) take the
// first service of their signing name; so do sagemaker-runtime's REST requests.
export const ALL_SERVICES: ServiceFactory[] = [
  sts,
  s3,
  logs,
  cloudwatchQuery,
  cloudwatch,
  sagemakerRuntime,
  sagemaker,
  training,
  ecr,
  lambda,
  lambdaUrls
];
