package org.vigil.crm.executor.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.cib.XmlCodec;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.exec.CrmdMessages;
import org.vigil.crm.api.exec.ExecRequest;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.CpgGroup;
import org.vigil.kernel.api.CpgListener;
import org.vigil.kernel.api.CpgMember;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.spi.ResourceAgent;

/**
 * The node's executor as a service of the node: joins the CPG group {@value CrmdMessages#GROUP}, takes the
 * messages addressed to this node ({@code execute}, {@code cancel}, {@code delete}, {@code join}) and runs them on
 * an {@link ExecutorCore}, with the resource agents the node has registered ({@link ResourceAgent} services,
 * found by their {@code vigil.agent} property).
 */
@Component(immediate = true, service = {})
public final class ExecutorService {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.EXEC");

    private final Map<String, ResourceAgent> agents = new ConcurrentHashMap<>();
    private final ScheduledExecutorService thread;
    private final ExecutorCore core;
    private final CpgGroup group;
    private final String nodeUuid;

    @Activate
    public ExecutorService(@Reference VigilNode node, @Reference Cib cib, @Reference Cpg cpg) {
        this.nodeUuid = Integer.toUnsignedString(node.nodeId());
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vigil-exec");
            t.setDaemon(true);
            return t;
        });
        core = new ExecutorCore(node.name(), nodeUuid, cib, agents::get, guarded(thread), thread,
            System::currentTimeMillis);
        group = cpg.join(CrmdMessages.GROUP, new CpgListener() {
            @Override
            public void deliver(String g, CpgMember sender, byte[] message) {
                thread.execute(guard("a message", () -> handle(message)));
            }

            @Override
            public void configurationChanged(String g, List<CpgMember> members, List<CpgMember> left,
                                             List<CpgMember> joined) {
                // the controllers run the join; nothing to do here
            }
        });
        LOG.info("executor on {} ready ({} agents known)", node.name(), agents.size());
    }

    private static java.util.concurrent.Executor guarded(ScheduledExecutorService thread) {
        return r -> thread.execute(guard("an agent result", r));
    }

    private static Runnable guard(String what, Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (RuntimeException | Error e) {
                LOG.error("executor: handling {} failed", what, e);
            }
        };
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void bindAgent(ResourceAgent agent, Map<String, Object> props) {
        agents.put(agent.spec(), agent);
    }

    void unbindAgent(ResourceAgent agent, Map<String, Object> props) {
        agents.remove(agent.spec(), agent);
    }

    private void handle(byte[] message) {
        XmlNode m;
        try {
            m = XmlCodec.decode(message, CrmdMessages.ELEMENT);
        } catch (CibException e) {
            LOG.warn("executor: dropped a malformed message: {}", e.getMessage());
            return;
        }
        String op = m.attribute("op", "");
        switch (op) {
            case "execute" -> {
                if (!nodeUuid.equals(m.attribute("node"))) {
                    return;
                }
                XmlNode rscOp = m.firstChild("rsc_op");
                ExecRequest r = rscOp == null ? null : ExecRequest.fromXml(rscOp);
                if (r == null) {
                    LOG.warn("executor: an execute message without a valid <rsc_op>");
                    return;
                }
                core.execute(r);
            }
            case "delete" -> {
                if (nodeUuid.equals(m.attribute("node")) && m.attribute("resource") != null) {
                    core.delete(m.attribute("resource"));
                }
            }
            case "join" -> {
                String joinId = m.attribute("join-id");
                core.publish().whenComplete((s, e) -> {
                    if (e != null) {
                        LOG.warn("executor: publishing the history for join {} failed: {}", joinId, e.getMessage());
                        return;
                    }
                    group.mcast(XmlCodec.encode(XmlNode.of(CrmdMessages.ELEMENT, "op", "join-confirm", "node",
                        nodeUuid, "join-id", joinId)));
                });
            }
            default -> {
                // election and other controller messages
            }
        }
    }

    @Deactivate
    void deactivate() {
        thread.execute(core::close);
        thread.shutdown();
        try {
            group.close();
        } catch (RuntimeException e) {
            LOG.debug("leaving {}: {}", CrmdMessages.GROUP, e.toString());
        }
    }
}
