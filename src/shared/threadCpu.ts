/**
 * CPU time per OS thread of this process, for the benchmarks' accounting of where a parallel run's time went:
 * the committing thread, the workers, and everything else (V8's background compiler and GC helpers, libuv's
 * pool). Linux only, from procfs; elsewhere the answers are empty, and the benchmarks say so.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** Ticks of /proc's utime and stime: USER_HZ, 100 on every Linux architecture Node runs on. */
const MS_PER_TICK = 10;

/** The calling thread's OS thread id (Linux, from `/proc/thread-self`); undefined elsewhere. */
export function osThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    return Number.isInteger(tid) ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** One thread's user + system CPU time in milliseconds (10 ms resolution); undefined if it cannot be read. */
export function threadCpuMs(tid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    // Fields after the command name, which may itself hold spaces and parentheses: utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
  } catch {
    return undefined;
  }
}

/** Every thread's CPU time in milliseconds, by OS thread id (empty where procfs is not there). */
export function threadCpuTimes(): Map<number, number> {
  const times = new Map<number, number>();
  let tids: string[];
  try {
    tids = readdirSync("/proc/self/task");
  } catch {
    return times;
  }
  for (const name of tids) {
    const tid = Number(name);
    const ms = threadCpuMs(tid);
    // A thread that ended between the listing and the read is left out.
    if (ms !== undefined) times.set(tid, ms);
  }
  return times;
}
