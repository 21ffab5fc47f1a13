package org.vigil.crm.cib.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.CibVersion;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.cib.internal.ops.CibOps;

/**
 * The CIB on disk: snapshots written atomically in Pacemaker's layout with its on-disk digest, changes in between
 * appended to the write-ahead log, read back (configuration only, num_updates 0, no dc-uuid); a snapshot that does
 * not match its digest is moved aside with a clear message and the newest good backup used, and the log replays
 * on top of it; a torn last record is ignored.
 */
class CibStoreTest {

    @TempDir
    Path dir;

    private static CibSnapshot version(int epoch, String marker) {
        XmlNode root = CibOps.empty("pacemaker-3.9").with("epoch", Integer.toString(epoch)).with("num_updates", "7")
            .with("dc-uuid", "1");
        XmlNode conf = root.firstChild("configuration");
        XmlNode props = XmlNode.of("cluster_property_set", "id", "o").plusChild(XmlNode.of("nvpair", "id", marker,
            "name", marker, "value", "1"));
        root = root.withChild(0, conf.withChild(0, conf.firstChild("crm_config").plusChild(props)));
        XmlNode status = XmlNode.of("status").plusChild(XmlNode.of("node_state", "id", "1", "uname", "a"));
        return new CibSnapshot(root.withChild(1, status));
    }

