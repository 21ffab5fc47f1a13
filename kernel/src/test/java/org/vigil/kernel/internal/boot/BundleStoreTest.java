package org.vigil.kernel.internal.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.kernel.api.BundleLedger.Revision;

/**
 * The bundle ledger on disk: an upgrade is staged, committed (current, with the one it replaced kept as previous),
 * survives a reopen (a node restart), rolls back and forth, and a damaged stored jar is detected.
 */
class BundleStoreTest {

    @TempDir
    Path dir;

    private Path bundle(String name, String bsn, String version, String content) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Bundle-SymbolicName", bsn);
        mf.getMainAttributes().putValue("Bundle-Version", version);
        Path f = dir.resolve(name);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(f), mf)) {
            out.putNextEntry(new ZipEntry("content.txt"));
            out.write(content.getBytes());
        }
        return f;
    }

    /** A distribution jar embedding one bundle, as bnd exports vigil.jar. */
    private Path distribution(Path embedded) throws IOException {
        Path f = dir.resolve("vigil.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(f))) {
            out.putNextEntry(new ZipEntry("jar/" + embedded.getFileName()));
            Files.copy(embedded, out);
        }
        return f;
    }

    private static byte[] read(BundleStore s, Revision r) throws IOException {
        try (InputStream in = s.open(r)) {
            return in.readAllBytes();
        }
    }

    @Test
    void anUpgradeIsKeptAcrossARestartAndRollsBackToTheDistributionsOwn() throws Exception {
        Path v1 = bundle("t-1.jar", "org.vigil.t", "1.0.0", "one");
        Path dist = distribution(v1);
        Path state = dir.resolve("state");
        BundleStore s = BundleStore.open(state, dist);
        Revision shipped = s.current("org.vigil.t").orElseThrow();
        assertTrue(shipped.embedded());
        assertEquals("1.0.0", shipped.version());
        assertArrayEquals(Files.readAllBytes(v1), read(s, shipped));

        Path v2 = bundle("t-2.jar", "org.vigil.t", "2.0.0", "two");
        Revision staged = s.stage("org.vigil.t", "2.0.0", v2, v2.toString());
        assertTrue(s.current("org.vigil.t").orElseThrow().embedded(), "staging changes nothing");
        s.commit(staged);
        byte[] v2bytes = Files.readAllBytes(v2);
        Files.delete(v2);   // the store keeps its own copy

        BundleStore reopened = BundleStore.open(state, dist);
        Revision cur = reopened.current("org.vigil.t").orElseThrow();
        assertEquals("2.0.0", cur.version());
        assertEquals(dir.resolve("t-2.jar").toString(), cur.source());
        assertNull(reopened.verify(cur));
        assertArrayEquals(v2bytes, read(reopened, cur));
        assertTrue(reopened.previous("org.vigil.t").orElseThrow().embedded());
        assertEquals(1, reopened.upgraded().size());

        reopened.commitRollback("org.vigil.t");
        BundleStore back = BundleStore.open(state, dist);
        assertTrue(back.current("org.vigil.t").orElseThrow().embedded());
        assertEquals("2.0.0", back.previous("org.vigil.t").orElseThrow().version(), "the upgrade is kept");
        assertTrue(back.upgraded().isEmpty());
        back.commitRollback("org.vigil.t");
        assertEquals("2.0.0", BundleStore.open(state, dist).current("org.vigil.t").orElseThrow().version());
    }

    @Test
    void onlyTheCurrentAndPreviousJarsAreKept() throws Exception {
        Path state = dir.resolve("state");
        BundleStore s = BundleStore.open(state, null);
        for (int v = 1; v <= 4; v++) {
            Path j = bundle("n-" + v + ".jar", "org.vigil.n", v + ".0.0", "v" + v);
            s.commit(s.stage("org.vigil.n", v + ".0.0", j, j.toString()));
        }
        long jars;
        try (var l = Files.list(s.directory())) {
            jars = l.filter(p -> p.toString().endsWith(".jar")).count();
        }
        assertEquals(2, jars);
        assertEquals("3.0.0", s.previous("org.vigil.n").orElseThrow().version());
    }

    @Test
    void aNewBundleRolledBackIsForgotten() throws Exception {
        BundleStore s = BundleStore.open(dir.resolve("state"), null);
        Path j = bundle("x.jar", "org.vigil.x", "1.0.0", "x");
        s.commit(s.stage("org.vigil.x", "1.0.0", j, j.toString()));
        s.commitRollback("org.vigil.x");
        assertTrue(BundleStore.open(dir.resolve("state"), null).current("org.vigil.x").isEmpty());
        IOException e = assertThrows(IOException.class, () -> s.commitRollback("org.vigil.x"));
        assertTrue(e.getMessage().contains("not known"), e.getMessage());
    }

    @Test
    void aDamagedStoredJarIsDetected() throws Exception {
        Path state = dir.resolve("state");
        BundleStore s = BundleStore.open(state, null);
        Path j = bundle("d.jar", "org.vigil.d", "1.0.0", "d");
        Revision r = s.stage("org.vigil.d", "1.0.0", j, j.toString());
        s.commit(r);
        try (OutputStream out = Files.newOutputStream(s.file(r), java.nio.file.StandardOpenOption.APPEND)) {
            out.write(1);
        }
        assertTrue(s.verify(r).contains("does not match its recorded SHA-256"), s.verify(r));
        Files.delete(s.file(r));
        assertTrue(s.verify(r) != null);
    }

    @Test
    void aDiscardedStageLeavesNothing() throws Exception {
        BundleStore s = BundleStore.open(dir.resolve("state"), null);
        Path j = bundle("z.jar", "org.vigil.z", "1.0.0", "z");
        Revision r = s.stage("org.vigil.z", "1.0.0", j, j.toString());
        assertTrue(Files.exists(s.file(r)));
        s.discard(r);
        assertFalse(Files.exists(s.file(r)));
        assertTrue(s.current("org.vigil.z").isEmpty());
        assertFalse(Files.exists(s.directory().resolve("ledger")));
    }

    @Test
    void aMalformedLedgerIsAClearErrorNamingItsLine() throws Exception {
        Path state = dir.resolve("state");
        Files.createDirectories(state.resolve("bundles"));
        Files.writeString(state.resolve("bundles/ledger"), "# ledger\norg.vigil.a current 1.0 - - zero src\n");
        IOException e = assertThrows(IOException.class, () -> BundleStore.open(state, null));
        assertTrue(e.getMessage().endsWith("ledger:2: malformed time 'zero'"), e.getMessage());
    }
}
