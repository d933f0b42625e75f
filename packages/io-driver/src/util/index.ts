/**
 * The io utilities (Tokio's `AsyncReadExt`, `AsyncWriteExt`, `AsyncBufReadExt` and `io::util`)
 * and the bridges to Node streams and Web Streams.
 */
export { IoError, type IoErrorKind } from "./errors.js";
export { read, readExact, Read, ReadExact } from "./read.js";
export { readToEnd, readToString, ReadToEnd, ReadToString } from "./read-to-end.js";
export { readLine, ReadLine } from "./read-line.js";
export { lines, Lines } from "./lines.js";
export { write, writeAll, flush, shutdown, Write, WriteAll, Flush } from "./write.js";
export { copy, Copy } from "./copy.js";
export { copyBidirectional, CopyBidirectional } from "./copy-bidirectional.js";
export { split, ReadHalf, WriteHalf } from "./split.js";
export { BufReader, DEFAULT_BUF_SIZE } from "./buf-reader.js";
export { BufWriter } from "./buf-writer.js";
export { duplex, DuplexStream } from "./duplex.js";
export { empty, Empty } from "./empty.js";
export { sink, Sink } from "./sink.js";
export { repeat, Repeat } from "./repeat.js";
export {
  fromNodeReadable,
  toNodeReadable,
  fromNodeWritable,
  toNodeWritable,
  NodeReader,
  NodeWriter,
  type ToNodeReadableOptions,
  type ToNodeWritableOptions,
} from "./node-stream.js";
export {
  fromReadableStream,
  toReadableStream,
  fromWritableStream,
  toWritableStream,
  WebStreamReader,
  WebStreamWriter,
  type ToReadableStreamOptions,
  type ToWritableStreamOptions,
} from "./web-stream.js";
