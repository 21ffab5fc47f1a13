package org.vigil.crm.internal.scheduler;

import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.osgi.service.component.annotations.Component;
import org.vigil.crm.api.CibDocument;
import org.vigil.crm.api.CibElement;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.PolicyEngine;
import org.vigil.crm.api.Transition;
import org.vigil.crm.api.TransitionAction;
import org.vigil.crm.internal.cib.CibChecker;
import org.vigil.crm.internal.cib.CibParser;
import org.vigil.crm.internal.cib.CrmTime;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.graph.GraphBuilder;
import org.vigil.crm.internal.scheduler.model.Action;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.schedule.Scheduler;

/**
 * The {@link PolicyEngine} of this bundle: {@link CibParser} and {@link CibChecker} for parsing, {@link Scheduler}
 * for scheduling. Registered as an OSGi service and, for plain Java use, through {@code META-INF/services}.
 * Stateless; thread-safe (every call works on its own copy of the document).
 */
@Component(service = PolicyEngine.class)
public final class StandardPolicyEngine implements PolicyEngine {

    /** A parsed and checked document; the tree is never modified after construction. */
    private record Document(XmlElement root, String sourceName) implements CibDocument {
    }

    @Override
    public CibDocument parse(InputStream in, String sourceName) throws CibException {
        XmlElement root = new CibParser(MAX_CIB_BYTES).parse(in, sourceName);
        CibChecker.check(root, sourceName);
        return new Document(root, sourceName);
    }

    @Override
    public Transition schedule(CibDocument cib, OptionalLong nowEpochSeconds) {
        XmlElement root = toXml(cib.root());
        long now = nowEpochSeconds.isPresent() ? nowEpochSeconds.getAsLong()
            : cib.executionDate().orElse(Instant.now().getEpochSecond());
        WorkingSet ws = Scheduler.run(root, CrmTime.ofEpochSecond(now), false);
        List<GraphBuilder.Synapse> order = GraphBuilder.executionOrder(ws.graph);
        Map<Action, Integer> ids = new IdentityHashMap<>();
        for (GraphBuilder.Synapse s : order) {
            ids.put(s.action(), s.action().id);
        }
        List<TransitionAction> actions = new ArrayList<>(order.size());
        for (GraphBuilder.Synapse s : order) {
            Action a = s.action();
            List<Integer> inputs = new ArrayList<>(s.inputs().size());
            for (Action in : s.inputs()) {
                inputs.add(in.id);
            }
            actions.add(new TransitionAction(a.id, kind(a), a.task, GraphBuilder.taskKey(a),
                a.rsc == null ? null : GraphBuilder.graphResourceId(a.rsc), a.node == null ? null : a.node.uname,
                parseInterval(a.meta.get("interval")), inputs));
        }
        return new Transition(actions, ws.summary(), new ArrayList<>(new LinkedHashSet<>(ws.warnings)));
    }

    private static TransitionAction.Kind kind(Action a) {
        if ("stonith".equalsIgnoreCase(a.task)) {
            return a.is(Action.PSEUDO) ? TransitionAction.Kind.PSEUDO : TransitionAction.Kind.FENCE;
        } else if (a.is(Action.PSEUDO)) {
            return TransitionAction.Kind.PSEUDO;
        } else if (GraphBuilder.isClusterAction(a)) {
            return TransitionAction.Kind.CLUSTER;
        }
        return TransitionAction.Kind.RESOURCE;
    }

    private static long parseInterval(String s) {
        if (s == null) {
            return 0;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** A private mutable copy of a document tree (the scheduler expands templates and tags in place). */
    private static XmlElement toXml(CibElement e) {
        if (e instanceof XmlElement x) {
            return x.deepCopy();
        }
        XmlElement copy = new XmlElement(e.name(), e.line(), e.column());
        for (Map.Entry<String, String> a : e.attributes().entrySet()) {
            copy.set(a.getKey(), a.getValue());
        }
        for (CibElement c : e.children()) {
            copy.addChild(toXml(c));
        }
        return copy;
    }
}
