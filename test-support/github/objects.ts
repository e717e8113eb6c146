// Object reads through one long-lived `git cat-file --batch-command`, so that the many small reads a
// run makes (types, blobs, commits) cost a pipe round trip instead of a git process each. Only full
// shas are asked for: objects never change, so nothing it caches can go stale.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface ObjectData {
  sha: string;
  type: string;
  size: number;
  /** Only for `contents` requests. */
  content?: Buffer;
}

interface Pending {
  contents: boolean;
  resolve(value: ObjectData | undefined): void;
  reject(error: Error): void;
}

export class ObjectReader {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending: Pending[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private failure: Error | undefined;
  private readonly exited: Promise<void>;

  constructor(gitDir: string, env: Record<string, string>) {
    this.child = spawn('git', [`--git-dir=${gitDir}`, 'cat-file', '--batch-command'], { env });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.drain();
    });
    this.child.stdin.on('error', () => undefined);
    this.child.stderr.resume();
    this.exited = new Promise((resolve) => {
      const stop = (error: Error): void => {
        this.failure ??= error;
        for (const p of this.pending.splice(0)) p.reject(this.failure);
        resolve();
      };
      this.child.once('error', stop);
      this.child.once('close', () => stop(new Error('git cat-file exited')));
    });
  }

  info(sha: string): Promise<ObjectData | undefined> {
    return this.request(false, sha);
  }

  contents(sha: string): Promise<ObjectData | undefined> {
    return this.request(true, sha);
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    await this.exited;
  }

  private request(contents: boolean, sha: string): Promise<ObjectData | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ contents, resolve, reject });
      this.child.stdin.write(`${contents ? 'contents' : 'info'} ${sha}\n`);
    });
  }

  /** Answers requests in order: `<sha> <type> <size>` (then `size` bytes and LF for contents) or `<sha> missing`. */
  private drain(): void {
    while (this.pending.length) {
      const newline = this.buffer.indexOf(10);
      if (newline < 0) return;
      const [sha, type, size] = this.buffer.subarray(0, newline).toString('utf8').split(' ') as [
        string,
        string,
        string?
      ];
      const request = this.pending[0]!;
      if (size === undefined) {
        // `missing` (or `ambiguous`, for a name that is not a full sha).
        this.buffer = this.buffer.subarray(newline + 1);
        this.pending.shift();
        request.resolve(undefined);
        continue;
      }
      const data: ObjectData = { sha, type, size: Number(size) };
      if (!request.contents) {
        this.buffer = this.buffer.subarray(newline + 1);
      } else {
        const end = newline + 1 + data.size;
        if (this.buffer.length < end + 1) return;
        data.content = Buffer.from(this.buffer.subarray(newline + 1, end));
        this.buffer = this.buffer.subarray(end + 1);
      }
      this.pending.shift();
      request.resolve(data);
    }
  }
}
