/** Captures what @actions/core writes to stdout during `fn`, and restores process.exitCode after. */
export async function captureStdout<T>(fn: () => Promise<T>): Promise<{ result: T; stdout: string }> {
  const write = process.stdout.write;
  const exitCode = process.exitCode;
  let stdout = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    const result = await fn();
    return { result, stdout };
  } finally {
    process.stdout.write = write;
    process.exitCode = exitCode;
  }
}
