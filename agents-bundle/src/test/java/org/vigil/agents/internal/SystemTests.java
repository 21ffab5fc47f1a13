package org.vigil.agents.internal;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CI switch {@code -Dvigil.systemTests=true} ({@code .ci/test.sh} sets it when it runs as root, after
 * installing {@code .ci/packages}). A test that needs something from the machine (a runner helper, python3, a C
 * compiler, a package) skips without it on a developer machine, and fails without it under the switch: there the
 * prerequisites are installed, so a missing one is a broken setup, never a reason to pass silently.
 */
public final class SystemTests {

    private SystemTests() {
    }

    /** True when the system tests are switched on (CI). */
    public static boolean on() {
        return Boolean.getBoolean("vigil.systemTests");
    }

    /**
     * Returns when {@code present}; otherwise fails the calling test under the switch and skips it without.
     *
     * @param present whether the prerequisite is there
     * @param missing what is missing, for the message
     */
    public static void require(boolean present, String missing) {
        if (present) {
            return;
        }
        if (on()) {
            fail("vigil.systemTests is set but the test's prerequisite is missing (see .ci/packages): " + missing);
        }
        assumeTrue(false, missing);
    }
}
