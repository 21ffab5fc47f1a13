package org.vigil.kernel.config;

import java.io.PrintStream;
import java.nio.file.Path;
import org.vigil.kernel.api.CmapEntry;

/**
 * {@code vigil config check FILE}: prints the effective configuration in {@code corosync-cmapctl} form and the
 * warnings (exit 0), or the errors (exit 1). Runs without a framework.
 */
public final class ConfigCheck {

    private ConfigCheck() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the check; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 1 || args[0].startsWith("-")) {
            err.println("usage: vigil config check FILE");
            return 2;
        }
        VigilConfig cfg;
        try {
            cfg = VigilConfig.load(Path.of(args[0]));
        } catch (ConfigException e) {
            for (ConfigProblem p : e.problems()) {
                err.println(p);
            }
            err.println(args[0] + ": " + e.errors().size() + " error" + (e.errors().size() == 1 ? "" : "s")
                + "; configuration not valid");
            return 1;
        }
        print(cfg, out);
        for (ConfigProblem p : cfg.warnings()) {
            err.println(p);
        }
        err.println(args[0] + ": configuration valid, " + cfg.warnings().size() + " warning"
            + (cfg.warnings().size() == 1 ? "" : "s"));
        return 0;
    }

    /** Prints the effective configuration. */
    public static void print(VigilConfig cfg, PrintStream out) {
        VigilConfig.Totem t = cfg.totem();
        out.printf("# %s: %d node%s, transport %s, rrp_mode %s, crypto %s/%s%n", cfg.file(), cfg.nodes().size(),
            cfg.nodes().size() == 1 ? "" : "s", t.transport(), t.rrpMode(), t.cryptoCipher(), t.cryptoHash());
        for (VigilConfig.Node n : cfg.nodes()) {
            out.printf("# node %s: nodeid %s, ring0 %s%s%s%n", n.position(), Integer.toUnsignedString(n.nodeId()),
                n.addresses().get(0), n.addresses().containsKey(1) ? ", ring1 " + n.addresses().get(1) : "",
                n.name() != null ? ", name " + n.name() : "");
        }
        for (VigilConfig.Value v : cfg.cmapValues()) {
            out.println(new CmapEntry(v.key(), v.type(), v.value()).toCmapctlLine());
        }
    }
}
