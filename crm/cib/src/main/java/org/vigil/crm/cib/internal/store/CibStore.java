package org.vigil.crm.cib.internal.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.cib.internal.ops.CibOps;

/**
 * A node's copy of the CIB on disk: the snapshot, laid out as Pacemaker lays out {@code /var/lib/pacemaker/cib},
 * and Vigil's write-ahead log of the changes since ({@link CibLog}, {@code cib.log}). A change is durable once its
 * log record is (one append and one {@code fdatasync}); every {@value #SNAPSHOT_EVERY} changes, when the log grows
 * past {@value #SNAPSHOT_BYTES} bytes, and when the node is idle ({@link #snapshotIfBehind}), the snapshot is
 * rewritten and the log started again. The snapshot:
 * {@code cib.xml} (the configuration; {@code status} is never written and {@code num_updates} is 0), beside it
 * {@code cib.xml.sig} (Pacemaker's on-disk digest of it, {@link CibDigests#onDisk}), and the last {@code keep} versions as
 * {@code cib-N.raw} / {@code cib-N.raw.sig} (hard links made before each write), {@code cib.last} holding the next
 * N.
 *
 * <p>A write is atomic: the XML and its digest are written to temporary files and fsynced, re-read and checked,
 * renamed over the old ones, and the directory is fsynced; a crash at any point leaves either the old pair or the
 * new one, or (between the two renames) a pair that does not match, which loading detects. Loading checks the
 * digest: a {@code cib.xml} that does not match (edited by hand, or damaged) is moved aside as
 * {@code cib.auto.<time>} with a clear message and the newest backup that does match is used; with none, an
 * empty CIB.
 *
 * <p>Loading reads the snapshot, then replays the log's records in order: a record applies to the version it was
 * made from; one already in the snapshot is skipped; a torn record at the end (a crash during its append, so never
 * acknowledged) ends the replay.
 *
 * <p>Not thread-safe: one writer at a time (the {@code CibService}'s writer thread).
 */
public final class CibStore {

    /** Log records between snapshots. */
    public static final int SNAPSHOT_EVERY = 64;
    /** Log size that calls for a snapshot. */
    public static final long SNAPSHOT_BYTES = 8L << 20;

    /** Versions kept besides the current one. */
    public static final int DEFAULT_KEEP = 20;

    private final Path dir;
    private final int keep;
    private final String emptySchema;
    /** The configuration as it is on disk (snapshot + log), or null before the first load or write. */
    private XmlNode persisted;
    /** The version the snapshot file holds. */
    private org.vigil.crm.api.cib.CibVersion snapshotVersion;
    private CibLog log;

    /** What loading found: the copy and what was wrong on the way. */
    public record Loaded(CibSnapshot snapshot, String source, List<String> problems) {
    }

    public CibStore(Path dir, int keep, String emptySchema) {
        this.dir = dir;
        this.keep = Math.max(1, keep);
        this.emptySchema = emptySchema;
    }

    public Path directory() {
        return dir;
    }

    /**
     * The newest good copy on disk (snapshot and log), else an empty CIB (version 0.0.0), and opens the log for
     * the writes that follow.
     */
    public Loaded load() throws IOException {
        Loaded base = loadSnapshot();
        List<String> problems = new ArrayList<>(base.problems());
        XmlNode root = configOnly(base.snapshot().root());
        snapshotVersion = org.vigil.crm.api.cib.CibVersion.of(root);
        CibLog.Contents contents = CibLog.read(dir.resolve("cib.log"));
        int applied = 0;
        int skipped = 0;
        for (byte[] rec : contents.records()) {
            XmlNode entry;
            try {
                entry = XmlText.parse(new java.io.ByteArrayInputStream(rec), "cib.log", XmlText.DEFAULT_MAX_BYTES);
            } catch (CibException e) {
                problems.add("cib.log: an unreadable record ends the replay (" + e.getMessage() + ")");
                break;
            }
            org.vigil.crm.api.cib.CibVersion from = version(entry.attribute("base"));
            org.vigil.crm.api.cib.CibVersion to = version(entry.attribute("target"));
            org.vigil.crm.api.cib.CibVersion now = org.vigil.crm.api.cib.CibVersion.of(root);
            if (from == null || to == null || entry.firstChild("diff") == null) {
                problems.add("cib.log: a malformed record ends the replay");
                break;
            }
            if (to.compareTo(now) <= 0) {
                skipped++;   // already in the snapshot
                continue;
            }
            if (!from.equals(now)) {
                problems.add("cib.log: a record for version " + from + " does not follow " + now
                    + "; the replay stops there");
                break;
            }
            try {
                XmlNode next = org.vigil.crm.cib.internal.patch.Patcher.apply(root,
                    org.vigil.crm.cib.internal.patch.Patchset.fromXml(entry.firstChild("diff"), "cib.log"));
                root = to.stamp(next);
                applied++;
            } catch (org.vigil.crm.cib.internal.patch.Patcher.Conflict | CibException e) {
                problems.add("cib.log: the record to version " + to + " does not apply (" + e.getMessage()
                    + "); the replay stops there");
                break;
            }
        }
        if (contents.torn()) {
            problems.add("cib.log: a torn record at the end (written when the node stopped; never acknowledged) "
                + "was ignored");
        }
        persisted = root;
        if (log != null) {
            log.close();
        }
        log = Files.exists(dir) ? CibLog.open(dir.resolve("cib.log"), contents.end(), applied) : null;
        String source = base.source() + (applied > 0 ? " + " + applied + " change(s) from cib.log" : "");
        return new Loaded(new CibSnapshot(withEmptyStatus(root)), source, problems);
    }

