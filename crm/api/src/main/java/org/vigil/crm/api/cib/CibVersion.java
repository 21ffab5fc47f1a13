package org.vigil.crm.api.cib;

/**
 * A CIB version as Pacemaker counts it: {@code admin_epoch} (changed only by admins, e.g. {@code cibadmin
 * --erase}), {@code epoch} (+1 per configuration change) and {@code num_updates} (+1 per status-only change,
 * reset to 0 by a configuration change). Versions compare lexicographically in that order; when copies disagree,
 * the highest wins.
 *
 * @param adminEpoch  {@code admin_epoch}
 * @param epoch       {@code epoch}
 * @param numUpdates  {@code num_updates}
 */
public record CibVersion(long adminEpoch, long epoch, long numUpdates) implements Comparable<CibVersion> {

    /** The version of an empty, never-changed CIB. */
    public static final CibVersion ZERO = new CibVersion(0, 0, 0);

    public CibVersion {
        if (adminEpoch < 0 || epoch < 0 || numUpdates < 0) {
            throw new IllegalArgumentException("a CIB version cannot be negative: " + adminEpoch + "." + epoch + "."
                + numUpdates);
        }
    }

    /** The version written in a {@code <cib>} element's attributes (missing ones are 0). */
    public static CibVersion of(XmlNode cib) {
        return new CibVersion(number(cib, "admin_epoch"), number(cib, "epoch"), number(cib, "num_updates"));
    }

    private static long number(XmlNode cib, String attr) {
        String v = cib.attribute(attr);
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(v.strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The version after a configuration change. */
    public CibVersion nextEpoch() {
        return new CibVersion(adminEpoch, epoch + 1, 0);
    }

    /** The version after a status-only change. */
    public CibVersion nextUpdate() {
        return new CibVersion(adminEpoch, epoch, numUpdates + 1);
    }

    /** {@code root} with this version in its attributes. */
    public XmlNode stamp(XmlNode root) {
        return root.with("admin_epoch", Long.toString(adminEpoch)).with("epoch", Long.toString(epoch))
            .with("num_updates", Long.toString(numUpdates));
    }

    @Override
    public int compareTo(CibVersion o) {
        int c = Long.compare(adminEpoch, o.adminEpoch);
        if (c == 0) {
            c = Long.compare(epoch, o.epoch);
        }
        return c != 0 ? c : Long.compare(numUpdates, o.numUpdates);
    }

    /** {@code admin_epoch.epoch.num_updates}, as Pacemaker's logs print a version. */
    @Override
    public String toString() {
        return adminEpoch + "." + epoch + "." + numUpdates;
    }
}
