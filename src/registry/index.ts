/** The Model Registry engine: what other engines and workflows may call. */
export { resolvePackage, parsePackageRef, listPackages, describePackage } from './reference.js';
export type { PackageRef, ResolvedPackage } from './reference.js';
export { register, type RegisterResult } from './register.js';
export { approve, type ApproveResult } from './approve.js';
export { META as PACKAGE_METADATA } from './requests.js';
