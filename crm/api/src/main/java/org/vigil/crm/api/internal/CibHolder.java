package org.vigil.crm.api.internal;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibBackend;

/**
 * Offers the {@link Cib} service (a {@link CibForwarder}) from {@code crm-api}, a bundle that is never updated at
 * run time, in front of {@code crm-cib}'s {@link CibBackend}: a swap of {@code crm-cib} replaces the backend behind
 * it and deactivates none of the components that use the CIB (the executor, controller, attrd, fencer and the
 * tools), where their static reference to a {@code Cib} registered by {@code crm-cib} itself deactivated and
 * activated all of them again on every CIB swap (the controller's leave and rejoin made the DC probe the node again).
 *
 * <p>The service is registered once the first backend is there (its copy loaded), as {@code crm-cib}'s was. When the
 * node stops (the framework is stopping) and the backend goes, the service goes first, while the backend still
 * answers, so the components stop as they did before (their last CIB writes go through); then held updates fail.
 * The reference to the backend is dynamic; the holder keeps the old revision's backend only until the next binds.
 */
@Component(immediate = true)
public final class CibHolder {

    /** How long an update waits for a CIB service that went away ({@code vigil.cib.holdMs}). */
    static final long HOLD_MS = Long.getLong("vigil.cib.holdMs", 30_000);

    private static final Logger LOG = LoggerFactory.getLogger("vigil.CIB");

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vigil-cib-holder");
        t.setDaemon(true);
        return t;
    });
    private final CibForwarder forwarder = new CibForwarder(timer, HOLD_MS, LOG::info);
    private BundleContext context;
    private ServiceRegistration<Cib> registration;
    private boolean deactivated;

    @Activate
    void activate(BundleContext context) {
        synchronized (this) {
            this.context = context;
        }
        registerIfReady();
    }

    @Deactivate
    void deactivate() {
        ServiceRegistration<Cib> r;
        synchronized (this) {
            deactivated = true;
            r = registration;
            registration = null;
        }
        unregister(r);
        forwarder.close();
        timer.shutdownNow();
    }

    @Reference(service = CibBackend.class, cardinality = ReferenceCardinality.MULTIPLE,
        policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindBackend(CibBackend backend) {
        boolean first = !forwarder.started();
        forwarder.bind(backend);
        if (!first) {
            LOG.info("CIB holder: a new CIB service is bound; its copy is being brought in line with the group");
        }
        registerIfReady();
    }

    void unbindBackend(CibBackend backend) {
        BundleContext c;
        synchronized (this) {
            c = context;
        }
        if (c == null || stopping(c)) {
            // the node stops: the components go now, while the backend still takes their last writes
            ServiceRegistration<Cib> r;
            synchronized (this) {
                r = registration;
                registration = null;
            }
            unregister(r);
            forwarder.unbind(backend);
            forwarder.close();
            return;
        }
        forwarder.unbind(backend);
        LOG.info("CIB holder: the CIB service went away (an upgrade of its bundle?); updates are held for up to {}"
            + " ms until the next one is in line with the group", HOLD_MS);
    }

    /** The framework (the node) is stopping, or this bundle is. */
    private static boolean stopping(BundleContext c) {
        try {
            return c.getBundle(0).getState() == Bundle.STOPPING || c.getBundle().getState() == Bundle.STOPPING;
        } catch (IllegalStateException e) {
            return true;   // the context is no longer valid
        }
    }

    private void registerIfReady() {
        synchronized (this) {
            if (context == null || registration != null || deactivated || !forwarder.started()) {
                return;
            }
            registration = context.registerService(Cib.class, forwarder, null);
        }
    }

    private static void unregister(ServiceRegistration<Cib> r) {
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // gone already
            }
        }
    }
}
