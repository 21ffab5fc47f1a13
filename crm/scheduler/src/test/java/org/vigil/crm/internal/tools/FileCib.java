package org.vigil.crm.internal.tools;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.CibError;
import org.vigil.crm.api.cib.CibListener;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.CibSnapshot;
import org.vigil.crm.api.cib.XmlNode;

/**
 * A read-only CIB holding one document, as Pacemaker's tools see a file with {@code CIB_file}: for the crm_mon
 * tests, which only read. An update fails ("Operation not supported").
 */
final class FileCib implements Cib {

    private final CibSnapshot snapshot;

    FileCib(XmlNode root) {
        snapshot = new CibSnapshot(root);
    }

    @Override
    public CibSnapshot current() {
        return snapshot;
    }

    @Override
    public CompletionStage<CibSnapshot> update(CibRequest request) {
        return CompletableFuture.failedFuture(new CibError(CibError.ERROR, "Operation not supported",
            "this test CIB is read-only"));
    }

    @Override
    public AutoCloseable listen(CibListener listener) {
        return () -> { };
    }

    @Override
    public boolean syncing() {
        return false;
    }
}
