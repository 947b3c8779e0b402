/**
 * Typings for the one untyped codec package the archive layer imports: lzma-native, through its default export
 * (codec.ts). unbzip2-stream's block decoder and bit reader are required by path in bounded-decoders.ts and typed
 * there.
 */
declare module 'lzma-native' {
  import type { Transform } from 'node:stream';
  interface LzmaOptions {
    preset?: number;
    check?: number;
    threads?: number;
    synchronous?: boolean;
  }
  const lzma: {
    createDecompressor(options?: LzmaOptions): Transform;
    createCompressor(options?: LzmaOptions): Transform;
    CHECK_CRC64: number;
  };
  export default lzma;
}
