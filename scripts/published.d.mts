export interface Published {
  repository: string;
  majorTag: string;
}
export interface Finding {
  line: number;
  column: number;
  found: string;
  wanted: string;
}
export interface ScanOptions {
  paths?: Set<string>;
  names?: string[];
}
export function repositoryOf(pkg: { repository?: string | { url?: string } }): string | undefined;
export function published(pkg: { repository?: string | { url?: string }; version?: string }): Published;
export function readPackage(dir?: string): Record<string, unknown>;
export function setRepository(dir: string, repository: string): void;
export function referenceFiles(dir?: string): string[];
export function knownPaths(dir?: string): Set<string>;
export function scan(text: string, expected: Published, options?: ScanOptions): Finding[];
export function rewrite(text: string, expected: Published, options?: ScanOptions): string;
export function run(options?: { dir?: string; fix?: boolean; repository?: string; files?: string[] }): {
  expected: Published;
  problems: Array<Finding & { file: string }>;
  changed: string[];
};
