/** Placeholder: Invoke is emulated by another module that replaces this file. */
import type http from 'node:http';
import type { Emulator } from '../../server.js';
import { LambdaError, sendError } from './errors.js';

export async function handleInvoke(
  _emulator: Emulator,
  _req: http.IncomingMessage,
  res: http.ServerResponse,
  _name: string,
  _qualifier: string | undefined,
  _body: Buffer
): Promise<void> {
  sendError(res, new LambdaError('ServiceException', 'Invoke is not emulated yet', 503));
}
