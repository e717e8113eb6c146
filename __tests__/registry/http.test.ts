import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { HttpClient } from '../../src/registry/http.js';
import { close, listen } from '../../test-support/registry/net.js';

// The registry client's HTTP layer: a bounded pool of requests in flight, whatever is queued.
let server: Server;
let base: string;
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => {
      inFlight--;
      res.end(req.url);
    }, 2);
  });
  base = `http://127.0.0.1:${await listen(server)}`;
});
afterAll(() => close(server));

describe('HttpClient', () => {
  it('serves every one of many more queued requests than slots, never more than the bound at once', async () => {
    const client = new HttpClient(2, 5000);
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        client.get(new URL(`${base}/r${i}`), {
          headers: {},
          insecure: false,
          countAs: 'local',
          what: `r${i}`
        })
      )
    );
    expect(answers.map((a) => a.body.toString())).toEqual(Array.from({ length: 200 }, (_, i) => `/r${i}`));
    expect(maxInFlight).toBe(2);
    expect(client.requestCounts()).toEqual({ local: 200 });
  });
});
