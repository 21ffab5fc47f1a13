package org.vigil.crm.cib.internal.offline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibChange;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibListener;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;
import org.vigil.crm.cib.internal.engine.CibEngine;
import org.vigil.crm.cib.internal.validate.CibValidator;

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
    private final String nodeName;
    private final CibEngine engine;
    private final Deque<byte[]> wire = new ArrayDeque<>();
    private final Deque<CibSnapshot> disk = new ArrayDeque<>();
    private final Map<Long, CompletableFuture<CibSnapshot>> waiting = new HashMap<>();
    private final List<CibListener> listeners = new CopyOnWriteArrayList<>();
    private long ids;

    private FileCib(Path file, XmlNode root, String nodeName) {
        this.file = file;
        this.nodeName = nodeName;
        engine = new CibEngine(SELF, nodeName, new CibSnapshot(root), CibValidator.standard(), new Out());
        synchronized (this) {
            engine.configurationChanged(List.of(SELF));
            drain();
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
        return engine.current();
    }

    @Override
    public synchronized CompletionStage<CibSnapshot> update(CibRequest request) {
        long id = ++ids;
        CompletableFuture<CibSnapshot> f = new CompletableFuture<>();
        waiting.put(id, f);
        CibSnapshot before = engine.current();
        engine.request(id, request, System.currentTimeMillis());
        drain();
        if (!f.isDone()) {
            f.completeExceptionally(new CibError(CibError.ERROR, "Internal error", "the request was left unanswered"));
        }
        if (!f.isCompletedExceptionally() && engine.current() != before) {
            try {
                save(engine.current().root());
            } catch (IOException e) {
                return CompletableFuture.failedFuture(new CibError(CibError.ERROR, "Input/output error",
                    "could not write " + file + ": " + e.getMessage()));
            }
        }
        return f;
    }

    private void save(XmlNode root) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.writeString(tmp, root.toPrettyXml(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public AutoCloseable listen(CibListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public synchronized boolean syncing() {
        return false;
    }

    private void drain() {
        while (!wire.isEmpty() || !disk.isEmpty()) {
            if (!wire.isEmpty()) {
                engine.delivered(SELF, nodeName, wire.poll());
            } else {
                engine.persisted(disk.poll().version());
            }
        }
    }

    private final class Out implements CibEngine.Output {
        @Override
        public void multicast(byte[] message) {
            wire.add(message);
        }

        @Override
        public void completed(long requestId, CibSnapshot after) {
            CompletableFuture<CibSnapshot> f = waiting.remove(requestId);
            if (f != null) {
                f.complete(after);
            }
        }

        @Override
        public void failed(long requestId, CibError error) {
            CompletableFuture<CibSnapshot> f = waiting.remove(requestId);
            if (f != null) {
                f.completeExceptionally(error);
            }
        }

        @Override
        public void persist(CibSnapshot snapshot) {
            disk.add(snapshot);
        }

        @Override
        public void changed(CibChange change) {
            for (CibListener l : listeners) {
                l.changed(change);
            }
        }

        @Override
        public void log(boolean warn, String message) {
            if (warn) {
                System.err.println("warning: " + message);
            }
        }
    }
}
