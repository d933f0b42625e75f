export { Registration, readyOf, type ReadyEvent } from "./registration.js";
export { IoDriver } from "./io-driver.js";
export { IO, ioDriver } from "./key.js";
export { NodeStream, RING_SLOTS, DEFAULT_READ_BUFFER_SIZE, MAX_WRITE, type NodeStreamOptions } from "./node-stream.js";
export { WouldBlockError, type SocketError } from "./errors.js";
