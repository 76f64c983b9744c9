import { Worker } from "node:worker_threads";
import { afterAll, describe, expect, test } from "vitest";
import { WorkerPool } from "../../src/execution/parallel/pool.js";
import { osThreadId, threadCpuMs, threadCpuTimes } from "../../src/shared/threadCpu.js";

describe.skipIf(process.platform !== "linux")("CPU time per thread (procfs)", () => {
  const pool = new WorkerPool({ size: 2 });
  afterAll(() => pool.close());

  test("the main thread is the process; a spinning thread's time lands on its own id, not on the main thread's", async () => {
    expect(osThreadId()).toBe(process.pid);
    // A worker that reports its id, then spins until its own clock (read from procfs by itself) shows 200 ms of
    // CPU, however busy the machine (10 s of wall time at most).
    const worker = new Worker(
      `const { parentPort } = require("node:worker_threads");
       const { readlinkSync, readFileSync } = require("node:fs");
       const cpu = () => { const f = readFileSync("/proc/thread-self/stat", "utf8").split(") ")[1].split(" ");
                           return (Number(f[11]) + Number(f[12])) * 10; };
       parentPort.postMessage(Number(readlinkSync("/proc/thread-self").split("/").pop()));
       parentPort.once("message", () => {
         const start = cpu(), end = Date.now() + 10000;
         while (cpu() - start < 200 && Date.now() < end) for (let i = 0; i < 1e5; i++);
         parentPort.postMessage("done");
       });`,
      { eval: true },
    );
    try {
      const tid = await new Promise<number>((resolve) => worker.once("message", resolve));
      expect(tid).not.toBe(process.pid);
      const before = threadCpuTimes();
      expect(before.has(process.pid)).toBe(true);
      expect(before.has(tid)).toBe(true);
      const mainBefore = threadCpuMs(process.pid) as number;
      worker.postMessage("go");
      // Waiting on a message costs the main thread (nearly) nothing.
      await new Promise((resolve) => worker.once("message", resolve));
      const spun = (threadCpuMs(tid) as number) - (before.get(tid) as number);
      expect(spun).toBeGreaterThanOrEqual(200);
      expect((threadCpuMs(process.pid) as number) - mainBefore).toBeLessThan(spun);
    } finally {
      await worker.terminate();
    }
  });

  test("a worker pool knows its workers' thread ids once ready", async () => {
    await pool.ready();
    expect(pool.threadIds).toHaveLength(2);
    expect(new Set(pool.threadIds).size).toBe(2);
    const times = threadCpuTimes();
    for (const tid of pool.threadIds) {
      expect(tid).not.toBe(process.pid);
      expect(times.has(tid)).toBe(true);
    }
  });

  test("a thread that is not there has no time", () => {
    expect(threadCpuMs(2 ** 31 - 1)).toBeUndefined();
  });
});
