package org.vigil.crm.attrd.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.vigil.crm.api.attrd.Attrd;
import org.vigil.crm.api.attrd.AttrdError;
import org.vigil.crm.api.attrd.AttributeUpdate;
import org.vigil.crm.api.attrd.AttributeValue;

/** The {@link Attrd} service over an engine in virtual time, for the command tests: each call runs what is due. */
public final class DirectAttrd implements Attrd {

    public final MemoryCibAccess cib = new MemoryCibAccess();
    final VirtualScheduler clock = new VirtualScheduler();
    public final NodeNames names = new NodeNames("alpha", "1", List.of(new NodeNames.KnownNode("alpha", "1"),
        new NodeNames.KnownNode("bravo", "2")));
    final AttrdEngine engine = new AttrdEngine(cib.cib, clock, names);

    /** Lets virtual time pass. */
    public void advance(long ms) {
        clock.advance(ms);
    }

    @Override
    public CompletionStage<Void> update(AttributeUpdate update) throws AttrdError {
        CompletableFuture<Void> f = engine.update(update);
        clock.runDue();
        return f;
    }

    @Override
    public List<AttributeValue> query(String name, String node) throws AttrdError {
        return engine.query(name, node);
    }

    @Override
    public CompletionStage<Void> refresh() {
        CompletableFuture<Void> f = engine.refresh();
        clock.runDue();
        return f;
    }

    @Override
    public Cleared clearFailures(String resource, String operation, long intervalMs, String node) throws AttrdError {
        Map.Entry<List<AttributeValue>, CompletableFuture<Void>> r = engine.clearFailures(resource, operation,
            intervalMs, node);
        clock.runDue();
        return new Cleared(r.getKey(), r.getValue());
    }

    @Override
    public String localNode() {
        return names.localName();
    }

    /** The in-memory CIB, reachable from other packages' tests. */
    public static final class MemoryCibAccess {
        final MemoryCib cib = new MemoryCib();

        public org.vigil.crm.api.cib.Cib cib() {
            return cib;
        }

        public void apply(org.vigil.crm.api.cib.CibRequest r) throws org.vigil.crm.api.cib.CibError {
            cib.apply(r);
        }

        public String status() {
            return cib.status();
        }

        public int requests() {
            return cib.requests.size();
        }
    }
}
