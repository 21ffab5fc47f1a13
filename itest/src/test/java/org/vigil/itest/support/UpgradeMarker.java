package org.vigil.itest.support;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.vigil.kernel.api.Cmap;

/**
 * Test code that {@link BundleJars#newBuild} adds to a copy of a plug-in bundle, as its {@code Bundle-Activator},
 * so that an upgrade test goes to code that really differs from the running release: on start it writes the
 * build's token (manifest header {@value #HEADER}) to cmap key {@link #key key(bsn)}, on stop it deletes it. The
 * released bundle has no such class, so the key holding the new build's token proves the new bundle's code runs.
 *
 * <p>Copied into the bundle as a private class; it needs {@code org.osgi.framework} and
 * {@code org.vigil.kernel.api}, which {@link BundleJars#newBuild} adds to the bundle's imports.
 */
public final class UpgradeMarker implements BundleActivator {

    /** The manifest header holding the build's token. */
    public static final String HEADER = "Vigil-Test-Build";

    private ServiceReference<Cmap> ref;
    private Cmap cmap;
    private String key;

    /** The cmap key the build of bundle {@code bsn} writes its token to while it is active. */
    public static String key(String bsn) {
        return "runtime.test.build." + bsn;
    }

    @Override
    public void start(BundleContext context) {
        ref = context.getServiceReference(Cmap.class);
        if (ref == null) {
            throw new IllegalStateException("no Cmap service to write the build marker to");
        }
        cmap = context.getService(ref);
        key = key(context.getBundle().getSymbolicName());
        cmap.setString(key, context.getBundle().getHeaders().get(HEADER));
    }

    @Override
    public void stop(BundleContext context) {
        cmap.delete(key);
        context.ungetService(ref);
    }
}
