/** Minimal typings for the untyped codec packages used by the archive layer. */
declare module 'lzma-native' {
  import type { Transform } from 'node:stream';
  export interface LzmaOptions {
    preset?: number;
    check?: number;
    threads?: number;
    synchronous?: boolean;
  }
  export function createDecompressor(options?: LzmaOptions): Transform;
  export function createCompressor(options?: LzmaOptions): Transform;
  export const CHECK_CRC64: number;
  const lzma: {
    createDecompressor: typeof createDecompressor;
    createCompressor: typeof createCompressor;
    CHECK_CRC64: number;
  };
  export default lzma;
}

declare module 'unbzip2-stream' {
  import type { Duplex } from 'node:stream';
  function unbzip2Stream(): Duplex;
  export default unbzip2Stream;
}
