package org.vigil.kernel.internal.boot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import org.vigil.kernel.api.BundleLedger;

/**
 * The {@link BundleLedger} on disk: {@code <state dir>/bundles/} holds the jar of every upgraded revision still
 * current or previous, and the file {@code ledger} names, per bundle, the current and previous revision.
 *
 * <p>Used by the node launcher before the framework starts (plain class path) and by the kernel bundle at run
 * time; both only ever read or replace whole files, each written atomically (temporary file, fsync, rename,
 * fsync of the directory), so a crash at any point leaves either the old or the new ledger.
 *
 * <p>Ledger line format, one per bundle and role:
 * {@code <bsn> current|previous <version> <sha256|-> <stored file|-> <epoch ms> <source>} (the source is the
 * rest of the line).
 *
 * <p>Thread-safe (synchronized).
 */
public final class BundleStore implements BundleLedger {

    /** The source named for the distribution's own revisions. */
    public static final String DISTRIBUTION = "vigil.jar";

    private static final String LEDGER = "ledger";

    private final Path dir;
    private final Path distributionJar;
    private final Map<String, Revision[]> entries = new TreeMap<>();
    private Map<String, Embedded> embedded;

    /** A bundle embedded in the distribution jar. */
    public record Embedded(String symbolicName, String version, String entry) {
    }

    private BundleStore(Path dir, Path distributionJar) {
        this.dir = dir;
        this.distributionJar = distributionJar;
    }

    /**
     * Opens the store of a state directory (nothing is created until something is staged).
     *
     * @param distributionJar the distribution's {@code vigil.jar}, or null if there is none (tests)
     * @throws IOException if the ledger exists but cannot be read, or is malformed (message names file and line)
     */
    public static BundleStore open(Path stateDir, Path distributionJar) throws IOException {
        BundleStore s = new BundleStore(stateDir.resolve("bundles"), distributionJar);
        s.load();
        return s;
    }

    /** The directory holding the stored jars and the ledger. */
    public Path directory() {
        return dir;
    }

