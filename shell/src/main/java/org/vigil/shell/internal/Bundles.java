package org.vigil.shell.internal;

import org.osgi.framework.Bundle;
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

    /** One line of the bundle table: id, state, level, version, symbolic name. */
    static String line(Bundle b) {
        return String.format("%4d  %-9s %5d  %-28s %s", b.getBundleId(), state(b), startLevel(b), b.getVersion(),
            b.getSymbolicName());
    }

    static String header() {
        return String.format("%4s  %-9s %5s  %-28s %s", "ID", "State", "Level", "Version", "Symbolic name");
    }

    /** Uptime as corosync-style {@code [d days, ]hh:mm:ss}. */
    static String uptime(long millis) {
        long s = millis / 1000;
        long d = s / 86400;
        String hms = String.format("%02d:%02d:%02d", (s / 3600) % 24, (s / 60) % 60, s % 60);
        return d > 0 ? d + (d == 1 ? " day, " : " days, ") + hms : hms;
    }
}
