package org.vigil.agents.internal;

import java.net.URL;
import java.util.Enumeration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads every class of this bundle revision up front. An action in flight during an upgrade finishes on the
 * old revision's threads after the framework has refreshed that revision and closed its jar: from then on the
 * old class loader can no longer load a class it has not loaded before. Loading them all at activation (about
 * fifty small classes, a few milliseconds) makes that path safe whichever code it takes.
 */
final class Preload {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.AGENTS");
    private static final AtomicBoolean DONE = new AtomicBoolean();

    private Preload() {
    }

    static void all(Bundle bundle) {
        if (!DONE.compareAndSet(false, true)) {
            return;
        }
        Enumeration<URL> e = bundle.findEntries("org/vigil/agents", "*.class", true);
        int n = 0;
        while (e != null && e.hasMoreElements()) {
            String p = e.nextElement().getPath();
            String cls = p.substring(p.startsWith("/") ? 1 : 0, p.length() - ".class".length()).replace('/', '.');
            try {
                Class.forName(cls, true, Preload.class.getClassLoader());
                n++;
            } catch (ClassNotFoundException | LinkageError ex) {
                LOG.debug("preloading {} failed: {}", cls, ex.toString());
            }
        }
        LOG.debug("preloaded {} classes of {} {}", n, bundle.getSymbolicName(), bundle.getVersion());
    }
}
