package org.vigil.shell.internal.agents;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.vigil.kernel.spi.FenceAgent;
import org.vigil.kernel.spi.ResourceAgent;

/**
 * The resource and fence agents of this node as the shell sees them: every {@link ResourceAgent} and
 * {@link FenceAgent} service, bound dynamically and greedily, so agents appear and disappear with their bundle
 * (and an upgraded agents bundle replaces the old services) without restarting the commands. Where two services
 * claim the same name, the higher-ranked (then the older) wins, as in the service registry. Thread-safe.
 */
@Component(service = AgentDirectory.class)
public final class AgentDirectory {

    /** An agent with the registration facts used to pick among services of the same name. */
    record Entry<T>(String name, T agent, int ranking, long serviceId) {
    }

    private static final Comparator<Entry<?>> PREFERRED = Comparator.<Entry<?>>comparingInt(e -> -e.ranking())
        .thenComparingLong(Entry::serviceId);

    private final Map<Object, Entry<ResourceAgent>> resources = new ConcurrentHashMap<>();
    private final Map<Object, Entry<FenceAgent>> fences = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void bindResourceAgent(ResourceAgent agent, ServiceReference<ResourceAgent> ref) {
        resources.put(ref, new Entry<>(name(ref, ResourceAgent.AGENT, agent.spec()), agent, ranking(ref), id(ref)));
    }

    void unbindResourceAgent(ResourceAgent agent, ServiceReference<ResourceAgent> ref) {
        resources.remove(ref);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void bindFenceAgent(FenceAgent agent, ServiceReference<FenceAgent> ref) {
        fences.put(ref, new Entry<>(name(ref, FenceAgent.AGENT, agent.name()), agent, ranking(ref), id(ref)));
    }

    void unbindFenceAgent(FenceAgent agent, ServiceReference<FenceAgent> ref) {
        fences.remove(ref);
    }

    /** Outside OSGi (tests, tools): adds an agent under its own name. */
    public void add(ResourceAgent agent) {
        resources.put(agent, new Entry<>(agent.spec(), agent, 0, resources.size()));
    }

    /** Outside OSGi: adds a fence agent under its own name. */
    public void add(FenceAgent agent) {
        fences.put(agent, new Entry<>(agent.name(), agent, 0, fences.size()));
    }

    /** The agent registered as {@code spec} ({@code ocf:heartbeat:IPaddr2}, {@code lsb:nginx}, ...). */
    public Optional<ResourceAgent> resource(String spec) {
        return resources.values().stream().filter(e -> e.name().equals(spec)).min(PREFERRED).map(Entry::agent);
    }

    /** Every resource agent, one per name, sorted by name. */
    public List<ResourceAgent> resources() {
        return unique(new ArrayList<>(resources.values()));
    }

    /** The fence agent of that name. */
    public Optional<FenceAgent> fence(String name) {
        return fences.values().stream().filter(e -> e.name().equals(name)).min(PREFERRED).map(Entry::agent);
    }

    /** Every fence agent, one per name, sorted by name. */
    public List<FenceAgent> fences() {
        return unique(new ArrayList<>(fences.values()));
    }

    private static <T> List<T> unique(List<Entry<T>> all) {
        all.sort(Comparator.<Entry<T>, String>comparing(Entry::name).thenComparing(PREFERRED));
        List<T> out = new ArrayList<>();
        String last = null;
        for (Entry<T> e : all) {
            if (!e.name().equals(last)) {
                out.add(e.agent());
                last = e.name();
            }
        }
        return out;
    }

    private static String name(ServiceReference<?> ref, String key, String fallback) {
        Object v = ref.getProperty(key);
        return v == null ? fallback : v.toString();
    }

    private static int ranking(ServiceReference<?> ref) {
        return ref.getProperty(Constants.SERVICE_RANKING) instanceof Integer i ? i : 0;
    }

    private static long id(ServiceReference<?> ref) {
        return ref.getProperty(Constants.SERVICE_ID) instanceof Long l ? l : 0L;
    }
}
