/**
 * `@tokio-ts/io-driver`: readiness-based I/O — the reactor over Node's sockets, the
 * AsyncRead/AsyncWrite protocol and the io utilities.
 *
 * @packageDocumentation
 */
export { Interest, Ready } from "./interest.js";
export { isAsyncRead, isAsyncWrite, isAsyncBufRead, type AsyncRead, type AsyncWrite, type AsyncBufRead } from "./protocol.js";
export { IoError, errorKind, type IoErrorKind } from "./util/errors.js";
export { read, readExact, Read, ReadExact } from "./util/read.js";
export { readToEnd, readToString, ReadToEnd, ReadToString } from "./util/read-to-end.js";
export { readLine, ReadLine } from "./util/read-line.js";
export { readUntil, ReadUntil } from "./util/read-until.js";
export { fillBuf, FillBuf } from "./util/fill-buf.js";
export {
  readU8, readI8, readU16, readU16Le, readI16, readI16Le, readU32, readU32Le, readI32, readI32Le,
  readU64, readU64Le, readI64, readI64Le, readF32, readF32Le, readF64, readF64Le, ReadInt,
} from "./util/read-int.js";
export { lines, Lines } from "./util/lines.js";
export { write, writeAll, flush, shutdown, Write, WriteAll, Flush } from "./util/write.js";
export {
  writeU8, writeI8, writeU16, writeU16Le, writeI16, writeI16Le, writeU32, writeU32Le, writeI32, writeI32Le,
  writeU64, writeU64Le, writeI64, writeI64Le, writeF32, writeF32Le, writeF64, writeF64Le, WriteInt,
} from "./util/write-int.js";
export { copy, Copy } from "./util/copy.js";
export { copyBidirectional, copyBidirectionalWithSizes, CopyBidirectional, type CopyBufferSizes } from "./util/copy-bidirectional.js";
export { take, Take } from "./util/take.js";
export { chain, Chain } from "./util/chain.js";
export { split, ReadHalf, WriteHalf } from "./util/split.js";
export { BufReader, DEFAULT_BUF_SIZE } from "./util/buf-reader.js";
export { BufWriter } from "./util/buf-writer.js";
export { duplex, DuplexStream } from "./util/duplex.js";
export { empty, Empty } from "./util/empty.js";
export { sink, Sink } from "./util/sink.js";
export { repeat, Repeat } from "./util/repeat.js";
export { bytesReader, BytesReader } from "./util/bytes-reader.js";
export { bytesWriter, BytesWriter } from "./util/bytes-writer.js";
export { fromNodeReadable, toNodeReadable, fromNodeWritable, toNodeWritable, NodeReader, NodeWriter, type ToNodeReadableOptions, type ToNodeWritableOptions } from "./util/node-stream.js";
export { fromReadableStream, toReadableStream, fromWritableStream, toWritableStream, WebStreamReader, WebStreamWriter, type ToReadableStreamOptions, type ToWritableStreamOptions, type WebChunk } from "./util/web-stream.js";
export { Registration, readyOf, type ReadyEvent } from "./reactor/registration.js";
export { IoDriver } from "./reactor/io-driver.js";
export { IO, ioDriver } from "./reactor/key.js";
export { NodeStream, RING_SLOTS, DEFAULT_READ_BUFFER_SIZE, MAX_READ_SLOT, MAX_WRITE, type NodeStreamOptions } from "./reactor/node-stream.js";
export { WouldBlockError, type SocketError } from "./reactor/errors.js";
export { ctrlC, CtrlC, signal, Signal, type SignalKind } from "./signal.js";
