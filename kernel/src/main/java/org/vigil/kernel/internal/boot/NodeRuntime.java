package org.vigil.kernel.internal.boot;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.CmapType;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.config.ConfigException;
import org.vigil.kernel.config.ConfigProblem;
import org.vigil.kernel.config.VigilConfig;

/**
 * The local node: reads the configuration named by the framework property {@value #CONFIG}, identifies this
 * node, loads the configuration into cmap and publishes {@link VigilNode}.
 *
 * <p>Framework properties (set by the node launcher): {@value #CONFIG}, {@value #STATE_DIR},
 * {@value #NODE_ID} (optional: skip identification), {@value #NODE_NAME}, {@value #STARTED}.
 */
@Component(service = VigilNode.class, immediate = true)
public final class NodeRuntime implements VigilNode {

    public static final String CONFIG = "vigil.config";
    public static final String STATE_DIR = "vigil.state.dir";
    public static final String NODE_ID = "vigil.node.id";
    public static final String NODE_NAME = "vigil.node.name";
    public static final String STARTED = "vigil.started";

    private static final Logger LOG = LoggerFactory.getLogger("vigil.MAIN");

    private final Cmap cmap;
    private final VigilConfig config;
    private final VigilConfig.Node local;
    private final Path stateDir;
    private final long startedAt;
    private final String version;

    @Activate
    public NodeRuntime(@Reference Cmap cmap, BundleContext context) throws Exception {
        this.cmap = cmap;
        String file = context.getProperty(CONFIG);
        if (file == null) {
            throw new IllegalStateException("framework property " + CONFIG + " is not set: no configuration file");
        }
        try {
            config = VigilConfig.load(Path.of(file));
        } catch (ConfigException e) {
            for (ConfigProblem p : e.problems()) {
                LOG.error("parser error: {}", p);
            }
            throw e;
        }
        for (ConfigProblem p : config.warnings()) {
            LOG.warn("{}", p);
        }
        String sd = context.getProperty(STATE_DIR);
        stateDir = Path.of(sd != null ? sd : "/var/lib/vigil");
        Files.createDirectories(stateDir);
        String idProp = context.getProperty(NODE_ID);
        int id = idProp == null ? 0 : Integer.parseUnsignedInt(idProp);
        local = config.findLocalNode(LocalHost.hostName(), LocalHost.addresses(), id, context.getProperty(NODE_NAME))
            .orElseThrow(() -> new IllegalStateException("No valid name found for local host: no node of "
                + file + " has this host's name or one of its addresses (give --node-id)"));
        String started = context.getProperty(STARTED);
        startedAt = started != null ? Long.parseLong(started) : ManagementFactory.getRuntimeMXBean().getStartTime();
        version = context.getBundle().getVersion().toString();
        load();
        LOG.info("Vigil Cluster Engine ('{}') starting", version);
        LOG.info("Local node ID {} ({}), {} nodes, transport {}, state dir {}", Integer.toUnsignedString(nodeId()),
            name(), config.nodes().size(), config.totem().transport(), stateDir);
        VigilConfig.Totem t = config.totem();
        LOG.info("Token Timeout ({} ms) retransmit timeout ({} ms); token hold ({} ms); join ({} ms); "
            + "consensus ({} ms); merge ({} ms)", t.token(), t.tokenRetransmit(), t.hold(), t.join(), t.consensus(),
            t.merge());
    }

    private void load() {
        for (VigilConfig.Value v : config.cmapValues()) {
            cmap.set(v.key(), v.type(), v.value());
        }
        cmap.set("nodelist.local_node_pos", CmapType.UINT32, (long) local.position());
        cmap.set("runtime.votequorum.this_node_id", CmapType.UINT32, Integer.toUnsignedLong(local.nodeId()));
        cmap.set("runtime.config.file", CmapType.STRING, config.file());
        cmap.set("runtime.vigil.version", CmapType.STRING, version);
        cmap.set("runtime.vigil.state_dir", CmapType.STRING, stateDir.toString());
        cmap.set("runtime.vigil.started", CmapType.UINT64, startedAt);
        for (Map.Entry<String, Long> e : Map.of("stats.ipcs.global.active", 0L, "stats.ipcs.global.closed", 0L,
            "stats.ipcs.global.rejected", 0L)
            .entrySet()) {
            cmap.set(e.getKey(), CmapType.UINT64, e.getValue());
        }
    }

    @Deactivate
    void deactivate() {
        LOG.info("Vigil Cluster Engine exiting");
    }

    @Override
    public int nodeId() {
        return local.nodeId();
    }

    @Override
    public String name() {
        return local.displayName();
    }

    @Override
    public Path stateDir() {
        return stateDir;
    }

    @Override
    public VigilConfig config() {
        return config;
    }

    @Override
    public long startedAtMillis() {
        return startedAt;
    }

    @Override
    public String version() {
        return version;
    }
}
