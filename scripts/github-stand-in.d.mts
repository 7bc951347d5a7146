export interface StandInComment {
  id: number;
  issue: number;
  body: string;
  user: string;
}
export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  authorization?: string;
}
export type StandInMode = 'ok' | 'forbidden' | 'read-only';
export class GitHubStandIn {
  readonly repository: string;
  readonly prefix: string;
  readonly calls: RecordedCall[];
  readonly comments: StandInComment[];
  mode: StandInMode;
  /** When true, the next write is applied and its answer lost (the connection is cut): once. */
  loseNextWriteAnswer: boolean;
  constructor(repository?: string, prefix?: string);
  /** Starts on a free loopback port; returns the API URL (GITHUB_API_URL). */
  start(): Promise<string>;
  stop(): Promise<void>;
  seed(issue: number, bodies: string[], user?: string): void;
  commentsOn(issue: number): StandInComment[];
  writes(): RecordedCall[];
  reset(): void;
}
