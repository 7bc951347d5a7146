/**
 * Fewer full collections while large objects stream in. Node's HTTP client copies each 64 KB of a
 * body out of the socket's read buffer, and on Node 24 (V8 13) every ~64 MB of those dead buffers
 * starts a full mark-compact: about 20 per 500 MB object, 0.2-0.3 s of the main thread's time
 * (--trace-gc, bench/dvc.mjs large; Node 20 runs none). While a large download runs, V8 is told to
 * count that memory in its global heap limit instead (the flag external-memory-accounted-in-global-limit,
 * which V8 reads at each check): one collection per object, a 500 MB pull ~12% faster, for up to
 * ~150 MB more resident memory while it streams. The flag is put back when the last download ends.
 */
import v8 from 'node:v8';

const FLAG = 'external-memory-accounted-in-global-limit';
/** V8 13 (Node 24) has the flag; older ones would print "unrecognized flag". */
const supported = Number(process.versions.v8.split('.')[0]) >= 13;
let streaming = 0;

/** Relaxes the limit until the returned function is called (once per download; nests). */
export function relaxExternalMemoryLimit(): () => void {
  if (!supported || process.env.MLOPS_DVC_GC_TUNING === '0') return () => undefined;
  if (streaming++ === 0) v8.setFlagsFromString(`--${FLAG}`);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--streaming === 0) v8.setFlagsFromString(`--no-${FLAG}`);
  };
}
