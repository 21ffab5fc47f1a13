package org.vigil.itest.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Registered with {@code @RegisterExtension} by a system test whose nodes write their logs and state into one
 * directory: it notes whether any test of the class failed, and {@link #cleanUp} then keeps the directory for a
 * look (saying where it is) or deletes it.
 */
public final class KeepOnFailure implements TestWatcher {

    private volatile boolean failed;

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        failed = true;
    }

    /** Whether a test of the class failed so far. */
    public boolean failed() {
        return failed;
    }

    /** After the class's tests: {@code dir} (null: nothing was made) is kept when a test failed, else deleted. */
    public void cleanUp(String test, Path dir) throws IOException {
        if (dir == null) {
            return;
        }
        if (failed || Boolean.getBoolean("vigil.it.keep")) {
            // -Dvigil.it.keep=true: kept after a success too (to read the nodes' logs of a measured run)
            System.out.println(test + ": the nodes' logs and state are in " + dir);
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
