package org.vigil.kernel.internal.totem;

/**
 * Where a node keeps the highest ring sequence number it has used, across restarts (corosync's
 * {@code <state_dir>/ringid_<nodeid>}). The engine loads it once at {@link TotemSrp#start()}, adds 1 and stores
 * the result (so a restarted node never reuses a ring id), then stores the sequence of every ring it commits to.
 *
 * <p>Called only from the engine's thread. An implementation that cannot write should keep the value in memory
 * and report the problem itself; the engine does not handle I/O errors.
 */
public interface RingSeqStore {

    /** The stored sequence, or 0 when nothing was stored yet. */
    long load();

    /** Stores a new sequence (always larger than the one stored before). */
    void store(long seq);

    /** A store that lives in memory only (tests, the simulator: it survives a simulated crash). */
    final class InMemory implements RingSeqStore {
        private long seq;

        public InMemory() {
        }

        public InMemory(long initial) {
            this.seq = initial;
        }

        @Override
        public long load() {
            return seq;
        }

        @Override
        public void store(long value) {
            seq = value;
        }
    }
}
