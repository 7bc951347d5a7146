export function compile(outDir: string): void;
export function actionEntry(name: string): string;
export function bundle(entry: string): Promise<Record<string, string>>;
