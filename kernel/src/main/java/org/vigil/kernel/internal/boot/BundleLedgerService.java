package org.vigil.kernel.internal.boot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vigil.kernel.api.BundleLedger;
import org.vigil.kernel.api.VigilNode;

/**
 * Publishes the node's {@link BundleStore} (under its state directory, with the distribution jar named by the
 * framework property {@code vigil.home}) as the {@link BundleLedger} service.
 */
@Component(service = BundleLedger.class)
public final class BundleLedgerService implements BundleLedger {

    private final BundleStore store;

    @Activate
    public BundleLedgerService(@Reference VigilNode node, BundleContext context) throws IOException {
        String home = context.getProperty("vigil.home");
        store = BundleStore.open(node.stateDir(), home == null ? null : Path.of(home, "vigil.jar"));
    }

    @Override
    public Optional<Revision> current(String symbolicName) {
        return store.current(symbolicName);
    }

    @Override
    public Optional<Revision> previous(String symbolicName) {
        return store.previous(symbolicName);
    }

    @Override
    public List<Revision> upgraded() {
        return store.upgraded();
    }

    @Override
    public Revision stage(String symbolicName, String version, Path jar, String source) throws IOException {
        return store.stage(symbolicName, version, jar, source);
    }

    @Override
    public void commit(Revision staged) throws IOException {
        store.commit(staged);
    }

    @Override
    public void discard(Revision staged) {
        store.discard(staged);
    }

    @Override
    public void commitRollback(String symbolicName) throws IOException {
        store.commitRollback(symbolicName);
    }

    @Override
    public InputStream open(Revision revision) throws IOException {
        return store.open(revision);
    }
}
