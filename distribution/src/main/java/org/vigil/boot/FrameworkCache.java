package org.vigil.boot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.startlevel.BundleStartLevel;

/**
 * Keeps the Felix bundle cache of a state directory from one start to the next when nothing it was made from
 * changed, so a restarted node skips copying and installing its ~40 bundles.
 *
 * <p>After a start installed the bundles, {@link #record} writes {@code <state dir>/felix-cache.stamp}: the
 * <em>sources</em> (the distribution jar's path, size and modification time, the SHA-256 of the bundle ledger, the
 * Java version) and the <em>bundles</em> the framework then held (id, location, last-modified time, start level).
 * The next start reuses the cache only if the sources are the same ({@link #sourcesMatch}, checked before the
 * framework is made) and, once the framework has read its cache, every bundle is still there with the same
 * id, location, last-modified time and start level and is persistently started ({@link #bundlesMatch}): an
 * upgrade in place, a rollback, a bundle added, removed or stopped through the framework, a rebuilt
 * distribution or a damaged cache entry each make one of them differ, and the node cleans the cache and installs
 * every bundle anew, as it always did before. The stamp is removed before a start that installs anew and written
 * only once the installation is complete, so a crash in between leaves no stamp (the next start installs anew).
 */
final class FrameworkCache {

    private static final String SOURCES = "source ";
    private static final String BUNDLE = "bundle ";

    private final Path stamp;
    private final List<String> sources;

    /**
     * @param stateDir        the node's state directory
     * @param distributionJar the distribution's {@code vigil.jar}
     * @param ledger          the bundle ledger file (it may not exist)
     */
    FrameworkCache(Path stateDir, Path distributionJar, Path ledger) throws IOException {
        this.stamp = stateDir.resolve("felix-cache.stamp");
        List<String> s = new ArrayList<>();
        Path jar = distributionJar.toAbsolutePath();
        s.add(SOURCES + "jar " + jar + " " + Files.size(jar) + " " + Files.getLastModifiedTime(jar).toMillis());
        s.add(SOURCES + "ledger " + sha256(ledger));
        s.add(SOURCES + "java " + System.getProperty("java.vm.version"));
        this.sources = List.copyOf(s);
    }

    /** True when the stamp exists and names the same sources as now. */
    boolean sourcesMatch() {
        List<String> lines = read();
        return lines != null && lines.stream().filter(l -> l.startsWith(SOURCES)).toList().equals(sources);
    }

    /**
     * Whether the framework, after reading its cache, holds exactly the bundles recorded, each unchanged and
     * persistently started; null if so, else what differs (for the log line).
     */
    String bundlesMatch(BundleContext ctx) {
        List<String> lines = read();
        if (lines == null) {
            return "no stamp";
        }
        List<String> want = lines.stream().filter(l -> l.startsWith(BUNDLE)).toList();
        List<String> have = bundleLines(ctx);
        if (want.isEmpty() || !want.equals(have)) {
            for (String w : want) {
                if (!have.contains(w)) {
                    return "cached bundle differs from the recorded one (" + w.substring(BUNDLE.length()) + ")";
                }
            }
            return "the cache holds " + have.size() + " bundles, " + want.size() + " recorded";
        }
        for (Bundle b : ctx.getBundles()) {
            if (b.getBundleId() != 0 && b.getHeaders().get(Constants.FRAGMENT_HOST) == null
                && !b.adapt(BundleStartLevel.class).isPersistentlyStarted()) {
                return b.getSymbolicName() + " is not marked to start";
            }
        }
        return null;
    }

    /** Records the sources and the framework's bundles, atomically. */
    void record(BundleContext ctx) throws IOException {
        List<String> lines = new ArrayList<>(sources);
        lines.addAll(bundleLines(ctx));
        Path tmp = stamp.resolveSibling(stamp.getFileName() + ".tmp");
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        Files.move(tmp, stamp, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Removes the stamp (before an installation, and when a start fails). */
    void forget() {
        try {
            Files.deleteIfExists(stamp);
        } catch (IOException e) {
            // a stamp that stays would still be checked against the bundles at the next start
        }
    }

    private static List<String> bundleLines(BundleContext ctx) {
        List<String> out = new ArrayList<>();
        for (Bundle b : ctx.getBundles()) {
            if (b.getBundleId() == 0) {
                continue;
            }
            out.add(BUNDLE + b.getBundleId() + " " + b.getLocation() + " " + b.getLastModified() + " "
                + b.adapt(BundleStartLevel.class).getStartLevel());
        }
        return out;
    }

    private List<String> read() {
        try {
            return Files.readAllLines(stamp, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    private static String sha256(Path f) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
        } catch (NoSuchFileException e) {
            return "none";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
