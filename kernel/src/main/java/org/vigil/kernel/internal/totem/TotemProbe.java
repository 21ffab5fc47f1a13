package org.vigil.kernel.internal.totem;

/**
 * Optional observer of an engine's internals, for the log (the driver turns state changes into corosync-style
 * {@code [TOTEM]} lines) and for the simulator's invariant checkers. Called synchronously on the engine's
 * thread; must not call back into the engine. The default methods do nothing.
 */
public interface TotemProbe {

    /** The engine changed state; {@code reason} is a short fixed text such as "token lost". */
    default void stateChanged(TotemState from, TotemState to, String reason) {
    }

    /**
     * The engine stored ordered message {@code seq} of ring {@code (ringRep, ringSeq)}: received, sent by itself,
     * or recovered from a RECOVERY re-send.
     */
    default void messageReceived(int ringRep, long ringSeq, long seq) {
    }
}
