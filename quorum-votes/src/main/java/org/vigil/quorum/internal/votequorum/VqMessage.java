package org.vigil.quorum.internal.votequorum;

/**
 * The votequorum messages nodes multicast to each other (corosync's {@code req_exec_quorum_*}), in agreed
 * order. Encoded by {@link VqCodec}.
 */
public sealed interface VqMessage {

    /** Node id that stands for the quorum device in {@link NodeInfo} messages. */
    int QDEVICE_NODEID = 0;

    /**
     * A node's votes, expected votes and flags. Every member sends its own after each membership change, plus
     * one for its quorum device (node id 0), and again whenever its flags change.
     *
     * @param nodeId        the node described (0: the sender's quorum device)
     * @param votes         its votes
     * @param expectedVotes its expected votes
     * @param flags         {@link NodeFlags} bits
     */
    record NodeInfo(int nodeId, long votes, long expectedVotes, int flags) implements VqMessage {
    }

    /**
     * A runtime change requested by an administrator on one node and applied by all.
     *
     * @param nodeId the node the change is about (the requester for expected votes and cancel-WFA)
     * @param value  the new value (expected votes or votes)
     * @param param  what changes
     */
    record Reconfigure(int nodeId, long value, Param param) implements VqMessage {
    }

    /**
     * Quorum device registration news ({@code req_exec_quorum_qdevice_reg}).
     *
     * @param register true for register, false for unregister
     * @param name     the device's name (at most {@value VqCodec#MAX_NAME} bytes of UTF-8)
     */
    record QdeviceReg(boolean register, String name) implements VqMessage {
    }

    /** Reconfigure parameters, with corosync's numbers. */
    enum Param {
        EXPECTED_VOTES(1), NODE_VOTES(2), CANCEL_WFA(3);

        final int code;

        Param(int code) {
            this.code = code;
        }

        static Param of(int code) {
            for (Param p : values()) {
                if (p.code == code) {
                    return p;
                }
            }
            return null;
        }
    }
}
