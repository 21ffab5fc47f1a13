package org.vigil.crm.internal.pcs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.api.cib.XmlText;

/**
 * An agent's meta-data, as pcs reads it to add an agent's default operations to a new resource: OCF agents under
 * {@code OCF_ROOT} ({@code /usr/lib/ocf}) run with {@code meta-data}, fence agents with {@code -o metadata}. Bounded
 * (10 s, 1 MiB).
 */
final class AgentMetadata {

    /** One {@code <action>} of the meta-data. */
    record Action(String name, String timeout, String interval, String depth, String role, String startDelay) {
    }

    /** A full agent name. */
    record Agent(String standard, String provider, String type) {
        String full() {
            return standard + (provider == null ? "" : ":" + provider) + ":" + type;
        }

        boolean stonith() {
            return standard.equals("stonith");
        }
    }

    /** Reads an agent's meta-data (null if the agent is not installed or gives none). */
    interface Source {
        XmlNode metadata(Agent agent);

        /** The providers offering an OCF agent of this type. */
        List<String> providers(String type);
    }

    static final Path OCF_ROOT = Path.of(System.getenv().getOrDefault("OCF_ROOT", "/usr/lib/ocf"));

    /** The installed agents. */
    static final Source INSTALLED = new Source() {
        @Override
        public XmlNode metadata(Agent agent) {
            List<String> cmd;
            if (agent.standard().equals("ocf")) {
                Path p = OCF_ROOT.resolve("resource.d").resolve(agent.provider()).resolve(agent.type());
                if (!Files.isExecutable(p)) {
                    return null;
                }
                cmd = List.of(p.toString(), "meta-data");
            } else if (agent.stonith()) {
                Path p = null;
                for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin")) {
                    if (Files.isExecutable(Path.of(dir, agent.type()))) {
                        p = Path.of(dir, agent.type());
                        break;
                    }
                }
                if (p == null || agent.type().contains("/")) {
                    return null;
                }
                cmd = List.of(p.toString(), "-o", "metadata");
            } else {
                return null;
            }
            return run(cmd);
        }

        @Override
        public List<String> providers(String type) {
            List<String> out = new ArrayList<>();
            Path d = OCF_ROOT.resolve("resource.d");
            try (var s = Files.list(d)) {
                s.sorted().forEach(p -> {
                    if (Files.isExecutable(p.resolve(type))) {
                        out.add(p.getFileName().toString());
                    }
                });
            } catch (IOException e) {
                // no OCF agents here
            }
            return out;
        }
    };

    private AgentMetadata() {
    }

    private static XmlNode run(List<String> cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.DISCARD).redirectInput(ProcessBuilder.Redirect.from(
                    new java.io.File("/dev/null")));
            pb.environment().put("OCF_ROOT", OCF_ROOT.toString());
            Process p = pb.start();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            try (InputStream in = p.getInputStream()) {
                byte[] b = new byte[8192];
                int n;
                while ((n = in.read(b)) > 0 && buf.size() < (1 << 20)) {
                    buf.write(b, 0, n);
                }
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return XmlText.parse(buf.toString(java.nio.charset.StandardCharsets.UTF_8), String.join(" ", cmd));
        } catch (IOException | CibException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The {@code <action>}s of the meta-data, in its order. */
    static List<Action> actions(XmlNode md) {
        List<Action> out = new ArrayList<>();
        XmlNode actions = md == null ? null : md.firstChild("actions");
        if (actions == null) {
            return out;
        }
        for (XmlNode a : actions.children("action")) {
            out.add(new Action(a.attribute("name"), a.attribute("timeout"), a.attribute("interval"),
                a.attribute("depth"), a.attribute("role"), a.attribute("start-delay")));
        }
        return out;
    }

    /** The names of the agent's parameters, in its order. */
    static List<String> parameters(XmlNode md) {
        List<String> out = new ArrayList<>();
        XmlNode params = md == null ? null : md.firstChild("parameters");
        if (params != null) {
            for (XmlNode p : params.children("parameter")) {
                out.add(p.attribute("name"));
            }
        }
        return out;
    }
}
