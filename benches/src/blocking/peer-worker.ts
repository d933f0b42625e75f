/**
 * Worker script for piscina and tinypool: they call a named export with the task as its only
 * argument.
 */
export { inc, spin } from "./jobs.js";
