/** Worker script for workerpool: it registers its methods by name. */
import workerpool from "workerpool";
import { inc, spin } from "./jobs.js";

workerpool.worker({ inc, spin });
