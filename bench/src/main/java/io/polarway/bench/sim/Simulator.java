package io.polarway.bench.sim;

import io.polarway.policy.BackpressureGate;
import io.polarway.policy.ChunkDecision;
import io.polarway.policy.ChunkSizePolicy;
import io.polarway.policy.PolicySample;
import io.polarway.policy.PolicySettings;
import io.polarway.profile.VmProfile;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a chunk-size policy and the backpressure gate — the engine's own classes, fed the samples the engine would
 * feed them — against a {@link Workload}, in simulated time: a discrete-event model of {@code AdaptiveStream} (reader
 * threads, the byte-bounded read-ahead queue in split order, the data limit with its wait-for-release and halving,
 * the gate with its stall timeout) and of the bench scenarios' consumer (a thread handing chunks to a worker pool
 * through a window, busy work per row, a sink, retained chunks, heap per row). A run of a million chunks takes well
 * under a second, so sweeps of thousands of configurations take seconds.
 *
 * <p><b>Time.</b> Reads cost CPU ({@link Workload#readCpuNanos}); readers and workers busy on CPU share
 * {@link Workload#cpuCores} equally (processor sharing), so a consumer spinning on one core slows a reader on a
 * one-core VM. A worker's busy work lasts its wall time (it spins until a deadline, as the scenario consumer does) and
 * its sink sleeps. <b>Memory.</b> As {@link Workload} describes: non-Arrow memory, a heap that grows with the
 * consumer's objects, Arrow buffers allocated when a read starts and freed when the consumer releases the chunk, and
 * malloc's retention of freed memory. A working set above the cgroup limit ends the run as an OOM kill.
 *
 * <p>Deterministic: the same workload and policy give the same result. Not thread-safe per run; runs are independent,
 * so a sweep may run them in parallel.
 */
public final class Simulator {
    private static final long NEVER = Long.MAX_VALUE;

    private Simulator() {
    }

    /** Runs {@code spec} as a stream sized for {@code profile} would run it (see {@link PolicySpec#settings}). */
    public static SimResult run(Workload w, PolicySpec spec, VmProfile profile) {
        return run(w, spec.settings(profile, w.initialChunkRows()), null);
    }

    /**
     * Runs fresh policy and gate instances (stateful: never reuse them).
     *
     * @param trace if not null, receives one row per chunk read: {@code {t ns, rows asked, rows, bytes, working set,
     *              arrow bytes, next rows}}
     */
    public static SimResult run(Workload w, PolicySettings settings, List<long[]> trace) {
        return new Run(w, settings.policy(), settings.gate(), trace, 0).execute();
    }

    /**
     * Runs {@code spec} with {@code extraBytes} more in the working set than the model holds, which the data limit
     * (set from the memory at the start) does not see: how the run fares if the model's memory is that far off.
     */
    public static SimResult runStressed(Workload w, PolicySpec spec, VmProfile profile, long extraBytes) {
        PolicySettings s = spec.settings(profile, w.initialChunkRows());
        return new Run(w, s.policy(), s.gate(), null, extraBytes).execute();
    }

    private static final class Chunk {
        final int split;
        final int rows;
        final long bytes;
        final long resident;
        long heap;

        Chunk(int split, int rows, long bytes, long resident) {
            this.split = split;
            this.rows = rows;
            this.bytes = bytes;
            this.resident = resident;
        }
    }

    private enum State { NEXT, GATE, READ, READING, LIMIT_WAIT, PUT, DONE }

    private static final class Reader {
        State state = State.NEXT;
        int split = -1;
        int ask;
        int rows;
        long bytes;
        long resident;
        double cpuLeft;
        double readCpu;
        long readStart;
        long latencyUntil;
        Chunk pending;
        long waitStart;
        long waitDeadline = NEVER;
        long waitBudget;
        long outstandingAtWait;
    }

    private static final class Worker {
        Chunk chunk;
        int phase; // 0 idle, 1 busy work (CPU), 2 sink (sleep)
        long phaseEnd = NEVER;
    }

    private static final class Run {
        private final Workload w;
        private final ChunkSizePolicy policy;
        private final BackpressureGate gate;
        private final List<long[]> trace;
        private final Workload.Consumer c;

        private long now;
        private int chunkRows;
        private final long[] splitFrom;
        private final long[] splitLen;
        private final long[] splitRead;
        private final boolean[] splitFinished;
        private int nextSplit;
        private final ArrayDeque<Chunk>[] queues;
        private long queued;
        private int head;
        private Chunk holding;
        private boolean dispatchDone;
        private int permits;
        private final ArrayDeque<Chunk> pool = new ArrayDeque<>();
        private final ArrayDeque<Chunk> retained = new ArrayDeque<>();
        private final Reader[] readers;
        private final Worker[] workers;

        private long arrow;
        private long arrowResident;
        private long arrowHwm;
        private long heapLive;
        private long heapLiveHwm;
        private long outstanding;
        private final long dataLimit;
        private long pausedSince = -1;

        private long rowsDone;
        private long peak;
        private long gatePauses;
        private long limitWaits;
        private long pausedNanos;
        private long stallResumes;
        private long limitRetries;
        private long chunks;
        private long chunkRowsSum;
        private int minDecided = Integer.MAX_VALUE;
        private int maxDecided;
        private String outcome;

        private final long extraBytes;

        @SuppressWarnings("unchecked")
        Run(Workload w, ChunkSizePolicy policy, BackpressureGate gate, List<long[]> trace, long extraBytes) {
            this.w = w;
            this.extraBytes = extraBytes;
            this.policy = policy;
            this.gate = gate;
            this.trace = trace;
            this.c = w.consumer();
            int splits = (int) Math.min(w.splits(), w.rows());
            splitFrom = new long[splits];
            splitLen = new long[splits];
            splitRead = new long[splits];
            splitFinished = new boolean[splits];
            for (int i = 0; i < splits; i++) {
                splitFrom[i] = w.rows() * i / splits;
                splitLen[i] = w.rows() * (i + 1) / splits - splitFrom[i];
            }
            int q = w.ordered() ? splits : 1;
            queues = new ArrayDeque[q];
            for (int i = 0; i < q; i++) queues[i] = new ArrayDeque<>();
            readers = new Reader[w.prefetch() ? Math.max(1, Math.min(w.readers(), splits)) : 1];
            for (int i = 0; i < readers.length; i++) readers[i] = new Reader();
            workers = new Worker[c.workers()];
            for (int i = 0; i < workers.length; i++) workers[i] = new Worker();
            permits = c.windowChunks();
            chunkRows = policy.initialChunkRows();
            decided(chunkRows);
            // DataLimit.bytes at the start: the budget less what is not Arrow and a 5 % margin, at least a quarter
            long budget = w.budgetBytes();
            long nonArrowAtStart = w.nonArrowBytes() + w.heapStartBytes();
            dataLimit = w.guards() ? Math.max(budget / 4, budget - nonArrowAtStart - budget / 20) : Long.MAX_VALUE;
            peak = workingSet();
            now = w.startupNanos(); // opening the source, first-use class loading and compilation
        }

        SimResult execute() {
            settle();
            while (outcome == null) {
                if (finished()) {
                    while (!retained.isEmpty()) release(retained.poll());
                    outcome = "completed";
                    break;
                }
                long next = nextEvent();
                if (next == NEVER) {
                    outcome = "failed";
                    break;
                }
                advance(next);
                settle();
            }
            return new SimResult(outcome, rowsDone, now, peak, gatePauses, limitWaits, pausedNanos, stallResumes,
                    limitRetries, chunks, minDecided == Integer.MAX_VALUE ? 0 : minDecided, maxDecided,
                    chunks == 0 ? 0 : (double) chunkRowsSum / chunks, heapLiveHwm);
        }

        private boolean finished() {
            if (!dispatchDone || holding != null || !pool.isEmpty()) return false;
            for (Worker wk : workers) if (wk.phase != 0) return false;
            return true;
        }

        // ---- memory ----

        private long workingSet() {
            long heap = Math.min(w.heapMaxBytes(), w.heapStartBytes() + Math.round(w.heapGrowth() * heapLiveHwm));
            long arrowKept = Math.max(arrowResident, Math.round(w.mallocRetention() * arrowHwm));
            return w.nonArrowBytes() + extraBytes + Math.max(heap, w.heapStartBytes()) + arrowKept;
        }

        /** After memory grew: the peak, and the kernel's verdict. */
        private void grew() {
            long ws = workingSet();
            if (ws > peak) peak = ws;
            if (ws > w.limitBytes() && outcome == null) outcome = "oom_killed";
        }

        private void release(Chunk ch) {
            arrow -= ch.bytes;
            arrowResident -= ch.resident;
            outstanding -= ch.bytes;
        }

        private void decided(int rows) {
            if (rows < minDecided) minDecided = rows;
            if (rows > maxDecided) maxDecided = rows;
        }

        // ---- time ----

        private double cpuRate() {
            int active = 0;
            for (Reader r : readers) if (computing(r)) active++;
            for (Worker wk : workers) if (wk.phase == 1) active++;
            return active == 0 ? 1 : Math.min(1.0, w.cpuCores() / active);
        }

        /** A reader using CPU: reading, past its latency wait. */
        private boolean computing(Reader r) {
            return r.state == State.READING && r.latencyUntil <= now;
        }

        private long nextEvent() {
            double rate = cpuRate();
            long t = NEVER;
            for (Reader r : readers) {
                if (r.state == State.READING && r.latencyUntil > now) t = Math.min(t, r.latencyUntil);
                else if (r.state == State.READING) t = Math.min(t, now + (long) Math.ceil(Math.max(0, r.cpuLeft) / rate));
                if (r.state == State.LIMIT_WAIT) t = Math.min(t, r.waitDeadline);
                if (r.state == State.GATE && pausedSince >= 0) t = Math.min(t, pausedSince + w.stallNanos());
            }
            for (Worker wk : workers) if (wk.phase != 0) t = Math.min(t, wk.phaseEnd);
            return t;
        }

        private void advance(long to) {
            double rate = cpuRate();
            long dt = to - now;
            for (Reader r : readers) if (computing(r)) r.cpuLeft -= dt * rate;
            now = to;
            for (Reader r : readers) {
                if (computing(r) && r.cpuLeft <= 0.5) readDone(r);
                else if (r.state == State.LIMIT_WAIT && r.waitDeadline <= now) limitWaitOver(r, false);
            }
            for (Worker wk : workers) {
                if (wk.phase != 0 && wk.phaseEnd <= now) workerPhaseDone(wk);
            }
        }

        // ---- the instantaneous steps, until nothing moves ----

        private void settle() {
            boolean changed = true;
            while (changed && outcome == null) {
                changed = false;
                for (Reader r : readers) changed |= step(r);
                changed |= dispatch();
                changed |= startWork();
            }
        }

        private boolean step(Reader r) {
            switch (r.state) {
                case NEXT -> {
                    if (r.split >= 0 && splitRead[r.split] >= splitLen[r.split]) {
                        splitFinished[r.split] = true;
                        r.split = -1;
                    }
                    if (r.split < 0) {
                        if (nextSplit >= splitLen.length) {
                            r.state = State.DONE;
                            return true;
                        }
                        r.split = nextSplit++;
                        if (splitLen[r.split] == 0) return true;
                    }
                    // without prefetch the consumer's own thread reads, when it asks for the next chunk
                    if (!w.prefetch() && (holding != null || queued > 0)) return false;
                    r.state = State.GATE;
                    return true;
                }
                case GATE -> {
                    return awaitPermit(r);
                }
                case READ -> {
                    return read(r);
                }
                case LIMIT_WAIT -> {
                    if (outstanding < r.outstandingAtWait) {
                        limitWaitOver(r, true);
                        return true;
                    }
                    return false;
                }
                case PUT -> {
                    return put(r);
                }
                default -> {
                    return false;
                }
            }
        }

        /** StreamController.awaitPermit: the gate, the stall timeout. */
        private boolean awaitPermit(Reader r) {
            if (w.guards()) {
                long ws = workingSet();
                boolean pause = gate.onSample((double) ws / w.budgetBytes());
                if (pause) {
                    if (pausedSince < 0) {
                        pausedSince = now;
                        gatePauses++;
                    }
                    if (now - pausedSince < w.stallNanos()) return false;
                    endPause();
                    stallResumes++;
                    ChunkDecision d = policy.onSample(new PolicySample(now, ws, w.budgetBytes(), 1, 0, 0, 0));
                    chunkRows = d.chunkRows();
                    decided(chunkRows);
                } else {
                    endPause();
                }
            }
            r.ask = chunkRows;
            r.waitBudget = w.stallNanos();
            r.state = State.READ;
            return true;
        }

        private void endPause() {
            if (pausedSince < 0) return;
            pausedNanos += now - pausedSince;
            pausedSince = -1;
        }

        /** AdaptiveStream.readOne: the data limit (wait for a release, else halve), then the read. */
        private boolean read(Reader r) {
            long left = splitLen[r.split] - splitRead[r.split];
            int n = (int) Math.min(r.ask, left);
            long bytes = w.widths().bytes(splitFrom[r.split] + splitRead[r.split], n);
            if (arrow + bytes > dataLimit) {
                if (outstanding > 0 && r.waitBudget > 0) {
                    limitWaits++;
                    r.outstandingAtWait = outstanding;
                    r.waitStart = now;
                    r.waitDeadline = now + Math.min(w.releaseWaitNanos(), r.waitBudget);
                    r.state = State.LIMIT_WAIT;
                    return true;
                }
                return halve(r);
            }
            long written = w.widths().residentBytes(splitFrom[r.split] + splitRead[r.split], n);
            long resident = Math.min(bytes, Math.round(w.residentShare() * written));
            arrow += bytes;
            arrowResident += resident;
            if (arrowResident > arrowHwm) arrowHwm = arrowResident;
            grew();
            r.rows = n;
            r.bytes = bytes;
            r.resident = resident;
            r.readCpu = w.readCpuNanos(n, bytes);
            r.cpuLeft = r.readCpu + w.chunkOverheadNanos();
            r.readStart = now;
            r.latencyUntil = now + w.readLatencyNanos();
            r.state = State.READING;
            return true;
        }

        private boolean halve(Reader r) {
            if (r.ask <= 1) {
                outcome = "failed";
                return true;
            }
            int retry = Math.max(1, r.ask / 2);
            chunkRows = Math.min(chunkRows, retry);
            limitRetries++;
            r.ask = retry;
            r.state = State.READ;
            return true;
        }

        private void limitWaitOver(Reader r, boolean released) {
            long waited = now - r.waitStart;
            pausedNanos += waited;
            r.waitBudget -= waited;
            r.waitDeadline = NEVER;
            if (released) {
                r.state = State.READ;
            } else {
                halve(r);
            }
        }

        /** StreamController.afterChunk: the policy's decision. */
        private void readDone(Reader r) {
            // the engine times the source's read only, not the samples and the policy around it
            long wall = now - r.readStart - w.readLatencyNanos();
            double total = r.readCpu + w.chunkOverheadNanos();
            long readNanos = w.readLatencyNanos() + (total <= 0 ? wall : Math.round(wall * r.readCpu / total));
            splitRead[r.split] += r.rows;
            outstanding += r.bytes;
            long ws = workingSet();
            ChunkDecision d = policy.onSample(new PolicySample(now, ws, w.budgetBytes(), r.ask, r.rows, r.bytes,
                    readNanos));
            chunkRows = d.chunkRows();
            decided(chunkRows);
            chunks++;
            chunkRowsSum += r.rows;
            if (trace != null) trace.add(new long[] {now, r.ask, r.rows, r.bytes, ws, arrow, chunkRows});
            r.pending = new Chunk(r.split, r.rows, r.bytes, r.resident);
            r.state = State.PUT;
        }

        /** ChunkQueue.put: admitted within the byte bound, into an empty queue, or for a starving head split. */
        private boolean put(Reader r) {
            Chunk ch = r.pending;
            ArrayDeque<Chunk> q = queues[w.ordered() ? ch.split : 0];
            boolean admit = queued == 0 || queued + ch.bytes <= w.maxQueueBytes() || !w.guards()
                    || (w.ordered() && ch.split == head && q.isEmpty());
            if (!admit) return false;
            q.addLast(ch);
            queued += ch.bytes;
            r.pending = null;
            r.state = State.NEXT;
            return true;
        }

        /** The consumer's thread: takes the next chunk (split order), waits for room in the window, submits it. */
        private boolean dispatch() {
            boolean changed = false;
            if (holding == null && !dispatchDone) {
                Chunk ch = take();
                if (ch != null) {
                    queued -= ch.bytes;
                    holding = ch;
                    changed = true;
                }
            }
            if (holding != null && permits > 0) {
                permits--;
                holding.heap = (long) c.heapBytesPerRow() * holding.rows;
                heapLive += holding.heap;
                if (heapLive > heapLiveHwm) heapLiveHwm = heapLive;
                grew();
                pool.addLast(holding);
                holding = null;
                changed = true;
            }
            return changed;
        }

        private Chunk take() {
            if (w.ordered()) {
                while (head < queues.length && queues[head].isEmpty() && splitDone(head)) head++;
                if (head >= queues.length) {
                    dispatchDone = true;
                    return null;
                }
                return queues[head].pollFirst();
            }
            Chunk ch = queues[0].pollFirst();
            if (ch == null) {
                boolean all = true;
                for (int i = 0; i < splitLen.length; i++) all &= splitDone(i);
                if (all) dispatchDone = true;
            }
            return ch;
        }

        /** Whether split {@code i} has been read to its end (its last chunk queued). */
        private boolean splitDone(int i) {
            if (splitFinished[i]) return true;
            if (splitRead[i] < splitLen[i]) return false;
            for (Reader r : readers) if (r.split == i && r.state == State.PUT) return false;
            return true;
        }

        private boolean startWork() {
            boolean changed = false;
            for (Worker wk : workers) {
                if (wk.phase != 0 || pool.isEmpty()) continue;
                wk.chunk = pool.pollFirst();
                long busy = Math.round(c.workNanosPerRow() * wk.chunk.rows);
                if (busy > 0) {
                    wk.phase = 1;
                    wk.phaseEnd = now + busy;
                } else {
                    startSink(wk);
                }
                changed = true;
            }
            return changed;
        }

        private void startSink(Worker wk) {
            long sink = c.sinkBytesPerSecond() > 0 ? Math.round(wk.chunk.bytes / c.sinkBytesPerSecond() * 1e9) : 0;
            if (sink > 0) {
                wk.phase = 2;
                wk.phaseEnd = now + sink;
            } else {
                finishWork(wk);
            }
        }

        private void workerPhaseDone(Worker wk) {
            if (wk.phase == 1) startSink(wk);
            else finishWork(wk);
        }

        private void finishWork(Worker wk) {
            Chunk ch = wk.chunk;
            heapLive -= ch.heap;
            if (c.retainChunks() > 0) {
                retained.addLast(ch);
                if (retained.size() > c.retainChunks()) release(retained.pollFirst());
            } else {
                release(ch);
            }
            permits++;
            rowsDone += ch.rows;
            wk.chunk = null;
            wk.phase = 0;
            wk.phaseEnd = NEVER;
        }
    }

    /** Runs every spec against the workload (one policy instance each), in order. */
    public static List<SimResult> runAll(Workload w, List<PolicySpec> specs, VmProfile profile) {
        List<SimResult> out = new ArrayList<>();
        for (PolicySpec s : specs) out.add(run(w, s, profile));
        return out;
    }
}
