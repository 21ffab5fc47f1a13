package org.vigil.itest.support;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.frameworkStartLevel;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ops4j.pax.exam.Option;
import org.vigil.boot.NodeMain;

/**
 * The real, exported Vigil distribution ({@code distribution/target}) as Pax Exam options: every bundle of
 * {@code vigil.jar}'s launch plan, from the {@code export/vigil} folder bnd wrote, at its planned start level,
 * plus the framework properties a node needs (a one-node configuration on a free 127.0.0.1 port).
 */
public final class Distribution {

    private Distribution() {
    }

    public static Path home() {
        return Path.of(System.getProperty("vigil.distribution", "../distribution/target")).toAbsolutePath();
    }

    /** Bundles at their start levels, and the framework start level that starts them all. */
    public static List<Option> bundles() throws IOException {
        NodeMain.Launch launch = NodeMain.Launch.read(home().resolve("vigil.jar"));
        List<Option> out = new ArrayList<>();
        for (String entry : launch.bundles()) {
            Path file = home().resolve("export/vigil").resolve(Path.of(entry).getFileName());
            if (!Files.isRegularFile(file)) {
                throw new IOException("exported bundle missing: " + file + " (build the distribution first)");
            }
            Integer level = launch.startLevels().get(entry);
            out.add(bundle(file.toUri().toString()).startLevel(level == null ? 5 : level).start());
        }
        out.add(frameworkProperty("org.osgi.framework.startlevel.beginning")
            .value(Integer.toString(launch.maxStartLevel())));
        // Pax Exam raises the framework to its own level (5 unless told): every level of the plan must start
        out.add(frameworkStartLevel(launch.maxStartLevel()));
        return out;
    }

    /**
     * A state dir and a one-node configuration for an in-framework node, as framework properties.
     *
     * @return the state directory
     */
    public static Path nodeProperties(List<Option> options, String name) throws IOException {
        Path dir = Files.createTempDirectory("vigil-itest-" + name);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path conf = dir.resolve("vigil.conf");
        Files.writeString(conf, "totem {\n version: 2\n cluster_name: itest\n transport: udpu\n}\n"
            + "nodelist {\n node {\n ring0_addr: 127.0.0.1\n ring0_port: " + port + "\n nodeid: 1\n"
            + " name: node1\n }\n}\n");
        options.add(frameworkProperty("vigil.config").value(conf.toString()));
        options.add(frameworkProperty("vigil.state.dir").value(dir.resolve("state").toString()));
        options.add(frameworkProperty("vigil.node.id").value("1"));
        options.add(frameworkProperty("gosh.args").value("--nointeractive"));
        options.add(frameworkProperty("vigil.home").value(home().toString()));
        return dir;
    }
}
