/**
 * Scheduling priority of the calling thread. On Linux a thread is a task of its own with its own nice value,
 * which threads it creates inherit: a worker that lowers its own priority before starting its workers keeps them
 * all behind the threads that answer requests when cores are scarce. The thread's id comes from
 * `/proc/thread-self`; elsewhere (no such file) nothing changes.
 */
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";

/** Sets the calling thread's nice value (0 normal, up to 19 lowest); returns whether it could. */
export function setThreadNice(nice: number): boolean {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
