package org.vigil.shell.internal;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.osgi.framework.Bundle;
import org.osgi.framework.Version;
import org.vigil.kernel.api.BundleLedger;
import org.osgi.framework.startlevel.BundleStartLevel;

/** Formatting of bundle states, shared by the status, bundles and upgrade commands. */
final class Bundles {

    private Bundles() {
    }

    static String state(Bundle b) {
        return switch (b.getState()) {
            case Bundle.ACTIVE -> "Active";
            case Bundle.RESOLVED -> "Resolved";
            case Bundle.INSTALLED -> "Installed";
            case Bundle.STARTING -> "Starting";
            case Bundle.STOPPING -> "Stopping";
            case Bundle.UNINSTALLED -> "Uninstalled";
            default -> "Unknown";
        };
    }

    static int startLevel(Bundle b) {
        BundleStartLevel sl = b.adapt(BundleStartLevel.class);
        return sl == null ? 0 : sl.getStartLevel();
    }

    /** One line of the bundle table: id, state, level, version, symbolic name, origin. */
    static String line(Bundle b, BundleLedger ledger) {
        return String.format("%4d  %-9s %5d  %-28s %-40s %s", b.getBundleId(), state(b), startLevel(b), b.getVersion(),
            b.getSymbolicName(), origin(b, ledger));
    }

    static String header() {
        return String.format("%4s  %-9s %5s  %-28s %-40s %s", "ID", "State", "Level", "Version", "Symbolic name",
            "Origin");
    }

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /**
     * Where the running revision came from: {@code vigil.jar} (the distribution), {@code upgrade <time> from
     * <file>} (kept in the ledger), {@code framework}, or {@code not in the ledger} for a bundle installed by other
     * means (a Gogo {@code install}, say), which is not restarted with the node.
     */
    static String origin(Bundle b, BundleLedger ledger) {
        if (b.getBundleId() == 0) {
            return "framework";
        }
        String bsn = b.getSymbolicName();
        Optional<BundleLedger.Revision> r = bsn == null || ledger == null ? Optional.empty() : ledger.current(bsn);
        if (r.isEmpty() || !Version.parseVersion(r.get().version()).equals(b.getVersion())) {
            return "not in the ledger";
        }
        if (r.get().embedded()) {
            return "vigil.jar";
        }
        return "upgrade " + WHEN.format(Instant.ofEpochMilli(r.get().installedAtMillis()).atZone(ZoneId.systemDefault()))
            + " from " + r.get().source();
    }

    /** Uptime as corosync-style {@code [d days, ]hh:mm:ss}. */
    static String uptime(long millis) {
        long s = millis / 1000;
        long d = s / 86400;
        String hms = String.format("%02d:%02d:%02d", (s / 3600) % 24, (s / 60) % 60, s % 60);
        return d > 0 ? d + (d == 1 ? " day, " : " days, ") + hms : hms;
    }
}
