#!/usr/bin/env -S node --single-threaded-gc
// The Node flags above are weft's runtime flags (package.json `weft.nodeFlags`; `npm start` passes the same):
// V8 flags cannot be set once a process runs. With `--single-threaded-gc` each isolate collects its own garbage
// on its own thread. The worker pool has a thread per core by default, so V8's GC helper threads have no core of
// their own: on two cores they ran beside the committing thread and the worker and slowed both (README, "Runtime
// flags").
import { main } from "./program.js";

process.exitCode = await main(process.argv);
