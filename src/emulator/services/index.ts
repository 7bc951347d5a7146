/** Every emulated service, in the order requests are matched. */
import type { ServiceFactory } from '../server.js';
import { cloudwatch } from './cloudwatch.js';
import { ecr } from './ecr.js';
import { logs } from './logs.js';
import { s3 } from './s3.js';
import { sagemaker } from './sagemaker.js';
import { sts } from './sts.js';
import { training } from './training.js';

export const ALL_SERVICES: ServiceFactory[] = [sts, s3, logs, cloudwatch, sagemaker, training, ecr];
