/** Every emulated service, in the order requests are matched. */
import type { ServiceFactory } from '../server.js';
import { sts } from './sts.js';

export const ALL_SERVICES: ServiceFactory[] = [sts];
