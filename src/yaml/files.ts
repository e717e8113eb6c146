// The run's view of the repo's YAML: each file is parsed at most once per run. A chained edit
// (several apps writing one file, or a local --write) hands its new parse back, so the next
// reader of that file reuses the parse the editor verified instead of parsing again.

import type { Edited } from './editor.js';
import { parseYamlFile, type YamlFile } from './file.js';

export type Read = (path: string) => Promise<string | undefined>;

export class YamlFiles {
  constructor(
    readonly read: Read,
    private readonly parsed = new Map<string, { text: string; yaml: YamlFile }>()
  ) {}

  /** The same parses seen through another reader: a file whose text is unchanged is not parsed again. */
  reading(read: Read): YamlFiles {
    return new YamlFiles(read, this.parsed);
  }

  /** The file parsed, or undefined when it does not exist. */
  async yaml(path: string): Promise<YamlFile | undefined> {
    const text = await this.read(path);
    if (text === undefined) return undefined;
    const hit = this.parsed.get(path);
    if (hit && hit.text === text) return hit.yaml;
    const yaml = parseYamlFile(path, text);
    this.parsed.set(path, { text, yaml });
    return yaml;
  }

  /** Keeps an edit's verified parse for the readers that see its text. */
  remember(edited: Edited): void {
    if (edited.yaml) this.parsed.set(edited.yaml.file, { text: edited.text, yaml: edited.yaml });
  }
}
