package org.vigil.crm.api.cib;

import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The CIB as the {@code crm-cib} bundle offers it to {@code crm-api}'s holder, which offers the {@link Cib} service
 * every other component uses and forwards to the backend of the moment. A swap of {@code crm-cib} (issue 18) then
 * replaces the backend under the holder: no component that uses the CIB is deactivated, so the controller stays
 * in its join, the executor keeps its monitors and attrd keeps its values. Registered under this interface only,
 * so nothing but the holder binds it.
 *
 * <p>Pacemaker has no counterpart: its CIB manager ({@code pacemaker-based}) cannot be replaced while the node
 * runs, and its clients reconnect ({@code cib_native_signon_raw()}) after it restarts.
 */
@ProviderType
public interface CibBackend extends Cib {

    /**
     * As {@link Cib#update}, except that a backend that is stopping (or stopped) throws
     * {@link java.util.concurrent.RejectedExecutionException} rather than take the request: then nothing of it was
     * sent, and the holder gives it to the next backend.
     */
    @Override
    CompletionStage<CibSnapshot> update(CibRequest request);

    /**
     * Runs {@code task} once, on the CIB's own thread (the thread listeners are called on), as soon as this copy is
     * out of its sync round: at once (from that thread) if it is not in one. The changes of the step that ended the
     * round (a copy replaced, the updates held during the round) were told to listeners before.
     */
    void whenSynced(Runnable task);

    /** The v2 patchset ({@code <diff format="2">}) from {@code from} to {@code to}, as a {@link CibChange} carries. */
    XmlNode diff(CibSnapshot from, CibSnapshot to);
}
