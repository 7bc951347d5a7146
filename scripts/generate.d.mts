export interface LoadedAction {
  name: string;
  title: string;
  description: string;
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
}
export function loadActions(dir?: string): LoadedAction[];
export function unionInputs(
  actions: LoadedAction[],
  overloaded?: Record<string, string>
): Map<string, { users: string[] }>;
export function inputKind(spec: { description: string; default?: string }): string | undefined;
export const OVERLOADED: Record<string, string>;
export function defaultKind(value: string | undefined): string | undefined;
