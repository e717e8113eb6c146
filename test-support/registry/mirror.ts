// Copies the content of a MemoryRegistry fixture into a real registry, byte for byte, so that the
// same images can be queried through the in-memory client and through HTTP.

import { parseImageRef } from '../../src/images/ref.js';
import type { MemoryRegistry, RegistryFixture } from '../../src/registry/memory.js';
import { pushBlob, pushManifest } from './push.js';
import type { PushTarget } from './server.js';

interface Node {
  mediaType: string;
  config?: { digest: string; mediaType: string };
  layers?: { digest: string; mediaType: string }[];
  manifests?: { digest: string }[];
}

export async function mirrorFixture(
  target: PushTarget,
  store: MemoryRegistry,
  fixture: RegistryFixture
): Promise<void> {
  for (const [name, image] of Object.entries(fixture.images)) {
    const ref = parseImageRef(name);
    const pushed = new Set<string>();
    const push = async (digest: string, tags: string[]): Promise<void> => {
      const content = store.content(digest);
      if (!content) throw new Error(`fixture content ${digest} is missing`);
      const node = JSON.parse(content.bytes.toString('utf8')) as Node;
      if (!pushed.has(digest)) {
        for (const child of node.manifests ?? []) await push(child.digest, []);
        for (const blob of [...(node.config ? [node.config] : []), ...(node.layers ?? [])]) {
          await pushBlob(target, ref.repository, store.content(blob.digest)!.bytes, blob.mediaType);
        }
        pushed.add(digest);
      }
      await pushManifest(target, ref.repository, tags, node);
    };
    for (const tag of Object.keys(image.tags)) await push(store.resolve(ref, tag), [tag]);
  }
}
