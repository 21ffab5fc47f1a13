package org.vigil.kernel.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The node's record of which revision of each plug-in bundle it runs and where that revision came from, so that
 * an in-place upgrade survives a restart and can be rolled back.
 *
 * <p>Every plug-in runs either the revision embedded in the distribution ({@code vigil.jar}) or one installed by
 * {@code vigil upgrade}, whose jar the ledger keeps under {@code <state dir>/bundles/}. An upgrade is
 * <em>staged</em> (its jar copied into the store), then either <em>committed</em> (it becomes current and the
 * revision it replaced becomes previous, kept for a rollback) or <em>discarded</em>. The ledger is written
 * atomically (temporary file, fsync, rename, fsync of the directory); the node's launcher reads it at start and
 * installs the current revision of every bundle.
 *
 * <p>Thread-safe; callers that stage, update and commit serialize their upgrades themselves.
 */
@ProviderType
public interface BundleLedger {

    /**
     * One revision of a bundle.
     *
     * @param symbolicName      the bundle symbolic name
     * @param version           its Bundle-Version
     * @param source            where it came from: {@code vigil.jar} for the distribution's own, else the file the
     *                          admin upgraded from
     * @param installedAtMillis when it was committed (epoch ms); 0 for the distribution's own
     * @param sha256            hex SHA-256 of the jar
     * @param storedName        the jar's file name in the store, or null for the distribution's own
     */
    record Revision(String symbolicName, String version, String source, long installedAtMillis, String sha256,
                    String storedName) {

        /** True if this is the revision embedded in the distribution. */
        public boolean embedded() {
            return storedName == null;
        }
    }

    /** The revision the node runs (and will start next time), if the bundle is known to the ledger. */
    Optional<Revision> current(String symbolicName);

    /** The revision before the current one, kept for {@code vigil upgrade --rollback}. */
    Optional<Revision> previous(String symbolicName);

    /** Every bundle whose current revision came from an upgrade, in name order. */
    List<Revision> upgraded();

    /**
     * Copies {@code jar} into the store. Nothing else changes until {@link #commit}.
     *
     * @throws IOException with the cause in one line (e.g. no space left on device); nothing is left behind
     */
    Revision stage(String symbolicName, String version, Path jar, String source) throws IOException;

    /** Makes a staged revision current; the one it replaces becomes previous. */
    void commit(Revision staged) throws IOException;

    /** Forgets a staged revision that was not committed, removing its jar. */
    void discard(Revision staged);

    /**
     * Makes the previous revision current again and the current one previous (a second rollback returns to it),
     * or, for a bundle that did not exist before its upgrade, forgets the bundle.
     */
    void commitRollback(String symbolicName) throws IOException;

    /** The jar of a revision: the stored copy, or the entry of {@code vigil.jar}. */
    InputStream open(Revision revision) throws IOException;
}