    @Test
    void aWrittenCopyReadsBackAsPacemakerKeepsIt() throws Exception {
        CibStore store = new CibStore(dir, 3, "pacemaker-3.9");
        assertEquals(CibVersion.ZERO, store.load().snapshot().version(), "nothing on disk: an empty CIB");
        store.write(version(5, "m5"));
        CibStore.Loaded back = store.load();
        assertTrue(back.problems().isEmpty(), back.problems().toString());
        assertEquals(new CibVersion(0, 5, 0), back.snapshot().version());
        assertTrue(back.snapshot().root().toXml().contains("m5"));
        assertEquals(List.of(), back.snapshot().status().children(), "status is never written");
        assertEquals(null, back.snapshot().root().attribute("dc-uuid"));
        // the signature is Pacemaker's on-disk digest: what `cibadmin -5 -x cib.xml` prints
        XmlNode onDisk = XmlText.parse(Files.readString(dir.resolve("cib.xml")), "cib.xml");
        assertEquals(CibDigests.onDisk(onDisk), Files.readString(dir.resolve("cib.xml.sig")));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(dir.resolve("cib.xml"))), "the CIB is private to root");
    }

    @Test
    void theLastVersionsAreKeptAsBackupsInARing() throws Exception {
        CibStore store = new CibStore(dir, 3, "pacemaker-3.9");
        for (int e = 1; e <= 6; e++) {
            store.write(version(e, "m" + e));
            store.snapshotIfBehind();
        }
        long raws;
        try (var l = Files.list(dir)) {
            raws = l.filter(p -> p.getFileName().toString().matches("cib-\\d+\\.raw")).count();
        }
        assertEquals(3, raws);
        try (var l = Files.list(dir)) {
            assertTrue(l.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file is left");
        }
    }

    @Test
    void aHandEditedCopyIsMovedAsideAndTheNewestGoodBackupIsUsed() throws Exception {
        CibStore store = new CibStore(dir, 5, "pacemaker-3.9");
        store.write(version(1, "m1"));
        Thread.sleep(20);
        store.write(version(2, "m2"));
        store.snapshotIfBehind();
        Thread.sleep(20);
        store.write(version(3, "m3"));
        store.snapshotIfBehind();
        Files.writeString(dir.resolve("cib.xml"), Files.readString(dir.resolve("cib.xml")).replace("m3", "hacked"));
        CibStore.Loaded l = store.load();
        assertEquals(new CibVersion(0, 2, 0), l.snapshot().version(), l.problems().toString());
        assertTrue(l.problems().get(0).contains("does not match cib.xml.sig (modified by hand, or damaged)"),
            l.problems().toString());
        assertTrue(l.problems().get(0).contains("moved it to cib.auto."), l.problems().toString());
        try (var files = Files.list(dir)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("cib.auto.")), "kept for the admin");
        }
        assertFalse(Files.exists(dir.resolve("cib.xml")));
    }

    @Test
    void aTruncatedCopyFallsBackAndWithNoGoodCopyTheCibStartsEmpty() throws Exception {
        CibStore store = new CibStore(dir, 5, "pacemaker-3.9");
        store.write(version(4, "m4"));
        Files.delete(dir.resolve("cib.log"));
        Files.writeString(dir.resolve("cib.xml"), "<cib epoch=\"4\"><configura");
        CibStore.Loaded l = store.load();
        assertEquals(CibVersion.ZERO, l.snapshot().version());
        assertTrue(l.problems().toString().contains("malformed XML"), l.problems().toString());
        assertTrue(l.problems().get(l.problems().size() - 1).contains("starting with an empty CIB"));
    }

    @Test
    void aWriteBetweenItsTwoRenamesLeavesAPairThatDoesNotMatchAndTheBackupWins() throws Exception {
        CibStore store = new CibStore(dir, 5, "pacemaker-3.9");
        store.write(version(1, "m1"));
        store.write(version(2, "m2"));
        store.snapshotIfBehind();
        // a crash in the write of version 3 after cib.xml was renamed but before its signature was: the write had
        // linked version 2 as a backup, then renamed the new XML; the old signature is still there
        Thread.sleep(20);
        Files.copy(dir.resolve("cib.xml"), dir.resolve("cib-1.raw"));
        Files.copy(dir.resolve("cib.xml.sig"), dir.resolve("cib-1.raw.sig"));
        Path newXml = dir.resolve("next.xml");
        Files.writeString(newXml, version(3, "m3").root().with("num_updates", "0").toPrettyXml());
        Files.move(newXml, dir.resolve("cib.xml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CibStore.Loaded l = store.load();
        assertEquals(new CibVersion(0, 2, 0), l.snapshot().version(), l.problems().toString());
    }

    @Test
    void changesBetweenSnapshotsGoToTheLogAndReplayAtLoad() throws Exception {
        CibStore store = new CibStore(dir, 5, "pacemaker-3.9");
        store.write(version(1, "m1"));   // the first write is a snapshot
        for (int e = 2; e <= 10; e++) {
            store.write(version(e, "m" + e));
        }
        assertEquals(9, store.logRecords());
        assertTrue(Files.readString(dir.resolve("cib.xml")).contains("m1"), "the snapshot is behind");
        CibStore again = new CibStore(dir, 5, "pacemaker-3.9");
        CibStore.Loaded l = again.load();
        assertEquals(new CibVersion(0, 10, 0), l.snapshot().version(), l.problems().toString());
        assertTrue(l.snapshot().root().toXml().contains("m10"));
        assertTrue(l.source().contains("9 change(s) from cib.log"), l.source());
        // an idle node rewrites the snapshot and starts the log again
        again.snapshotIfBehind();
        assertEquals(0, again.logRecords());
        assertTrue(Files.readString(dir.resolve("cib.xml")).contains("m10"));
        assertEquals(new CibVersion(0, 10, 0), new CibStore(dir, 5, "pacemaker-3.9").load().snapshot().version());
    }

    @Test
    void aTornLastRecordIsIgnoredAndTheOnesBeforeItReplay() throws Exception {
        CibStore store = new CibStore(dir, 5, "pacemaker-3.9");
        store.write(version(1, "m1"));
        store.write(version(2, "m2"));
        store.write(version(3, "m3"));
        // cut the last record in half, as a crash during its append would
        CibLog.Contents c = CibLog.read(dir.resolve("cib.log"));
        assertEquals(2, c.records().size());
        long lastStart = c.end() - CibLog.HEADER - c.records().get(1).length;
        try (var ch = java.nio.channels.FileChannel.open(dir.resolve("cib.log"),
            java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.allocate(c.records().get(1).length / 2 + CibLog.HEADER),
                lastStart + CibLog.HEADER + c.records().get(1).length / 2);
        }
        CibStore.Loaded l = new CibStore(dir, 5, "pacemaker-3.9").load();
        assertEquals(new CibVersion(0, 2, 0), l.snapshot().version(), l.problems().toString());
        assertTrue(l.problems().toString().contains("torn record"), l.problems().toString());
        // and the log goes on from there
        CibStore s2 = new CibStore(dir, 5, "pacemaker-3.9");
        s2.load();
        s2.write(version(4, "m4"));
        assertEquals(new CibVersion(0, 4, 0), new CibStore(dir, 5, "pacemaker-3.9").load().snapshot().version());
    }
}
