export { Registration, readyOf, type ReadyEvent } from "./registration.js";
export { IoDriver } from "./io-driver.js";
export { IO, ioDriver } from "./key.js";
