// The action's entry point (dist/index.js); main.ts holds the logic so that tests can import it.
import { runAction } from './main.js';

await runAction();
