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
 * A node's copy of the CIB on disk, laid out as Pacemaker lays out {@code /var/lib/pacemaker/cib}:
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
 * <p>Not thread-safe: one writer at a time (the {@code CibService}'s writer thread).
 */
public final class CibStore {

    /** Versions kept besides the current one. */
    public static final int DEFAULT_KEEP = 20;

    private final Path dir;
    private final int keep;
    private final String emptySchema;

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

    /** The newest good copy on disk, else an empty CIB (version 0.0.0). */
    public Loaded load() throws IOException {
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

    /**
     * Writes a copy (its configuration) atomically, keeping the one it replaces as a backup.
     *
     * @throws IOException with the cause in one line; the files on disk are then the old ones
     */
    public void write(CibSnapshot snapshot) throws IOException {
        Files.createDirectories(dir);
        XmlNode root = withoutStatus(snapshot.root()).without("dc-uuid").with("num_updates", "0");
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

    private static void fsyncDir(Path d) {
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
