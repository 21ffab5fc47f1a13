package org.vigil.agents.internal.builtin;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code vigil:Dummy} as an OCF script would run it: {@code java -cp ... DummyMain ACTION} with the OCF
 * environment ({@code OCF_RESOURCE_INSTANCE}, {@code OCF_RESKEY_*}); prints the output and exits with the OCF
 * code. It is what an {@code ocf:vigil:Dummy} wrapper script runs, so that {@code ocf-tester} can check the
 * built-in agent's behaviour against the OCF rules.
 */
public final class DummyMain {

    private DummyMain() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: DummyMain ACTION   (with the OCF environment)");
            System.exit(2);
        }
        Map<String, String> params = new HashMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("OCF_RESKEY_") && !k.startsWith("OCF_RESKEY_CRM_meta_")) {
                params.put(k.substring("OCF_RESKEY_".length()), v);
            }
        });
        String action = args[0];
        if (!action.equals("meta-data")) {
            var problems = DummyLogic.validate(params);
            if (!problems.isEmpty()) {
                System.err.println("ocf-exit-reason:" + String.join("; ", problems));
                System.exit(6);
            }
        }
        String rsctmp = System.getenv().getOrDefault("HA_RSCTMP", "/run/resource-agents");
        String resource = System.getenv().getOrDefault("OCF_RESOURCE_INSTANCE", "Dummy");
        DummyLogic.Outcome o = new DummyLogic(Path.of(rsctmp)).run(resource, action, params);
        System.out.print(o.output());
        if (!o.error().isEmpty()) {
            System.err.println(o.error());
        }
        System.exit(o.status().code() < 0 ? 1 : o.status().code());
    }
}
