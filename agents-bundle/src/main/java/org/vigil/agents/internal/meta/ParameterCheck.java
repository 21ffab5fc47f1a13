package org.vigil.agents.internal.meta;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks instance parameters against meta-data before an agent runs: required parameters present, no unknown
 * parameters, well-formed integer/boolean/select values, and names and values the environment can carry.
 * Stateless and thread-safe.
 */
public final class ParameterCheck {

    /** The values Pacemaker accepts as booleans (case-insensitive). */
    private static final Set<String> BOOLEANS = Set.of("true", "false", "yes", "no", "on", "off", "y", "n", "1",
        "0");

    /**
     * Not an agent's parameter: the CRM feature set, which Pacemaker's controller adds to every action's parameters
     * and its executor passes on as {@code OCF_RESKEY_crm_feature_set} (agents read it to choose which Pacemaker
     * commands to run); an agent need not declare it.
     */
    public static final String FEATURE_SET = "crm_feature_set";

    private ParameterCheck() {
    }

    /**
     * @param md     the agent's meta-data
     * @param spec   the agent, for messages (e.g. {@code ocf:heartbeat:IPaddr2})
     * @param params the instance parameters
     * @return the problems, each naming the parameter; empty when the parameters are acceptable
     */
    public static List<String> check(AgentMetadata md, String spec, Map<String, String> params) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(params).entrySet()) {
            String name = e.getKey();
            String value = e.getValue();
            String nameProblem = nameProblem(name);
            if (nameProblem != null) {
                problems.add("parameter name '" + printable(name) + "' " + nameProblem);
                continue;
            }
            if (value.indexOf('\0') >= 0) {
                problems.add("parameter '" + name + "' contains a NUL character, which cannot be passed to an "
                    + "agent");
                continue;
            }
            AgentMetadata.Parameter p = md.parameter(name).orElse(null);
            if (p == null && name.equals(FEATURE_SET)) {
                continue;
            }
            if (p == null) {
                Set<String> known = new TreeSet<>();
                md.parameters().forEach(x -> known.add(x.name()));
                problems.add("unknown parameter '" + name + "' for " + spec
                    + (known.isEmpty() ? " (it takes no parameters)" : " (known: " + String.join(", ", known) + ")"));
                continue;
            }
            String typeProblem = typeProblem(p, value);
            if (typeProblem != null) {
                problems.add("parameter '" + name + "' of " + spec + ": " + typeProblem);
            }
        }
        for (AgentMetadata.Parameter p : md.parameters()) {
            if (p.required() && !params.containsKey(p.name())) {
                problems.add("required parameter '" + p.name() + "' of " + spec + " is missing");
            }
        }
        return problems;
    }

    /** Why a name cannot be an environment variable suffix, or null when it can. */
    public static String nameProblem(String name) {
        if (name.isEmpty()) {
            return "is empty";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '=' || c == '\0' || c == '\n' || Character.isWhitespace(c)) {
                return "contains '" + printable(String.valueOf(c)) + "'";
            }
        }
        return null;
    }

    private static String typeProblem(AgentMetadata.Parameter p, String value) {
        String v = value.strip();
        switch (p.type()) {
            case "integer", "int" -> {
                // agents declare durations as integers with a unit (ocf:pacemaker:ping's dampen, default "5s"),
                // and Pacemaker passes every value through unchecked: a number with a time unit is accepted
                if (!v.matches("[+-]?[0-9]+\\s*(ms|msec|us|usec|s|sec|m|min|h|hr)?")) {
                    return "'" + printable(value) + "' is not an integer";
                }
            }
            case "boolean" -> {
                if (!BOOLEANS.contains(v.toLowerCase(Locale.ROOT))) {
                    return "'" + printable(value) + "' is not a boolean (true/false, yes/no, on/off, 1/0)";
                }
            }
            case "select" -> {
                if (!p.options().isEmpty() && !p.options().contains(value)) {
                    return "'" + printable(value) + "' is not one of " + String.join(", ", p.options());
                }
            }
            default -> {
                // string, time, port, ...: any value, passed verbatim
            }
        }
        return null;
    }

    private static String printable(String s) {
        return s.replace("\n", "\\n").replace("\0", "\\0").replace("\t", "\\t");
    }
}