    private static org.vigil.crm.api.cib.CibVersion version(String s) {
        if (s == null) {
            return null;
        }
        String[] p = s.split("\\.");
        try {
            return p.length == 3 ? new org.vigil.crm.api.cib.CibVersion(Long.parseLong(p[0]), Long.parseLong(p[1]),
                Long.parseLong(p[2])) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The snapshot alone: {@code cib.xml}, else the newest good backup, else empty. */
    Loaded loadSnapshot() throws IOException {
        List<String> problems = new ArrayList<>();
        Path main = dir.resolve("cib.xml");
        if (Files.exists(main)) {
            String why;
            try {
                XmlNode root = parse(main);
                why = verify(root, dir.resolve("cib.xml.sig"));
                if (why == null) {
                    return new Loaded(toSnapshot(root), main.toString(), problems);
                }
            } catch (CibException e) {
                why = e.getMessage();
            }
            Path aside = dir.resolve("cib.auto." + Instant.now().getEpochSecond());
            problems.add(main + " is not usable (" + why + "); moved it to " + aside.getFileName()
                + " and looking for the newest good backup");
            Files.move(main, aside, StandardCopyOption.REPLACE_EXISTING);
            Path sig = dir.resolve("cib.xml.sig");
            if (Files.exists(sig)) {
                Files.move(sig, dir.resolve(aside.getFileName() + ".sig"), StandardCopyOption.REPLACE_EXISTING);
            }
            List<Path> backups;
            try (var files = Files.list(dir)) {
                backups = files.filter(p -> p.getFileName().toString().matches("cib-\\d+\\.raw"))
                    .sorted(Comparator.comparing(CibStore::mtime).reversed()).toList();
            }
            for (Path b : backups) {
                String bwhy;
                try {
                    XmlNode root = parse(b);
                    bwhy = verify(root, dir.resolve(b.getFileName() + ".sig"));
                    if (bwhy == null) {
                        CibSnapshot s = toSnapshot(root);
                        problems.add("using backup " + b.getFileName() + " (version " + s.version() + ")");
                        return new Loaded(s, b.toString(), problems);
                    }
                } catch (CibException e) {
                    bwhy = e.getMessage();
                }
                problems.add("backup " + b.getFileName() + " is not usable either (" + bwhy + ")");
            }
            problems.add("no good copy on disk: starting with an empty CIB");
        }
        return new Loaded(new CibSnapshot(CibOps.empty(emptySchema)), "empty", problems);
    }

    private static long mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static XmlNode parse(Path f) throws IOException, CibException {
        try (InputStream in = Files.newInputStream(f)) {
            return XmlText.parse(in, f.toString(), XmlText.DEFAULT_MAX_BYTES);
        }
    }

    /** What loading keeps: the configuration, without status and {@code dc-uuid}, {@code num_updates} 0. */
    private static CibSnapshot toSnapshot(XmlNode root) throws CibException {
        if (!root.is("cib")) {
            throw new CibException(null, root.line(), root.column(), "the document element is <" + root.name()
                + ">, not <cib>");
        }
        return new CibSnapshot(withEmptyStatus(root).without("dc-uuid").with("num_updates", "0"));
    }

    private static XmlNode withEmptyStatus(XmlNode root) {
        for (int i = 0; i < root.children().size(); i++) {
            if (root.children().get(i).is("status")) {
                return root.withChild(i, XmlNode.of("status"));
            }
        }
        return root.plusChild(XmlNode.of("status"));
    }

    /** Null if the document matches the on-disk digest in {@code sig}, else why not. */
    static String verify(XmlNode root, Path sig) {
        try {
            if (!Files.exists(sig)) {
                return "its digest file " + sig.getFileName() + " is missing";
            }
            String expected = Files.readString(sig, StandardCharsets.US_ASCII).strip();
            return CibDigests.onDisk(root).equalsIgnoreCase(expected) ? null : "its content does not match "
                + sig.getFileName() + " (modified by hand, or damaged)";
        } catch (IOException e) {
            return "cannot read its digest: " + e.getMessage();
        }
    }

    static String md5(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What goes to disk of a copy: the configuration, without status and dc-uuid, num_updates 0. */
    static XmlNode configOnly(XmlNode root) {
        return withoutStatus(root).without("dc-uuid").with("num_updates", "0");
    }

    /**
     * Makes a copy's configuration durable: one log record (the change since what is on disk), or a snapshot when
     * it is time for one. Nothing is written when the configuration is what is on disk already.
     *
     * @throws IOException with the cause in one line; what was on disk stays valid
     */
    public void write(CibSnapshot snapshot) throws IOException {
        XmlNode root = configOnly(snapshot.root());
        if (persisted != null && root.equals(persisted)) {
            return;
        }
        if (persisted == null || log == null || !Files.exists(dir.resolve("cib.xml"))) {
            snapshot(root);   // the first copy on disk is a snapshot, so cib.xml is there for the admin to read
            return;
        }
        org.vigil.crm.cib.internal.patch.Patchset p = org.vigil.crm.cib.internal.patch.Differ.diff(persisted, root,
            org.vigil.crm.api.cib.CibVersion.of(persisted), org.vigil.crm.api.cib.CibVersion.of(root));
        XmlNode entry = XmlNode.of("log-entry", "base", org.vigil.crm.api.cib.CibVersion.of(persisted).toString(),
            "target", org.vigil.crm.api.cib.CibVersion.of(root).toString()).plusChild(p.toXml());
        try {
            log.append(entry.toXml());
        } catch (IOException e) {
            throw new IOException("cannot append to " + log.file() + ": " + oneLine(e), e);
        }
        persisted = root;
        if (log.records() >= SNAPSHOT_EVERY || log.bytes() >= SNAPSHOT_BYTES) {
            snapshot(root);
        }
    }

    /** Rewrites the snapshot when the log holds changes (the node is idle: a good time). */
    public void snapshotIfBehind() throws IOException {
        if (persisted != null && log != null && log.records() > 0) {
            snapshot(persisted);
        }
    }

    /** The snapshot rewritten from {@code root}, then a new, empty log. */
    private void snapshot(XmlNode root) throws IOException {
        writeSnapshot(root);
        persisted = root;
        snapshotVersion = org.vigil.crm.api.cib.CibVersion.of(root);
        if (log != null) {
            log.close();
        }
        log = CibLog.create(dir.resolve("cib.log"));
    }

    /** Changes in the log since the snapshot (for tests and stats). */
    public int logRecords() {
        return log == null ? 0 : log.records();
    }

    /**
     * Writes the snapshot atomically, keeping the one it replaces as a backup.
     *
     * @throws IOException with the cause in one line; the files on disk are then the old ones
     */
    void writeSnapshot(XmlNode root) throws IOException {
        Files.createDirectories(dir);
        byte[] xml = root.toPrettyXml().getBytes(StandardCharsets.UTF_8);
        String digest = CibDigests.onDisk(root);
        byte[] sig = digest.getBytes(StandardCharsets.US_ASCII);
        Path main = dir.resolve("cib.xml");
        Path mainSig = dir.resolve("cib.xml.sig");
        Path tmp = Files.createTempFile(dir, "cib.xml.", ".tmp");
        Path tmpSig = Files.createTempFile(dir, "cib.xml.sig.", ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            write(tmp, xml);
            write(tmpSig, sig);
            try {
                if (!CibDigests.onDisk(parse(tmp)).equals(digest)) {
                    throw new IOException("the temporary copy " + tmp + " does not read back as written");
                }
            } catch (CibException e) {
                throw new IOException("the temporary copy " + tmp + " does not read back: " + e.getMessage());
            }
            if (Files.exists(main) && Files.exists(mainSig)) {
                backup(main, mainSig);
            }
            move(tmp, main);
            move(tmpSig, mainSig);
            fsyncDir(dir);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(tmpSig);
            throw new IOException("cannot write " + main + ": " + oneLine(e), e);
        }
    }

    private static XmlNode withoutStatus(XmlNode root) {
        for (int i = 0; i < root.children().size(); i++) {
            if (root.children().get(i).is("status")) {
                return root.minusChild(i);
            }
        }
        return root;
    }

    private void backup(Path main, Path mainSig) throws IOException {
        Path last = dir.resolve("cib.last");
        int n = 0;
        if (Files.exists(last)) {
            try {
                n = Integer.parseInt(Files.readString(last).strip());
            } catch (NumberFormatException e) {
                n = 0;
            }
        }
        n = Math.floorMod(n, keep);
        Path raw = dir.resolve("cib-" + n + ".raw");
        Path rawSig = dir.resolve("cib-" + n + ".raw.sig");
        Files.deleteIfExists(raw);
        Files.deleteIfExists(rawSig);
        link(raw, main);
        link(rawSig, mainSig);
        Path tmp = Files.createTempFile(dir, "cib.last.", ".tmp");
        write(tmp, Integer.toString((n + 1) % keep).getBytes(StandardCharsets.US_ASCII));
        move(tmp, last);
    }

    private static void link(Path link, Path target) throws IOException {
        try {
            Files.createLink(link, target);
        } catch (UnsupportedOperationException | FileAlreadyExistsException e) {
            Files.copy(target, link, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void write(Path f, byte[] b) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void fsyncDir(Path d) {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot sync a directory; the renames are atomic anyway
        }
    }

    static String oneLine(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
