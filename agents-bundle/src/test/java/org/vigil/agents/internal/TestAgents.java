package org.vigil.agents.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.vigil.agents.internal.exec.AgentRunner;

/** Builds throw-away OCF roots with small shell agents for tests, and the settings to use them. */
public final class TestAgents {

    private TestAgents() {
    }

    /** True when a runner helper can run external agents (native, or python3 wherever resource-agents is). */
    public static boolean runnerAvailable() {
        return new AgentRunner(null).available();
    }

    /** Settings pointing every directory into {@code root}; short kill grace for fast fault tests. */
    public static AgentSettings settings(Path root, int maxOutput) {
        Map<String, String> p = new HashMap<>();
        p.put("vigil.agents.ocf.root", root.resolve("ocf").toString());
        p.put("vigil.agents.rsctmp", root.resolve("rsctmp").toString());
        p.put("vigil.agents.lsb.dir", root.resolve("init.d").toString());
        p.put("vigil.agents.fence.dir", root.resolve("sbin").toString());
        p.put("vigil.agents.state.dir", root.resolve("state").toString());
        p.put("vigil.agents.max.output", Integer.toString(maxOutput));
        p.put("vigil.agents.kill.grace.ms", "500");
        p.put("vigil.agents.metadata.timeout.ms", "5000");
        p.put("vigil.agents.rescan.ms", "100");
        return AgentSettings.from(p::get);
    }

    /** Writes an executable script (mode 0755). */
    public static Path script(Path file, String body) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, body, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /**
     * An OCF agent {@code <root>/ocf/resource.d/<provider>/<type>} whose meta-data declares {@code paramsXml}
     * and whose actions run the shell {@code cases} (a {@code case "$1" in ... esac} body without meta-data).
     */
    public static Path ocfAgent(Path root, String provider, String type, String paramsXml, String cases)
        throws IOException {
        String md = """
            <?xml version="1.0"?>
            <!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">
            <resource-agent name="%s" version="0.9">
            <version>1.1</version>
            <longdesc lang="en">test agent</longdesc>
            <shortdesc lang="en">test agent %s</shortdesc>
            <parameters>
            %s
            </parameters>
            <actions>
            <action name="start" timeout="20s"/>
            <action name="stop" timeout="20s"/>
            <action name="monitor" timeout="20s" interval="10s"/>
            <action name="meta-data" timeout="5s"/>
            </actions>
            </resource-agent>
            """.formatted(type, type, paramsXml);
        return script(root.resolve("ocf/resource.d").resolve(provider).resolve(type), "#!/bin/sh\n"
            + "if [ \"$1\" = meta-data ]; then cat <<'END_OF_META'\n" + md + "END_OF_META\nexit 0\nfi\n"
            + "case \"$1\" in\n" + cases + "\n*) exit 3 ;;\nesac\n");
    }

    /** A parameter declaration for {@link #ocfAgent}. */
    public static String param(String name, String type, boolean required) {
        return "<parameter name=\"" + name + "\" required=\"" + (required ? 1 : 0) + "\" unique=\"0\">"
            + "<longdesc lang=\"en\">" + name + "</longdesc><shortdesc lang=\"en\">" + name + "</shortdesc>"
            + "<content type=\"" + type + "\"/></parameter>";
    }

    /** Whether a process exists and is not a zombie. */
    public static boolean alive(long pid) {
        Path stat = Path.of("/proc/" + pid + "/stat");
        try {
            String s = Files.readString(stat);
            int close = s.lastIndexOf(')');
            return close > 0 && s.length() > close + 2 && s.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }
}
