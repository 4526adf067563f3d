// web3.js and Anchor use Node's Buffer; browsers have none.
import { Buffer } from 'buffer';

(globalThis as unknown as { Buffer: typeof Buffer }).Buffer ??= Buffer;