    private void load() throws IOException {
        Path f = dir.resolve(LEDGER);
        if (!Files.exists(f)) {
            return;
        }
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] p = line.split(" ", 7);
            if (p.length != 7 || !(p[1].equals("current") || p[1].equals("previous"))) {
                throw new IOException(f + ":" + (i + 1) + ": malformed ledger line");
            }
            long at;
            try {
                at = Long.parseLong(p[5]);
            } catch (NumberFormatException e) {
                throw new IOException(f + ":" + (i + 1) + ": malformed time '" + p[5] + "'");
            }
            Revision r = new Revision(p[0], p[2], p[6], at, p[3].equals("-") ? "" : p[3],
                p[4].equals("-") ? null : p[4]);
            entries.computeIfAbsent(p[0], k -> new Revision[2])[p[1].equals("current") ? 0 : 1] = r;
        }
        entries.values().removeIf(e -> e[0] == null);
    }

    /** The bundles embedded in the distribution, by symbolic name (read once). */
    public synchronized Map<String, Embedded> embedded() {
        if (embedded == null) {
            Map<String, Embedded> m = new LinkedHashMap<>();
            if (distributionJar != null && Files.exists(distributionJar)) {
                try (JarFile jf = new JarFile(distributionJar.toFile())) {
                    var en = jf.entries();
                    while (en.hasMoreElements()) {
                        var e = en.nextElement();
                        if (!e.getName().endsWith(".jar")) {
                            continue;
                        }
                        try (JarInputStream in = new JarInputStream(jf.getInputStream(e))) {
                            Manifest mf = in.getManifest();
                            String bsn = mf == null ? null : mf.getMainAttributes().getValue("Bundle-SymbolicName");
                            if (bsn != null) {
                                String name = bsn.split(";")[0].strip();
                                String v = mf.getMainAttributes().getValue("Bundle-Version");
                                m.put(name, new Embedded(name, v == null ? "0.0.0" : v, e.getName()));
                            }
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(distributionJar + ": " + e.getMessage(), e);
                }
            }
            embedded = m;
        }
        return embedded;
    }

    private Optional<Revision> embeddedRevision(String bsn) {
        Embedded e = embedded().get(bsn);
        return e == null ? Optional.empty()
            : Optional.of(new Revision(bsn, e.version(), DISTRIBUTION, 0, "", null));
    }

    @Override
    public synchronized Optional<Revision> current(String bsn) {
        Revision[] e = entries.get(bsn);
        return e != null ? Optional.of(e[0]) : embeddedRevision(bsn);
    }

    @Override
    public synchronized Optional<Revision> previous(String bsn) {
        Revision[] e = entries.get(bsn);
        return e == null ? Optional.empty() : Optional.ofNullable(e[1]);
    }

    @Override
    public synchronized List<Revision> upgraded() {
        List<Revision> out = new ArrayList<>();
        for (Revision[] e : entries.values()) {
            if (!e[0].embedded()) {
                out.add(e[0]);
            }
        }
        return out;
    }

    @Override
    public synchronized Revision stage(String bsn, String version, Path jar, String source) throws IOException {
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".stage-", ".jar");
        try {
            MessageDigest md = sha256();
            try (InputStream in = new DigestInputStream(Files.newInputStream(jar), md);
                 OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
                in.transferTo(out);
            }
            fsync(tmp);
            String sha = HexFormat.of().formatHex(md.digest());
            String name = safe(bsn) + "-" + safe(version) + "-" + sha.substring(0, 12) + ".jar";
            move(tmp, dir.resolve(name));
            fsyncDir(dir);
            return new Revision(bsn, version, source, System.currentTimeMillis(), sha, name);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot store " + jar + " in " + dir + ": " + oneLine(e), e);
        }
    }

    @Override
    public synchronized void commit(Revision staged) throws IOException {
        Optional<Revision> old = current(staged.symbolicName());
        Revision[] before = entries.get(staged.symbolicName());
        Revision prev = old.filter(o -> !sameRevision(o, staged)).orElse(previous(staged.symbolicName()).orElse(null));
        entries.put(staged.symbolicName(), new Revision[] {staged, prev});
        try {
            write();
        } catch (IOException e) {
            restore(staged.symbolicName(), before);
            throw e;
        }
        collect(staged.symbolicName());
    }

    @Override
    public synchronized void discard(Revision staged) {
        if (staged.storedName() == null || referenced().contains(staged.storedName())) {
            return;
        }
        try {
            Files.deleteIfExists(dir.resolve(staged.storedName()));
        } catch (IOException e) {
            // a leftover file is harmless: it is removed by the next collection
        }
    }

    @Override
    public synchronized void commitRollback(String bsn) throws IOException {
        Revision[] before = entries.get(bsn);
        Optional<Revision> cur = current(bsn);
        Optional<Revision> prev = previous(bsn);
        if (cur.isEmpty()) {
            throw new IOException(bsn + " is not known to the bundle ledger");
        }
        if (prev.isPresent()) {
            entries.put(bsn, new Revision[] {prev.get(), cur.get()});
        } else if (embedded().containsKey(bsn)) {
            throw new IOException(bsn + " runs the distribution's own revision; there is nothing to roll back to");
        } else {
            entries.remove(bsn);
        }
        try {
            write();
        } catch (IOException e) {
            restore(bsn, before);
            throw e;
        }
        collect(bsn);
    }

    @Override
    public InputStream open(Revision r) throws IOException {
        if (!r.embedded()) {
            return Files.newInputStream(dir.resolve(r.storedName()));
        }
        Embedded e = embedded().get(r.symbolicName());
        if (e == null || distributionJar == null) {
            throw new NoSuchFileException(DISTRIBUTION + " has no bundle " + r.symbolicName());
        }
        JarFile jf = new JarFile(distributionJar.toFile());
        InputStream in = jf.getInputStream(jf.getEntry(e.entry()));
        return new java.io.FilterInputStream(in) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    jf.close();
                }
            }
        };
    }

    /**
     * Checks that a stored revision's jar is present and has the recorded digest.
     *
     * @return null if it is usable, else why not (one line)
     */
    public String verify(Revision r) {
        if (r.embedded()) {
            return embedded().containsKey(r.symbolicName()) ? null : DISTRIBUTION + " has no " + r.symbolicName();
        }
        Path f = dir.resolve(r.storedName());
        try {
            MessageDigest md = sha256();
            try (InputStream in = new DigestInputStream(Files.newInputStream(f), md)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            String sha = HexFormat.of().formatHex(md.digest());
            return sha.equals(r.sha256()) ? null : f + " does not match its recorded SHA-256 (modified or damaged)";
        } catch (IOException e) {
            return f + ": " + oneLine(e);
        }
    }

    /** Path of a stored revision's jar (null for the distribution's own). */
    public Path file(Revision r) {
        return r.embedded() ? null : dir.resolve(r.storedName());
    }

    private static boolean sameRevision(Revision a, Revision b) {
        return a.version().equals(b.version()) && java.util.Objects.equals(a.storedName(), b.storedName());
    }

    private void restore(String bsn, Revision[] before) {
        if (before == null) {
            entries.remove(bsn);
        } else {
            entries.put(bsn, before);
        }
    }

    private Set<String> referenced() {
        Set<String> s = new HashSet<>();
        for (Revision[] e : entries.values()) {
            for (Revision r : e) {
                if (r != null && r.storedName() != null) {
                    s.add(r.storedName());
                }
            }
        }
        return s;
    }

    /** Removes stored jars of {@code bsn} that are neither current nor previous. */
    private void collect(String bsn) {
        Set<String> keep = referenced();
        String prefix = safe(bsn) + "-";
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String n = p.getFileName().toString();
                if ((n.startsWith(prefix) && n.endsWith(".jar") && !keep.contains(n)) || n.startsWith(".stage-")) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            // stale jars are harmless
        }
    }

    private void write() throws IOException {
        StringBuilder b = new StringBuilder("# Vigil bundle ledger: the revision of every plug-in upgraded in place. "
            + "Written by the node; do not edit.\n");
        for (Map.Entry<String, Revision[]> e : entries.entrySet()) {
            line(b, "current", e.getValue()[0]);
            if (e.getValue()[1] != null) {
                line(b, "previous", e.getValue()[1]);
            }
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".ledger-", ".tmp");
        try {
            Files.writeString(tmp, b, StandardCharsets.UTF_8, StandardOpenOption.WRITE);
            fsync(tmp);
            move(tmp, dir.resolve(LEDGER));
            fsyncDir(dir);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot write " + dir.resolve(LEDGER) + ": " + oneLine(e), e);
        }
    }

    private static void line(StringBuilder b, String role, Revision r) {
        b.append(r.symbolicName()).append(' ').append(role).append(' ').append(r.version()).append(' ')
            .append(r.sha256().isEmpty() ? "-" : r.sha256()).append(' ')
            .append(r.storedName() == null ? "-" : r.storedName()).append(' ').append(r.installedAtMillis())
            .append(' ').append(r.source().replace('\n', ' ')).append('\n');
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void fsync(Path f) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    static void fsyncDir(Path d) {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot sync a directory; the rename itself is still atomic
        }
    }

    /** An I/O error in one line, with the operating system's reason when there is one. */
    public static String oneLine(IOException e) {
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
