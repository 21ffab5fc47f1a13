package org.vigil.kernel.internal.totem;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A node's release ({@code major.minor}) and feature set, as it announces them in the trailer of its Totem JOIN
 * (see {@link TotemCodec}), and the compatibility rule between two releases.
 *
 * <p><b>The rule</b> (docs/design/versioning.md): two nodes work on one ring when their releases have the same
 * major number and minor numbers at most one apart (N and N+1). Any other pair refuses each other's JOIN. A ring's
 * effective feature set is the intersection of its members' sets; a feature is used only while it is in it.
 *
 * <p>The release comes from one place: the kernel's {@code release.properties}, which the build fills with the
 * project version (resource filtering in {@code kernel/pom.xml}). Tests only may override it with the system
 * property {@value #PROPERTY} ({@code M.m}) and add feature bits with {@value #FEATURES_PROPERTY} (hex).
 *
 * @param major    the major release number (0..65535)
 * @param minor    the minor release number (0..65535)
 * @param features a bit set, bit i meaning {@link #FEATURE_NAMES}{@code [i]} (bits this release does not know
 *                 are carried but never used)
 */
public record Release(int major, int minor, long features) {

    /** Test-only override of the release, {@code M.m}. */
    public static final String PROPERTY = "vigil.release";
    /** Test-only extra feature bits (hex), or'ed into this release's set. */
    public static final String FEATURES_PROPERTY = "vigil.release.features";

    /**
     * The features this code knows, by bit. Append only: a bit keeps its meaning in every later release.
     * <ul>
     *   <li>0 {@code join-release}: the JOIN carries the release trailer;</li>
     *   <li>1 {@code refused-notice}: a refused node is told so with a REFUSED datagram.</li>
     * </ul>
     */
    static final String[] FEATURE_NAMES = {"join-release", "refused-notice"};
    /** Every feature this release has. */
    public static final long OWN_FEATURES = 0b11;

    private static final Release CURRENT = load();

    public Release {
        if (major < 0 || major > 0xFFFF || minor < 0 || minor > 0xFFFF) {
            throw new IllegalArgumentException("release numbers must be 0..65535: " + major + "." + minor);
        }
    }

    /** This node's release: the build's, or the test override. */
    public static Release current() {
        return CURRENT;
    }

    private static Release load() {
        String version = null;
        try (InputStream in = Release.class.getResourceAsStream("release.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                version = p.getProperty("version");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the kernel's release.properties", e);
        }
        if (version == null || version.startsWith("$")) {
            throw new IllegalStateException("the kernel's release.properties has no version (a build without "
                + "resource filtering?)");
        }
        Release built = parse(version, OWN_FEATURES);
        String override = System.getProperty(PROPERTY);
        long extra = Long.parseUnsignedLong(System.getProperty(FEATURES_PROPERTY, "0"), 16);
        Release r = override == null || override.isBlank() ? built : parse(override.strip(), OWN_FEATURES);
        return new Release(r.major, r.minor, r.features | extra);
    }

    /**
     * Parses {@code M.m} or a project version {@code M.m.p[-qualifier]}.
     *
     * @throws IllegalArgumentException naming the text when it is not one
     */
    public static Release parse(String version, long features) {
        String[] parts = version.split("[.-]");
        try {
            if (parts.length < 2) {
                throw new NumberFormatException();
            }
            return new Release(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), features);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a release (major.minor): '" + version + "'");
        }
    }

    /** The compatibility rule: same major, minor at most one apart. Symmetric. */
    public boolean compatible(Release other) {
        return other != null && major == other.major && Math.abs(minor - other.minor) <= 1;
    }

    /** Why {@code joiner} cannot join a ring of {@code ring}'s release, in words for logs and cmap. */
    public static String refusal(Release joiner, Release ring) {
        return "release " + joiner.version() + " cannot join a ring of release " + ring.version()
            + " (releases work together only with the same major number and minor numbers at most one apart)";
    }

    /**
     * True when this is release {@code major.minor} (features aside). A REFUSED notice names the release it
     * refused: one that is not this node's own refused an earlier run of this node (its refuser has not heard of
     * this run yet), and is stale.
     */
    public boolean isVersion(int major, int minor) {
        return this.major == major && this.minor == minor;
    }

    /** {@code major.minor}. */
    public String version() {
        return major + "." + minor;
    }

    /** The names of the bits of a feature set (unknown bits as {@code bit<N>}), in bit order. */
    public static List<String> featureNames(long bits) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            if ((bits & (1L << i)) != 0) {
                names.add(i < FEATURE_NAMES.length ? FEATURE_NAMES[i] : "bit" + i);
            }
        }
        return names;
    }

    @Override
    public String toString() {
        return version() + " " + featureNames(features);
    }
}
