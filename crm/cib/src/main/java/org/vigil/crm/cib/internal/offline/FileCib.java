package org.vigil.crm.cib.internal.offline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibListener;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.cib.internal.engine.CibEngine;
import org.vigil.crm.cib.internal.engine.SoloEngine;

/**
 * The CIB of a file, as Pacemaker's tools see it with {@code CIB_file=F} (its file-based CIB client,
 * {@code cib_file_new()} and {@code cib_file_perform_op_delegate()} of lib/cib/cib_file.c): the document is read
 * once, every request runs through the real {@link CibEngine} (operations, validation, version rules) as on a node
 * alone, and after each change that succeeded the file is written again (atomically: a temporary file renamed over
 * it), where Pacemaker writes it when the tool signs off. No node, ring or disk store is involved.
 */
public final class FileCib implements Cib {

    private static final CibEngine.Member SELF = new CibEngine.Member(1, ProcessHandle.current().pid());

    private final Path file;
    private final SoloEngine solo;

    private FileCib(Path file, XmlNode root, String nodeName) {
        this.file = file;
        synchronized (this) {
            solo = new SoloEngine(SELF, nodeName, root, (warn, message) -> {
                if (warn) {
                    System.err.println("warning: " + message);
                }
            });
        }
    }

    /**
     * Opens {@code file}; {@code nodeName} is recorded as the origin of updates. A file that cannot be read or is no
     * CIB is an error naming it.
     */
    public static FileCib open(Path file, String nodeName) throws CibException, IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file");
        }
        XmlNode root;
        try (var in = Files.newInputStream(file)) {
            root = XmlText.parse(in, file.toString(), XmlText.DEFAULT_MAX_BYTES);
        }
        if (!root.name().equals("cib")) {
            throw new IOException(file + ": not a CIB (its root element is <" + root.name() + ">, not <cib>)");
        }
        return new FileCib(file, root, nodeName);
    }

    @Override
    public synchronized CibSnapshot current() {
        return solo.engine().current();
    }

    @Override
    public synchronized CompletionStage<CibSnapshot> update(CibRequest request) {
        CibSnapshot before = solo.engine().current();
        CompletableFuture<CibSnapshot> f = solo.request(request, System.currentTimeMillis());
        solo.drain();
        if (!f.isDone()) {
            f.completeExceptionally(SoloEngine.unanswered("the request was left unanswered"));
        }
        if (!f.isCompletedExceptionally() && solo.engine().current() != before) {
            try {
                save(solo.engine().current().root());
            } catch (IOException e) {
                return CompletableFuture.failedFuture(new CibError(CibError.ERROR, "Input/output error",
                    "could not write " + file + ": " + e.getMessage()));
            }
        }
        return f;
    }

    /**
     * Writes the changed CIB back into the file itself, as Pacemaker's file CIB does for a file that is not the live
     * CIB ({@code cib_file_signoff()} -> {@code write_xml_file()} in lib/cib/cib_file.c: the file truncated and
     * written, the same inode). A rename would leave a program that holds the file open reading the old content:
     * pcs runs {@code crm_resource --move} with {@code CIB_file} set to a temporary file it keeps open and reads the
     * result back through that handle ({@code pcs resource move}). The document is made in full before the file is
     * touched, and synced after.
     */
    private void save(XmlNode root) throws IOException {
        byte[] bytes = root.toPrettyXml().getBytes(StandardCharsets.UTF_8);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
            java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
    }

    @Override
    public AutoCloseable listen(CibListener listener) {
        return solo.listen(listener);
    }

    @Override
    public synchronized boolean syncing() {
        return false;
    }
}
