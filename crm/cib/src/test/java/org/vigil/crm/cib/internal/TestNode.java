package org.vigil.crm.cib.internal;

import java.nio.file.Path;
import java.util.Map;
import org.vigil.kernel.api.VigilNode;
import org.vigil.kernel.config.VigilConfig;

/**
 * A {@link VigilNode} for command tests: node {@code id} of a cluster whose nodelist names the given nodes (id to
 * name), read by the kernel's real configuration parser.
 */
public final class TestNode implements VigilNode {

    private final int id;
    private final String name;
    private final VigilConfig config;

    /**
     * @param id    this node's id
     * @param name  this node's name (need not be in the list, as for a node identified by its address)
     * @param nodes the nodelist: id to name
     */
    public TestNode(int id, String name, Map<Integer, String> nodes) {
        this.id = id;
        this.name = name;
        StringBuilder b = new StringBuilder("totem {\n  version: 2\n  cluster_name: test\n}\n"
            + "quorum {\n  provider: corosync_votequorum\n}\nnodelist {\n");
        int k = 1;
        for (Map.Entry<Integer, String> e : new java.util.TreeMap<>(nodes).entrySet()) {
            b.append("  node {\n    ring0_addr: 10.63.0.").append(k++).append("\n    nodeid: ").append(e.getKey())
                .append("\n    name: ").append(e.getValue()).append("\n  }\n");
        }
        b.append("}\n");
        try {
            this.config = VigilConfig.fromText("test.conf", b.toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public int nodeId() {
        return id;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Path stateDir() {
        return Path.of("/nonexistent/vigil-test-state");
    }

    @Override
    public VigilConfig config() {
        return config;
    }

    @Override
    public long startedAtMillis() {
        return 0;
    }

    @Override
    public String version() {
        return "0.0.0-test";
    }
}
