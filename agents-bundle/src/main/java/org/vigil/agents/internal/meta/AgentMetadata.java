package org.vigil.agents.internal.meta;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * An agent's meta-data as parsed from its OCF resource-agent XML. Immutable.
 *
 * @param name         the {@code resource-agent name} attribute
 * @param agentVersion the agent's own version ({@code resource-agent version} attribute), or null
 * @param ocfVersion   the OCF version it implements ({@code <version>} element), or null
 * @param shortDesc    one line of description, or ""
 * @param parameters   the parameters in document order
 * @param actions      the actions in document order
 */
public record AgentMetadata(String name, String agentVersion, String ocfVersion, String shortDesc,
                            List<Parameter> parameters, List<Action> actions) {

    public AgentMetadata {
        parameters = List.copyOf(parameters);
        actions = List.copyOf(actions);
    }

    /**
     * One parameter.
     *
     * @param name       the parameter name ({@code OCF_RESKEY_<name>})
     * @param type       {@code string}, {@code integer}, {@code boolean}, {@code select}, ... ({@code string} if
     *                   not given)
     * @param required   whether a value must be given
     * @param unique     whether two resources of this agent may not share the value (checked by the CRM)
     * @param defaultValue the default, or null
     * @param options    the allowed values of a {@code select}, else empty
     * @param deprecated whether the parameter is marked deprecated
     * @param shortDesc  one line of description, or ""
     */
    public record Parameter(String name, String type, boolean required, boolean unique, String defaultValue,
                            List<String> options, boolean deprecated, String shortDesc) {
        public Parameter {
            options = List.copyOf(options);
        }
    }

    /**
     * One action.
     *
     * @param name     e.g. {@code monitor}
     * @param timeout  the default timeout, or null
     * @param interval the default interval (recurring monitors), or null
     * @param depth    the {@code depth} attribute, or null
     * @param role     the {@code role} attribute ({@code Promoted}, {@code Unpromoted}, ...), or null
     */
    public record Action(String name, Duration timeout, Duration interval, String depth, String role) {
    }

    /** The parameter of that name. */
    public Optional<Parameter> parameter(String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The first action of that name. */
    public Optional<Action> action(String name) {
        return actions.stream().filter(a -> a.name().equals(name)).findFirst();
    }
}
