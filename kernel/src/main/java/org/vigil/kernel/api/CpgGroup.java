package org.vigil.kernel.api;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** A joined CPG group, as returned by {@link Cpg#join}. Thread-safe. */
@ProviderType
public interface CpgGroup extends AutoCloseable {

    /** The group name (at most 128 bytes of UTF-8). */
    String name();

    /** This member's identity in the group. */
    CpgMember self();

    /**
     * Multicasts a message to every member of the group, this one included, in agreed order.
     *
     * @return false if the node is applying back-pressure (corosync's {@code CS_ERR_TRY_AGAIN}); retry later
     * @throws IllegalStateException after {@link #close()}
     */
    default boolean mcast(byte[] message) {
        return mcast(message, CpgGuarantee.AGREED);
    }

    /**
     * Multicasts a message to every member of the group, this one included, delivered as {@code guarantee} says
     * (corosync's {@code cpg_mcast_joined} with a {@code cpg_guarantee_t}).
     *
     * @return false if the node is applying back-pressure; retry later
     * @throws IllegalStateException after {@link #close()}
     */
    boolean mcast(byte[] message, CpgGuarantee guarantee);

    /** The group's current members. */
    List<CpgMember> members();

    /** Leaves the group (members see reason {@link CpgReason#LEAVE}). Idempotent. */
    @Override
    void close();
}
