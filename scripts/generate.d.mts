export interface LoadedAction {
  name: string;
  title: string;
  description: string;
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
}
export function loadActions(dir?: string): LoadedAction[];
export function unionInputs(actions: LoadedAction[]): Map<string, { users: string[] }>;
export function defaultKind(value: string | undefined): string | undefined;
